"""The change engine: plan has no side effects, apply is atomic and audited, cancel, concurrency."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import sorkit
from sorkit import CloseUnit, CreateUnit, EditUnit, MoveUnit
from sorkit.rules import REGISTRY
from tests.helpers_rules import OE_TYPE, TODAY, Units, day

#: Every register test here runs on DuckDB and on PostgreSQL (tests/pgfixtures.py).
pytestmark = pytest.mark.engines

TP = "Allerød Kommunes Tandpleje"
TBS = "Tandplejen Blovstrød Skole"
BS = "Blovstrød Skole"


def counts(reg: sorkit.Register) -> tuple[int, ...]:
    """Generation and row counts of the tables a write touches."""
    rows = [
        reg.store.query(f"SELECT count(*) FROM {t}")[0][0]
        for t in ("unit_versions", "unit_events", "audit")
    ]
    return (reg.store.generation(), *rows)


def new_unit(u: Units, **fields: object) -> CreateUnit:
    values: dict[str, object] = {"name": "Tandplejen Ny", "unit_type": OE_TYPE}
    values.update(inherit_electronic=True, **fields)
    return CreateUnit(parent=u[TP], **values)  # type: ignore[arg-type]


def test_plan_writes_nothing(demo: sorkit.Register) -> None:
    u = Units(demo)
    before = counts(demo)
    for change in (
        new_unit(u),
        EditUnit(u[TBS], name="X"),
        MoveUnit(u[TBS], u[BS]),
        CloseUnit(u[TP], day(40), confirm=True, cascade=True),
    ):
        plan = demo.plan(change)
        assert plan.ok and not plan.preview.empty
    assert counts(demo) == before


def test_apply_create_with_default_date_and_audit(demo: sorkit.Register) -> None:
    u = Units(demo)
    before = counts(demo)
    applied = demo.apply(demo.plan(new_unit(u)), reason="ny skole")
    code = applied.sor_codes[0]
    assert applied.effective_date == day(7)
    unit = demo.unit(code, as_of=day(7))
    assert unit.parent == u[TP] and unit.valid_from == day(7) and unit.status == "active"
    assert demo.unit(code).status == "future"
    after = counts(demo)
    assert after[0] == before[0] + 1 and after[3] == before[3] + 1
    audit = demo.audit(sor_code=code)
    assert len(audit) == 1
    row = audit.iloc[0]
    assert (row.change_id, row.operation, row.reason, row.recorded_by) == (
        applied.change_id,
        "create",
        "ny skole",
        "admin",
    )
    assert json.loads(row.parameters)["name"] == "Tandplejen Ny"


def test_errors_block_apply(demo: sorkit.Register) -> None:
    u = Units(demo)
    plan = demo.plan(EditUnit(u[TBS], name=""))
    with pytest.raises(sorkit.ChangeRejected) as info:
        demo.apply(plan, accept={"NAME_REQUIRED": "alligevel"})
    assert info.value.codes == ["NAME_REQUIRED"]


def test_accepted_warning_and_reason_land_in_the_audit(demo: sorkit.Register) -> None:
    u = Units(demo)
    kommune = demo.as_user("kommune")
    plan = kommune.plan(MoveUnit(u[TBS], u.sengeafsnit(), day(10)))
    assert plan.codes == ["MOVE_OUTSIDE_OWN_ORGANISATION"]
    with pytest.raises(sorkit.ChangeRejected):
        kommune.apply(plan)
    accept = {"MOVE_OUTSIDE_OWN_ORGANISATION": "aftalt med regionen"}
    applied = kommune.apply(plan, accept=accept, reason="flytning")
    audit = demo.audit(sor_code=u[TBS])
    row = audit[audit.change_id == applied.change_id].iloc[0]
    assert json.loads(row.accepted) == accept
    assert row.reason == "flytning"


def test_apply_by_another_user_is_planned_again(demo: sorkit.Register) -> None:
    u = Units(demo)
    plan = demo.plan(EditUnit(u[TBS], name="X"))
    with pytest.raises(sorkit.ChangeRejected) as info:
        demo.as_user("reader").apply(plan)
    assert info.value.codes == ["PERMISSION_DENIED"]


def test_edit_of_a_future_unit_cannot_precede_its_start(demo: sorkit.Register) -> None:
    u = Units(demo)
    code = demo.apply(demo.plan(new_unit(u, valid_from=day(30)))).sor_codes[0]
    assert "DATE_TOO_EARLY" in demo.plan(EditUnit(code, day(10), name="Y")).codes
    assert demo.plan(EditUnit(code, day(30), name="Y")).ok


def test_concurrent_change_of_the_same_unit(demo: sorkit.Register) -> None:
    u = Units(demo)
    plan = demo.plan(EditUnit(u[TBS], name="Min"))
    other = sorkit.open_register(demo.path, user="admin", today=TODAY)
    other.apply(other.plan(EditUnit(u[TBS], name="Din")))
    with pytest.raises(sorkit.ChangeRejected) as info:
        demo.apply(plan)
    assert info.value.codes == ["CONCURRENT_CHANGE"]
    assert demo.unit(u[TBS], as_of=day(1)).name == "Din"


def test_concurrent_change_of_another_unit_is_replanned(demo: sorkit.Register) -> None:
    u = Units(demo)
    plan = demo.plan(EditUnit(u[TBS], name="Min"))
    other = sorkit.open_register(demo.path, user="admin", today=TODAY)
    other.apply(other.plan(EditUnit(u[BS], name="Din")))
    demo.apply(plan)
    assert demo.unit(u[TBS], as_of=day(1)).name == "Min"
    assert demo.unit(u[BS], as_of=day(1)).name == "Din"


def test_guarantees_are_a_last_line_of_defence(
    demo: sorkit.Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    u = Units(demo)
    move = MoveUnit(u[TP], u[TBS])
    assert demo.plan(move).codes == ["MOVE_INTO_OWN_SUBTREE"]
    # Without the rule the engine's invariant check still refuses the cycle.
    registry = {k: v for k, v in REGISTRY.items() if not k.endswith("move.target_fits")}
    monkeypatch.setattr("sorkit.rules.REGISTRY", registry)
    assert "REGISTER_GUARANTEE_BROKEN" in demo.plan(move).codes


def test_cancel_unknown_change(demo: sorkit.Register) -> None:
    with pytest.raises(sorkit.ChangeRejected) as info:
        demo.cancel("no-such-change")
    assert info.value.codes == ["CHANGE_NOT_FOUND"]


def test_cancel_pending_edit_then_not_after_its_date(demo: sorkit.Register) -> None:
    u = Units(demo)
    applied = demo.apply(demo.plan(EditUnit(u[TBS], day(5), name="Midlertidig")))
    later = sorkit.open_register(demo.path, user="admin", today=day(5))
    with pytest.raises(sorkit.ChangeRejected) as info:
        later.cancel(applied.change_id)
    assert info.value.codes == ["CANCEL_NOT_PENDING"]
    with pytest.raises(sorkit.ChangeRejected) as info:
        demo.as_user("reader").cancel(applied.change_id)
    assert info.value.codes == ["PERMISSION_DENIED"]
    cancelled = demo.cancel(applied.change_id, reason="fortrudt")
    assert demo.unit(u[TBS], as_of=day(5)).name == TBS
    audit = demo.audit(sor_code=u[TBS])
    mine = audit[audit.change_id.isin([applied.change_id, cancelled.change_id])]
    assert sorted(mine.operation) == ["cancel", "edit"]
    assert mine[mine.operation == "cancel"].reason.iloc[0] == "fortrudt"


def test_cancel_that_breaks_the_timeline(demo: sorkit.Register) -> None:
    u = Units(demo)
    parent = demo.apply(demo.plan(new_unit(u))).sor_codes[0]
    child = CreateUnit(
        parent=parent, name="Barn", unit_type=OE_TYPE, inherit_electronic=True, valid_from=day(10)
    )
    demo.apply(demo.plan(child))
    created = demo.audit(sor_code=parent).change_id.iloc[0]
    with pytest.raises(sorkit.ChangeRejected) as info:
        demo.cancel(created)
    assert info.value.codes == ["CANCEL_BREAKS_TIMELINE"]


def test_cascade_close_one_event_and_audit_row_per_unit(demo: sorkit.Register) -> None:
    u = Units(demo)
    plan = demo.plan(CloseUnit(u[TP], day(40), confirm=True, cascade=True))
    accept = {w.code: "hele tandplejen lukker" for w in plan.warnings}
    applied = demo.apply(plan, accept=accept, reason="omlægning")
    assert len(applied.sor_codes) == 4
    audit = demo.audit()
    rows = audit[audit.change_id == applied.change_id]
    assert sorted(rows.sor_code) == sorted(applied.sor_codes)
    events = demo.store.events_for_change(applied.change_id)
    assert sorted(e.sor_code for e in events) == sorted(applied.sor_codes)
    assert {e.effective_from for e in events} == {day(41)}
    for code in applied.sor_codes:
        assert demo.unit(code).last_day == day(40)


def test_plan_path_is_not_a_path(tmp_path: Path) -> None:
    reg = sorkit.open_register(tmp_path / "r.duckdb", user="x", today=TODAY)
    plan = reg.plan(EditUnit("1610481000016006", name="X"))
    assert plan.codes == ["UNIT_NOT_FOUND"] and not plan.ok
