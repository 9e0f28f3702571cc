"""Parsers for the SOR CSV exports: the SOR2 ``SorEntity`` CSV and the hierarchy dump.

The SOR2 ``SorEntity`` CSV (domain reference §2.2) is described and mapped in
:mod:`sorkit.importers.csvsor2`, its inherited values inferred in
:mod:`sorkit.importers.csvinherit`; cell values (dates, codes, types) are read by
:mod:`sorkit.importers.csvcells`.

**Hierarchy dump**: ``CodeSOR;ParentCodeSOR;FromDate;ToDate;Name;Type;Level;Niv1..Niv8`` with
CRLF line ends, dates ``YYYYMMDD hh:mm:ss`` and ``99991231`` as the open end. ``FromDate`` is the
unit's start, ``ToDate`` its last day; ``Level`` 1 is IE, 2 SI and 3 or more OE (IE/SI/OE also
accepted); ``Type`` is a SNOMED CT code or a Danish type name. ``Niv1..Niv8`` (the names on the
path) are not needed and ignored. The dump carries only names, types, levels and parents: an
update from it leaves addresses and everything else as they are in the register.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sorkit.importers.common import ParsedFile, Problem, UnitRecord
from sorkit.importers.csvcells import (
    LEVEL_ALIASES,
    OPEN_END,
    cell_value,
    decode_text,
    sor_code_cell,
    type_code,
    unit_dates,
)
from sorkit.importers.csvinherit import infer_inheritance
from sorkit.importers.csvsor2 import sor2_row

__all__ = ["OPEN_END", "parse_sor_csv"]

_HIERARCHY_HEADER = ("CodeSOR", "ParentCodeSOR", "FromDate", "ToDate", "Name", "Type", "Level")


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
    text = decode_text(raw, encoding)
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
        _parse_rows(reader, header, result, sor2_row)
        infer_inheritance(result.records, header)
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
        values = {h: cell_value(v) for h, v in zip(header, row, strict=True)}
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


def _hierarchy_row(
    values: Mapping[str, str], where: str, problems: list[Problem]
) -> UnitRecord | None:
    code = sor_code_cell(values, "CodeSOR", where, problems)
    if code is None and not values.get("CodeSOR"):
        problems.append(Problem(where, "CodeSOR", "", "SOR-kode mangler"))
    parent = sor_code_cell(values, "ParentCodeSOR", where, problems)
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
        level = LEVEL_ALIASES.get(level_text)
        if level is None:
            problems.append(
                Problem(where, "Level", level_text, "ukendt niveau (1, 2, 3... eller IE/SI/OE)")
            )
    dates = unit_dates("", values.get("FromDate", ""), values.get("ToDate", ""), where, problems)
    if code is None or level is None or dates is None or not name:
        return None
    extra: dict[str, Any] = {}
    unit_type = type_code(values.get("Type", ""), extra)
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
