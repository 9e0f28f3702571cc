"""Batch reorganisations: a plan file of many changes, checked together and applied as one.

::

    batch = sorkit.read_plan("plan.xlsx", default_date=date(2027, 1, 1))
    report = reg.plan_batch(batch, max_closures=20)    # per-row violations, preview, summary
    report.violations; report.preview; report.summary
    reg.apply_batch(report, accept={"MOVE_OUTSIDE_OWN_ORGANISATION": "aftalt"}, reason="...")

Reading lives in :mod:`sorkit.batch.planfile`, planning in :mod:`sorkit.batch.planning` and
applying in :mod:`sorkit.batch.applying`. The plan-file format is in ``docs/batch.md``.
"""

from __future__ import annotations

from sorkit.batch.applying import BatchAlreadyApplied, BatchApplied, BatchRejected, apply_batch
from sorkit.batch.example import example_plan
from sorkit.batch.planfile import COLUMNS, OPERATIONS, Batch, PlanProblem, read_plan
from sorkit.batch.planning import BatchPlan, BatchRow, plan_batch, plan_hash

__all__ = [
    "COLUMNS",
    "OPERATIONS",
    "Batch",
    "BatchAlreadyApplied",
    "BatchApplied",
    "BatchPlan",
    "BatchRejected",
    "BatchRow",
    "PlanProblem",
    "apply_batch",
    "example_plan",
    "plan_batch",
    "plan_hash",
    "read_plan",
]
