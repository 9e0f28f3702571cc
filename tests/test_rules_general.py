"""Table tests of the general rules (rules.md §4 General): each code triggered, and a near miss."""

from __future__ import annotations

from pathlib import Path

import pytest

import sorkit
from sorkit import CloseUnit, CreateUnit, EditUnit, MoveUnit, SetLocationNumber
from sorkit.ids import make_sor_code
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
LYN = "Tandplejen Lyngehus Skolen"
SI = "Sundhed og Omsorg, Allerød"
VIS = "Visitationen, Allerød"
NOWHERE = make_sor_code(987654)


@pytest.fixture(scope="module")
def shared(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> sorkit.Register:
    """One demo copy for the whole module: planning never writes."""
    return copy_demo(demo_template, tmp_path_factory.mktemp("general"))


@pytest.fixture(scope="module")
def units(shared: sorkit.Register) -> Units:
    """The demo's units by name."""
    return Units(shared)


ROWS: list[Row] = [
    # PERMISSION_DENIED: readers never; stewards only OEs inside their scopes.
    ("reader edits", "PERMISSION_DENIED", "reader", lambda u: EditUnit(u[TBS], name="Ny"), True),
    ("admin edits", "PERMISSION_DENIED", "admin", lambda u: EditUnit(u[TBS], name="Ny"), False),
    (
        "kommune edits its OE",
        "PERMISSION_DENIED",
        "kommune",
        lambda u: EditUnit(u[TBS], name="Ny"),
        False,
    ),
    (
        "kommune edits region OE",
        "PERMISSION_DENIED",
        "kommune",
        lambda u: EditUnit(u.sengeafsnit(), name="Ny"),
        True,
    ),
    (
        "region edits region OE",
        "PERMISSION_DENIED",
        "region",
        lambda u: EditUnit(u.sengeafsnit(), name="Ny"),
        False,
    ),
    (
        "kommune edits its SI",
        "PERMISSION_DENIED",
        "kommune",
        lambda u: EditUnit(u[SI], name="Ny"),
        True,
    ),
    (
        "kommune creates SI",
        "PERMISSION_DENIED",
        "kommune",
        lambda u: CreateUnit(
            parent=u["Allerød Kommune"],
            name="Nyt SI",
            unit_type="554041000005106",
            inherit_electronic=True,
        ),
        True,
    ),
    (
        "kommune creates OE",
        "PERMISSION_DENIED",
        "kommune",
        lambda u: CreateUnit(parent=u[TP], name="Ny", unit_type=OE_TYPE, inherit_electronic=True),
        False,
    ),
    (
        "region creates in kommune",
        "PERMISSION_DENIED",
        "region",
        lambda u: CreateUnit(parent=u[TP], name="Ny", unit_type=OE_TYPE, inherit_electronic=True),
        True,
    ),
    (
        "reader closes",
        "PERMISSION_DENIED",
        "reader",
        lambda u: CloseUnit(u[TBS], day(10), confirm=True),
        True,
    ),
    (
        "region sets kommune GLN",
        "PERMISSION_DENIED",
        "region",
        lambda u: SetLocationNumber(u[TBS], location_number()),
        True,
    ),
    (
        "kommune sets own GLN",
        "PERMISSION_DENIED",
        "kommune",
        lambda u: SetLocationNumber(u[TBS], location_number()),
        False,
    ),
    # UNIT_NOT_FOUND: the unit, the parent of a create, the target of a move.
    ("edit unknown", "UNIT_NOT_FOUND", "admin", lambda u: EditUnit(NOWHERE, name="X"), True),
    ("edit known", "UNIT_NOT_FOUND", "admin", lambda u: EditUnit(u[TBS], name="X"), False),
    (
        "create under unknown",
        "UNIT_NOT_FOUND",
        "admin",
        lambda u: CreateUnit(parent=NOWHERE, name="X", unit_type=OE_TYPE, phone="12345678"),
        True,
    ),
    ("move to unknown", "UNIT_NOT_FOUND", "admin", lambda u: MoveUnit(u[TBS], NOWHERE), True),
    (
        "move to known",
        "UNIT_NOT_FOUND",
        "admin",
        lambda u: MoveUnit(u[TBS], u["Blovstrød Skole"]),
        False,
    ),
    # UNIT_CLOSED: a unit closed before today.
    ("edit closed", "UNIT_CLOSED", "admin", lambda u: EditUnit(u.closed(), name="X"), True),
    (
        "close closed",
        "UNIT_CLOSED",
        "admin",
        lambda u: CloseUnit(u.closed(), day(10), confirm=True),
        True,
    ),
    ("edit open", "UNIT_CLOSED", "admin", lambda u: EditUnit(u[TBS], name="X"), False),
    # EFFECTIVE_AFTER_CLOSE: Lyngehus closes after 2026-12-31; Visitationen moves on 12-15.
    (
        "edit after pending close",
        "EFFECTIVE_AFTER_CLOSE",
        "admin",
        lambda u: EditUnit(u[LYN], day(40), name="X"),
        True,
    ),
    (
        "edit before pending close",
        "EFFECTIVE_AFTER_CLOSE",
        "admin",
        lambda u: EditUnit(u[LYN], day(20), name="X"),
        False,
    ),
    (
        "close again",
        "EFFECTIVE_AFTER_CLOSE",
        "admin",
        lambda u: CloseUnit(u[LYN], day(20), confirm=True),
        True,
    ),
    (
        "close before pending move",
        "EFFECTIVE_AFTER_CLOSE",
        "admin",
        lambda u: CloseUnit(u[VIS], day(10), confirm=True),
        True,
    ),
    (
        "close after pending move",
        "EFFECTIVE_AFTER_CLOSE",
        "admin",
        lambda u: CloseUnit(u[VIS], day(20), confirm=True),
        False,
    ),
    (
        "cascade over pending close",
        "EFFECTIVE_AFTER_CLOSE",
        "admin",
        lambda u: CloseUnit(u[TP], day(20), confirm=True, cascade=True),
        True,
    ),
    (
        "cascade after pending close",
        "EFFECTIVE_AFTER_CLOSE",
        "admin",
        lambda u: CloseUnit(u[TP], day(40), confirm=True, cascade=True),
        False,
    ),
    # DATE_TOO_EARLY: rules.md §3.
    (
        "create at +6",
        "DATE_TOO_EARLY",
        "admin",
        lambda u: CreateUnit(
            parent=u[TP], name="X", unit_type=OE_TYPE, inherit_electronic=True, valid_from=day(6)
        ),
        True,
    ),
    (
        "create at +7",
        "DATE_TOO_EARLY",
        "admin",
        lambda u: CreateUnit(
            parent=u[TP], name="X", unit_type=OE_TYPE, inherit_electronic=True, valid_from=day(7)
        ),
        False,
    ),
    ("edit today", "DATE_TOO_EARLY", "admin", lambda u: EditUnit(u[TBS], day(0), name="X"), True),
    (
        "edit tomorrow",
        "DATE_TOO_EARLY",
        "admin",
        lambda u: EditUnit(u[TBS], day(1), name="X"),
        False,
    ),
    (
        "move today",
        "DATE_TOO_EARLY",
        "admin",
        lambda u: MoveUnit(u[TBS], u["Blovstrød Skole"], day(0)),
        True,
    ),
    (
        "move tomorrow",
        "DATE_TOO_EARLY",
        "admin",
        lambda u: MoveUnit(u[TBS], u["Blovstrød Skole"], day(1)),
        False,
    ),
    (
        "close at +6",
        "DATE_TOO_EARLY",
        "admin",
        lambda u: CloseUnit(u[TBS], day(6), confirm=True),
        True,
    ),
    (
        "close at +7",
        "DATE_TOO_EARLY",
        "admin",
        lambda u: CloseUnit(u[TBS], day(7), confirm=True),
        False,
    ),
    (
        "close without date",
        "DATE_TOO_EARLY",
        "admin",
        lambda u: CloseUnit(u[TBS], None, confirm=True),
        True,
    ),
    (
        "GLN today",
        "DATE_TOO_EARLY",
        "admin",
        lambda u: SetLocationNumber(u[TBS], location_number(), effective_from=day(0)),
        True,
    ),
    (
        "GLN tomorrow",
        "DATE_TOO_EARLY",
        "admin",
        lambda u: SetLocationNumber(u[TBS], location_number(), effective_from=day(1)),
        False,
    ),
    # CLOSE_NOT_CONFIRMED
    (
        "close unconfirmed",
        "CLOSE_NOT_CONFIRMED",
        "admin",
        lambda u: CloseUnit(u[TBS], day(10)),
        True,
    ),
    (
        "close confirmed",
        "CLOSE_NOT_CONFIRMED",
        "admin",
        lambda u: CloseUnit(u[TBS], day(10), confirm=True),
        False,
    ),
]


@pytest.mark.parametrize("row", named_rows(ROWS))
def test_general_rules(shared: sorkit.Register, units: Units, row: Row) -> None:
    codes = run_row(shared, units, row)
    assert (row[1] in codes) is row[4], codes


def test_date_too_early_names_the_earliest_date(shared: sorkit.Register, units: Units) -> None:
    plan = shared.plan(CloseUnit(units[TBS], None, confirm=True))
    found = [v for v in plan.violations if v.code == "DATE_TOO_EARLY"]
    assert found and found[0].details["earliest"] == day(7)
    assert not plan.ok and plan.preview.empty
