"""Hypothesis: random creates, edits, moves, closes, location numbers and cancels keep rules.md §5.

Only plans without errors are applied (warnings accepted with a reason); after every step the
register must keep its guarantees on every date, and planning must never write anything.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import sorkit
from sorkit import CloseUnit, CreateUnit, EditUnit, MoveUnit, SetLocationNumber
from sorkit.engine.commit import commit
from sorkit.errors import ChangeRejected
from sorkit.ids import make_gln
from sorkit.invariants import problems
from sorkit.model import Event
from sorkit.store import WriteSet
from tests.builders import code
from tests.helpers_rules import OE_TYPE, TODAY, location_number

GLNS = [make_gln("579000000001"), make_gln("579000000002")]
START = TODAY - dt.timedelta(days=400)


def small_register() -> tuple[sorkit.Register, list[str]]:
    """IE > SI > three OEs (one with a location number, one under another OE), in one write."""
    reg = sorkit.open_register(None, user="tester", today=TODAY)
    oe = {"level": "OE", "unit_type": OE_TYPE, "inherit_electronic": True}
    units = [
        (code(1), {"level": "IE", "parent": None, "name": "Kommune", "phone": "11111111"}),
        (
            code(2),
            {"level": "SI", "parent": code(1), "name": "Sundhed", "inherit_electronic": True},
        ),
        (
            code(3),
            {
                **oe,
                "parent": code(2),
                "name": "A",
                "location_number": location_number(make_gln("579000000009")).to_dict(),
            },
        ),
        (code(4), {**oe, "parent": code(2), "name": "B"}),
        (code(5), {**oe, "parent": code(3), "name": "C", "inherit_location_number": True}),
    ]
    now = reg.clock.now()
    events = [Event(None, "base", c, START, "create", a, now, "tester") for c, a in units]
    ws = WriteSet(expected_generation=reg.snapshot().generation, user="tester", events=events)
    commit(reg, ws, now=now)
    return reg, [c for c, _ in units]


def counts(reg: sorkit.Register) -> tuple[Any, ...]:
    tables = ("unit_versions", "unit_events", "audit")
    return (
        reg.store.generation(),
        *(reg.store.query(f"SELECT count(*) FROM {t}")[0][0] for t in tables),
    )


OPS = st.tuples(
    st.sampled_from(["create", "edit", "move", "close", "cascade", "gln", "inherit", "cancel"]),
    st.integers(0, 20),
    st.integers(0, 20),
    st.integers(1, 60),
    st.integers(0, 2),
)


def make_change(op: tuple[str, int, int, int, int], units: list[str]) -> Any:
    kind, i, j, days, k = op
    unit, other = units[i % len(units)], units[j % len(units)]
    when = TODAY + dt.timedelta(days=days)
    number = location_number(GLNS[k % 2]) if k < 2 else None
    if kind == "create":
        return CreateUnit(
            parent=other,
            name=f"Ny {days}",
            unit_type=OE_TYPE,
            valid_from=when,
            inherit_electronic=True,
            location_number=number,
            inherit_location_number=k == 2,
        )
    if kind == "edit":
        return EditUnit(unit, effective_from=when, name=f"Navn {days}")
    if kind == "move":
        return MoveUnit(unit, other, when)
    if kind in ("close", "cascade"):
        return CloseUnit(unit, when, confirm=True, cascade=kind == "cascade")
    if kind == "gln":
        return SetLocationNumber(unit, number, effective_from=when)
    return SetLocationNumber(unit, None, inherit=True, effective_from=when)


@pytest.mark.slow
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(OPS, min_size=1, max_size=10))
def test_random_changes_keep_the_guarantees(ops: list[tuple[str, int, int, int, int]]) -> None:
    reg, units = small_register()
    assert problems(reg.snapshot()) == []
    applied: list[str] = []
    for op in ops:
        if op[0] == "cancel":
            if applied:
                try:
                    reg.cancel(applied[op[1] % len(applied)], reason="fortrudt")
                except ChangeRejected as exc:
                    assert set(exc.codes) <= {"CANCEL_BREAKS_TIMELINE", "CHANGE_NOT_FOUND"}
        else:
            before = counts(reg)
            plan = reg.plan(make_change(op, units))
            assert counts(reg) == before, "plan wrote to the register"
            assert "REGISTER_GUARANTEE_BROKEN" not in plan.codes, plan.violations
            event(f"{op[0]} {'applied' if plan.ok else 'refused'}")
            if plan.ok:
                result = reg.apply(plan, accept={w.code: "test" for w in plan.warnings})
                applied.append(result.change_id)
                units += [c for c in result.sor_codes if c not in units]
        assert problems(reg.snapshot()) == [], op
