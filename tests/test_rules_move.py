"""Table tests of the move rules (rules.md §4 Move), over the whole timeline."""

from __future__ import annotations

from pathlib import Path

import pytest

import sorkit
from sorkit import CreateUnit, MoveUnit
from tests.helpers_rules import OE_TYPE, Row, Units, copy_demo, day, run_row

TP = "Allerød Kommunes Tandpleje"
TBS = "Tandplejen Blovstrød Skole"
ENG = "Tandplejen Engholmskolen"
LYN = "Tandplejen Lyngehus Skolen"
SI = "Sundhed og Omsorg, Allerød"
SEK = "Sekretariatet, Allerød"
VIS = "Visitationen, Allerød"
OKO = "Økonomi og Styring, Allerød"
BS = "Blovstrød Skole"


@pytest.fixture(scope="module")
def shared(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> sorkit.Register:
    """One demo copy for the whole module: planning never writes."""
    reg = copy_demo(demo_template, tmp_path_factory.mktemp("move"))
    u = Units(reg)
    # A steward whose scope is only the dental care (not the whole municipality).
    reg.add_user("tand", "steward", [u[TP]])
    return reg


@pytest.fixture(scope="module")
def units(shared: sorkit.Register) -> Units:
    """The demo's units by name."""
    return Units(shared)


ROWS: list[Row] = [
    ("to current parent", "MOVE_SAME_PARENT", "admin", lambda u: MoveUnit(u[TBS], u[TP]), True),
    ("to another parent", "MOVE_SAME_PARENT", "admin", lambda u: MoveUnit(u[TBS], u[BS]), False),
    ("under itself", "MOVE_INTO_OWN_SUBTREE", "admin", lambda u: MoveUnit(u[TP], u[TP]), True),
    ("under own child", "MOVE_INTO_OWN_SUBTREE", "admin", lambda u: MoveUnit(u[TP], u[TBS]), True),
    # Visitationen moves under Sekretariatet on 2026-12-15: Sekretariatet may not go under it,
    # not even on a date before that move (the cycle would appear on 12-15).
    (
        "under a future child",
        "MOVE_INTO_OWN_SUBTREE",
        "admin",
        lambda u: MoveUnit(u[SEK], u[VIS], day(10)),
        True,
    ),
    (
        "under a sibling",
        "MOVE_INTO_OWN_SUBTREE",
        "admin",
        lambda u: MoveUnit(u[SEK], u[OKO], day(10)),
        False,
    ),
    (
        "back to former parent",
        "MOVE_BACK_TO_FORMER_PARENT",
        "admin",
        lambda u: MoveUnit(u[VIS], u[SI], day(20)),
        True,
    ),
    (
        "to a new parent",
        "MOVE_BACK_TO_FORMER_PARENT",
        "admin",
        lambda u: MoveUnit(u[VIS], u[OKO], day(20)),
        False,
    ),
    (
        "under a closing unit",
        "MOVE_TARGET_NOT_ACTIVE",
        "admin",
        lambda u: MoveUnit(u[TBS], u[LYN], day(10)),
        True,
    ),
    (
        "under a closed unit",
        "MOVE_TARGET_NOT_ACTIVE",
        "admin",
        lambda u: MoveUnit(u[TBS], u.closed(), day(10)),
        True,
    ),
    (
        "under an open unit",
        "MOVE_TARGET_NOT_ACTIVE",
        "admin",
        lambda u: MoveUnit(u[TBS], u[ENG], day(10)),
        False,
    ),
    (
        "OE under IE",
        "PARENT_LEVEL_INVALID",
        "admin",
        lambda u: MoveUnit(u[TBS], u["Allerød Kommune"]),
        True,
    ),
    (
        "SI under SI",
        "PARENT_LEVEL_INVALID",
        "admin",
        lambda u: MoveUnit(u[SI], u["Rigshospitalet"]),
        True,
    ),
    (
        "SI under IE",
        "PARENT_LEVEL_INVALID",
        "admin",
        lambda u: MoveUnit(u[SI], u["Region Hovedstaden"]),
        False,
    ),
    ("OE under SI", "PARENT_LEVEL_INVALID", "admin", lambda u: MoveUnit(u[TBS], u[SI]), False),
    (
        "admin to another IE",
        "MOVE_OUTSIDE_OWN_ORGANISATION",
        "admin",
        lambda u: MoveUnit(u[TBS], u.sengeafsnit()),
        True,
    ),
    (
        "admin inside the IE",
        "MOVE_OUTSIDE_OWN_ORGANISATION",
        "admin",
        lambda u: MoveUnit(u[TBS], u[BS]),
        False,
    ),
    (
        "kommune to the region",
        "MOVE_OUTSIDE_OWN_ORGANISATION",
        "kommune",
        lambda u: MoveUnit(u[TBS], u.sengeafsnit()),
        True,
    ),
    (
        "kommune inside",
        "MOVE_OUTSIDE_OWN_ORGANISATION",
        "kommune",
        lambda u: MoveUnit(u[TBS], u[BS]),
        False,
    ),
    (
        "narrow steward out of scope",
        "MOVE_OUTSIDE_OWN_ORGANISATION",
        "tand",
        lambda u: MoveUnit(u[TBS], u[BS]),
        True,
    ),
    (
        "narrow steward in scope",
        "MOVE_OUTSIDE_OWN_ORGANISATION",
        "tand",
        lambda u: MoveUnit(u[TBS], u[ENG]),
        False,
    ),
    (
        "kommune moves region unit",
        "PERMISSION_DENIED",
        "kommune",
        lambda u: MoveUnit(u.sengeafsnit(), u[BS]),
        True,
    ),
]


@pytest.mark.parametrize("row", ROWS, ids=[r[0] for r in ROWS])
def test_move_rules(shared: sorkit.Register, units: Units, row: Row) -> None:
    codes = run_row(shared, units, row)
    assert (row[1] in codes) is row[4], codes


def test_target_created_later_is_not_active(demo: sorkit.Register) -> None:
    u = Units(demo)
    plan = demo.plan(
        CreateUnit(
            parent=u[TP],
            name="Kommer",
            unit_type=OE_TYPE,
            inherit_electronic=True,
            valid_from=day(30),
        )
    )
    new = demo.apply(plan).sor_codes[0]
    assert "MOVE_TARGET_NOT_ACTIVE" in demo.plan(MoveUnit(u[TBS], new, day(10))).codes
    assert "MOVE_TARGET_NOT_ACTIVE" not in demo.plan(MoveUnit(u[TBS], new, day(30))).codes


def test_move_warning_blocks_until_accepted(demo: sorkit.Register) -> None:
    u = Units(demo)
    plan = demo.plan(MoveUnit(u[TBS], u.sengeafsnit(), day(10)))
    assert plan.ok and plan.codes == ["MOVE_OUTSIDE_OWN_ORGANISATION"]
    with pytest.raises(sorkit.ChangeRejected) as info:
        demo.apply(plan)
    assert info.value.codes == ["MOVE_OUTSIDE_OWN_ORGANISATION"]
    with pytest.raises(sorkit.ChangeRejected):
        demo.apply(plan, accept={"MOVE_OUTSIDE_OWN_ORGANISATION": "  "})
    demo.apply(plan, accept={"MOVE_OUTSIDE_OWN_ORGANISATION": "aftalt med regionen"})
    assert demo.unit(u[TBS], as_of=day(10)).parent == u.sengeafsnit()
    assert demo.unit(u[TBS], as_of=day(9)).parent == u[TP]
