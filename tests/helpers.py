"""What many test files share: the tests' today and small lookups of demo units by name.

Helpers for one kind of test live beside it: ``builders`` (write straight through the store),
``helpers_rules`` (rule tables), ``helpers_procs`` (worker processes), ``reference_frames``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

#: The today of every test register (the demo register's anchor).
TODAY = dt.date(2026, 12, 1)
#: ``TODAY`` as the command line and notebook parameters take it.
TODAY_TEXT = TODAY.isoformat()


def code_of(reg: Any, name: str) -> str:
    """The SOR code of the one unit called ``name`` today (any level)."""
    snap = reg.snapshot()
    found = [c for c in snap.codes() if snap.reference_version(c, reg.today).name == name]
    assert len(found) == 1, (name, found)
    return found[0]


def named(reg: Any, name: str, top: str = "Allerød Kommune") -> str:
    """The SOR code of the unit called ``name`` in ``top``'s subtree (``top`` itself too)."""
    roots = reg.roots()
    root = roots[roots["name"] == top]["sor_code"].iloc[0]
    if name == top:
        return str(root)
    sub = reg.subtree(root, include_closed=True)
    return str(sub[sub["name"] == name]["sor_code"].iloc[0])


def accept_warnings(form: Any, reason: str = "aftalt med SOR-teamet") -> None:
    """Tick every warning of a steward form not yet accepted, with ``reason``."""
    for code in {w.code for w in form.state.warnings} - set(form.state.accepted):
        form.controls[f"accept_{code}"].value = True
        form.controls[f"reason_{code}"].value = reason
