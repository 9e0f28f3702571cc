"""Plan files: CSV, XLSX or YAML rows, one operation per row, read into change values.

A plan row names an ``operation`` (create, edit, move, close, location_number; the Danish
opret, rediger, flyt, luk, lokationsnummer also work) and the columns that operation uses.
Every row is checked before anything is planned; :class:`~sorkit.errors.PlanError` lists every
bad row and column at once. The format is documented in ``docs/batch.md``.

Rows are numbered as the steward sees them: in a CSV or XLSX file the spreadsheet row (the
header is row 1, so the first operation is row 2); in a YAML file the item number (from 1).

Reading the file is :mod:`sorkit.batch.planread`, the vocabulary (operations, columns)
:mod:`sorkit.batch.planformat`, the typed cell accessors :mod:`sorkit.batch.planrow` and the
per-operation parsers :mod:`sorkit.batch.planops`; this module ties them together.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from sorkit.batch.planformat import (
    ALLOWED_COLUMNS,
    ALWAYS_ALLOWED,
    COLUMNS,
    OPERATION_DA,
    OPERATIONS,
    PlanProblem,
)
from sorkit.batch.planops import PARSERS
from sorkit.batch.planread import read_rows
from sorkit.batch.planrow import PlanRow
from sorkit.changes import Change
from sorkit.dates import ONE_DAY
from sorkit.errors import PlanError

__all__ = [
    "COLUMNS",
    "OPERATIONS",
    "Batch",
    "PlanProblem",
    "parse_rows",
    "read_plan",
    "read_rows",
]

_REF_RE = re.compile(r"^[A-Za-z0-9_\-]{1,40}$")


class Batch(list):  # type: ignore[type-arg]
    """A plan: a list of change values, with where each came from.

    Attributes:
        rows: the plan-file row number of each change (1, 2, ... for a plain list).
        refs: position -> reference name, for create rows that later rows refer to as ``@name``.
        names: position -> the unit name a move/close/location_number row states (checked
            against the register so a mistyped SOR code is caught).
        source: the plan file, if read from one.
    """

    def __init__(
        self,
        changes: Iterable[Change] = (),
        *,
        rows: Sequence[int] | None = None,
        refs: Mapping[int, str] | None = None,
        names: Mapping[int, str] | None = None,
        source: str | None = None,
    ):
        """Wrap ``changes`` (any iterable of change values) with their row numbers and refs."""
        super().__init__(changes)
        self.rows: list[int] = list(rows) if rows is not None else list(range(1, len(self) + 1))
        if len(self.rows) != len(self):
            raise ValueError("rows must give one row number per change")
        self.refs: dict[int, str] = dict(refs or {})
        self.names: dict[int, str] = dict(names or {})
        self.source = source

    @classmethod
    def of(cls, batch: Any) -> Batch:
        """``batch`` as a :class:`Batch` (a plain list of changes gets rows 1, 2, ...)."""
        if isinstance(batch, Batch):
            return batch
        if isinstance(batch, (str, Path)):
            return read_plan(batch)
        return cls(list(batch))


def parse_rows(
    rows: Sequence[tuple[int, Mapping[str, Any]]],
    default_date: dt.date | None = None,
    source: str | None = None,
) -> tuple[Batch, list[PlanProblem]]:
    """Turn raw rows into a :class:`Batch` of change values, collecting every problem.

    Args:
        rows: (row number, {column: value}) pairs, as :func:`read_rows` gives them.
        default_date: the effective date of rows without a date (for a close: the first day
            the unit is closed, so its last day is the day before).
        source: the plan file, for messages.
    """
    problems: list[PlanProblem] = []
    changes: list[Change] = []
    numbers: list[int] = []
    refs: dict[int, str] = {}
    names: dict[int, str] = {}
    known_refs: dict[str, int] = {}
    for number, values in rows:
        row = PlanRow(number, values, problems)
        before = len(problems)
        op_raw = row.text("operation")
        if op_raw is None:
            row.bad("operation", "mangler (create, edit, move, close eller location_number)")
            continue
        operation = OPERATIONS.get(op_raw.strip().lower())
        if operation is None:
            row.bad(
                "operation",
                f"'{op_raw}' er ikke en kendt operation (create, edit, move, close, "
                "location_number)",
            )
            continue
        for column in values:
            if column not in ALWAYS_ALLOWED and column not in ALLOWED_COLUMNS[operation]:
                row.bad(column, f"bruges ikke ved {OPERATION_DA[operation]}")
        day = row.date("date")
        if day is None and not row.has("date") and default_date is not None:
            day = default_date - ONE_DAY if operation == "close" else default_date
        change = PARSERS[operation](row, day, known_refs)
        ref = row.text("ref")
        if ref is not None:
            if not _REF_RE.match(ref.lstrip("@")):
                row.bad("ref", f"'{ref}' skal være bogstaver, cifre, - eller _ (fx NY1)")
            elif ref.lstrip("@") in known_refs:
                row.bad("ref", f"'{ref}' er allerede brugt i række {known_refs[ref.lstrip('@')]}")
            else:
                known_refs[ref.lstrip("@")] = number
        if change is None or len(problems) > before:
            continue
        if ref is not None:
            refs[len(changes)] = ref.lstrip("@")
        if operation != "create" and operation != "edit" and row.has("name"):
            names[len(changes)] = str(row.text("name"))
        changes.append(change)
        numbers.append(number)
    return Batch(changes, rows=numbers, refs=refs, names=names, source=source), problems


def read_plan(path: str | Path, default_date: dt.date | str | None = None) -> Batch:
    """Read a plan file (CSV, XLSX or YAML) into a list of change values.

    Args:
        path: the plan file.
        default_date: the effective date of rows with an empty ``date`` (for a close row it
            is the first closed day, so the unit's last day is the day before). Without it,
            rows take the defaults of rules.md §3 (a close row must then have a date).

    Returns:
        A :class:`Batch` (a list of change values that remembers row numbers and refs).

    Raises:
        PlanError: listing every bad row and column; nothing is returned then.
    """
    source = str(path)
    if isinstance(default_date, str):
        default_date = dt.date.fromisoformat(default_date) if default_date.strip() else None
    raw, problems = read_rows(path)
    batch, row_problems = parse_rows(raw, default_date, source)
    problems += row_problems
    if not raw and not problems:
        problems.append(PlanProblem(None, None, "planen indeholder ingen rækker"))
    if problems:
        problems.sort(
            key=lambda p: (p.row or 0, COLUMNS.index(p.column) if p.column in COLUMNS else 0)
        )
        raise PlanError(problems, source)
    return batch
