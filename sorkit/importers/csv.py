"""Parsers for the SOR CSV exports: the SOR2 ``SorEntity`` CSV and the hierarchy dump.

**SOR2 SorEntity CSV** (domain reference §2.2): semicolon-separated, UTF-8 with BOM, one row per
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

A CSV row shows a unit's *effective* values, so inheritance is inferred top-down: an SI/OE whose
postal address equals its parent's is stored as inheriting it, a visiting address equal to the
postal address as "same as postal", an activity address equal to the visiting one as "same as
visiting", an electronic block equal to the parent's as inherited, and a location number marked
``nedarvet`` (or equal to the parent's when there is no ``Nedarvningsstatus``) as inherited.

**Hierarchy dump**: ``CodeSOR;ParentCodeSOR;FromDate;ToDate;Name;Type;Level;Niv1..Niv8`` with
CRLF line ends, dates ``YYYYMMDD hh:mm:ss`` and ``99991231`` as the open end. ``FromDate`` is the
unit's start, ``ToDate`` its last day; ``Level`` 1 is IE, 2 SI and 3 or more OE (IE/SI/OE also
accepted); ``Type`` is a SNOMED CT code or a Danish type name. ``Niv1..Niv8`` (the names on the
path) are not needed and ignored. The dump carries only names, types, levels and parents: an
update from it leaves addresses and everything else as they are in the register.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sorkit import refdata
from sorkit.ids import (
    clean_digits,
    is_valid_cvr,
    is_valid_gln,
    is_valid_p_number,
    is_valid_shak,
    is_valid_sor_code,
    is_valid_ydernummer,
)
from sorkit.importers.common import ParsedFile, Problem, UnitRecord, parse_bool
from sorkit.model import LOCATION_NUMBER_KEYS

OPEN_END = dt.date(9999, 12, 31)
_LEVEL_ALIASES = {"IE": "IE", "IO": "IE", "SI": "SI", "HI": "SI", "OE": "OE", "OU": "OE"}
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
_HIERARCHY_HEADER = ("CodeSOR", "ParentCodeSOR", "FromDate", "ToDate", "Name", "Type", "Level")
_EXCEL_RE = re.compile(r'^=\s*"(.*)"$', re.DOTALL)


def parse_sor_csv(
    path: str | os.PathLike[str], *, encoding: str | None = None, source: str | None = None
) -> ParsedFile:
    """Parse a SOR CSV export (shape recognised from the header) into unit records.

    Args:
        path: the CSV file.
        encoding: force an encoding (default UTF-8 with optional BOM, else ISO-8859-1).
        source: the name used in messages (default: the file name).

    Returns:
        The parsed file; ``problems`` is empty only if every row is valid.
    """
    p = Path(path)
    name = source or p.name
    try:
        raw = p.read_bytes()
    except OSError as exc:
        result = ParsedFile(source=name, format="sor-csv")
        result.problems.append(Problem("filen", "", str(p), f"kan ikke læses: {exc}"))
        return result
    text = _decode(raw, encoding)
    lines = text.splitlines()
    header_line = lines[0] if lines else ""
    delimiter = ";" if ";" in header_line or "," not in header_line else ","
    reader = csv.reader(text.splitlines(keepends=True), delimiter=delimiter)
    try:
        header = [h.strip().lstrip("\ufeff") for h in next(reader)]
    except StopIteration:
        result = ParsedFile(source=name, format="sor-csv")
        result.problems.append(Problem("filen", "", "", "filen er tom"))
        return result
    if header[: len(_HIERARCHY_HEADER)] == list(_HIERARCHY_HEADER):
        result = ParsedFile(source=name, format="sor-hierarchy-csv")
        _parse_rows(reader, header, result, _hierarchy_row)
    elif "SorId" in header:
        result = ParsedFile(source=name, format="sor2-csv")
        _parse_rows(reader, header, result, _sor2_row)
        _infer_inheritance(result.records, header)
    else:
        result = ParsedFile(source=name, format="sor-csv")
        result.problems.append(
            Problem(
                "linje 1",
                "overskrift",
                ";".join(header[:8]),
                "ukendt CSV-format: forventede kolonnen SorId (SOR2 SorEntity) eller "
                "CodeSOR;ParentCodeSOR;FromDate;ToDate;Name;Type;Level (hierarkiudtræk)",
            )
        )
        return result
    if not result.records and not result.problems:
        result.problems.append(Problem("filen", "", "", "filen indeholder ingen enheder"))
    return result


def _decode(raw: bytes, encoding: str | None) -> str:
    if encoding:
        return raw.decode(encoding)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("iso-8859-1")


def _cell(value: str | None) -> str:
    text = (value or "").strip()
    match = _EXCEL_RE.match(text)
    return match.group(1).strip() if match else text


def _rows_or_problem(reader: Any, result: ParsedFile) -> Any:
    """Yield the reader's rows; a row the csv module cannot read becomes a named problem."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            line = reader.line_num
            result.problems.append(Problem(f"linje {line}", "række", "", f"kan ikke læses: {exc}"))
            return
        yield row


def _parse_rows(
    reader: Any,
    header: list[str],
    result: ParsedFile,
    convert: Any,
) -> None:
    seen: dict[str, int] = {}
    for row in _rows_or_problem(reader, result):
        line = reader.line_num
        if not any(c.strip() for c in row):
            continue
        where = f"linje {line}"
        if len(row) != len(header):
            result.problems.append(
                Problem(
                    where,
                    "række",
                    ";".join(row)[:60],
                    f"{len(row)} felter, overskriften har {len(header)}",
                )
            )
            continue
        values = {h: _cell(v) for h, v in zip(header, row, strict=True)}
        problems: list[Problem] = []
        record = convert(values, where, problems)
        if record is not None:
            first = seen.get(record.sor_code)
            if first is not None:
                problems.append(
                    Problem(
                        where, "SorId", record.sor_code, f"SOR-koden optræder også på linje {first}"
                    )
                )
            else:
                seen[record.sor_code] = line
        result.problems.extend(problems)
        if record is not None and not problems:
            result.records.append(record)


def _date(text: str, where: str, field: str, problems: list[Problem]) -> dt.date | None:
    value = text.strip()
    if not value:
        return None
    try:
        if len(value) >= 8 and value[:8].isdigit() and (len(value) == 8 or value[8] in " T"):
            return dt.date(int(value[:4]), int(value[4:6]), int(value[6:8]))
        if len(value) >= 10 and value[4] == "-":
            return dt.date.fromisoformat(value[:10])
        if len(value) >= 10 and value[2] == "-" and value[5] == "-":  # dd-mm-åååå
            return dt.date(int(value[6:10]), int(value[3:5]), int(value[:2]))
    except ValueError:
        pass
    problems.append(Problem(where, field, value, "ugyldig dato (ÅÅÅÅ-MM-DD eller ÅÅÅÅMMDD)"))
    return None


def _code(
    values: Mapping[str, str], column: str, where: str, problems: list[Problem]
) -> str | None:
    raw = values.get(column, "")
    if not raw:
        return None
    code = clean_digits(raw)
    if not is_valid_sor_code(code):
        problems.append(
            Problem(where, column, raw, "ugyldig SOR-kode (format eller kontrolciffer)")
        )
        return None
    return code


def _type_code(text: str, extra: dict[str, Any]) -> str | None:
    value = text.strip()
    if not value:
        return None
    if value.isdigit():
        return value
    by_name = {n.casefold(): c for c, n in refdata.unit_type_names().items()}
    found = by_name.get(value.casefold())
    if found is None:
        extra["entity_type_name"] = value
    return found


def _dates(
    first_text: str, from_text: str, to_text: str, where: str, problems: list[Problem]
) -> tuple[dt.date, dt.date, dt.date | None] | None:
    n = len(problems)
    first = _date(first_text, where, "FirstFromDate", problems)
    start = _date(from_text, where, "FromDate", problems)
    last = _date(to_text, where, "ToDate", problems)
    if len(problems) > n:
        return None
    first = first or start
    if first is None:
        problems.append(Problem(where, "FromDate", "", "startdato mangler"))
        return None
    from_date = max(start or first, first)
    if last is not None and last >= OPEN_END:
        last = None
    if last is not None and last < first:
        problems.append(
            Problem(where, "ToDate", last.isoformat(), f"slutdatoen ligger før startdatoen {first}")
        )
        return None
    return first, from_date, last


def _hierarchy_row(
    values: Mapping[str, str], where: str, problems: list[Problem]
) -> UnitRecord | None:
    code = _code(values, "CodeSOR", where, problems)
    if code is None and not values.get("CodeSOR"):
        problems.append(Problem(where, "CodeSOR", "", "SOR-kode mangler"))
    parent = _code(values, "ParentCodeSOR", where, problems)
    name = values.get("Name", "").strip()
    if not name:
        problems.append(Problem(where, "Name", "", "navn mangler"))
    level_text = values.get("Level", "").strip().upper()
    level: str | None
    if level_text.isdigit():
        level = "IE" if int(level_text) == 1 else "SI" if int(level_text) == 2 else "OE"
        if int(level_text) < 1:
            problems.append(Problem(where, "Level", level_text, "niveau skal være 1 eller mere"))
    else:
        level = _LEVEL_ALIASES.get(level_text)
        if level is None:
            problems.append(
                Problem(where, "Level", level_text, "ukendt niveau (1, 2, 3... eller IE/SI/OE)")
            )
    dates = _dates("", values.get("FromDate", ""), values.get("ToDate", ""), where, problems)
    if code is None or level is None or dates is None or not name:
        return None
    extra: dict[str, Any] = {}
    unit_type = _type_code(values.get("Type", ""), extra)
    state = {"level": level, "parent": parent, "name": name, "unit_type": unit_type}
    carried = {"level", "parent", "name"} | ({"unit_type"} if unit_type or not extra else set())
    first, from_date, last = dates
    return UnitRecord(
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


def _sor2_row(values: Mapping[str, str], where: str, problems: list[Problem]) -> UnitRecord | None:
    columns = set(values)
    extra: dict[str, Any] = {}
    code = _code(values, "SorId", where, problems)
    if code is None and not values.get("SorId"):
        problems.append(Problem(where, "SorId", "", "SOR-kode mangler"))
    level_text = values.get("SorType", "").strip().upper()
    level = _LEVEL_ALIASES.get(level_text)
    if level is None:
        problems.append(Problem(where, "SorType", level_text, "ukendt SorType (IE, SI eller OE)"))
    if "ParentSorId" in columns:
        parent = _code(values, "ParentSorId", where, problems)
    elif level == "SI":
        parent = _code(values, "InstitutionOwnerSorId", where, problems)
    elif level == "OE":
        parent = _code(values, "HealthInstitutionSorId", where, problems)
    else:
        parent = None
    name = values.get("EntityName", "").strip()
    if not name:
        problems.append(Problem(where, "EntityName", "", "navn mangler"))
    dates = _dates(
        values.get("FirstFromDate", ""),
        values.get("FromDate", ""),
        values.get("ToDate", ""),
        where,
        problems,
    )
    state: dict[str, Any] = {"level": level, "parent": parent, "name": name}
    carried = {"level", "parent", "name"}
    if "EntityTypeCode" in columns:
        state["unit_type"] = _type_code(values["EntityTypeCode"], extra)
        carried.add("unit_type")
    elif "EntityTypeName" in columns:
        state["unit_type"] = _type_code(values["EntityTypeName"], extra)
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
        state["local_attributes"] = tuple(a for a in attrs if a)
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


def _infer_inheritance(records: list[UnitRecord], header: list[str]) -> None:
    """Turn a row's effective values into own/inherited ones (see the module text)."""
    by_code = {r.sor_code: r for r in records}
    effective: dict[str, dict[str, Any]] = {}
    done: set[str] = set()

    def visit(rec: UnitRecord, depth: int = 0) -> None:
        if rec.sor_code in done or depth > 64:
            return
        parent = by_code.get(rec.parent or "")
        if parent is not None and parent.sor_code not in done:
            visit(parent, depth + 1)
        done.add(rec.sor_code)
        state = rec.state
        eff = {
            k: state.get(k)
            for k in (
                "postal_address",
                "visiting_address",
                "activity_address",
                "phone",
                "email",
                "website",
                "fax",
                "location_number",
            )
        }
        effective[rec.sor_code] = eff
        rec.effective = eff
        p_eff = effective.get(parent.sor_code) if parent is not None else None
        ln_given = rec.extra.pop("_ln_inherit_given", False)
        if rec.level == "IE" or p_eff is None:
            if "visiting_address" in state and state.get("visiting_address") == state.get(
                "postal_address"
            ):
                state["visiting_address"] = None
            if (
                "activity_address" in state
                and state.get("activity_address") == eff["visiting_address"]
            ):
                state["activity_address"] = None
            return
        if "postal_address" in state and state["postal_address"] == p_eff["postal_address"]:
            state["postal_address"] = None
        if "visiting_address" in state and state["visiting_address"] == eff["postal_address"]:
            state["visiting_address"] = None
        if "activity_address" in state and state["activity_address"] == eff["visiting_address"]:
            state["activity_address"] = None
        block = ("phone", "email", "website", "fax")
        if "phone" in state and all(state.get(k) == p_eff[k] for k in block):
            state["inherit_electronic"] = True
            for k in block:
                state[k] = None
        if "location_number" in state:
            ln = state["location_number"]
            if state.get("inherit_location_number"):
                state["location_number"] = None
            elif (
                not ln_given
                and ln is not None
                and p_eff["location_number"] is not None
                and ln.get("gln") == p_eff["location_number"].get("gln")
            ):
                state["location_number"] = None
                state["inherit_location_number"] = True

    for rec in records:
        visit(rec)
        ln_carried = rec.extra.pop("_ln_carried", None)
        if ln_carried is not None and set(ln_carried) != set(LOCATION_NUMBER_KEYS) - {"edi_types"}:
            rec.ln_carried = frozenset(ln_carried)
