"""Table tests of the close rules (rules.md §4 Close), including cascades."""

from __future__ import annotations

from pathlib import Path

import pytest

import sorkit
from sorkit import CloseUnit, CreateUnit, MoveUnit
from tests.helpers_rules import OE_TYPE, Row, Units, copy_demo, day, named_rows, run_row

TP = "Allerød Kommunes Tandpleje"
TBS = "Tandplejen Blovstrød Skole"
SEK = "Sekretariatet, Allerød"
VIS = "Visitationen, Allerød"


@pytest.fixture(scope="module")
def shared(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> sorkit.Register:
    """One demo copy for the whole module: planning never writes."""
    return copy_demo(demo_template, tmp_path_factory.mktemp("close"))


@pytest.fixture(scope="module")
def units(shared: sorkit.Register) -> Units:
    """The demo's units by name."""
    return Units(shared)


def own_number_leaf(u: Units) -> str:
    """An open OE with its own location number and no units under it."""
    snap = u.snap
    for code in sorted(snap.codes()):
        v = snap.version_at(code, day(40))
        if (
            v is not None
            and v.level == "OE"
            and v.location_number is not None
            and snap.end(code) is None
            and not snap.ever_descendants(code)
        ):
            return code
    raise LookupError("no leaf with a location number")


ROWS: list[Row] = [
    (
        "unit with children",
        "CLOSE_HAS_OPEN_CHILDREN",
        "admin",
        lambda u: CloseUnit(u[TP], day(40), confirm=True),
        True,
    ),
    (
        "leaf",
        "CLOSE_HAS_OPEN_CHILDREN",
        "admin",
        lambda u: CloseUnit(u[TBS], day(40), confirm=True),
        False,
    ),
    (
        "cascade",
        "CLOSE_HAS_OPEN_CHILDREN",
        "admin",
        lambda u: CloseUnit(u[TP], day(40), confirm=True, cascade=True),
        False,
    ),
    # Visitationen moves under Sekretariatet on 12-15: a close of Sekretariatet before that
    # would leave it an orphan then, even though it is not a child on the last day.
    (
        "future child",
        "CLOSE_HAS_OPEN_CHILDREN",
        "admin",
        lambda u: CloseUnit(u[SEK], day(10), confirm=True, cascade=True),
        True,
    ),
    (
        "own number",
        "CLOSE_ENDS_LOCATION_NUMBER",
        "admin",
        lambda u: CloseUnit(u[TP], day(40), confirm=True, cascade=True),
        True,
    ),
    (
        "leaf own number",
        "CLOSE_ENDS_LOCATION_NUMBER",
        "admin",
        lambda u: CloseUnit(own_number_leaf(u), day(40), confirm=True),
        True,
    ),
    (
        "no own number",
        "CLOSE_ENDS_LOCATION_NUMBER",
        "admin",
        lambda u: CloseUnit(u[TBS], day(40), confirm=True),
        False,
    ),
    (
        "inherited number",
        "CLOSE_ENDS_INHERITED_LOCATION_NUMBER",
        "admin",
        lambda u: CloseUnit(u[TP], day(40), confirm=True, cascade=True),
        True,
    ),
    (
        "nobody inherits",
        "CLOSE_ENDS_INHERITED_LOCATION_NUMBER",
        "admin",
        lambda u: CloseUnit(own_number_leaf(u), day(40), confirm=True),
        False,
    ),
]


@pytest.mark.parametrize("row", named_rows(ROWS))
def test_close_rules(shared: sorkit.Register, units: Units, row: Row) -> None:
    codes = run_row(shared, units, row)
    assert (row[1] in codes) is row[4], codes


def test_inheritors_are_listed(shared: sorkit.Register, units: Units) -> None:
    plan = shared.plan(CloseUnit(units[TP], day(40), confirm=True, cascade=True))
    found = [v for v in plan.violations if v.code == "CLOSE_ENDS_INHERITED_LOCATION_NUMBER"]
    assert found[0].details["heirs"] == sorted(
        [units[TBS], units["Tandplejen Lillerød Skole"], units["Tandplejen Engholmskolen"]]
    )
    # Lyngehus closes on its own before the last day, so it is neither cascaded nor listed.
    assert units["Tandplejen Lyngehus Skolen"] not in plan.sor_codes
    assert set(plan.sor_codes) == {units[TP], *found[0].details["heirs"]}


def test_children_created_after_the_last_day_block(demo: sorkit.Register) -> None:
    u = Units(demo)
    later = CreateUnit(
        parent=u[TBS], name="Senere", unit_type=OE_TYPE, inherit_electronic=True, valid_from=day(50)
    )
    demo.apply(demo.plan(later))
    plan = demo.plan(CloseUnit(u[TBS], day(40), confirm=True, cascade=True))
    assert "CLOSE_HAS_OPEN_CHILDREN" in plan.codes
    assert (
        "CLOSE_HAS_OPEN_CHILDREN"
        not in demo.plan(CloseUnit(u[TBS], day(60), confirm=True, cascade=True)).codes
    )


def test_child_moving_away_before_the_last_day_does_not_block(demo: sorkit.Register) -> None:
    u = Units(demo)
    for child in ("Tandplejen Lillerød Skole", "Tandplejen Engholmskolen", TBS):
        move = demo.plan(MoveUnit(u[child], u["Blovstrød Skole"], day(20)))
        demo.apply(move)
    plan = demo.plan(CloseUnit(u[TP], day(40), confirm=True))
    assert "CLOSE_HAS_OPEN_CHILDREN" not in plan.codes
    assert "CLOSE_HAS_OPEN_CHILDREN" in demo.plan(CloseUnit(u[TP], day(10), confirm=True)).codes
