"""The SOR GUI guide's walk-through (shared/seeds/sor-gui-vejledning.txt), replayed on the demo.

Opret OE under Allerød Kommunes Tandpleje, ret den, flyt den, luk enheder (med lokationsnummer
og med underliggende enheder), annuller en planlagt lukning, og en kommunal SOR-administrators
rettigheder.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

import sorkit
from sorkit import CloseUnit, CreateUnit, EditUnit, MoveUnit
from tests.helpers_rules import OE_TYPE, TODAY, Units, day

TP = "Allerød Kommunes Tandpleje"
TBS = "Tandplejen Blovstrød Skole"
LYN = "Tandplejen Lyngehus Skolen"
BS = "Blovstrød Skole"
WARNED = "PUBLIC_INFORMATION"


def opret(u: Units, **fields: object) -> CreateUnit:
    """The guide's create: name, unit type, phone (own electronic addresses)."""
    values: dict[str, object] = {"name": "Tandplejen Kongevejens Skole", "unit_type": OE_TYPE}
    values.update(phone="48 10 00 00", **fields)
    return CreateUnit(parent=u[TP], **values)  # type: ignore[arg-type]


def test_create_with_the_default_date_and_too_early(demo: sorkit.Register) -> None:
    u = Units(demo)
    early = demo.plan(opret(u, valid_from=day(3)))
    [too_early] = [v for v in early.violations if v.code == "DATE_TOO_EARLY"]
    assert too_early.details["earliest"] == day(7) == TODAY + dt.timedelta(days=7)
    assert "08-12-2026" in too_early.message
    plan = demo.plan(opret(u))
    assert plan.ok and plan.effective_date == day(7) and plan.codes == [WARNED]
    applied = demo.apply(plan, accept={WARNED: "telefonnummeret er offentligt"})
    new = applied.sor_codes[0]
    assert sorkit.ids.is_valid_sor_code(new)
    assert demo.unit(new, as_of=day(7)).parent == u[TP]
    assert demo.unit(new, as_of=day(6)).status == "future"
    assert demo.search("Kongevejens")["sor_code"].tolist() == [new]


def test_edit_takes_effect_the_next_day(demo: sorkit.Register) -> None:
    u = Units(demo)
    plan = demo.plan(EditUnit(u[TBS], name="Tandplejen Blovstrød"))
    assert plan.effective_date == day(1)
    demo.apply(plan)
    assert demo.unit(u[TBS]).name == TBS
    assert demo.unit(u[TBS], as_of=day(1)).name == "Tandplejen Blovstrød"


def test_move_on_a_chosen_date_and_never_back(demo: sorkit.Register) -> None:
    u = Units(demo)
    june = dt.date(2027, 6, 1)  # the guide: "Anden dato fx 1. juni"
    demo.apply(demo.plan(MoveUnit(u[TBS], u[BS], june)))
    assert demo.unit(u[TBS], as_of=june - dt.timedelta(days=1)).parent == u[TP]
    assert demo.unit(u[TBS], as_of=june).parent == u[BS]
    assert u[TBS] in demo.children(u[BS], as_of=june).sor_code.tolist()
    back = demo.plan(MoveUnit(u[TBS], u[TP], dt.date(2027, 7, 1)))
    assert back.codes == ["MOVE_BACK_TO_FORMER_PARENT"] and not back.ok
    own_child = demo.plan(MoveUnit(u[TP], u[TBS], day(10)))
    assert "MOVE_INTO_OWN_SUBTREE" in own_child.codes


def test_close_ends_the_location_number_the_same_day(demo: sorkit.Register) -> None:
    u = Units(demo)
    # Move the dental care's units away first, so it can close on its own.
    for child in ("Tandplejen Lillerød Skole", "Tandplejen Engholmskolen", TBS):
        demo.apply(demo.plan(MoveUnit(u[child], u[BS], day(20))))
    last = day(40)
    own = demo.unit(u[TP]).location_number
    assert own is not None and own.gln.startswith("579")
    gln = own.gln
    plan = demo.plan(CloseUnit(u[TP], last, confirm=True))
    assert set(plan.codes) == {"CLOSE_ENDS_LOCATION_NUMBER"}
    assert plan.ok and not plan.warnings  # a notice: shown, nothing to accept
    demo.apply(plan)
    assert demo.unit(u[TP], as_of=last).location_number.gln == gln
    assert demo.unit(u[TP], as_of=last).status == "closing"
    assert demo.unit(u[TP], as_of=last + dt.timedelta(days=1)).status == "closed"
    assert demo.snapshot().versions(u[TP])[-1].valid_to == last + dt.timedelta(days=1)
    periods = demo.store.query(
        "SELECT valid_to FROM location_numbers WHERE gln = ? AND sor_code = ?", [gln, u[TP]]
    )
    assert [p[0] for p in periods] == [last + dt.timedelta(days=1)]


def test_close_with_open_children_then_the_whole_branch(demo: sorkit.Register) -> None:
    u = Units(demo)
    last = day(40)
    plan = demo.plan(CloseUnit(u[TP], last, confirm=True))
    assert "CLOSE_HAS_OPEN_CHILDREN" in plan.codes and not plan.ok
    cascade = demo.plan(CloseUnit(u[TP], last, confirm=True, cascade=True))
    assert cascade.ok
    applied = demo.apply(cascade, accept={w.code: "grenen lukkes" for w in cascade.warnings})
    branch = {u[TP], u[TBS], u["Tandplejen Lillerød Skole"], u["Tandplejen Engholmskolen"]}
    assert set(applied.sor_codes) == branch
    for code in branch:
        assert demo.unit(code).last_day == last
    audit = demo.audit()
    assert sorted(audit[audit.change_id == applied.change_id].sor_code) == sorted(branch)
    # Lyngehus closed on its own date, before the branch.
    assert demo.unit(u[LYN]).last_day == dt.date(2026, 12, 31)


def test_closed_units_are_never_changed(demo: sorkit.Register) -> None:
    u = Units(demo)
    demo.apply(demo.plan(CloseUnit(u[TBS], day(7), confirm=True)))
    later = sorkit.open_register(demo.path, user="admin", today=day(10))
    for change in (
        EditUnit(u[TBS], name="Genåbnet"),
        MoveUnit(u[TBS], u[BS]),
        CloseUnit(u[TBS], day(20), confirm=True),
    ):
        assert "UNIT_CLOSED" in later.plan(change).codes


def test_cancel_a_pending_close_but_not_after_it(demo: sorkit.Register) -> None:
    u = Units(demo)
    pending = demo.pending()
    [close_id] = pending[(pending.sor_code == u[LYN]) & (pending.operation == "Luk")].change_id
    late = sorkit.open_register(demo.path, user="admin", today=dt.date(2027, 1, 2))
    with pytest.raises(sorkit.ChangeRejected) as info:
        late.cancel(close_id)
    assert info.value.codes == ["CANCEL_NOT_PENDING"]
    demo.cancel(close_id, reason="skolen fortsætter")
    assert demo.unit(u[LYN]).last_day is None
    assert demo.unit(u[LYN], as_of=dt.date(2027, 6, 1)).status == "active"
    assert close_id not in demo.pending().change_id.tolist()


def test_municipal_steward(demo: sorkit.Register) -> None:
    u = Units(demo)
    kommune = demo.as_user("kommune")
    region_unit = u.sengeafsnit()
    assert kommune.plan(EditUnit(region_unit, name="X")).codes == ["PERMISSION_DENIED"]
    with pytest.raises(sorkit.ChangeRejected):
        kommune.apply(kommune.plan(EditUnit(region_unit, name="X")))
    out = kommune.plan(MoveUnit(u[TBS], region_unit, day(10)))
    assert out.ok and out.codes == ["MOVE_OUTSIDE_OWN_ORGANISATION"]
    with pytest.raises(sorkit.ChangeRejected) as info:
        kommune.apply(out)
    assert info.value.codes == ["MOVE_OUTSIDE_OWN_ORGANISATION"]
    why = "aftalt med Region Hovedstaden"
    applied = kommune.apply(out, accept={"MOVE_OUTSIDE_OWN_ORGANISATION": why}, reason="flytning")
    audit = demo.audit(sor_code=u[TBS])
    row = audit[audit.change_id == applied.change_id].iloc[0]
    assert row.recorded_by == "kommune" and row.reason == "flytning"
    assert json.loads(row.accepted) == {"MOVE_OUTSIDE_OWN_ORGANISATION": why}
    history = demo.history(u[TBS])
    assert why in history[history.change_id == applied.change_id].accepted.iloc[0]
