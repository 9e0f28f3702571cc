"""Table tests of the location-number rules (rules.md §4 Location numbers)."""

from __future__ import annotations

from pathlib import Path

import pytest

import sorkit
from sorkit import CloseUnit, CreateUnit, EditUnit, SetLocationNumber
from sorkit.ids import make_gln
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
SI = "Sundhed og Omsorg, Allerød"
SEK = "Sekretariatet, Allerød"
RIGS_GLN = "5790090001005"  # Rigshospitalet's own location number in the demo


@pytest.fixture(scope="module")
def shared(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> sorkit.Register:
    """One demo copy for the whole module: planning never writes."""
    return copy_demo(demo_template, tmp_path_factory.mktemp("location"))


@pytest.fixture(scope="module")
def units(shared: sorkit.Register) -> Units:
    """The demo's units by name."""
    return Units(shared)


def put(u: Units, **fields: object) -> SetLocationNumber:
    """Give Sekretariatet a location number (changed by ``fields``)."""
    return SetLocationNumber(u[SEK], location_number(**fields))


ROWS: list[Row] = [
    ("bad check digit", "GLN_INVALID", "admin", lambda u: put(u, gln="5790000123453"), True),
    ("12 digits", "GLN_INVALID", "admin", lambda u: put(u, gln="579000012345"), True),
    ("valid", "GLN_INVALID", "admin", lambda u: put(u), False),
    ("foreign", "GLN_NOT_DANISH", "admin", lambda u: put(u, gln=make_gln("400000000001")), True),
    ("Danish", "GLN_NOT_DANISH", "admin", lambda u: put(u), False),
    ("held by Rigshospitalet", "GLN_IN_USE", "admin", lambda u: put(u, gln=RIGS_GLN), True),
    ("free", "GLN_IN_USE", "admin", lambda u: put(u), False),
    (
        "in use, via create",
        "GLN_IN_USE",
        "admin",
        lambda u: CreateUnit(
            parent=u[TP],
            name="X",
            unit_type=OE_TYPE,
            inherit_electronic=True,
            location_number=location_number(RIGS_GLN),
        ),
        True,
    ),
    (
        "in use, via edit",
        "GLN_IN_USE",
        "admin",
        lambda u: EditUnit(u[TBS], location_number=location_number(RIGS_GLN)),
        True,
    ),
    (
        "the unit's own number again",
        "GLN_IN_USE",
        "admin",
        lambda u: SetLocationNumber(u[TP], location_number("5790090002545")),
        False,
    ),
    ("no region", "GLN_EDI_FIELDS_REQUIRED", "admin", lambda u: put(u, region=None), True),
    (
        "blank administrator",
        "GLN_EDI_FIELDS_REQUIRED",
        "admin",
        lambda u: put(u, administrator=" "),
        True,
    ),
    ("all EDI fields", "GLN_EDI_FIELDS_REQUIRED", "admin", lambda u: put(u), False),
    ("no EDI types", "GLN_NO_EDI_TYPES", "admin", lambda u: put(u, edi_types=()), True),
    ("EDI types", "GLN_NO_EDI_TYPES", "admin", lambda u: put(u), False),
    (
        "unknown EDI type",
        "GLN_EDI_TYPE_UNKNOWN",
        "admin",
        lambda u: put(u, edi_types=("FDIS20", "XYZ99")),
        True,
    ),
    (
        "known EDI types",
        "GLN_EDI_TYPE_UNKNOWN",
        "admin",
        lambda u: put(u, edi_types=("FDIS20", "FCTL")),
        False,
    ),
    (
        "parent without number",
        "GLN_INHERIT_WITHOUT_PARENT_GLN",
        "admin",
        lambda u: SetLocationNumber(u[SI], inherit=True),
        True,
    ),
    (
        "parent with number",
        "GLN_INHERIT_WITHOUT_PARENT_GLN",
        "admin",
        lambda u: SetLocationNumber(u[TP], inherit=True),
        False,
    ),
    (
        "create inheriting",
        "GLN_INHERIT_WITHOUT_PARENT_GLN",
        "admin",
        lambda u: CreateUnit(
            parent=u[TP],
            name="X",
            unit_type=OE_TYPE,
            inherit_electronic=True,
            inherit_location_number=True,
        ),
        False,
    ),
    (
        "heirs lose the number",
        "GLN_INHERIT_WITHOUT_PARENT_GLN",
        "admin",
        lambda u: SetLocationNumber(u[TP], None),
        True,
    ),
    (
        "heirs get a new number",
        "GLN_INHERIT_WITHOUT_PARENT_GLN",
        "admin",
        lambda u: SetLocationNumber(u[TP], location_number()),
        False,
    ),
    ("inactive", "GLN_INACTIVE", "admin", lambda u: put(u, inactive=True), True),
    ("active", "GLN_INACTIVE", "admin", lambda u: put(u), False),
]


@pytest.mark.parametrize("row", named_rows(ROWS))
def test_location_number_rules(shared: sorkit.Register, units: Units, row: Row) -> None:
    codes = run_row(shared, units, row)
    assert (row[1] in codes) is row[4], codes


def test_number_of_a_closed_unit_is_free_after_its_close(demo: sorkit.Register) -> None:
    u = Units(demo)
    demo.apply(
        demo.plan(CloseUnit(u[TP], day(40), confirm=True, cascade=True)),
        accept={
            "CLOSE_ENDS_LOCATION_NUMBER": "lukkes",
            "CLOSE_ENDS_INHERITED_LOCATION_NUMBER": "lukkes",
        },
    )
    reuse = SetLocationNumber(u[SEK], location_number("5790090002545"), effective_from=day(41))
    assert "GLN_IN_USE" not in demo.plan(reuse).codes
    overlap = SetLocationNumber(u[SEK], location_number("5790090002545"), effective_from=day(40))
    assert "GLN_IN_USE" in demo.plan(overlap).codes


def test_inheriting_parent_loses_its_number_later(demo: sorkit.Register) -> None:
    u = Units(demo)
    # The dental care's own number ends on day 30; its units choose their own numbers first.
    for i, heir in enumerate(
        [
            "Tandplejen Blovstrød Skole",
            "Tandplejen Lillerød Skole",
            "Tandplejen Engholmskolen",
            "Tandplejen Lyngehus Skolen",
        ]
    ):
        own = location_number(make_gln(f"57900005000{i}"))
        demo.apply(demo.plan(SetLocationNumber(u[heir], own, effective_from=day(20))))
    demo.apply(demo.plan(SetLocationNumber(u[TP], None, effective_from=day(30))))
    child = CreateUnit(
        parent=u[TP],
        name="X",
        unit_type=OE_TYPE,
        inherit_electronic=True,
        inherit_location_number=True,
    )
    assert "GLN_INHERIT_WITHOUT_PARENT_GLN" in demo.plan(child).codes


def test_heirs_that_lose_the_number_are_named(shared: sorkit.Register, units: Units) -> None:
    plan = shared.plan(SetLocationNumber(units[TP], None))
    heirs = {v.sor_code for v in plan.violations if v.code == "GLN_INHERIT_WITHOUT_PARENT_GLN"}
    assert units[TBS] in heirs and units[TP] not in heirs
