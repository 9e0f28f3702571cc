"""Apply a planned batch: every row in one transaction, or nothing.

The write set holds the events of all rows, one audit record per changed unit (each with the
batch id) and the ``batches`` record with the plan hash, so a second apply of the same plan is
found and refused. If another writer came first, the batch is planned again on the fresh
register and refused if anything in it now fails.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sorkit.batch.planning import BatchPlan, plan_batch
from sorkit.changes import change_parameters
from sorkit.engine import planned_versions
from sorkit.engine.commit import commit
from sorkit.errors import ChangeRejected, SorkitError, StaleSnapshot
from sorkit.model import Event, Version
from sorkit.rules.codes import Violation, violation
from sorkit.store import AuditRow, WriteSet
from sorkit.texts import BATCH_TEXTS
from sorkit.timeline import project

if TYPE_CHECKING:
    from sorkit.register import Register

__all__ = ["BatchAlreadyApplied", "BatchApplied", "BatchRejected", "apply_batch"]

_MAX_RETRIES = 5


class BatchRejected(ChangeRejected):
    """A batch apply was refused; nothing was written. ``rows`` pairs row numbers and findings."""

    def __init__(self, rows: list[tuple[int | None, Violation]], head: str | None = None):
        self.rows = list(rows)
        super().__init__([v for _row, v in self.rows])
        lines = []
        for row, v in self.rows:
            where = f"Række {row}" if row is not None else "Planen"
            kind = "fejl" if v.is_error else "advarsel, ikke accepteret"
            text = v.message
            if row is not None and text.startswith(f"Række {row}: "):
                text = text[len(f"Række {row}: ") :]
            lines.append(f"{where}: {v.code} ({kind}): {text}")
        self.args = ((head or BATCH_TEXTS["rejected"]) + "\n" + "\n".join(lines),)

    def __str__(self) -> str:
        return str(self.args[0])


class BatchAlreadyApplied(SorkitError):
    """The same plan (same plan hash) was applied before; it is not applied again."""

    def __init__(self, batch_id: str, by: str, at: dt.datetime):
        self.batch_id = batch_id
        self.applied_by = by
        self.applied_at = at
        super().__init__(BATCH_TEXTS["already_applied"].format(batch_id=batch_id, by=by, at=at))


@dataclass(frozen=True)
class BatchApplied:
    """The result of a batch apply."""

    batch_id: str
    plan_hash: str
    change_ids: tuple[str, ...]
    sor_codes: tuple[str, ...]
    row_count: int
    generation: int


def apply_batch(
    reg: Register,
    report: BatchPlan,
    accept: Mapping[str, str] | None = None,
    reason: str | None = None,
) -> BatchApplied:
    """Write every row of a planned batch in one transaction, or nothing.

    Args:
        reg: the register.
        report: from :func:`~sorkit.batch.plan_batch`.
        accept: warnings accepted (code -> reason), on top of those accepted when planning.
        reason: why the batch is made (goes into every audit record and the batch record).

    Returns:
        The :class:`BatchApplied`.

    Raises:
        BatchAlreadyApplied: the same plan was applied before (names when and by whom).
        BatchRejected: an error, a warning not accepted, or the register changed meanwhile so
            that the plan no longer holds.
    """
    accepted = {
        k: str(v).strip()
        for k, v in {**report.accept, **dict(accept or {})}.items()
        if v is not None and str(v).strip()
    }
    head = None
    if report.user != reg.user:
        report = _replan(reg, report, accepted)
    for _attempt in range(_MAX_RETRIES):
        done = reg.store.batch_with_hash(report.plan_hash)
        if done is not None:
            raise BatchAlreadyApplied(*done)
        if not report.rows:
            raise BatchRejected(
                [
                    (
                        None,
                        violation("BATCH_ROW_INVALID", None, row="-", problem=BATCH_TEXTS["empty"]),
                    )
                ]
            )
        blocking = report.blocking(accepted)
        if blocking:
            raise BatchRejected(blocking, head)
        ws = _write_set(reg, report, accepted, reason)
        try:
            gen = commit(reg, ws, project=_project)
        except StaleSnapshot:
            _wait_for_newer(reg, report.generation, _attempt)
            report = _replan(reg, report, accepted)
            head = BATCH_TEXTS["rejected_after_change"]
            continue
        codes = tuple(dict.fromkeys(c for r in report.rows if r.plan for c in r.plan.sor_codes))
        return BatchApplied(
            report.batch_id,
            report.plan_hash,
            tuple(r.plan.change_id for r in report.rows if r.plan is not None),
            codes,
            len(report.rows),
            gen,
        )
    raise BatchRejected([(None, violation("CONCURRENT_CHANGE", None, unit="registret"))])


def _wait_for_newer(reg: Register, seen: int, attempt: int) -> None:
    """After a lost race, wait until the register shows the other write (its file stat may lag)."""
    for i in range(8):
        if reg.snapshot().generation > seen:
            return
        time.sleep(0.01 * (2**i) * (0.5 + random.random()) + 0.01 * attempt)
        if i == 3:
            reg.refresh()  # re-read the file rather than trust the cached stat


def _replan(reg: Register, report: BatchPlan, accepted: Mapping[str, str]) -> BatchPlan:
    return plan_batch(
        reg,
        report.batch,
        max_closures=report.max_closures,
        accept=accepted,
        batch_id=report.batch_id,
    )


def _write_set(
    reg: Register, report: BatchPlan, accepted: Mapping[str, str], reason: str | None
) -> WriteSet:
    events: list[Event] = []
    audit: list[AuditRow] = []
    touched: set[str] = set()
    for r in report.rows:
        plan = r.plan
        assert plan is not None  # a row without a plan always carries an error
        own = {v.code: accepted[v.code] for v in r.violations if not v.is_error}
        params: dict[str, Any] = {**change_parameters(plan.change), "batch_row": r.row}
        if r.ref:
            params["batch_ref"] = r.ref
        for i, code in enumerate(plan.sor_codes):
            audit.append(
                AuditRow(
                    plan.change_id,
                    code,
                    plan.change.operation,
                    plan.effective_date,
                    params if i == 0 else {**params, "cascade_from": plan.sor_codes[0]},
                    own,
                    reason,
                    report.batch_id,
                )
            )
        events += plan.events
        touched |= set(plan.sor_codes)
    return WriteSet(
        expected_generation=report.generation,
        user=reg.user,
        events=events,
        audit=audit,
        batch={
            "batch_id": report.batch_id,
            "plan_hash": report.plan_hash,
            "row_count": len(report.rows),
            "reason": reason,
        },
        touched=touched,
        current=planned_versions(reg, report.generation, touched, events),
    )


def _project(code: str, events: list[Event], now: dt.datetime) -> list[Version]:
    return project(code, events, recorded_at=now)
