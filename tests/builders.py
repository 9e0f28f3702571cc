"""Test helpers: write units and edits straight through the store (below the rule engine)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import sorkit
from sorkit.engine.commit import commit
from sorkit.ids import make_sor_code
from sorkit.model import Event
from sorkit.store import AuditRow, WriteSet

_ids = itertools.count(1)


def code(serial: int) -> str:
    """A valid SOR code for a small serial number."""
    return make_sor_code(serial)


def write(reg: sorkit.Register, code_: str, day: dt.date, kind: str, **assignments: Any) -> str:
    """Write one event for one unit (with its audit row) and return the change id."""
    change_id = f"t-{next(_ids):05d}"
    now = reg.clock.now()
    snap = reg.snapshot()
    ws = WriteSet(
        expected_generation=snap.generation,
        user=reg.user,
        events=[Event(None, change_id, code_, day, kind, assignments, now, reg.user)],
        audit=[AuditRow(change_id, code_, kind, day, {"test": True}, {}, "test", None)],
    )
    commit(reg, ws, now=now)
    return change_id


def add_unit(
    reg: sorkit.Register,
    code_: str,
    parent: str | None,
    name: str,
    start: dt.date,
    level: str | None = None,
    **fields: Any,
) -> str:
    """Create a unit from ``start`` (level derived from the parent when not given)."""
    if level is None:
        if parent is None:
            level = "IE"
        else:
            parent_level = reg.snapshot().versions(parent)[0].level
            level = "SI" if parent_level == "IE" else "OE"
    write(reg, code_, start, "create", level=level, parent=parent, name=name, **fields)
    return code_


def find(reg: sorkit.Register, name: str) -> str:
    """The SOR code of the (first) unit that has ever carried ``name``."""
    snap = reg.snapshot()
    for c in snap.codes():
        if any(v.name == name for v in snap.versions(c)):
            return c
    raise KeyError(name)
