"""The change log as history shows it: every unit's events and audit records.

Two tables, each with the unit's SOR code: the events (cancelled ones included; ``cancelled_by``
is the cancelling change) and the audit records (why, accepted warnings, batch). History matches
them per unit; :class:`sorkit.history.eventlog.EventLog` keeps both in memory. :func:`log_tables` reads
them whole, as Arrow tables; :func:`log_rows_for` the rows of some units (after a write), and
:func:`changed_since` which units were written after a generation.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pyarrow as pa

from sorkit.store import rows

#: The columns of an event row and of an audit row, in order.
EVENT_COLUMNS = (
    "event_id",
    "change_id",
    "sor_code",
    "effective_from",
    "kind",
    "assignments",
    "recorded_at",
    "recorded_by",
    "cancelled",
    "cancelled_by",
)
AUDIT_COLUMNS = ("audit_id", "change_id", "sor_code", "reason", "accepted", "batch_id")

_EVENTS = (
    "SELECT event_id, change_id, sor_code, effective_from, kind, assignments, recorded_at, "
    "recorded_by, superseded_at IS NOT NULL AS cancelled, superseded_by AS cancelled_by "
    "FROM unit_events{where}"
)
# A filter on sor_code alone, so that DuckDB answers a few units from the index.
_AUDIT = "SELECT audit_id, change_id, sor_code, reason, accepted, batch_id FROM audit{where}"


def log_marks(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """(generation, highest audit id): where a log read in this transaction stands."""
    top = con.execute("SELECT coalesce(max(audit_id), 0) FROM audit").fetchall()[0][0]
    return rows.generation(con), int(top)


def log_tables(con: duckdb.DuckDBPyConnection) -> tuple[pa.Table, pa.Table]:
    """Every event and every unit's audit record (:data:`EVENT_COLUMNS`, :data:`AUDIT_COLUMNS`).

    In storage order: grouping by unit is left to the reader (a sort here would hold the whole
    log twice in DuckDB's memory).
    """
    events = con.sql(_EVENTS.format(where="")).to_arrow_table()
    audit = con.sql(_AUDIT.format(where=" WHERE sor_code IS NOT NULL")).to_arrow_table()
    return events, audit


def changed_since(con: duckdb.DuckDBPyConnection, generation: int, audit_id: int) -> set[str]:
    """Units with events written or cancelled after ``generation`` or audit after ``audit_id``."""
    found = con.execute(
        "SELECT sor_code FROM unit_events WHERE gen > ? "
        "UNION SELECT sor_code FROM audit WHERE audit_id > ? AND sor_code IS NOT NULL",
        [generation, audit_id],
    ).fetchall()
    return {r[0] for r in found}


def log_rows_for(
    con: duckdb.DuckDBPyConnection, codes: set[str]
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The event rows and audit rows of the given units (read through the sor_code indexes)."""
    if not codes:
        return [], []
    cond, params = rows.codes_filter(con, codes)
    events = con.execute(_EVENTS.format(where=f" WHERE {cond}"), params).fetchall()
    audit = con.execute(_AUDIT.format(where=f" WHERE {cond}"), params).fetchall()
    return events, audit
