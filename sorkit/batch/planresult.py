"""The result of planning a batch: per-row findings (BatchRow) and the whole plan (BatchPlan).

A :class:`BatchPlan` gives verdicts (ok, errors, warnings, what blocks an apply), the per-row
table, the before/after preview (built by :mod:`sorkit.batch.planpreview`) and a summary.
Planning itself is :func:`sorkit.batch.planning.plan_batch`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sorkit.batch.planfile import Batch
from sorkit.batch.planpreview import preview_frame
from sorkit.changes import CloseUnit, CreateUnit
from sorkit.engine import Plan
from sorkit.rules.codes import Violation
from sorkit.snapshot import Snapshot
from sorkit.texts import BATCH_STATUS, OPERATION_LABELS

__all__ = ["ROW_COLUMNS", "BatchPlan", "BatchRow"]

#: The columns of :meth:`BatchPlan.table` (and :attr:`BatchPlan.violations`).
ROW_COLUMNS = [
    "row",
    "operation",
    "sor_code",
    "name",
    "effective_date",
    "status",
    "codes",
    "messages",
    "ref",
    "change_id",
]


@dataclass
class BatchRow:
    """One row of a planned batch.

    Attributes:
        index: position in the batch (0-based).
        row: the plan-file row number.
        change: the change as planned (references to earlier rows resolved to SOR codes).
        plan: the engine's plan, or None when the row could not be planned.
        violations: the engine's findings plus the batch's own (duplicates, references).
        ref: the reference name of a create row.
    """

    index: int
    row: int
    change: Any
    plan: Plan | None
    violations: list[Violation]
    ref: str | None = None

    @property
    def sor_code(self) -> str | None:
        """The unit the row changes (the new unit's code for a planned create)."""
        if self.plan is not None and self.plan.sor_codes:
            return self.plan.sor_codes[0]
        return getattr(self.change, "sor_code", None) or getattr(self.change, "parent", None)

    @property
    def effective_date(self) -> dt.date | None:
        """The row's effective date after defaults (for a close: the last day)."""
        return self.plan.effective_date if self.plan is not None else None

    @property
    def ok(self) -> bool:
        """True when no error blocks the row."""
        return not any(v.is_error for v in self.violations)

    def blocking(self, accept: Mapping[str, str]) -> list[Violation]:
        """Errors, and warnings whose code is not accepted (notices never block)."""
        return [v for v in self.violations if v.blocks(accept)]

    def status(self, accept: Mapping[str, str]) -> str:
        """``fejl``, ``advarsel`` (unaccepted warning), ``accepteret``, ``note`` or ``ok``."""
        if not self.ok:
            return BATCH_STATUS["error"]
        if any(v.blocks(accept) for v in self.violations):
            return BATCH_STATUS["warning"]
        if any(v.is_warning for v in self.violations):
            return BATCH_STATUS["accepted"]
        if self.violations:
            return BATCH_STATUS["note"]
        return BATCH_STATUS["ok"]


@dataclass
class BatchPlan:
    """A planned batch: per-row findings, a before/after preview and a summary.

    Nothing is written until :func:`sorkit.batch.apply_batch`.

    Attributes:
        batch: the batch as given (references unresolved; re-planned on a concurrent write).
        rows: one :class:`BatchRow` per change, in plan order.
        batch_violations: findings about the plan as a whole (e.g. too many closures).
        user: who planned it.
        generation: the register generation it was planned on.
        plan_hash: identifies the plan's content (a second apply of it is refused).
        batch_id: the id the batch will be recorded under.
        accept: warnings accepted at planning (code -> reason).
        max_closures: the closure limit it was planned with.
        already_applied: (batch_id, applied_by, applied_at) when this plan was applied before.
        before: the register as it is; after: as it will be with every good row.
    """

    batch: Batch
    rows: list[BatchRow]
    batch_violations: list[Violation]
    user: str
    generation: int
    plan_hash: str
    batch_id: str
    accept: dict[str, str]
    max_closures: int | None
    already_applied: tuple[Any, ...] | None
    before: Snapshot
    after: Snapshot
    today: dt.date
    _preview: pd.DataFrame | None = field(default=None, repr=False)

    # -- verdicts ----------------------------------------------------------------------------

    @property
    def ok(self) -> bool:
        """True when no error blocks any row or the plan as a whole."""
        return all(r.ok for r in self.rows) and not any(v.is_error for v in self.batch_violations)

    @property
    def errors(self) -> list[tuple[int | None, Violation]]:
        """(row, error) pairs; row None for findings about the whole plan."""
        return [(r.row, v) for r in self.rows for v in r.violations if v.is_error] + [
            (None, v) for v in self.batch_violations if v.is_error
        ]

    @property
    def warnings(self) -> list[tuple[int | None, Violation]]:
        """(row, warning) pairs, accepted or not."""
        return [(r.row, v) for r in self.rows for v in r.violations if v.is_warning]

    @property
    def notices(self) -> list[tuple[int | None, Violation]]:
        """(row, notice) pairs: shown and recorded, never blocking."""
        return [(r.row, v) for r in self.rows for v in r.violations if v.is_notice]

    @property
    def codes(self) -> list[str]:
        """Every violation code, in row order (batch-level codes last)."""
        return [v.code for r in self.rows for v in r.violations] + [
            v.code for v in self.batch_violations
        ]

    def blocking(
        self, accept: Mapping[str, str] | None = None
    ) -> list[tuple[int | None, Violation]]:
        """What stops an apply: every error, and every warning not accepted."""
        accepted = {**self.accept, **dict(accept or {})}
        return [(r.row, v) for r in self.rows for v in r.blocking(accepted)] + [
            (None, v) for v in self.batch_violations if v.blocks(accepted)
        ]

    @property
    def closures(self) -> int:
        """Units the plan closes, cascades included."""
        return sum(
            len(r.plan.sor_codes) if r.plan is not None and r.plan.sor_codes else 1
            for r in self.rows
            if isinstance(r.change, CloseUnit)
        )

    @property
    def changes(self) -> list[Any]:
        """The changes as planned (references resolved)."""
        return [r.change for r in self.rows]

    # -- tables ------------------------------------------------------------------------------

    @property
    def violations(self) -> pd.DataFrame:
        """One row per plan row (and per finding about the whole plan): status, codes, messages."""
        return self.table()

    def table(self, accept: Mapping[str, str] | None = None) -> pd.DataFrame:
        """The per-row table with the given extra accepted warnings."""
        accepted = {**self.accept, **dict(accept or {})}
        names = self.after
        records: list[tuple[Any, ...]] = []
        for r in self.rows:
            code = r.sor_code
            records.append(
                (
                    r.row,
                    OPERATION_LABELS.get(r.change.operation, r.change.operation),
                    code,
                    _name(names, self.before, code, r),
                    r.effective_date,
                    r.status(accepted),
                    ", ".join(v.code for v in r.violations),
                    "\n".join(_message(v, accepted) for v in r.violations),
                    r.ref,
                    r.plan.change_id if r.plan is not None else None,
                )
            )
        for v in self.batch_violations:
            records.append(
                (
                    None,
                    "Plan",
                    None,
                    None,
                    None,
                    BATCH_STATUS["error"] if v.is_error else BATCH_STATUS["warning"],
                    v.code,
                    v.message,
                    None,
                    None,
                )
            )
        frame = pd.DataFrame.from_records(records, columns=ROW_COLUMNS)
        frame["row"] = frame["row"].astype("Int64")
        return frame

    @property
    def preview(self) -> pd.DataFrame:
        """Before/after: each affected unit's place in the tree on the row's date, now and after."""
        if self._preview is None:
            self._preview = preview_frame(self)
        return self._preview

    @property
    def summary(self) -> dict[str, Any]:
        """Counts: rows per operation, closures, rows with errors, warnings, accepted."""
        accepted = self.accept
        out: dict[str, Any] = {"rows": len(self.rows)}
        for op in ("create", "edit", "move", "close", "location_number"):
            out[op] = sum(1 for r in self.rows if r.change.operation == op)
        out["closures"] = self.closures
        out["rows_ok"] = sum(1 for r in self.rows if r.ok)
        out["rows_with_errors"] = sum(1 for r in self.rows if not r.ok)
        out["errors"] = len(self.errors)
        out["warnings"] = len(self.warnings)
        out["accepted_warnings"] = sum(1 for _row, v in self.warnings if v.code in accepted)
        out["unaccepted_warnings"] = out["warnings"] - out["accepted_warnings"]
        out["notices"] = len(self.notices)
        out["can_apply"] = not self.blocking() and not self.already_applied
        out["already_applied"] = self.already_applied
        return out

    def summary_table(self) -> pd.DataFrame:
        """The summary as a two-column Danish table (for notebooks and HTML reports)."""
        s = self.summary
        labels = {
            "rows": "Rækker i alt",
            "create": "Opret",
            "edit": "Rediger",
            "move": "Flyt",
            "close": "Luk",
            "location_number": "Lokationsnummer",
            "closures": "Enheder der lukkes (med kaskade)",
            "rows_ok": "Rækker uden fejl",
            "rows_with_errors": "Rækker med fejl",
            "errors": "Fejl",
            "warnings": "Advarsler",
            "accepted_warnings": "Accepterede advarsler",
            "unaccepted_warnings": "Ikke accepterede advarsler",
            "notices": "Noter til orientering (kræver ingen accept)",
            "can_apply": "Kan gennemføres",
        }
        rows = [(label, _yes_no(s[key])) for key, label in labels.items()]
        if s["already_applied"]:
            batch_id, by, at = s["already_applied"]
            rows.append(("Allerede gennemført", f"{batch_id} af {by} {at:%d-%m-%Y %H:%M}"))
        return pd.DataFrame.from_records(rows, columns=["Opgørelse", "Antal"])

    def message(self, accept: Mapping[str, str] | None = None) -> str:
        """A readable Danish account of what blocks the plan (empty when nothing does)."""
        lines = []
        for row, v in self.blocking(accept):
            where = f"Række {row}" if row is not None else "Planen"
            kind = "fejl" if v.is_error else "advarsel (ikke accepteret)"
            text = v.message
            if row is not None and text.startswith(f"Række {row}: "):
                text = text[len(f"Række {row}: ") :]
            lines.append(f"{where}: {v.code} ({kind}): {text}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        s = self.summary
        return (
            f"<BatchPlan {s['rows']} rækker, {s['rows_with_errors']} med fejl, "
            f"{s['unaccepted_warnings']} ikke accepterede advarsler>"
        )


def _yes_no(value: Any) -> Any:
    if isinstance(value, bool):
        return "ja" if value else "nej"
    return value


def _message(v: Violation, accepted: Mapping[str, str]) -> str:
    if v.is_notice:
        return f"{v.code} (note): {v.message}"
    kind = "fejl" if v.is_error else ("accepteret" if v.code in accepted else "advarsel")
    return f"{v.code} ({kind}): {v.message}"


def _name(after: Snapshot, before: Snapshot, code: str | None, r: BatchRow) -> str | None:
    if isinstance(r.change, CreateUnit):
        return r.change.name
    if code is None:
        return None
    day = r.effective_date or dt.date.min
    v = after.reference_version(code, day) or before.reference_version(code, day)
    return v.name if v is not None else None
