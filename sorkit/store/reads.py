"""The SQL behind the read-only tables of history, reports and ``sorkit check``.

Each function takes an open connection and returns plain rows (or a DataFrame); the callers in
:mod:`sorkit.history`, :mod:`sorkit.reports` and :mod:`sorkit.cli` turn them into what people
read, and reach them through the :class:`~sorkit.store.Store` methods of the same purpose.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

import duckdb
import pandas as pd

#: The columns of :func:`pending_events` (and, with ``batch_id``, :func:`period_events`).
EVENT_ROW_COLUMNS = (
    "change_id",
    "kind",
    "sor_code",
    "effective_from",
    "assignments",
    "recorded_by",
    "recorded_at",
    "reason",
)


class AuditGaps(NamedTuple):
    """Writes without their audit record, and batches without their batch record or rows."""

    #: (change id, SOR code) of events with no audit record.
    events_without_audit: list[tuple[str, str]]
    #: Batch ids named in audit records that have no batch record.
    audit_without_batch: list[str]
    #: (batch id, row count) of batch records with no audit record.
    batches_without_audit: list[tuple[str, int]]


def pending_events(con: duckdb.DuckDBPyConnection, after: dt.date) -> list[tuple[Any, ...]]:
    """Current events taking effect after ``after``, soonest first, with their audit reason.

    Rows of :data:`EVENT_ROW_COLUMNS`; ``assignments`` is the stored JSON text.
    """
    return con.execute(
        "SELECT e.change_id, e.kind, e.sor_code, e.effective_from, e.assignments, "
        "e.recorded_by, e.recorded_at, a.reason FROM unit_events e "
        "LEFT JOIN audit a ON a.change_id = e.change_id AND a.sor_code = e.sor_code "
        "WHERE e.superseded_at IS NULL AND e.effective_from > ? "
        "ORDER BY e.effective_from, e.recorded_at",
        [after],
    ).fetchall()


def period_events(
    con: duckdb.DuckDBPyConnection, first: dt.date, last: dt.date, by: str
) -> list[tuple[Any, ...]]:
    """Current events with their audit reason and batch, in date order.

    Args:
        con: an open connection.
        first: the first date.
        last: the last date (inclusive).
        by: ``"effective"`` (``effective_from`` in ``[first, last]``) or ``"recorded"`` (the
            day of ``recorded_at`` in ``[first, last]``).

    Returns:
        Rows of :data:`EVENT_ROW_COLUMNS` plus ``batch_id``.
    """
    if by == "effective":
        where = "e.effective_from BETWEEN ? AND ?"
    elif by == "recorded":
        where = "CAST(e.recorded_at AS DATE) BETWEEN ? AND ?"
    else:
        raise ValueError(f"by must be 'effective' or 'recorded', not {by!r}")
    return con.execute(
        "SELECT e.change_id, e.kind, e.sor_code, e.effective_from, e.assignments, "
        "e.recorded_by, e.recorded_at, a.reason, a.batch_id FROM unit_events e "
        "LEFT JOIN audit a ON a.change_id = e.change_id AND a.sor_code = e.sor_code "
        f"WHERE e.superseded_at IS NULL AND {where} ORDER BY e.effective_from, e.recorded_at",
        [first, last],
    ).fetchall()


def audit_records(
    con: duckdb.DuckDBPyConnection,
    start: dt.date | None = None,
    end: dt.date | None = None,
    sor_code: str | None = None,
) -> pd.DataFrame:
    """Audit records recorded in ``[start, end]`` (dates inclusive, None = open), newest first."""
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
    return con.execute(
        "SELECT audit_id, change_id, sor_code, operation, effective_from, recorded_by, "
        "recorded_at, reason, accepted, batch_id, parameters FROM audit WHERE "
        + " AND ".join(clauses)
        + " ORDER BY recorded_at DESC, audit_id DESC",
        params,
    ).df()


def audit_gaps(con: duckdb.DuckDBPyConnection) -> AuditGaps:
    """Events without an audit record and batches without their record or rows."""
    events = con.execute(
        "SELECT DISTINCT e.change_id, e.sor_code FROM unit_events e "
        "LEFT JOIN audit a ON a.change_id = e.change_id AND a.sor_code = e.sor_code "
        "WHERE a.change_id IS NULL ORDER BY 1, 2"
    ).fetchall()
    no_batch = con.execute(
        "SELECT DISTINCT a.batch_id FROM audit a LEFT JOIN batches b USING (batch_id) "
        "WHERE a.batch_id IS NOT NULL AND b.batch_id IS NULL ORDER BY 1"
    ).fetchall()
    no_audit = con.execute(
        "SELECT b.batch_id, b.row_count FROM batches b LEFT JOIN audit a USING (batch_id) "
        "WHERE a.batch_id IS NULL ORDER BY 1"
    ).fetchall()
    return AuditGaps(
        [(c, s) for c, s in events], [b for (b,) in no_batch], [(b, n) for b, n in no_audit]
    )
