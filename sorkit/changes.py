"""Change values: what a steward asks for, before it is planned and applied.

Each is a frozen dataclass. Dates left as None take the defaults of rules.md §3 when planned.
Every field is normalised when the value is built (types at the door, :mod:`sorkit.model`): SOR codes and other
codes may be given as int or str (spaces allowed in SOR codes) and become str, dates may be
``date`` or text (``åååå-mm-dd``, ``dd-mm-åååå``), lists become tuples, address and location
number dicts become :class:`Address` / :class:`LocationNumber`; any other type raises
:class:`~sorkit.errors.InvalidValueType` (a TypeError) naming the class, the field and the value.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, fields
from typing import Any

from sorkit import model as values  # the normalisers (types at the door)
from sorkit.errors import InvalidValueType
from sorkit.model import EDITABLE_FIELDS, LEVELS, Address, LocationNumber, local_attribute_slots

SAME_AS_POSTAL = "same_as_postal"
SAME_AS_VISITING = "same_as_visiting"


def _unit_fields() -> dict[str, values.Normaliser]:
    """The normaliser of every unit field a create or an edit may set."""
    v = values
    out: dict[str, values.Normaliser] = {
        "name": v.text,
        "unit_type": v.code,
        "postal_address": v.address,
        "visiting_address": v.address_or(SAME_AS_POSTAL),
        "activity_address": v.address_or(SAME_AS_VISITING),
        "inherit_electronic": v.flag,
        "phone": v.code,
        "email": v.text,
        "website": v.text,
        "fax": v.code,
        "location_number": v.location_number,
        "inherit_location_number": v.flag,
        "local_attributes": v.slot_texts,
        "specialities": v.codes,
        "replaces": v.sor_codes,
        "replaced_by": v.sor_codes,
    }
    for name in ("shak", "ydernummer", "pharmacy_id", "cvr", "p_number", "local_code"):
        out[name] = v.code
    return out


#: field -> normaliser for the fields of a unit (CreateUnit's and EditUnit's).
UNIT_FIELDS = _unit_fields()
_CREATE_FIELDS: dict[str, values.Normaliser] = {
    "parent": values.optional_sor_code,
    "valid_from": values.day,
    "level": values.choice(LEVELS),
    **{k: f for k, f in UNIT_FIELDS.items() if k not in ("replaces", "replaced_by")},
}


@dataclass(frozen=True)
class CreateUnit:
    """Opret OE: a new unit under ``parent`` (an SI under an IE, an IE with no parent).

    ``postal_address=None`` inherits the parent's; ``visiting_address`` defaults to "same as
    postal" and ``activity_address`` to "same as visiting". ``level`` is derived from the parent
    (IE -> SI, SI/OE -> OE, no parent -> IE) unless given.
    """

    parent: str | None
    name: str
    unit_type: str | int | None
    valid_from: dt.date | None = None
    postal_address: Address | None = None
    visiting_address: Address | str = SAME_AS_POSTAL
    activity_address: Address | str = SAME_AS_VISITING
    phone: str | None = None
    email: str | None = None
    website: str | None = None
    fax: str | None = None
    inherit_electronic: bool = False
    location_number: LocationNumber | None = None
    inherit_location_number: bool = False
    local_attributes: tuple[str, ...] = ()
    specialities: tuple[str, ...] = ()
    shak: str | None = None
    ydernummer: str | None = None
    pharmacy_id: str | None = None
    cvr: str | None = None
    p_number: str | None = None
    local_code: str | None = None
    level: str | None = None

    def __post_init__(self) -> None:
        values.normalise(self, _CREATE_FIELDS)
        if self.unit_type is not None:
            object.__setattr__(self, "unit_type", str(self.unit_type).strip() or None)
        object.__setattr__(self, "local_attributes", local_attribute_slots(self.local_attributes))
        object.__setattr__(self, "specialities", tuple(str(s) for s in self.specialities or ()))

    operation = "create"

    def assignments(self, level: str) -> dict[str, Any]:
        """The unit's whole initial state."""
        visiting = None if isinstance(self.visiting_address, str) else self.visiting_address
        activity = None if isinstance(self.activity_address, str) else self.activity_address
        return {
            "level": level,
            "parent": self.parent,
            "name": (self.name or "").strip(),
            "unit_type": self.unit_type,
            "postal_address": self.postal_address,
            "visiting_address": visiting,
            "activity_address": activity,
            "inherit_electronic": self.inherit_electronic,
            "phone": None if self.inherit_electronic else self.phone,
            "email": None if self.inherit_electronic else self.email,
            "website": None if self.inherit_electronic else self.website,
            "fax": None if self.inherit_electronic else self.fax,
            "location_number": self.location_number,
            "inherit_location_number": self.inherit_location_number and not self.location_number,
            "local_attributes": self.local_attributes,
            "specialities": self.specialities,
            "shak": self.shak,
            "ydernummer": self.ydernummer,
            "pharmacy_id": self.pharmacy_id,
            "cvr": self.cvr,
            "p_number": self.p_number,
            "local_code": self.local_code,
        }


@dataclass(frozen=True, init=False)
class EditUnit:
    """Rediger OE: set the named fields from ``effective_from`` (default tomorrow).

    Any :class:`CreateUnit` field but ``parent`` may be named; ``visiting_address`` may be
    "same_as_postal", ``activity_address`` "same_as_visiting", ``postal_address`` None (inherit).
    """

    sor_code: str
    effective_from: dt.date | None
    fields: dict[str, Any]

    operation = "edit"

    def __init__(self, sor_code: Any, effective_from: dt.date | None = None, **fields: Any):
        """Name the unit, the date and the fields to set."""
        unknown = sorted(set(fields) - set(EDITABLE_FIELDS))
        if unknown:
            expected = "et felt, EditUnit kender" + (
                " (parent ændres med MoveUnit)" if "parent" in unknown else ""
            )
            raise InvalidValueType("EditUnit", unknown[0], fields[unknown[0]], expected)
        object.__setattr__(self, "sor_code", values.sor_code("EditUnit", "sor_code", sor_code))
        object.__setattr__(
            self, "effective_from", values.day("EditUnit", "effective_from", effective_from)
        )
        object.__setattr__(
            self,
            "fields",
            {name: UNIT_FIELDS[name]("EditUnit", name, value) for name, value in fields.items()},
        )

    def assignments(self) -> dict[str, Any]:
        """The fields to set, in storage meaning (sentinels become None)."""
        out = dict(self.fields)
        for key in ("visiting_address", "activity_address"):
            if isinstance(out.get(key), str):
                out[key] = None
        if "name" in out and isinstance(out["name"], str):
            out["name"] = out["name"].strip()
        if out.get("inherit_electronic"):
            out.update(phone=None, email=None, website=None, fax=None)
        if out.get("location_number") is not None:
            out["inherit_location_number"] = False
        if "local_attributes" in out:
            out["local_attributes"] = local_attribute_slots(out["local_attributes"])
        if "specialities" in out:
            out["specialities"] = tuple(out["specialities"] or ())
        if "unit_type" in out and out["unit_type"] is not None:
            out["unit_type"] = str(out["unit_type"])
        return out

    def __hash__(self) -> int:
        return hash((self.sor_code, self.effective_from, repr(sorted(self.fields.items()))))


@dataclass(frozen=True)
class MoveUnit:
    """Flyt OE: put the unit (and its subtree) under ``new_parent`` from ``effective_from``."""

    sor_code: str
    new_parent: str
    effective_from: dt.date | None = None

    operation = "move"

    def __post_init__(self) -> None:
        values.normalise(
            self,
            {
                "sor_code": values.sor_code,
                "new_parent": values.sor_code,
                "effective_from": values.day,
            },
        )


@dataclass(frozen=True)
class CloseUnit:
    """Luk OE: ``last_day`` is the last valid day (SOR ToDate, inclusive).

    ``confirm`` is the guide's OK dialog; ``cascade`` closes the whole subtree the same day.
    """

    sor_code: str
    last_day: dt.date | None
    confirm: bool = False
    cascade: bool = False

    operation = "close"

    def __post_init__(self) -> None:
        values.normalise(
            self,
            {
                "sor_code": values.sor_code,
                "last_day": values.day,
                "confirm": values.flag,
                "cascade": values.flag,
            },
        )


@dataclass(frozen=True)
class SetLocationNumber:
    """Give the unit its own location number, inherit the parent's, or none (``None``)."""

    sor_code: str
    location_number: LocationNumber | None = None
    inherit: bool = False
    effective_from: dt.date | None = None

    operation = "location_number"

    def __post_init__(self) -> None:
        values.normalise(
            self,
            {
                "sor_code": values.sor_code,
                "location_number": values.location_number,
                "inherit": values.flag,
                "effective_from": values.day,
            },
        )

    def assignments(self) -> dict[str, Any]:
        """The location-number fields to set."""
        return {
            "location_number": self.location_number,
            "inherit_location_number": bool(self.inherit and self.location_number is None),
        }


Change = CreateUnit | EditUnit | MoveUnit | CloseUnit | SetLocationNumber
CHANGE_TYPES = (CreateUnit, EditUnit, MoveUnit, CloseUnit, SetLocationNumber)


def change_parameters(change: Change) -> dict[str, Any]:
    """The change as plain data, for the audit record and previews."""
    if isinstance(change, EditUnit):
        data: dict[str, Any] = {
            "sor_code": change.sor_code,
            "effective_from": change.effective_from,
            **change.fields,
        }
    else:
        data = {f.name: getattr(change, f.name) for f in fields(change)}
    out: dict[str, Any] = {"operation": change.operation}
    for key, value in data.items():
        if isinstance(value, (Address, LocationNumber)):
            out[key] = asdict(value)
        elif isinstance(value, dt.date):
            out[key] = value.isoformat()
        elif isinstance(value, tuple):
            out[key] = list(value)
        else:
            out[key] = value
    return out


def change_unit(change: Change) -> str | None:
    """The SOR code of the unit a change is about (the parent for a create)."""
    if isinstance(change, CreateUnit):
        return change.parent
    return change.sor_code


__all__ = [
    "CHANGE_TYPES",
    "Change",
    "CloseUnit",
    "CreateUnit",
    "EditUnit",
    "MoveUnit",
    "SAME_AS_POSTAL",
    "SAME_AS_VISITING",
    "SetLocationNumber",
    "change_parameters",
    "change_unit",
]
