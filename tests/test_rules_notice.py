"""The ``notice`` severity (rules.md §4): shown and recorded, never blocking, nothing to accept."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import sorkit
from sorkit import CloseUnit, CreateUnit, EditUnit, MoveUnit
from sorkit.batch import Batch
from sorkit.rules.codes import CATALOGUE, NOTICE, WARNING
from sorkit.texts import RULE_TITLES
from sorkit.widgets import CreateForm, MoveForm
from tests.helpers_rules import OE_TYPE, Units, address, copy_demo, day

TP = "Allerød Kommunes Tandpleje"
TBS = "Tandplejen Blovstrød Skole"
BS = "Blovstrød Skole"

NOTICES = {
    "PUBLIC_INFORMATION",
    "ADDRESS_NOT_VALIDATED",
    "CLOSE_ENDS_LOCATION_NUMBER",
    "CLOSE_ENDS_INHERITED_LOCATION_NUMBER",
}


def new(u: Units, **fields: Any) -> CreateUnit:
    values: dict[str, Any] = {"name": "Tandplejen Ny Skole", "unit_type": OE_TYPE}
    values.update(fields)
    return CreateUnit(parent=u[TP], **values)


def test_the_four_obs_codes_are_notices() -> None:
    assert {c for c, info in CATALOGUE.items() if info.severity == NOTICE} == NOTICES


#: (row id, user, change, the notices it has, the warnings it has).
Case = tuple[str, str, Callable[[Units], Any], set[str], set[str]]

CASES: list[Case] = [
    ("own phone", "admin", lambda u: new(u, phone="48100000"), {"PUBLIC_INFORMATION"}, set()),
    ("inherited phone", "admin", lambda u: new(u, inherit_electronic=True), set(), set()),
    (
        "skip validation",
        "admin",
        lambda u: new(
            u,
            inherit_electronic=True,
            postal_address=address(street="Ukendt Vej", skip_validation=True),
        ),
        {"ADDRESS_NOT_VALIDATED"},
        set(),
    ),
    (
        "email as kommune",
        "kommune",
        lambda u: EditUnit(u[TBS], day(2), email="tand@alleroed.dk"),
        {"PUBLIC_INFORMATION"},
        set(),
    ),
    (
        "close with own number",
        "admin",
        lambda u: CloseUnit(u[TP], day(40), confirm=True, cascade=True),
        {"CLOSE_ENDS_LOCATION_NUMBER"},
        set(),
    ),
    (
        "move outside (a warning)",
        "kommune",
        lambda u: MoveUnit(u[TBS], u.sengeafsnit(), day(10)),
        set(),
        {"MOVE_OUTSIDE_OWN_ORGANISATION"},
    ),
]


@pytest.fixture(scope="module")
def shared(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> sorkit.Register:
    """One demo copy for the planning rows (planning never writes)."""
    return copy_demo(demo_template, tmp_path_factory.mktemp("notice"))


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_plan_ok_with_only_notices(shared: sorkit.Register, case: Case) -> None:
    _id, user, make, notices, warnings = case
    plan = shared.as_user(user).plan(make(Units(shared)))
    assert {v.code for v in plan.notices} >= notices
    assert {v.code for v in plan.warnings} == warnings
    assert plan.ok
    assert all(not v.blocks({}) for v in plan.notices)
    assert all(v.blocks({}) for v in plan.warnings)


@pytest.mark.parametrize("case", [c for c in CASES if not c[4]], ids=lambda c: c[0])
def test_apply_needs_nothing_accepted_and_records_the_notices(
    demo: sorkit.Register, case: Case
) -> None:
    _id, user, make, notices, _warnings = case
    reg = demo.as_user(user)
    plan = reg.plan(make(Units(demo)))
    applied = reg.apply(plan)  # no accept=
    audit = demo.audit(sor_code=applied.sor_codes[0])
    row = audit[audit.change_id == applied.change_id].iloc[0]
    assert json.loads(row.accepted) == {}
    recorded = json.loads(row.parameters).get("notices", {})
    assert set(recorded) == {v.code for v in plan.notices}
    assert set(recorded) >= notices
    for v in plan.notices:
        assert recorded[v.code] == v.message


def test_batch_row_with_only_notices_has_status_note(demo: sorkit.Register) -> None:
    u = Units(demo)
    report = demo.plan_batch(Batch([new(u, phone="48100000")]))
    assert report.table()["status"].tolist() == ["note"]
    assert report.notices and not report.blocking()
    assert report.summary["notices"] == 1 and report.summary["unaccepted_warnings"] == 0
    done = demo.apply_batch(report)
    (params,) = demo.store.query(
        "SELECT parameters FROM audit WHERE batch_id = ?", [done.batch_id]
    )[0]
    assert "PUBLIC_INFORMATION" in json.loads(params)["notices"]


def test_every_warning_has_a_danish_title() -> None:
    for code, info in CATALOGUE.items():
        if info.severity == WARNING:
            assert code in RULE_TITLES, code


def test_create_form_shows_the_notice_beside_save_without_a_checkbox(
    shared: sorkit.Register,
) -> None:
    u = Units(shared)
    form = CreateForm(shared, parent=u[TP])
    c = form.controls
    c["name"].value = "Tandplejen Ny Skole"
    c["unit_type"].value = OE_TYPE
    c["inherit_electronic"].value = False
    c["phone"].value = "48100000"
    assert [v.code for v in form.state.notices] == ["PUBLIC_INFORMATION"]
    assert "borgervendte" in form.notice_box.value
    assert not [k for k in c if k.startswith("accept_")]
    assert form.state.can_apply and not c["apply"].disabled
    row = next(ch for ch in form.children if form.notice_box in getattr(ch, "children", ()))
    assert c["apply"] in row.children  # the notice sits beside the save button
    assert form.apply() is not None
    assert form.notice_box.value == ""  # the blank form after saving shows no stale notice
    assert "ændringen er gemt" in form.result.value


def test_accept_checkbox_is_labelled_with_the_danish_title(shared: sorkit.Register) -> None:
    u = Units(shared)
    form = MoveForm(shared.as_user("kommune"), sor_code=u[TBS])
    form.controls["new_parent"].value = u.sengeafsnit()
    box = form.controls["accept_MOVE_OUTSIDE_OWN_ORGANISATION"]
    assert box.description == "Accepter: Flytning uden for egen organisation"
    assert "MOVE_" not in box.description
