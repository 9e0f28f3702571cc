"""Reading the cells of a SOR CSV export: text decoding, Excel-quoted values, dates, codes, types.

Shared by the SOR2 ``SorEntity`` rows (:mod:`sorkit.importers.csvsor2`) and the hierarchy dump
(:mod:`sorkit.importers.csv`). Readers of one value collect problems instead of raising.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from sorkit import refdata
from sorkit.ids import clean_digits, is_valid_sor_code
from sorkit.importers.common import Problem

__all__ = [
    "LEVEL_ALIASES",
    "OPEN_END",
    "cell_value",
    "decode_text",
    "parse_date",
    "sor_code_cell",
    "type_code",
    "unit_dates",
]

#: A ToDate on or after this day is an open end.
OPEN_END = dt.date(9999, 12, 31)
LEVEL_ALIASES = {"IE": "IE", "IO": "IE", "SI": "SI", "HI": "SI", "OE": "OE", "OU": "OE"}
_EXCEL_RE = re.compile(r'^=\s*"(.*)"$', re.DOTALL)


def decode_text(raw: bytes, encoding: str | None) -> str:
    """The file's text: ``encoding`` if given, else UTF-8 (BOM optional), else ISO-8859-1."""
    if encoding:
        return raw.decode(encoding)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("iso-8859-1")


def cell_value(value: str | None) -> str:
    """A cell's value, stripped, with Excel's ``="..."`` text quoting removed."""
    text = (value or "").strip()
    match = _EXCEL_RE.match(text)
    return match.group(1).strip() if match else text


def parse_date(text: str, where: str, field: str, problems: list[Problem]) -> dt.date | None:
    """A date as YYYYMMDD (time allowed), YYYY-MM-DD or DD-MM-YYYY; None when blank or bad."""
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


def sor_code_cell(
    values: Mapping[str, str], column: str, where: str, problems: list[Problem]
) -> str | None:
    """The SOR code in ``column`` (None when blank; None with a problem when invalid)."""
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


def type_code(text: str, extra: dict[str, Any]) -> str | None:
    """A unit type code from a code or a Danish type name (an unknown name goes to ``extra``)."""
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


def unit_dates(
    first_text: str, from_text: str, to_text: str, where: str, problems: list[Problem]
) -> tuple[dt.date, dt.date, dt.date | None] | None:
    """(first_from, from_date, last_day or None when open), or None when unusable."""
    n = len(problems)
    first = parse_date(first_text, where, "FirstFromDate", problems)
    start = parse_date(from_text, where, "FromDate", problems)
    last = parse_date(to_text, where, "ToDate", problems)
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
