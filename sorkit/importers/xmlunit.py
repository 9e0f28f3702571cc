"""Mapping one SOR XML unit element (its small tree) to a ``UnitRecord``.

Mapping (domain reference §1.2-1.3): ``OwnerType``/``InstitutionType``/``UnitType`` ->
``unit_type``; ``ProviderIdentifier`` -> ``ydernummer`` (text, leading zeros kept);
``PharmacyIdentifier`` -> ``pharmacy_id``; ``ShakIdentifier`` -> ``shak``; ``LocalCode``;
``LocalAttribute1..5`` -> ``local_attributes`` (by slot: ``("", "", "x")`` for LocalAttribute3
alone); ``EanLocationCodeEntity`` -> the unit's
own ``location_number`` (``SystemType`` = ``edb_system``, ``CommunicationSupplier`` =
``net_operator``, ``RegionCode`` = ``region``, ``EdiAdministrator`` = ``administrator``,
``NonActiveIndicator`` = ``inactive``, ``SorNote`` = ``note``) with its own ``SorStatus``;
``EntityInheritedIndicator`` true -> ``inherit_location_number``; a missing postal address on
an SI/OE means "inherit from the parent", a missing visiting address "same as postal", a missing
activity address "same as visiting"; no ``VirtualAddressInformation`` on an SI/OE ->
``inherit_electronic``; ``SpecialityCode`` -> ``specialities``; ``Replaces``/
``ReplacedByEntityCollection`` -> ``replaces``/``replaced_by``. Values the register has no field
for (``OrganizationalUnitInformation`` flags, ``GeographicalParent``, ``SpecialityType``,
``UpdatedAt``, stairway, country, PO box and other address parts) go to ``UnitRecord.extra``
and from there into the audit parameters. Fields the schema has no place for on the unit's level
(:mod:`sorkit.importers.xmlfields`: CVR and P-number everywhere, SHAK on an IE, ...) are not
carried: an update keeps the register's values for them.

Dates (``SorStatus``), location numbers, addresses and replacement codes are read by
:mod:`sorkit.importers.xmlparts`.
"""

from __future__ import annotations

from typing import Any

from sorkit.ids import (
    is_valid_cvr,
    is_valid_p_number,
    is_valid_shak,
    is_valid_sor_code,
    is_valid_ydernummer,
)
from sorkit.importers.common import Problem, UnitRecord, parse_bool
from sorkit.importers.xmlfields import XML_FIELDS
from sorkit.importers.xmlnodes import Node, at_node, child, descendants, node_text
from sorkit.importers.xmlparts import address_of, location_number_of, sor_codes_of, status_dates
from sorkit.model import local_attribute_slots

__all__ = ["convert_unit"]

_TYPE_ELEMENT = {"IE": "OwnerType", "SI": "InstitutionType", "OE": "UnitType"}
_CVR_NAMES = ("CvrNumberIdentifier", "CVRnumberIdentifier", "CVRNumberIdentifier")
_P_NAMES = ("ProductionUnitIdentifier", "PNumberIdentifier")
_ADDRESS_KINDS = (
    ("PostalAddressInformation", "postal_address"),
    ("VisitingAddressInformation", "visiting_address"),
    ("ActivityAddressInformation", "activity_address"),
)


def convert_unit(
    node: Node, level: str, parent: str | None, where: str, problems: list[Problem]
) -> UnitRecord | None:
    """Turn one unit element into a record (None if it has no usable SOR code).

    Args:
        node: the unit element (``InstitutionOwner``, ``HealthInstitution`` or
            ``OrganizationalUnit``).
        level: IE, SI or OE.
        parent: the parent unit's SOR code (None for an IE, or when the parent is unusable).
        where: ``linje N (path)``, for messages.
        problems: where problems are collected.

    Returns:
        The record; None when the unit has no SOR code or no usable dates.
    """
    extra: dict[str, Any] = {}
    index: dict[str, Node] = {}
    for c in node[2]:
        index.setdefault(c[0], c)

    def own(name: str) -> Node | None:
        return index.get(name)

    def bad(n: Node | None, field: str, value: str, message: str) -> None:
        problems.append(Problem(at_node(where, n), field, value, message))

    code_node = own("SorIdentifier")
    code = node_text(code_node)
    if not code:
        bad(node, "SorIdentifier", "", "SOR-kode mangler")
        return None
    if not is_valid_sor_code(code):
        bad(code_node, "SorIdentifier", code, "ugyldig SOR-kode (format eller kontrolciffer)")
    name_node = own("EntityName")
    name = node_text(name_node)
    if not name:
        bad(name_node or node, "EntityName", "", "navn mangler")

    type_name = _TYPE_ELEMENT[level]
    type_node = own(type_name)
    unit_type = node_text(type_node) or None
    if unit_type is not None and not unit_type.isdigit():
        bad(type_node, type_name, unit_type, "enhedstypen skal være en SNOMED CT-kode (tal)")
    elif unit_type is None and level != "OE":
        bad(node, type_name, "", "enhedstype mangler")

    def ident(element: str, check: Any, message: str) -> str | None:
        n = own(element)
        value = node_text(n) or None
        if value is not None and check is not None and not check(value):
            bad(n, element, value, message)
        return value

    shak = ident("ShakIdentifier", is_valid_shak, "ugyldig SHAK-kode (4-7 tegn)")
    yder = ident("ProviderIdentifier", is_valid_ydernummer, "ugyldigt ydernummer (1-9 cifre)")
    pharmacy = ident("PharmacyIdentifier", None, "")
    local_code = ident("LocalCode", None, "")
    cvr = p_number = None
    for element in _CVR_NAMES:
        if own(element) is not None:
            extra["_cvr_seen"] = True
            cvr = ident(element, is_valid_cvr, "ugyldigt CVR-nummer (kontrolciffer)")
    for element in _P_NAMES:
        if own(element) is not None:
            extra["_p_seen"] = True
            p_number = ident(element, is_valid_p_number, "ugyldigt P-nummer (10 cifre)")

    # SorStatus: the unit's dates.
    status = own("SorStatus")
    dates = status_dates(status, where, problems, required=True, node=node)
    if dates is None:
        return None
    first_from, from_date, last_day, updated = dates
    if updated is not None:
        extra["updated_at"] = updated.isoformat()

    # Location number: the IE holds EanLocationCodeEntity directly; SI/OE through a choice.
    inherit_ln = False
    ln_node = own("EanLocationCodeEntity")
    optional = own("OptionalEanLocationCode")
    if optional is not None:
        ln_node = child(optional, "EanLocationCodeEntity") or ln_node
        flag_node = child(optional, "EntityInheritedIndicator")
        if flag_node is not None:
            flag = parse_bool(node_text(flag_node))
            if flag is None:
                bad(
                    flag_node,
                    "EntityInheritedIndicator",
                    node_text(flag_node),
                    "skal være true/false",
                )
            inherit_ln = bool(flag) and ln_node is None
    if level == "IE":
        inherit_ln = False
    location_number = None
    ln_first = ln_last = None
    if ln_node is not None:
        location_number, ln_dates = location_number_of(ln_node, where, problems)
        if ln_dates is not None:
            ln_first, _ln_from, ln_last, _ = ln_dates

    # Addresses: a missing block means "inherit" / "same as" (None in storage form).
    addresses: dict[str, Any] = {}
    for element, field in _ADDRESS_KINDS:
        block = own(element)
        addresses[field] = None if block is None else address_of(block, field, extra)
    if level == "IE" and addresses["postal_address"] is None:
        bad(node, "PostalAddressInformation", "", "en institutionsejer skal have en postadresse")

    virtual = own("VirtualAddressInformation")
    if level == "IE" and virtual is None:
        bad(node, "VirtualAddressInformation", "", "en institutionsejer skal have et telefonnummer")

    specialities: list[str] = []
    speciality_types: dict[str, str] = {}
    for spec in descendants(node, "ClinicalSpeciality"):
        code_text = node_text(child(spec, "SpecialityCode"))
        if not code_text.isdigit():
            bad(spec, "SpecialityCode", code_text, "specialet skal være en SNOMED CT-kode (tal)")
            continue
        specialities.append(code_text)
        kind = node_text(child(spec, "SpecialityType"))
        if kind:
            speciality_types[code_text] = kind
    if speciality_types:
        extra["speciality_types"] = speciality_types

    attrs = own("LocalAttributeCollection")
    local_attributes = local_attribute_slots(
        node_text(child(attrs, f"LocalAttribute{i}")) for i in range(1, 6) if attrs is not None
    )

    replaces = sor_codes_of(own("ReplacesEntityCollection"), where, problems)
    replaced_by = sor_codes_of(own("ReplacedByEntityCollection"), where, problems)

    info = own("OrganizationalUnitInformation")
    if info is not None:
        flags: dict[str, bool | None] = {}
        for element in (
            "AmbulantActivityIndicator",
            "PatientsAdmittedIndicator",
            "ReportingLevelIndicator",
        ):
            n = child(info, element)
            if n is None:
                continue
            flag = parse_bool(node_text(n))
            if flag is None:
                bad(n, element, node_text(n), "skal være true/false")
            flags[element] = flag
        extra["organizational_unit_information"] = flags
    geo = own("GeographicalParent")
    if geo is not None:
        extra["geographical_parent"] = {
            k: node_text(child(geo, k))
            for k in ("GeographicalParentRelation", "GeographicalParentSorIdentifier")
            if node_text(child(geo, k))
        }

    state: dict[str, Any] = {
        "level": level,
        "parent": parent,
        "name": name,
        "unit_type": unit_type,
        **addresses,
        "inherit_electronic": level != "IE" and virtual is None,
        "phone": node_text(child(virtual, "TelephoneNumberIdentifier")) or None,
        "email": node_text(child(virtual, "EmailAddressIdentifier")) or None,
        "website": node_text(child(virtual, "Website")) or None,
        "fax": node_text(child(virtual, "FaxNumberIdentifier")) or None,
        "location_number": location_number,
        "inherit_location_number": inherit_ln,
        "local_attributes": local_attributes,
        "specialities": tuple(specialities),
        "shak": shak,
        "ydernummer": yder,
        "pharmacy_id": pharmacy,
        "cvr": cvr,
        "p_number": p_number,
        "local_code": local_code,
        "replaces": replaces,
        "replaced_by": replaced_by,
    }
    carried = XML_FIELDS[level]
    return UnitRecord(
        sor_code=code,
        level=level,
        parent=parent,
        state=state,
        first_from=first_from,
        from_date=from_date,
        last_day=last_day,
        ln_first_from=ln_first,
        ln_last_day=ln_last,
        extra=extra,
        where=where,
        carried=carried,
    )
