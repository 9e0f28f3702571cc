"""Reading plan files: CSV, XLSX or YAML into numbered rows of raw cell values.

Rows are numbered as the steward sees them: in a CSV or XLSX file the spreadsheet row (the
header is row 1, so the first operation is row 2); in a YAML file the item number (from 1).
Turning the raw values into change values is :mod:`sorkit.batch.planops`' work.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sorkit.batch.planformat import COLUMNS, PlanProblem, is_blank
from sorkit.errors import PlanError

__all__ = ["read_rows"]


def read_rows(path: str | Path) -> tuple[list[tuple[int, dict[str, Any]]], list[PlanProblem]]:
    """Read a plan file into (row number, {column: raw value}) pairs.

    Returns:
        The rows (blank rows left out) and file-level problems (unknown columns, no rows).

    Raises:
        PlanError: the file cannot be opened or has an unknown format.
    """
    p = Path(path)
    if not p.exists():
        raise PlanError([PlanProblem(None, None, f"filen {p} findes ikke")], str(p))
    suffix = p.suffix.lower()
    try:
        if suffix in (".csv", ".txt", ".tsv"):
            header, body = _read_csv(p)
        elif suffix in (".xlsx", ".xlsm"):
            header, body = _read_xlsx(p)
        elif suffix in (".yaml", ".yml"):
            return _read_yaml(p)
        else:
            raise PlanError(
                [
                    PlanProblem(
                        None,
                        None,
                        f"ukendt filtype '{p.suffix}': brug .csv, .xlsx eller .yaml",
                    )
                ],
                str(p),
            )
    except PlanError:
        raise
    except Exception as exc:  # noqa: BLE001 - any reader failure is a bad plan file
        raise PlanError([PlanProblem(None, None, f"filen kan ikke læses ({exc})")], str(p)) from exc
    return _tabular(header, body)


def _read_csv(p: Path) -> tuple[list[Any], list[tuple[int, list[Any]]]]:
    raw = p.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")  # Excel's "CSV" on a Danish Windows
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = max((";", ",", "\t"), key=first.count) if first else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = list(reader)
    if not rows:
        return [], []
    return rows[0], [(i, r) for i, r in enumerate(rows[1:], start=2)]


def _read_xlsx(p: Path) -> tuple[list[Any], list[tuple[int, list[Any]]]]:
    import openpyxl

    wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
    try:
        sheet = wb["plan"] if "plan" in wb.sheetnames else wb.worksheets[0]
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    finally:
        wb.close()
    if not rows:
        return [], []
    return rows[0], [(i, r) for i, r in enumerate(rows[1:], start=2)]


def _read_yaml(p: Path) -> tuple[list[tuple[int, dict[str, Any]]], list[PlanProblem]]:
    import yaml

    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise PlanError([PlanProblem(None, None, f"ugyldig YAML ({exc})")], str(p)) from exc
    if isinstance(data, Mapping):
        data = data.get("rows", data.get("plan"))
    if not isinstance(data, list):
        raise PlanError(
            [PlanProblem(None, None, "YAML-planen skal være en liste af rækker (eller 'rows:')")],
            str(p),
        )
    out: list[tuple[int, dict[str, Any]]] = []
    problems: list[PlanProblem] = []
    unknown: set[str] = set()
    for i, item in enumerate(data, start=1):
        if not isinstance(item, Mapping):
            problems.append(PlanProblem(i, None, "rækken skal være en mapping (kolonne: værdi)"))
            continue
        row = {_column(k): v for k, v in item.items()}
        unknown |= {k for k in row if k not in COLUMNS}
        out.append((i, {k: v for k, v in row.items() if k in COLUMNS}))
    problems += [_unknown_column(c) for c in sorted(unknown)]
    return out, problems


def _column(name: Any) -> str:
    return str(name or "").strip().lower().replace(" ", "_").replace("-", "_")


def _unknown_column(name: str) -> PlanProblem:
    return PlanProblem(None, name, "ukendt kolonne (se docs/batch.md for de tilladte kolonner)")


def _tabular(
    header: Sequence[Any], body: Sequence[tuple[int, Sequence[Any]]]
) -> tuple[list[tuple[int, dict[str, Any]]], list[PlanProblem]]:
    names = [_column(h) for h in header]
    problems: list[PlanProblem] = []
    if "operation" not in names:
        problems.append(PlanProblem(1, "operation", "kolonnen mangler i overskriften"))
    seen: set[str] = set()
    for name in names:
        if not name:
            continue
        if name not in COLUMNS:
            problems.append(_unknown_column(name))
        elif name in seen:
            problems.append(PlanProblem(1, name, "kolonnen står der to gange"))
        seen.add(name)
    out = []
    for number, cells in body:
        row = {
            name: cells[i]
            for i, name in enumerate(names)
            if name in COLUMNS and i < len(cells) and not is_blank(cells[i])
        }
        extra = [c for c in cells[len(names) :] if not is_blank(c)]
        if extra:
            problems.append(PlanProblem(number, None, "værdier uden kolonneoverskrift"))
        if row:
            out.append((number, row))
    return out, problems
