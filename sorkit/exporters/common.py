"""Helpers shared by the exporters: which units an export holds, in tree order."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sorkit.errors import UnitNotFound
from sorkit.model import Unit, Version
from sorkit.snapshot import Snapshot

if TYPE_CHECKING:
    from sorkit.register import Register


def exported_units(
    snap: Snapshot, day: dt.date, *, include_closed: bool = False
) -> tuple[dict[str, Version], dict[str | None, list[str]]]:
    """The units an export on ``day`` holds, with each one's version and the tree.

    A unit is exported when it is active, future or closing on ``day`` (also when closed with
    ``include_closed``). Its version is the one in force on ``day`` (a future unit's first, a
    closed unit's last).

    Returns:
        (versions by SOR code, children by parent code; roots under ``None``), children sorted
        by name.
    """
    chosen: dict[str, Version] = {}
    for code in snap.codes():
        if not include_closed and snap.status(code, day) == "closed":
            continue
        v = snap.reference_version(code, day)
        if v is not None:
            chosen[code] = v
    kids: dict[str | None, list[str]] = {}
    for code, v in chosen.items():
        parent = v.parent if v.parent in chosen else None
        kids.setdefault(parent, []).append(code)
    for codes in kids.values():
        codes.sort(key=lambda c: (chosen[c].name.casefold(), c))
    return chosen, kids


def tree_order(kids: dict[str | None, list[str]]) -> list[str]:
    """SOR codes depth first from the roots (every parent before its children)."""
    out: list[str] = []
    stack = list(reversed(kids.get(None, [])))
    while stack:
        code = stack.pop()
        out.append(code)
        stack.extend(reversed(kids.get(code, [])))
    return out


def export_day(reg: Register, as_of: object) -> dt.date:
    """The export's date: ``as_of`` (date or ISO text) or the register's today."""
    if as_of is None:
        return reg.today
    if isinstance(as_of, dt.datetime):
        return as_of.date()
    if isinstance(as_of, dt.date):
        return as_of
    return dt.date.fromisoformat(str(as_of))


class UnitReader:
    """Reads units like :meth:`Register.unit`, on one snapshot, fast enough for 100,000+ units.

    ``Register.unit`` re-checks the file and the type names on every call; an export reads
    every unit of one snapshot, so this reader does that once. The result is the same
    :class:`~sorkit.model.Unit` (a test compares the two).
    """

    def __init__(self, snap: Snapshot):
        """Read from ``snap``."""
        from sorkit import refdata

        self.snap = snap
        self.type_names = refdata.unit_type_names()

    def unit(self, code: str, day: dt.date) -> Unit:
        """The unit on ``day`` (see :meth:`sorkit.register.Register.unit`)."""
        from sorkit.dates import valid_to_to_last_day
        from sorkit.inherit import resolve
        from sorkit.model import Address, LocationNumber

        snap = self.snap
        v = snap.reference_version(code, day)
        if v is None:
            raise UnitNotFound(code)
        values, inherited = resolve(snap, v, day)
        return Unit(
            sor_code=code,
            level=v.level,
            name=v.name,
            unit_type=v.unit_type,
            unit_type_name=self.type_names.get(v.unit_type or ""),
            parent=v.parent,
            valid_from=snap.first_from(code),  # type: ignore[arg-type]
            last_day=valid_to_to_last_day(snap.end(code)),
            status=snap.status(code, day),
            as_of=day,
            postal_address=Address.from_dict(values["postal_address"]),
            visiting_address=Address.from_dict(values["visiting_address"]),
            activity_address=Address.from_dict(values["activity_address"]),
            phone=values["phone"],
            email=values["email"],
            website=values["website"],
            fax=values["fax"],
            location_number=LocationNumber.from_dict(values["location_number"]),
            local_attributes=v.local_attributes,
            specialities=v.specialities,
            shak=v.shak,
            ydernummer=v.ydernummer,
            pharmacy_id=v.pharmacy_id,
            cvr=v.cvr,
            p_number=v.p_number,
            local_code=v.local_code,
            replaces=v.replaces,
            replaced_by=v.replaced_by,
            inherited=inherited,
            version_from=v.valid_from,
            version_to=v.valid_to,
            own=v.state(),
        )
