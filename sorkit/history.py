"""History, pending changes and the audit trail, as readable tables.

``history`` shows one row per change of a unit: what changed ("field: old -> new"), from when,
who, when and why; ``pending`` lists changes that have not yet taken effect; ``audit_trail`` the
audit records of a period.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

import pandas as pd

from sorkit.dates import ONE_DAY
from sorkit.engine import _show
from sorkit.model import STATE_FIELDS, Event
from sorkit.texts import FIELD_LABELS, OPERATION_LABELS

if TYPE_CHECKING:
    from sorkit.register import Register

HISTORY_COLUMNS = [
    "change_id",
    "operation",
    "effective_date",
    "changes",
    "recorded_by",
    "recorded_at",
    "reason",
    "accepted",
    "batch_id",
    "cancelled",
    "cancelled_by",
]
PENDING_COLUMNS = [
    "change_id",
    "operation",
    "sor_code",
    "name",
    "effective_date",
    "changes",
    "recorded_by",
    "recorded_at",
    "reason",
]

_AUDIT_SQL = "SELECT change_id, sor_code, reason, accepted, batch_id FROM audit WHERE sor_code = ?"
_CANCELS_SQL = (
    "SELECT change_id, superseded_by FROM unit_events WHERE sor_code = ? "
    "AND superseded_at IS NOT NULL"
)


def describe_event(reg_snapshot: Any, event: Event) -> str:
    """Readable "felt: gammel -> ny" text for one event of a unit."""
    if event.kind in ("create", "import"):
        return f"oprettet: {event.assignments.get('name', '')}"
    if event.kind == "close":
        return f"lukket (sidste gyldige dag {event.effective_from - ONE_DAY:%d-%m-%Y})"
    before = reg_snapshot.version_at(event.sor_code, event.effective_from - ONE_DAY)
    parts = []
    for name in STATE_FIELDS:
        if name not in event.assignments:
            continue
        old = getattr(before, name) if before is not None else None
        new = event.assignments[name]
        label = FIELD_LABELS.get(name, name)
        parts.append(f"{label}: {_show(_plain(old))} -> {_show(_plain(new))}")
    return "; ".join(parts)


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(value)
    return value


def history(reg: Register, sor_code: str, include_cancelled: bool = False) -> pd.DataFrame:
    """One row per change of the unit, oldest effective date first."""
    from sorkit.errors import UnitNotFound

    snap = reg.snapshot()
    if not snap.exists(sor_code):
        raise UnitNotFound(sor_code)
    events = reg.store.events_for([sor_code], include_cancelled=include_cancelled)
    audit = {r[0]: r for r in reg.store.query(_AUDIT_SQL, [sor_code])}
    cancels = dict(reg.store.query(_CANCELS_SQL, [sor_code]))
    rows = []
    for e in sorted(events, key=lambda e: (e.effective_from, e.recorded_at or dt.datetime.min)):
        a = audit.get(e.change_id)
        shown = e.effective_from - ONE_DAY if e.kind == "close" else e.effective_from
        rows.append(
            (
                e.change_id,
                OPERATION_LABELS.get(e.kind, e.kind),
                shown,
                describe_event(snap, e),
                e.recorded_by,
                e.recorded_at,
                a[2] if a else None,
                _accepted_text(a[3]) if a else "",
                a[4] if a else None,
                e.change_id in cancels,
                cancels.get(e.change_id),
            )
        )
    return pd.DataFrame.from_records(rows, columns=HISTORY_COLUMNS)


def _accepted_text(raw: str | None) -> str:
    if not raw:
        return ""
    data = json.loads(raw)
    return "; ".join(f"{code}: {why}" for code, why in sorted(data.items()))


def pending(reg: Register, as_of: dt.date | None = None, under: str | None = None) -> pd.DataFrame:
    """Changes that take effect after ``as_of`` (default today), soonest first.

    Args:
        reg: the register.
        as_of: the date after which changes count as pending.
        under: only changes of this unit and the units under it (on any date from ``as_of``).
    """
    day = reg.today if as_of is None else as_of
    snap = reg.snapshot()
    raw = reg.store.query(
        "SELECT e.change_id, e.kind, e.sor_code, e.effective_from, e.assignments, "
        "e.recorded_by, e.recorded_at, a.reason FROM unit_events e "
        "LEFT JOIN audit a ON a.change_id = e.change_id AND a.sor_code = e.sor_code "
        "WHERE e.superseded_at IS NULL AND e.effective_from > ? "
        "ORDER BY e.effective_from, e.recorded_at",
        [day],
    )
    wanted: set[str] | None = None
    if under is not None:
        wanted = {under} | snap.ever_descendants(under)
    rows = []
    for change_id, kind, code, eff, assignments, by, at, reason in raw:
        if kind == "close" and eff - ONE_DAY < day:
            continue
        if wanted is not None and code not in wanted:
            continue
        event = Event(None, change_id, code, eff, kind, json.loads(assignments), at, by)
        v = snap.reference_version(code, eff)
        rows.append(
            (
                change_id,
                OPERATION_LABELS.get(kind, kind),
                code,
                v.name if v is not None else None,
                eff - ONE_DAY if kind == "close" else eff,
                describe_event(snap, event),
                by,
                at,
                reason,
            )
        )
    return pd.DataFrame.from_records(rows, columns=PENDING_COLUMNS)


def audit_trail(
    reg: Register,
    start: dt.date | None = None,
    end: dt.date | None = None,
    sor_code: str | None = None,
) -> pd.DataFrame:
    """Audit records recorded in ``[start, end]`` (dates inclusive), newest first."""
    clauses: list[str] = ["1 = 1"]
    params: list[Any] = []
    if start is not None:
        clauses.append("CAST(recorded_at AS DATE) >= ?")
        params.append(start)
    if end is not None:
        clauses.append("CAST(recorded_at AS DATE) <= ?")
        params.append(end)
    if sor_code is not None:
        clauses.append("sor_code = ?")
        params.append(sor_code)
    return reg.store.query_df(
        "SELECT audit_id, change_id, sor_code, operation, effective_from, recorded_by, "
        "recorded_at, reason, accepted, batch_id, parameters FROM audit WHERE "
        + " AND ".join(clauses)
        + " ORDER BY recorded_at DESC, audit_id DESC",
        params,
    )
