"""Table tests of the move rules (rules.md §4 Move), over the whole timeline."""

from __future__ import annotations

from pathlib import Path

import pytest

import sorkit
from sorkit import CreateUnit, MoveUnit, SetLocationNumber
from tests.builders import add_unit, code
from tests.helpers_rules import (
    OE_TYPE,
    Row,
    Units,
    copy_demo,
    day,
    location_number,
    named_rows,
    run_row,
)

TP = "Allerød Kommunes Tandpleje"
TBS = "Tandplejen Blovstrød Skole"
ENG = "Tandplejen Engholmskolen"
LYN = "Tandplejen Lyngehus Skolen"
SI = "Sundhed og Omsorg, Allerød"
SEK = "Sekretariatet, Allerød"
VIS = "Visitationen, Allerød"
OKO = "Økonomi og Styring, Allerød"
BS = "Blovstrød Skole"
HJ = "Hjemmeplejen Allerød"
#: An OE without phone and location number, written below the rules (as an old import could
#: have it): units that inherit either and move under it lose them.
BARE = "Uden telefon og lokationsnummer"


@pytest.fixture(scope="module")
def shared(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> sorkit.Register:
    """One demo copy for the whole module: planning never writes."""
    reg = copy_demo(demo_template, tmp_path_factory.mktemp("move"))
    u = Units(reg)
    # A steward whose scope is only the dental care (not the whole municipality).
    reg.add_user("tand", "steward", [u[TP]])
    add_unit(reg, code(990001), u[SI], BARE, day(-30), unit_type=OE_TYPE)
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
    # Inheritance re-resolved under the new parent (PHONE_REQUIRED, GLN_INHERIT_...).
    (
        "inheriting phone under a parent without one",
        "PHONE_REQUIRED",
        "admin",
        lambda u: MoveUnit(u[SEK], u[BARE], day(10)),
        True,
    ),
    (
        "inheriting phone under a parent with one",
        "PHONE_REQUIRED",
        "admin",
        lambda u: MoveUnit(u[SEK], u[OKO], day(10)),
        False,
    ),
    (
        "own phone under a parent without one",
        "PHONE_REQUIRED",
        "admin",
        lambda u: MoveUnit(u[ENG], u[BARE], day(10)),
        False,
    ),
    (
        "heirs of an own phone under a parent without one",
        "PHONE_REQUIRED",
        "admin",
        lambda u: MoveUnit(u[TP], u[BARE], day(10)),
        False,
    ),
    (
        "inheriting number under a parent without one",
        "GLN_INHERIT_WITHOUT_PARENT_GLN",
        "admin",
        lambda u: MoveUnit(u[SEK], u[BARE], day(10)),
        True,
    ),
    (
        "inheriting number under a parent with one",
        "GLN_INHERIT_WITHOUT_PARENT_GLN",
        "admin",
        lambda u: MoveUnit(u[SEK], u[TP], day(10)),
        False,
    ),
    (
        "own number under a parent without one",
        "GLN_INHERIT_WITHOUT_PARENT_GLN",
        "admin",
        lambda u: MoveUnit(u[TP], u[BARE], day(10)),
        False,
    ),
]


@pytest.mark.parametrize("row", named_rows(ROWS))
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


def _flagged(plan: sorkit.Plan, code_: str) -> dict[str | None, str]:
    return {v.sor_code: v.message for v in plan.violations if v.code == code_}


def test_move_names_every_heir_that_loses_its_phone(shared: sorkit.Register, units: Units) -> None:
    # Hjemmeplejen Allerød inherits its phone until its own one from day 10; Nord, Syd and Øst
    # inherit through it, Vest has its own phone.
    hj, bare = units[HJ], units[BARE]
    plan = shared.plan(MoveUnit(hj, bare, day(5)))
    flagged = _flagged(plan, "PHONE_REQUIRED")
    heirs = {units.under(f"{HJ} {side}", hj) for side in ("Nord", "Syd", "Øst")}
    assert set(flagged) == {hj} | heirs
    assert all(str(day(5)) in text for text in flagged.values())
    assert f"{HJ} Nord" in flagged[units.under(f"{HJ} Nord", hj)]
    # From day 10 Hjemmeplejen Allerød has its own phone: nobody under it loses one then.
    assert "PHONE_REQUIRED" not in shared.plan(MoveUnit(hj, bare, day(10))).codes


def test_move_names_heirs_of_the_number_from_the_day_they_come_under_it(
    shared: sorkit.Register, units: Units
) -> None:
    # Visitationen moves under Sekretariatet on day 14 and inherits its number from then on.
    plan = shared.plan(MoveUnit(units[SEK], units[BARE], day(10)))
    flagged = _flagged(plan, "GLN_INHERIT_WITHOUT_PARENT_GLN")
    assert set(flagged) == {units[SEK], units[VIS]}
    assert str(day(10)) in flagged[units[SEK]] and str(day(14)) in flagged[units[VIS]]
    assert all(BARE in text for text in flagged.values())
    assert not plan.ok


def test_move_under_a_parent_that_loses_its_number_later(demo: sorkit.Register) -> None:
    u = Units(demo)
    made = demo.plan(
        CreateUnit(
            parent=u[SI],
            name="Med nummer til dag 30",
            unit_type=OE_TYPE,
            inherit_electronic=True,
            location_number=location_number(),
            valid_from=day(7),
        )
    )
    target = demo.apply(made, accept={"GLN_NO_EDI_TYPES": "-"}).sor_codes[0]
    demo.apply(demo.plan(SetLocationNumber(target, None, effective_from=day(30))))
    plan = demo.plan(MoveUnit(u[SEK], target, day(10)))
    flagged = _flagged(plan, "GLN_INHERIT_WITHOUT_PARENT_GLN")
    assert set(flagged) >= {u[SEK]} and str(day(30)) in flagged[u[SEK]]
    # Before day 30 the target has the number: moving a unit with its own number is fine.
    assert "GLN_INHERIT_WITHOUT_PARENT_GLN" not in demo.plan(MoveUnit(u[TP], target, day(10))).codes


def test_move_of_a_unit_already_without_phone_is_not_its_fault(demo: sorkit.Register) -> None:
    u = Units(demo)
    bare = add_unit(demo, code(990001), u[SI], "Uden telefon", day(-30), unit_type=OE_TYPE)
    heir = add_unit(
        demo,
        code(990002),
        bare,
        "Arver intet",
        day(-30),
        unit_type=OE_TYPE,
        inherit_electronic=True,
    )
    other = add_unit(demo, code(990003), u[SI], "Heller ingen telefon", day(-30), unit_type=OE_TYPE)
    assert "PHONE_REQUIRED" not in demo.plan(MoveUnit(heir, other, day(10))).codes
    assert "PHONE_REQUIRED" in demo.plan(MoveUnit(u[SEK], other, day(10))).codes


@pytest.mark.parametrize(
    ("unit", "target", "finding"),
    [
        pytest.param(TBS, LYN, "MOVE_TARGET_NOT_ACTIVE", id="target closes while the unit stays"),
        pytest.param(SEK, VIS, "MOVE_INTO_OWN_SUBTREE", id="target comes under the unit later"),
    ],
)
def test_a_refused_target_is_not_also_blamed_on_inheritance(
    shared: sorkit.Register, units: Units, unit: str, target: str, finding: str
) -> None:
    codes = shared.plan(MoveUnit(units[unit], units[target], day(10))).codes
    assert finding in codes
    assert not {"PHONE_REQUIRED", "GLN_INHERIT_WITHOUT_PARENT_GLN"} & set(codes), codes
