"""Helpers shared by the exporters: which units an export holds, in tree order."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

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
        from sorkit.units import read_unit

        return read_unit(self.snap, code, day, self.type_names)
