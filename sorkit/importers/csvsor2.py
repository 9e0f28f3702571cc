"""One row of the SOR2 ``SorEntity`` CSV to a :class:`~sorkit.importers.common.UnitRecord`.

The SOR2 SorEntity CSV (domain reference §2.2): semicolon-separated, UTF-8 with BOM, one row per
unit, SOR codes written as ``="..."`` so Excel keeps them as text. Columns (by name, in any
order; unknown columns are ignored): ``SorId``, ``ParentSorId`` (without it an SI's parent is
``InstitutionOwnerSorId`` and an OE's ``HealthInstitutionSorId``), ``SorType`` (IE/SI/OE or
IO/HI/OU), ``EntityName``, ``EntityTypeCode`` or ``EntityTypeName`` (the Danish type name),
``FirstFromDate``, ``FromDate``, ``ToDate`` (inclusive, empty or 9999-12-31 = open), the address
families ``PostalAddress*``/``VisitingAddress*``/``ActivityAddress*`` (``StreetName``,
``StreetBuildingId``, ``FloorId``, ``SuiteId``, ``PostCodeId``, ``DistrictName``; coordinates
kept as extra), ``VirtualAddressTelephoneNumber``/``EmailAddress``/``Website``/``FaxNumber``,
``EanLocationCode`` with ``Nedarvningsstatus`` (egen/nedarvet) and the EDI attributes
``EanLocationCodeRegionCode``/``SystemType``/``SystemSupplier``/``CommunicationSupplier``/
``EdiAdministrator``/``OnlyInternal``/``NonActive``, ``CvrNumberId`` (or
``InstitutionOwnerCvrNumberId`` on an IE), ``PNumberId``, ``ShakId``, ``ProviderId``
(ydernummer), ``PharmacyId``, ``LocalCode``, ``LocalAttribute1..5`` and
``PrioritizedEntitySpeciality1..8Code`` (or ``...Name``).

The values are the unit's *effective* ones; :mod:`sorkit.importers.csvinherit` turns them into
own and inherited values once every row is read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sorkit import refdata
from sorkit.ids import (
    clean_digits,
    is_valid_cvr,
    is_valid_gln,
    is_valid_p_number,
    is_valid_shak,
    is_valid_ydernummer,
)
from sorkit.importers.common import Problem, UnitRecord, parse_bool
from sorkit.importers.csvcells import LEVEL_ALIASES, sor_code_cell, type_code, unit_dates
from sorkit.model import local_attribute_slots

__all__ = ["sor2_row"]

_ADDRESS_PREFIXES = (
    ("PostalAddress", "postal_address"),
    ("VisitingAddress", "visiting_address"),
    ("ActivityAddress", "activity_address"),
)
_ADDRESS_COLUMNS = {
    "StreetName": "street",
    "StreetBuildingId": "house_number",
    "FloorId": "floor",
    "SuiteId": "door",
    "PostCodeId": "postcode",
    "DistrictName": "city",
}
_ELECTRONIC = {
    "VirtualAddressTelephoneNumber": "phone",
    "VirtualAddressEmailAddress": "email",
    "VirtualAddressWebsite": "website",
    "VirtualAddressFaxNumber": "fax",
}
_LN_COLUMNS = {
    "EanLocationCodeRegionCode": "region",
    "EanLocationCodeSystemType": "edb_system",
    "EanLocationCodeSystemSupplier": "system_supplier",
    "EanLocationCodeCommunicationSupplier": "net_operator",
    "EanLocationCodeEdiAdministrator": "administrator",
    "EanLocationCodeNote": "note",
}
_LN_FLAGS = {"EanLocationCodeOnlyInternal": "only_internal", "EanLocationCodeNonActive": "inactive"}
_IDENTS = {
    "ShakId": ("shak", is_valid_shak, "ugyldig SHAK-kode (4-7 tegn)"),
    "ProviderId": ("ydernummer", is_valid_ydernummer, "ugyldigt ydernummer (1-9 cifre)"),
    "PharmacyId": ("pharmacy_id", None, ""),
    "LocalCode": ("local_code", None, ""),
    "CvrNumberId": ("cvr", is_valid_cvr, "ugyldigt CVR-nummer (kontrolciffer)"),
    "PNumberId": ("p_number", is_valid_p_number, "ugyldigt P-nummer (10 cifre)"),
}


def sor2_row(values: Mapping[str, str], where: str, problems: list[Problem]) -> UnitRecord | None:
    """Turn one SOR2 row into a record with its effective values (None when unusable).

    Args:
        values: column -> cell value.
        where: ``linje N``, for messages.
        problems: where problems are collected.
    """
    columns = set(values)
    extra: dict[str, Any] = {}
    code = sor_code_cell(values, "SorId", where, problems)
    if code is None and not values.get("SorId"):
        problems.append(Problem(where, "SorId", "", "SOR-kode mangler"))
    level_text = values.get("SorType", "").strip().upper()
    level = LEVEL_ALIASES.get(level_text)
    if level is None:
        problems.append(Problem(where, "SorType", level_text, "ukendt SorType (IE, SI eller OE)"))
    if "ParentSorId" in columns:
        parent = sor_code_cell(values, "ParentSorId", where, problems)
    elif level == "SI":
        parent = sor_code_cell(values, "InstitutionOwnerSorId", where, problems)
    elif level == "OE":
        parent = sor_code_cell(values, "HealthInstitutionSorId", where, problems)
    else:
        parent = None
    name = values.get("EntityName", "").strip()
    if not name:
        problems.append(Problem(where, "EntityName", "", "navn mangler"))
    dates = unit_dates(
        values.get("FirstFromDate", ""),
        values.get("FromDate", ""),
        values.get("ToDate", ""),
        where,
        problems,
    )
    state: dict[str, Any] = {"level": level, "parent": parent, "name": name}
    carried = {"level", "parent", "name"}
    if "EntityTypeCode" in columns:
        state["unit_type"] = type_code(values["EntityTypeCode"], extra)
        carried.add("unit_type")
    elif "EntityTypeName" in columns:
        state["unit_type"] = type_code(values["EntityTypeName"], extra)
        carried.add("unit_type")
    for prefix, field in _ADDRESS_PREFIXES:
        if f"{prefix}StreetName" not in columns:
            continue
        carried.add(field)
        address: dict[str, Any] = {
            key: values.get(prefix + col, "").strip() or None
            for col, key in _ADDRESS_COLUMNS.items()
        }
        address["skip_validation"] = False
        state[field] = address if any(address[k] for k in ("street", "postcode", "city")) else None
        coords = {
            k: values[prefix + k]
            for k in ("CoordETRS89z32EMeasure", "CoordETRS89z32NMeasure")
            if values.get(prefix + k)
        }
        if coords:
            extra.setdefault("coordinates", {})[field] = coords
    if any(c in columns for c in _ELECTRONIC):
        carried |= {"phone", "email", "website", "fax", "inherit_electronic"}
        for col, key in _ELECTRONIC.items():
            state[key] = values.get(col, "").strip() or None
    ln_carried: set[str] = set()
    if "EanLocationCode" in columns:
        carried |= {"location_number", "inherit_location_number"}
        gln = clean_digits(values.get("EanLocationCode", ""))
        inherit = values.get("Nedarvningsstatus", "").strip().lower()
        if inherit and inherit not in ("egen", "nedarvet"):
            problems.append(
                Problem(where, "Nedarvningsstatus", inherit, "skal være 'egen' eller 'nedarvet'")
            )
        if gln and not is_valid_gln(gln):
            problems.append(
                Problem(
                    where,
                    "EanLocationCode",
                    values["EanLocationCode"],
                    "ugyldigt lokationsnummer (GS1-kontrolciffer)",
                )
            )
        ln: dict[str, Any] | None = None
        if gln:
            ln = {"gln": gln, "edi_types": (), "only_internal": False, "inactive": False}
            ln_carried.add("gln")
            for col, key in _LN_COLUMNS.items():
                ln[key] = values.get(col, "").strip() or None
                if col in columns:
                    ln_carried.add(key)
            for col, key in _LN_FLAGS.items():
                if col in columns:
                    ln_carried.add(key)
                    flag = parse_bool(values.get(col, "") or "false")
                    if flag is None:
                        problems.append(Problem(where, col, values[col], "skal være true/false"))
                    ln[key] = bool(flag)
        state["location_number"] = ln
        state["inherit_location_number"] = inherit == "nedarvet"
        extra["_ln_inherit_given"] = bool(inherit)
    for col, (key, check, message) in _IDENTS.items():
        found = col if col in columns else None
        if col == "CvrNumberId" and found is None and "InstitutionOwnerCvrNumberId" in columns:
            found = "InstitutionOwnerCvrNumberId" if level == "IE" else None
        if found is None:
            continue
        carried.add(key)
        value = values.get(found, "").strip()
        value = clean_digits(value) if key in ("cvr", "p_number") else value
        if value and check is not None and not check(value):
            problems.append(Problem(where, found, value, message))
        state[key] = value or None
    attrs = [values.get(f"LocalAttribute{i}", "").strip() for i in range(1, 6)]
    if any(f"LocalAttribute{i}" in columns for i in range(1, 6)):
        carried.add("local_attributes")
        state["local_attributes"] = local_attribute_slots(attrs)
    specs = _specialities(values, columns, where, problems)
    if specs is not None:
        carried.add("specialities")
        state["specialities"] = specs
    if code is None or level is None or dates is None or not name:
        return None
    first, from_date, last = dates
    record = UnitRecord(
        code,
        level,
        parent,
        state,
        first,
        from_date,
        last,
        extra=extra,
        where=where,
        carried=frozenset(carried),
    )
    record.extra["_ln_carried"] = sorted(ln_carried)
    return record


def _specialities(
    values: Mapping[str, str], columns: set[str], where: str, problems: list[Problem]
) -> tuple[str, ...] | None:
    by_name = {n.casefold(): c for c, n in refdata.specialities().items()}
    out: list[str] = []
    present = False
    for i in range(1, 9):
        code_col = f"PrioritizedEntitySpeciality{i}Code"
        name_col = f"PrioritizedEntitySpeciality{i}Name"
        if code_col in columns or name_col in columns:
            present = True
        code = values.get(code_col, "").strip()
        name = values.get(name_col, "").strip()
        if code:
            if not code.isdigit():
                problems.append(
                    Problem(where, code_col, code, "specialet skal være en SNOMED CT-kode")
                )
                continue
            out.append(code)
        elif name:
            found = by_name.get(name.casefold())
            if found is None:
                problems.append(Problem(where, name_col, name, "ukendt speciale"))
                continue
            out.append(found)
    return tuple(out) if present else None
