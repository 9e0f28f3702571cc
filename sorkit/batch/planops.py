"""One parser per plan operation: a checked :class:`~sorkit.batch.planrow.PlanRow` to a change.

Each parser returns the change value (create, edit, move, close, location number), or None
when the row has problems (they are recorded on the row).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sorkit import refdata
from sorkit.batch.planformat import CLEAR, GLN_COLUMNS, IDENTIFIER_COLUMNS, LIST_COLUMNS
from sorkit.batch.planrow import PlanRow
from sorkit.changes import Change, CloseUnit, CreateUnit, EditUnit, MoveUnit, SetLocationNumber
from sorkit.ids import clean_digits
from sorkit.model import Address, LocationNumber

__all__ = ["PARSERS"]


def _create(row: PlanRow, day: dt.date | None, refs: Mapping[str, int]) -> Change | None:
    parent = row.unit("parent", refs, "create")
    name = row.required("name", "create")
    unit_type = _unit_type(row, required=True)
    fields = _unit_fields(row, editing=False)
    location, inherit = _location_number(row, "create")
    if row.flag("inherit_electronic") and any(row.has(c) for c in ("phone", "email", "website")):
        row.bad("inherit_electronic", "kan ikke kombineres med egne phone/email/website")
    if parent is None or name is None or unit_type is None or fields is None:
        return None
    return CreateUnit(
        parent=parent,
        name=name,
        unit_type=unit_type,
        valid_from=day,
        location_number=location,
        inherit_location_number=inherit,
        **fields,
    )


def _edit(row: PlanRow, day: dt.date | None, refs: Mapping[str, int]) -> Change | None:
    code = row.unit("sor_code", refs, "edit")
    fields = _unit_fields(row, editing=True)
    if row.has("unit_type"):
        unit_type = _unit_type(row, required=False)
        if fields is not None:
            if unit_type is None:
                fields = None
            else:
                fields["unit_type"] = unit_type
    if fields is not None and not fields:
        row.bad(None, "ingen felter at ændre (udfyld fx name eller phone)")
        return None
    if code is None or fields is None:
        return None
    return EditUnit(code, effective_from=day, **fields)


def _move(row: PlanRow, day: dt.date | None, refs: Mapping[str, int]) -> Change | None:
    code = row.unit("sor_code", refs, "move")
    target = row.unit("new_parent", refs, "move")
    if code is None or target is None:
        return None
    return MoveUnit(code, target, effective_from=day)


def _close(row: PlanRow, day: dt.date | None, refs: Mapping[str, int]) -> Change | None:
    code = row.unit("sor_code", refs, "close")
    if day is None and not row.has("date"):
        row.bad("date", "mangler: en lukning skal have en dato (sidste gyldige dag)")
    confirm = row.flag("confirm")
    cascade = row.flag("cascade")
    if code is None or day is None:
        return None
    return CloseUnit(code, day, confirm=confirm, cascade=cascade)


def _set_location_number(
    row: PlanRow, day: dt.date | None, refs: Mapping[str, int]
) -> Change | None:
    code = row.unit("sor_code", refs, "location_number")
    removing = row.text("gln") == CLEAR
    location, inherit = _location_number(row, "location_number")
    if location is None and not inherit and not removing:
        row.bad(
            "gln",
            "mangler: angiv et lokationsnummer, inherit_location_number=ja eller '-' for intet",
        )
        return None
    if code is None:
        return None
    return SetLocationNumber(code, location_number=location, inherit=inherit, effective_from=day)


#: operation -> its parser (row, effective date or None, refs known so far) -> change or None.
PARSERS = {
    "create": _create,
    "edit": _edit,
    "move": _move,
    "close": _close,
    "location_number": _set_location_number,
}


def _unit_type(row: PlanRow, *, required: bool) -> str | None:
    raw = row.required("unit_type", "create") if required else row.text("unit_type")
    if raw is None:
        return None
    if raw.isdigit():
        return raw
    by_name = {name.casefold(): code for code, name in refdata.unit_type_names().items()}
    code = by_name.get(raw.casefold())
    if code is None:
        row.bad("unit_type", f"'{raw}' er hverken en enhedstype-kode eller et kendt typenavn")
    return code


def _unit_fields(row: PlanRow, *, editing: bool) -> dict[str, Any] | None:
    """The unit fields a create or edit row fills (None when a value is bad)."""
    before = len(row.problems)
    out: dict[str, Any] = {}
    if editing and row.has("name"):
        name = row.text("name")
        if name == CLEAR:
            row.bad("name", "navnet kan ikke fjernes")
        else:
            out["name"] = name
    for column in ("phone", "email", "website", "fax", *IDENTIFIER_COLUMNS):
        value = row.text(column)
        if value is None:
            continue
        if value == CLEAR and not editing:
            continue
        out[column] = None if value == CLEAR else value
    if row.has("inherit_electronic"):
        out["inherit_electronic"] = row.flag("inherit_electronic")
    for column in LIST_COLUMNS:
        if row.has(column):
            gaps = column == "local_attributes"
            out[column] = () if row.text(column) == CLEAR else row.items(column, keep_gaps=gaps)
    address = _address(row)
    if address is not None or (editing and row.text("street") == CLEAR):
        out["postal_address"] = address
    return out if len(row.problems) == before else None


def _address(row: PlanRow) -> Address | None:
    if row.text("street") == CLEAR:
        return None
    parts = ("street", "house_number", "postcode")
    given = [c for c in parts if row.has(c)]
    others = [c for c in ("floor", "door", "city", "skip_address_validation") if row.has(c)]
    if not given and not others:
        return None
    missing = [c for c in parts if c not in given]
    if missing:
        for column in missing:
            row.bad(column, "mangler: en postadresse skal have street, house_number og postcode")
        return None
    postcode = str(row.text("postcode"))
    if postcode.isdigit():
        postcode = postcode.zfill(4)
    return Address(
        street=str(row.text("street")),
        house_number=str(row.text("house_number")),
        postcode=postcode,
        floor=row.text("floor"),
        door=row.text("door"),
        city=row.text("city"),
        skip_validation=row.flag("skip_address_validation"),
    )


#: The ``gln`` cell that asks for a new number (``LocationNumber(gln=None)``, sorkit.gln.allocation).
NEW_NUMBER = "ny"


def _location_number(row: PlanRow, operation: str) -> tuple[LocationNumber | None, bool]:
    inherit = row.flag("inherit_location_number")
    gln = row.text("gln")
    attributes = [c for c in GLN_COLUMNS if c != "gln" and row.has(c)]
    if gln is None or gln == CLEAR:
        for column in attributes:
            row.bad(column, "bruges kun sammen med et lokationsnummer (kolonne gln)")
        return None, inherit
    if inherit:
        row.bad("inherit_location_number", "kan ikke kombineres med et eget lokationsnummer")
    new = gln.strip().casefold() == NEW_NUMBER  # "ny": a new number from the register's range
    return (
        LocationNumber(
            gln=None if new else clean_digits(row.values.get("gln")),
            region=row.text("region"),
            edb_system=row.text("edb_system"),
            system_supplier=row.text("system_supplier"),
            net_operator=row.text("net_operator"),
            administrator=row.text("administrator"),
            only_internal=row.flag("only_internal"),
            inactive=row.flag("inactive"),
            edi_types=tuple(t for item in row.items("edi_types") for t in item.split(",") if t),
            note=row.text("gln_note"),
        ),
        False,
    )
