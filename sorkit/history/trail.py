"""History, pending changes and the audit trail, as readable tables.

``history`` shows one row per change of a unit: what changed ("felt: gammel -> ny"), from when,
who, when and why, and whether it was cancelled on request; ``pending`` lists changes that have
not yet taken effect; ``audit_trail`` the audit records of a period.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from sorkit.dates import ONE_DAY
from sorkit.gln.diff import location_changes
from sorkit.model import STATE_FIELDS, Address, Event
from sorkit.refdata import unit_type_names
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
    "cancel_reason",
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


def show(snap: Any, name: str, value: Any, day: dt.date | None = None) -> str:
    """A field value as a steward reads it (Danish): names for units, one-line addresses."""
    if isinstance(value, list):
        value = tuple(value)
    if value is None or value == () or value == "":
        return "-"
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if name in ("parent", "replaces", "replaced_by"):
        codes = value if isinstance(value, tuple) else (value,)
        return ", ".join(unit_name(snap, str(c), day) for c in codes)
    if name == "unit_type":
        type_name = unit_type_names().get(str(value))
        return f"{type_name} ({value})" if type_name else str(value)
    if isinstance(value, Mapping):
        if "gln" in value:
            inactive = " (ikke aktivt)" if value.get("inactive") else ""
            return f"{value.get('gln')}{inactive}"
        address = Address.from_dict(value)
        return address.one_line() if address is not None else "-"
    if name == "local_attributes" and isinstance(value, tuple) and "" in value:
        return ", ".join(f"nr. {i}: {v}" for i, v in enumerate(value, start=1) if v)
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def unit_name(snap: Any, code: str, day: dt.date | None = None) -> str:
    """'Name (SOR code)' of a unit on ``day`` (its nearest version), or the bare code."""
    v = snap.reference_version(code, day) if day is not None else None
    if v is None and snap.exists(code):
        v = snap.versions(code)[-1]
    return f"{v.name} ({code})" if v is not None else code


def describe_event(snap: Any, event: Event) -> str:
    """Readable "felt: gammel -> ny" text for one event of a unit (unchanged fields left out)."""
    day = event.effective_from
    if event.kind in ("create", "import"):
        parent = event.assignments.get("parent")
        where = f" under {show(snap, 'parent', parent, day)}" if parent else ""
        return f"oprettet{where}: {event.assignments.get('name', '')}"
    if event.kind == "close":
        return f"lukket (sidste gyldige dag {day - ONE_DAY:%d-%m-%Y})"
    before = snap.version_at(event.sor_code, day - ONE_DAY)
    parts = []
    for name in STATE_FIELDS:
        if name not in event.assignments:
            continue
        old = getattr(before, name) if before is not None else None
        if name == "location_number":  # every changed field of the number (sorkit.gln.diff)
            parts += location_changes(old, event.assignments[name])
            continue
        old_text = show(snap, name, old, day)
        new_text = show(snap, name, event.assignments[name], day)
        if old_text != new_text:
            parts.append(f"{FIELD_LABELS.get(name, name)}: {old_text} -> {new_text}")
    return "; ".join(parts) or "ingen ændring"


def history(reg: Register, sor_code: str, include_cancelled: bool = False) -> pd.DataFrame:
    """One row per change of the unit, oldest effective date first.

    Args:
        reg: the register.
        sor_code: the unit.
        include_cancelled: also show changes cancelled on request (``cancelled`` is True,
            ``cancelled_by`` the cancellation's change id, ``cancel_reason`` why).

    Returns:
        Columns :data:`HISTORY_COLUMNS`; ``effective_date`` is a close's last valid day.

    Raises:
        UnitNotFound: no unit has this SOR code.
    """
    from sorkit.errors import UnitNotFound
    from sorkit.history.eventlog import log_for

    snap = reg.snapshot()
    if not snap.exists(sor_code):
        raise UnitNotFound(sor_code)
    # Rows as sorkit.store.logrows orders their columns; an audit record per change and unit
    # (the latest, if ever more than one).
    events, audit_rows = log_for(snap, reg.store).unit(sor_code)
    audit = {a[1]: a for a in audit_rows}
    rows = []
    for _id, change_id, code, eff, kind, assignments, at, by, cancelled, undo_id in events:
        if cancelled and not include_cancelled:
            continue
        event = Event(None, change_id, code, eff, kind, json.loads(assignments), at, by)
        a = audit.get(change_id)
        undo = audit.get(undo_id) if undo_id else None
        rows.append(
            (
                change_id,
                OPERATION_LABELS.get(kind, kind),
                eff - ONE_DAY if kind == "close" else eff,
                describe_event(snap, event),
                by,
                at,
                a[3] if a else None,
                _accepted_text(a[4]) if a else "",
                a[5] if a else None,
                cancelled,
                undo_id,
                undo[3] if undo else None,
            )
        )
    return _frame(rows, HISTORY_COLUMNS, _HISTORY_KINDS)


# The column types of a history table, given rather than inferred from the values: the same
# types whatever the rows hold (an all-empty column stays text), and a third faster to make.
_HISTORY_KINDS = ("str", "str", "date", "str", "str", "datetime64[us]", "str", "str", "str",
                  "bool", "str", "str")  # fmt: skip
_TEXT = pd.StringDtype(na_value=float("nan"))  # pandas' default "str"


def _frame(rows: list[tuple[Any, ...]], columns: list[str], kinds: tuple[str, ...]) -> pd.DataFrame:
    """A DataFrame of ``rows`` whose columns have the given kinds (str, date, bool, ...)."""
    import numpy as np

    values = list(zip(*rows, strict=True)) if rows else [()] * len(columns)
    data: dict[str, Any] = {}
    for name, kind, column in zip(columns, kinds, values, strict=True):
        if kind == "str":
            data[name] = pd.array(column, dtype=_TEXT)
        elif kind == "date":  # datetime.date objects, as everywhere in sorkit's tables
            data[name] = np.array(column, dtype=object)
        else:
            data[name] = np.array(column, dtype=kind)
    return pd.DataFrame(data, copy=False)


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
    raw = reg.store.pending_events(day)
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
    return reg.store.audit_records(start, end, sor_code)
