"""The before/after preview of a planned batch: each affected unit's place, status and change.

Built once per :class:`~sorkit.batch.planresult.BatchPlan` (its ``preview`` property).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from sorkit.changes import Change, CloseUnit, CreateUnit, MoveUnit
from sorkit.dates import ONE_DAY, format_da
from sorkit.model import STATE_FIELDS
from sorkit.search.frames import PathCache
from sorkit.snapshot import Snapshot
from sorkit.texts import FIELD_LABELS, OPERATION_LABELS, STATUS_LABELS

if TYPE_CHECKING:
    from sorkit.batch.planresult import BatchPlan

__all__ = ["PREVIEW_COLUMNS", "preview_frame"]

#: The columns of the preview frame.
PREVIEW_COLUMNS = [
    "row",
    "operation",
    "sor_code",
    "name",
    "effective_date",
    "before",
    "after",
    "status_before",
    "status_after",
    "changes",
]


def preview_frame(report: BatchPlan) -> pd.DataFrame:
    """Before/after: each affected unit's place in the tree on the row's date, now and after.

    Args:
        report: the planned batch; rows with errors or without a plan are left out.

    Returns:
        One row per affected unit, with the columns of :data:`PREVIEW_COLUMNS`.
    """
    before, after = report.before, report.after
    caches: dict[tuple[int, dt.date], PathCache] = {}

    def path(snap: Snapshot, which: int, code: str, day: dt.date) -> str:
        cache = caches.get((which, day))
        if cache is None:
            cache = caches[(which, day)] = PathCache(snap, day)
        return cache.path(code) if snap.exists(code) else ""

    def status(snap: Snapshot, code: str, day: dt.date) -> str:
        if not snap.exists(code):
            return ""
        return STATUS_LABELS.get(snap.status(code, day), "")

    records = []
    for r in report.rows:
        plan = r.plan
        if plan is None or not r.ok or plan.effective_date is None:
            continue
        change = r.change
        eff = plan.effective_date
        op = OPERATION_LABELS.get(change.operation, change.operation)
        if isinstance(change, CloseUnit):
            shown, look = eff, eff + ONE_DAY
        else:
            shown = look = eff
        for i, code in enumerate(plan.sor_codes):
            v = after.reference_version(code, shown) or before.reference_version(code, shown)
            records.append(
                (
                    r.row,
                    op,
                    code,
                    v.name if v is not None else None,
                    eff,
                    path(before, 0, code, shown),
                    path(after, 1, code, shown),
                    status(before, code, look),
                    status(after, code, look),
                    _describe(change, code, i, before, after, shown),
                )
            )
    return pd.DataFrame.from_records(records, columns=PREVIEW_COLUMNS)


def _describe(
    change: Change, code: str, i: int, before: Snapshot, after: Snapshot, day: dt.date
) -> str:
    if isinstance(change, CreateUnit):
        parent = after.reference_version(change.parent or "", day)
        return f"oprettes under {parent.name if parent else change.parent}"
    if isinstance(change, CloseUnit):
        if i:
            return f"lukkes sammen med {change.sor_code} (sidste dag {format_da(day)})"
        return f"lukkes (sidste dag {format_da(day)})"
    old, new = before.version_at(code, day), after.version_at(code, day)
    if isinstance(change, MoveUnit):
        names = []
        for v in (old, new):
            pv = after.reference_version(v.parent, day) if v is not None and v.parent else None
            names.append(pv.name if pv is not None else "-")
        below = len(after.descendants(code, day))
        extra = f" (med {below} enheder under sig)" if below else ""
        return f"flyttes fra {names[0]} til {names[1]}{extra}"
    if old is None or new is None:
        return ""
    parts = []
    for name in STATE_FIELDS:
        a, b = getattr(old, name), getattr(new, name)
        if a != b:
            parts.append(f"{FIELD_LABELS.get(name, name)}: {_show(a)} -> {_show(b)}")
    return "; ".join(parts)


def _show(value: Any) -> str:
    if value is None or value == ():
        return "-"
    if isinstance(value, Mapping):
        if "gln" in value:
            return str(value.get("gln"))
        return " ".join(str(value.get(k) or "") for k in ("street", "house_number", "postcode"))
    if isinstance(value, tuple):
        return ", ".join(value)
    if isinstance(value, bool):
        return "ja" if value else "nej"
    return str(value)
