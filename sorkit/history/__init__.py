"""A unit's history, pending changes and audit trail, read from the in-memory change log.

:mod:`sorkit.history.trail` builds the tables; :mod:`sorkit.history.eventlog` keeps every event
and audit record in memory and patches it after writes.
"""

from sorkit.history.trail import (
    HISTORY_COLUMNS,
    PENDING_COLUMNS,
    audit_trail,
    describe_event,
    history,
    pending,
    show,
    unit_name,
)

__all__ = [
    "HISTORY_COLUMNS",
    "PENDING_COLUMNS",
    "show",
    "unit_name",
    "describe_event",
    "history",
    "pending",
    "audit_trail",
]
