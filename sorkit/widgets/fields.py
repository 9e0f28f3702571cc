"""The field blocks of the unit forms (addresses, location number, the unit's fields).

Plain frozen dataclasses, no ipywidgets: they turn what the steward typed into the keyword
arguments of :class:`~sorkit.CreateUnit` and :class:`~sorkit.EditUnit`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sorkit.changes import SAME_AS_POSTAL, SAME_AS_VISITING, CreateUnit, EditUnit
from sorkit.model import Address, LocationNumber, local_attribute_slots

#: Address modes: the unit's own address, inherited from the parent, or the same as the one
#: above it in the form (visiting = postal, activity = visiting).
OWN, INHERIT, SAME, NONE = "own", "inherit", "same", "none"
#: Location-number mode: a new number, given from the register's range when saved (issue #17).
NEW = "new"
LOCAL_ATTRIBUTE_SLOTS = 5


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _opt(value: str) -> str | None:
    value = value.strip()
    return value or None


@dataclass(frozen=True)
class AddressFields:
    """One address block of a form."""

    mode: str = OWN
    street: str = ""
    house_number: str = ""
    postcode: str = ""
    floor: str = ""
    door: str = ""
    skip_validation: bool = False

    def to_address(self) -> Address | None:
        """The typed address (None when the block is not the unit's own address)."""
        if self.mode != OWN:
            return None
        return Address(
            street=self.street.strip(),
            house_number=self.house_number.strip(),
            postcode=self.postcode.strip(),
            floor=_opt(self.floor),
            door=_opt(self.door),
            skip_validation=self.skip_validation,
        )

    @classmethod
    def from_stored(cls, data: Mapping[str, Any] | None, empty_mode: str) -> AddressFields:
        """Build from a stored address dict (None gives ``empty_mode``)."""
        if data is None:
            return cls(mode=empty_mode)
        return cls(
            mode=OWN,
            street=_text(data.get("street")),
            house_number=_text(data.get("house_number")),
            postcode=_text(data.get("postcode")),
            floor=_text(data.get("floor")),
            door=_text(data.get("door")),
            skip_validation=bool(data.get("skip_validation")),
        )


@dataclass(frozen=True)
class LocationFields:
    """The location-number block: own number with EDI fields, inherit, or none."""

    mode: str = NONE
    gln: str = ""
    region: str = ""
    edb_system: str = ""
    system_supplier: str = ""
    net_operator: str = ""
    administrator: str = ""
    only_internal: bool = False
    inactive: bool = False
    edi_types: tuple[str, ...] = ()

    def to_location_number(self) -> LocationNumber | None:
        """The location number (``gln=None`` for a new one; None unless ``own`` or ``new``)."""
        if self.mode not in (OWN, NEW):
            return None
        return LocationNumber(
            gln=None if self.mode == NEW else self.gln.strip().replace(" ", ""),
            region=_opt(self.region),
            edb_system=_opt(self.edb_system),
            system_supplier=_opt(self.system_supplier),
            net_operator=_opt(self.net_operator),
            administrator=_opt(self.administrator),
            only_internal=self.only_internal,
            inactive=self.inactive,
            edi_types=tuple(self.edi_types),
        )

    @classmethod
    def from_stored(cls, data: Mapping[str, Any] | None, inherit: bool) -> LocationFields:
        """Build from a stored location-number dict and the inherit flag."""
        if data is None:
            return cls(mode=INHERIT if inherit else NONE)
        return cls(
            mode=OWN,
            gln=_text(data.get("gln")),
            region=_text(data.get("region")),
            edb_system=_text(data.get("edb_system")),
            system_supplier=_text(data.get("system_supplier")),
            net_operator=_text(data.get("net_operator")),
            administrator=_text(data.get("administrator")),
            only_internal=bool(data.get("only_internal")),
            inactive=bool(data.get("inactive")),
            edi_types=tuple(str(t) for t in data.get("edi_types") or ()),
        )


def _blank_attributes() -> tuple[str, ...]:
    return ("",) * LOCAL_ATTRIBUTE_SLOTS


@dataclass(frozen=True)
class UnitFields:
    """The fields of Opret OE and Rediger OE."""

    name: str = ""
    unit_type: str | None = None
    postal: AddressFields = AddressFields(mode=INHERIT)
    visiting: AddressFields = AddressFields(mode=SAME)
    activity: AddressFields = AddressFields(mode=SAME)
    inherit_electronic: bool = False
    phone: str = ""
    email: str = ""
    website: str = ""
    fax: str = ""
    location: LocationFields = LocationFields()
    local_attributes: tuple[str, ...] = field(default_factory=_blank_attributes)
    specialities: tuple[str, ...] = ()
    ydernummer: str = ""
    shak: str = ""
    p_number: str = ""
    cvr: str = ""

    def assignments(self) -> dict[str, Any]:
        """The fields as change-value keyword arguments (CreateUnit/EditUnit meaning)."""
        return {
            "name": self.name.strip(),
            "unit_type": self.unit_type or None,
            "postal_address": self.postal.to_address(),
            "visiting_address": self.visiting.to_address() or SAME_AS_POSTAL,
            "activity_address": self.activity.to_address() or SAME_AS_VISITING,
            "inherit_electronic": self.inherit_electronic,
            "phone": None if self.inherit_electronic else _opt(self.phone),
            "email": None if self.inherit_electronic else _opt(self.email),
            "website": None if self.inherit_electronic else _opt(self.website),
            "fax": None if self.inherit_electronic else _opt(self.fax),
            "location_number": self.location.to_location_number(),
            "inherit_location_number": self.location.mode == INHERIT,
            "local_attributes": local_attribute_slots(a.strip() for a in self.local_attributes),
            "specialities": tuple(self.specialities),
            "ydernummer": _opt(self.ydernummer),
            "shak": _opt(self.shak),
            "p_number": _opt(self.p_number),
            "cvr": _opt(self.cvr),
        }

    @classmethod
    def from_own(cls, own: Mapping[str, Any]) -> UnitFields:
        """Prefill from a unit's own stored values (``Unit.own``), not the inherited ones."""
        attributes = tuple(own.get("local_attributes") or ())
        padded = (attributes + _blank_attributes())[: max(LOCAL_ATTRIBUTE_SLOTS, len(attributes))]
        return cls(
            name=_text(own.get("name")),
            unit_type=own.get("unit_type"),
            postal=AddressFields.from_stored(own.get("postal_address"), INHERIT),
            visiting=AddressFields.from_stored(own.get("visiting_address"), SAME),
            activity=AddressFields.from_stored(own.get("activity_address"), SAME),
            inherit_electronic=bool(own.get("inherit_electronic")),
            phone=_text(own.get("phone")),
            email=_text(own.get("email")),
            website=_text(own.get("website")),
            fax=_text(own.get("fax")),
            location=LocationFields.from_stored(
                own.get("location_number"), bool(own.get("inherit_location_number"))
            ),
            local_attributes=padded,
            specialities=tuple(str(c) for c in own.get("specialities") or ()),
            ydernummer=_text(own.get("ydernummer")),
            shak=_text(own.get("shak")),
            p_number=_text(own.get("p_number")),
            cvr=_text(own.get("cvr")),
        )


def create_change(parent: str, values: UnitFields, valid_from: dt.date | None) -> CreateUnit:
    """The CreateUnit that Opret OE asks for."""
    return CreateUnit(parent=parent, valid_from=valid_from, **values.assignments())


def changed_fields(original: UnitFields, values: UnitFields) -> dict[str, Any]:
    """The assignments that differ between the prefilled and the edited values."""
    before, after = original.assignments(), values.assignments()
    out = {k: v for k, v in after.items() if before[k] != v}
    if "inherit_electronic" in out or any(k in out for k in ("phone", "email", "website", "fax")):
        for key in ("inherit_electronic", "phone", "email", "website", "fax"):
            out[key] = after[key]
    if "location_number" in out or "inherit_location_number" in out:
        out["location_number"] = after["location_number"]
        out["inherit_location_number"] = after["inherit_location_number"]
    return out


def edit_change(
    sor_code: str, original: UnitFields, values: UnitFields, effective_from: dt.date | None
) -> EditUnit | None:
    """The EditUnit with only the changed fields (None when nothing changed)."""
    changed = changed_fields(original, values)
    if not changed:
        return None
    return EditUnit(sor_code, effective_from=effective_from, **changed)
