"""Reading one unit on a date: its stored version with the inherited blocks resolved."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sorkit import refdata
from sorkit.dates import valid_to_to_last_day
from sorkit.errors import UnitNotFound
from sorkit.inherit import resolve
from sorkit.model import Address, LocationNumber, Unit
from sorkit.snapshot import Snapshot


def read_unit(
    snap: Snapshot, code: str, day: dt.date, type_names: Mapping[str, str] | None = None
) -> Unit:
    """The unit on ``day`` as :meth:`sorkit.register.Register.unit` returns it.

    A future unit is shown as it will start and a closed one as it was last.

    Args:
        snap: the register state.
        code: the SOR code.
        day: the date to read on.
        type_names: unit-type names to use (default: the shipped list).

    Raises:
        UnitNotFound: no unit has this SOR code.
    """
    v = snap.reference_version(code, day)
    if v is None:
        raise UnitNotFound(code)
    names = refdata.unit_type_names() if type_names is None else type_names
    values, inherited = resolve(snap, v, day)
    status = snap.status(code, day)
    if status == "closed":  # the number closed with the unit and is free for another unit
        values = {**values, "location_number": None}
        inherited = {k: c for k, c in inherited.items() if k != "location_number"}
    first = snap.first_from(code)
    assert first is not None  # the unit has a version, so it has a first day
    return Unit(
        sor_code=code,
        level=v.level,
        name=v.name,
        unit_type=v.unit_type,
        unit_type_name=names.get(v.unit_type or ""),
        parent=v.parent,
        valid_from=first,
        last_day=valid_to_to_last_day(snap.end(code)),
        status=status,
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
