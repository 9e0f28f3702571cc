"""Table tests of the create/edit rules and the address rules (rules.md §4 Create, Addresses)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import sorkit
from sorkit import CreateUnit, EditUnit, MoveUnit
from sorkit.ids import make_cvr
from tests.builders import add_unit, code
from tests.helpers_rules import (
    OE_TYPE,
    Row,
    Units,
    address,
    copy_demo,
    day,
    named_rows,
    run_row,
)

TP = "Allerød Kommunes Tandpleje"
TBS = "Tandplejen Blovstrød Skole"
LYN = "Tandplejen Lyngehus Skolen"
AK = "Allerød Kommune"


@pytest.fixture(scope="module")
def shared(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> sorkit.Register:
    """One demo copy for the whole module: planning never writes."""
    return copy_demo(demo_template, tmp_path_factory.mktemp("create"))


@pytest.fixture(scope="module")
def units(shared: sorkit.Register) -> Units:
    """The demo's units by name."""
    return Units(shared)


def new(u: Units, parent: str = TP, **fields: Any) -> CreateUnit:
    """A create under ``parent`` that passes every rule unless ``fields`` break one."""
    values: dict[str, Any] = {"name": "Tandplejen Ny Skole", "unit_type": OE_TYPE}
    values["inherit_electronic"] = True
    values.update(fields)
    return CreateUnit(parent=u[parent], **values)


def edit(u: Units, **fields: Any) -> EditUnit:
    """An edit of Tandplejen Blovstrød Skole."""
    return EditUnit(u[TBS], **fields)


ROWS: list[Row] = [
    ("valid create", "PARENT_NOT_ACTIVE", "admin", lambda u: new(u), False),
    ("parent closing", "PARENT_NOT_ACTIVE", "admin", lambda u: new(u, LYN), True),
    (
        "parent closed",
        "PARENT_NOT_ACTIVE",
        "admin",
        lambda u: CreateUnit(parent=u.closed(), name="X", unit_type=OE_TYPE, phone="12345678"),
        True,
    ),
    ("SI under OE", "PARENT_LEVEL_INVALID", "admin", lambda u: new(u, level="SI"), True),
    ("OE under OE", "PARENT_LEVEL_INVALID", "admin", lambda u: new(u, level="OE"), False),
    (
        "OE under IE",
        "PARENT_LEVEL_INVALID",
        "admin",
        lambda u: new(u, AK, level="OE", unit_type=OE_TYPE),
        True,
    ),
    ("no name", "NAME_REQUIRED", "admin", lambda u: new(u, name="  "), True),
    ("name", "NAME_REQUIRED", "admin", lambda u: new(u, name="A"), False),
    ("edit to no name", "NAME_REQUIRED", "admin", lambda u: edit(u, name=""), True),
    ("61 chars", "NAME_TOO_LONG", "admin", lambda u: new(u, name="x" * 61), True),
    ("60 chars", "NAME_TOO_LONG", "admin", lambda u: new(u, name="x" * 60), False),
    ("no type", "UNIT_TYPE_REQUIRED", "admin", lambda u: new(u, unit_type=None), True),
    ("type", "UNIT_TYPE_REQUIRED", "admin", lambda u: new(u, unit_type=OE_TYPE), False),
    ("edit to no type", "UNIT_TYPE_REQUIRED", "admin", lambda u: edit(u, unit_type=""), True),
    ("unknown type", "UNIT_TYPE_UNKNOWN", "admin", lambda u: new(u, unit_type="123"), True),
    (
        "IE type on OE",
        "UNIT_TYPE_UNKNOWN",
        "admin",
        lambda u: new(u, unit_type="547211000005108"),
        True,
    ),
    (
        "OE type",
        "UNIT_TYPE_UNKNOWN",
        "admin",
        lambda u: edit(u, unit_type="550811000005108"),
        False,
    ),
    (
        "own block without phone",
        "PHONE_REQUIRED",
        "admin",
        lambda u: new(u, inherit_electronic=False, email="a@b.dk"),
        True,
    ),
    (
        "own phone",
        "PHONE_REQUIRED",
        "admin",
        lambda u: new(u, inherit_electronic=False, phone="48 10 00 00"),
        False,
    ),
    ("inherit phone", "PHONE_REQUIRED", "admin", lambda u: new(u, inherit_electronic=True), False),
    ("edit phone away", "PHONE_REQUIRED", "admin", lambda u: EditUnit(u[TP], phone=None), True),
    (
        "edit name keeps old data",
        "PHONE_REQUIRED",
        "admin",
        lambda u: EditUnit(u[TP], name="Tandplejen"),
        False,
    ),
    (
        "bad phone",
        "PHONE_INVALID",
        "admin",
        lambda u: new(u, inherit_electronic=False, phone="12ab"),
        True,
    ),
    (
        "short phone",
        "PHONE_INVALID",
        "admin",
        lambda u: new(u, inherit_electronic=False, phone="1234567"),
        True,
    ),
    (
        "good phone",
        "PHONE_INVALID",
        "admin",
        lambda u: new(u, inherit_electronic=False, phone="+45 48 10 00 00"),
        False,
    ),
    ("bad email", "EMAIL_INVALID", "admin", lambda u: edit(u, email="tandpleje@"), True),
    ("good email", "EMAIL_INVALID", "admin", lambda u: edit(u, email="tand@alleroed.dk"), False),
    ("bad website", "WEBSITE_INVALID", "admin", lambda u: edit(u, website="ikke en side"), True),
    (
        "good website",
        "WEBSITE_INVALID",
        "admin",
        lambda u: edit(u, website="https://www.alleroed.dk/tandpleje"),
        False,
    ),
    (
        "21-char attribute",
        "LOCAL_ATTRIBUTE_TOO_LONG",
        "admin",
        lambda u: edit(u, local_attributes=("x" * 21,)),
        True,
    ),
    (
        "20-char attribute",
        "LOCAL_ATTRIBUTE_TOO_LONG",
        "admin",
        lambda u: edit(u, local_attributes=("x" * 20,)),
        False,
    ),
    (
        "6 attributes",
        "LOCAL_ATTRIBUTES_TOO_MANY",
        "admin",
        lambda u: new(u, local_attributes=tuple("abcdef")),
        True,
    ),
    (
        "5 attributes",
        "LOCAL_ATTRIBUTES_TOO_MANY",
        "admin",
        lambda u: new(u, local_attributes=tuple("abcde")),
        False,
    ),
    (
        "9 specialities",
        "SPECIALITIES_TOO_MANY",
        "admin",
        lambda u: edit(u, specialities=tuple(str(i) for i in range(9))),
        True,
    ),
    (
        "8 specialities",
        "SPECIALITIES_TOO_MANY",
        "admin",
        lambda u: edit(u, specialities=tuple(str(i) for i in range(8))),
        False,
    ),
    ("bad CVR", "IDENTIFIER_INVALID", "admin", lambda u: edit(u, cvr="12345678"), True),
    ("good CVR", "IDENTIFIER_INVALID", "admin", lambda u: edit(u, cvr=make_cvr("1234567")), False),
    ("short SHAK", "IDENTIFIER_INVALID", "admin", lambda u: new(u, shak="AB"), True),
    ("good SHAK", "IDENTIFIER_INVALID", "admin", lambda u: new(u, shak="1301011"), False),
    ("bad P-number", "IDENTIFIER_INVALID", "admin", lambda u: edit(u, p_number="123"), True),
    ("bad ydernummer", "IDENTIFIER_INVALID", "admin", lambda u: edit(u, ydernummer="12a"), True),
    (
        "own electronic",
        "PUBLIC_INFORMATION",
        "admin",
        lambda u: new(u, inherit_electronic=False, phone="48100000"),
        True,
    ),
    ("inherited electronic", "PUBLIC_INFORMATION", "admin", lambda u: new(u), False),
    ("edit email", "PUBLIC_INFORMATION", "admin", lambda u: edit(u, email="a@alleroed.dk"), True),
    ("edit name", "PUBLIC_INFORMATION", "admin", lambda u: edit(u, name="Ny"), False),
    # Addresses
    (
        "unknown postcode",
        "ADDRESS_POSTCODE_UNKNOWN",
        "admin",
        lambda u: new(u, postal_address=address(postcode="9999")),
        True,
    ),
    (
        "known postcode",
        "ADDRESS_POSTCODE_UNKNOWN",
        "admin",
        lambda u: new(u, postal_address=address()),
        False,
    ),
    (
        "unknown street",
        "ADDRESS_STREET_UNKNOWN",
        "admin",
        lambda u: edit(u, visiting_address=address(street="Borgmester Christiansens Gadee x")),
        True,
    ),
    (
        "known street",
        "ADDRESS_STREET_UNKNOWN",
        "admin",
        lambda u: edit(u, visiting_address=address()),
        False,
    ),
    (
        "number out of range",
        "ADDRESS_HOUSE_NUMBER_OUT_OF_RANGE",
        "admin",
        lambda u: edit(u, activity_address=address(house_number="9999")),
        True,
    ),
    (
        "number in range",
        "ADDRESS_HOUSE_NUMBER_OUT_OF_RANGE",
        "admin",
        lambda u: edit(u, activity_address=address()),
        False,
    ),
    (
        "skip validation",
        "ADDRESS_NOT_VALIDATED",
        "admin",
        lambda u: new(u, postal_address=address(postcode="9999", skip_validation=True)),
        True,
    ),
    (
        "validated",
        "ADDRESS_NOT_VALIDATED",
        "admin",
        lambda u: new(u, postal_address=address()),
        False,
    ),
    (
        "skip replaces the error",
        "ADDRESS_POSTCODE_UNKNOWN",
        "admin",
        lambda u: new(u, postal_address=address(postcode="9999", skip_validation=True)),
        False,
    ),
    (
        "no streets for postcode",
        "ADDRESS_REGISTER_NO_COVERAGE",
        "admin",
        lambda u: new(u, postal_address=address(street="Kongevejen", postcode="3450")),
        True,
    ),
    (
        "streets for postcode",
        "ADDRESS_REGISTER_NO_COVERAGE",
        "admin",
        lambda u: new(u, postal_address=address()),
        False,
    ),
    (
        "NUL byte in the name",
        "TEXT_INVALID_CHARACTERS",
        "admin",
        lambda u: new(u, name="Tandplejen\x00Ny"),
        True,
    ),
    (
        "line break in a local attribute",
        "TEXT_INVALID_CHARACTERS",
        "admin",
        lambda u: edit(u, local_attributes=("linje1\nlinje2",)),
        True,
    ),
    (
        "lone surrogate in the street",
        "TEXT_INVALID_CHARACTERS",
        "admin",
        lambda u: new(u, postal_address=address(street="Eliasgade\ud800")),
        True,
    ),
    (
        "Danish letters, dashes and quotes are text",
        "TEXT_INVALID_CHARACTERS",
        "admin",
        lambda u: new(u, name="Tandplejen Ærø-Østby 'Å' & Co."),
        False,
    ),
]


@pytest.mark.parametrize("row", named_rows(ROWS))
def test_create_and_address_rules(shared: sorkit.Register, units: Units, row: Row) -> None:
    codes = run_row(shared, units, row)
    assert (row[1] in codes) is row[4], codes


def test_severities_of_warnings(shared: sorkit.Register, units: Units) -> None:
    plan = shared.plan(new(units, postal_address=address(postcode="9999", skip_validation=True)))
    assert plan.ok and [v.code for v in plan.warnings] == ["ADDRESS_NOT_VALIDATED"]


def test_phone_required_when_inheriting_from_a_parent_without_one(
    demo: sorkit.Register,
) -> None:
    units = Units(demo)
    # A unit without any phone, written below the rules (as an old import could have it).
    bare = add_unit(demo, code(990001), units[TP], "Uden telefon", day(-30), unit_type=OE_TYPE)
    heir = CreateUnit(parent=bare, name="Arving", unit_type=OE_TYPE, inherit_electronic=True)
    assert "PHONE_REQUIRED" in demo.plan(heir).codes
    own = CreateUnit(parent=bare, name="Arving", unit_type=OE_TYPE, phone="48100000")
    assert "PHONE_REQUIRED" not in demo.plan(own).codes


def test_edit_that_takes_the_phone_from_heirs(shared: sorkit.Register, units: Units) -> None:
    # Tandplejen Blovstrød Skole inherits its phone from Allerød Kommunes Tandpleje.
    plan = shared.plan(EditUnit(units[TP], inherit_electronic=False, phone=None, email="a@b.dk"))
    flagged = {v.sor_code for v in plan.violations if v.code == "PHONE_REQUIRED"}
    assert {units[TP], units[TBS]} <= flagged
    fine = shared.plan(EditUnit(units[TP], phone="48 10 20 30"))
    assert "PHONE_REQUIRED" not in fine.codes


def test_move_does_not_validate_fields(shared: sorkit.Register, units: Units) -> None:
    plan = shared.plan(MoveUnit(units[TBS], units["Blovstrød Skole"], day(10)))
    assert plan.ok and plan.codes == []


def test_valid_create_and_edit_have_no_findings(shared: sorkit.Register, units: Units) -> None:
    assert shared.plan(new(units)).violations == ()
    assert shared.plan(edit(units, name="Tandplejen Blovstrød")).violations == ()
