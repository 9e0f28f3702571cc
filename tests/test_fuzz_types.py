"""Types at the door (issue #19): every field of every public value, given any type.

Each public value (``CreateUnit``, ``EditUnit``, ``MoveUnit``, ``CloseUnit``,
``SetLocationNumber``, ``LocationNumber``, ``Address``) normalises what is reasonable when it
is built (int codes to text, ISO and dd-mm-åååå text to dates, lists to tuples, dicts to
addresses) and refuses anything else with :class:`sorkit.InvalidValueType` (a TypeError) or
:class:`sorkit.InvalidValue` (a ValueError) naming the class, the field and the value. A value
that is built plans cleanly: a Plan (its violations with codes) or a documented SorkitError,
never another exception. Rule tests are tables (the table below); the fuzz is Hypothesis.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import sorkit
from sorkit.changes import UNIT_FIELDS
from sorkit.errors import InvalidValue, InvalidValueType
from tests.helpers import TODAY
from tests.test_fuzz_inputs import plan_safely

PHONE_UNIT_TYPE = "550811000005108"
ADDRESS = sorkit.Address("Vestergade", "5", "2100")
LOCATION = sorkit.LocationNumber("5790000123456")


class Odd:
    """An object of no known kind, with a str() (as a careless caller might pass)."""

    def __str__(self) -> str:
        return "12345678"


#: Any value a caller might put in any field: right types, wrong types, near misses.
ANY_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["", " ", "2026-12-24", "24-12-2026", "2026-02-30", "31-02-2026", "IE", "OE"]),
    st.sampled_from(["same_as_postal", "same_as_visiting", "1084", "abc", "20261224"]),
    st.dates(),
    st.datetimes(),
    st.binary(max_size=10),
    st.lists(st.one_of(st.text(max_size=8), st.integers(), st.none()), max_size=3),
    st.tuples(st.text(max_size=5)),
    st.dictionaries(st.text(max_size=8), st.text(max_size=8), max_size=3),
    st.sampled_from(
        [
            {"street": "Vej", "house_number": 1, "postcode": 2100},
            {"gln": 5790000123456, "region": 1084},
            {"street": "Vej"},
            {"gln": None},
            ADDRESS,
            LOCATION,
            Odd(),
            object(),
            decimal.Decimal("1.5"),
            1 + 2j,
            frozenset({"a"}),
            {"x"},
            range(3),
            dt.time(12, 0),
            dt.timedelta(days=1),
        ]
    ),
)

FUZZ = settings(
    max_examples=int(__import__("os").environ.get("FUZZ_N", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _valid(oe: str, parent: str) -> dict[type, dict[str, Any]]:
    """A valid set of arguments for each public value."""
    return {
        sorkit.CreateUnit: {"parent": parent, "name": "Ny enhed", "unit_type": PHONE_UNIT_TYPE},
        sorkit.MoveUnit: {"sor_code": oe, "new_parent": parent},
        sorkit.CloseUnit: {"sor_code": oe, "last_day": TODAY + dt.timedelta(days=8)},
        sorkit.SetLocationNumber: {"sor_code": oe, "location_number": LOCATION},
        sorkit.Address: {"street": "Vestergade", "house_number": "5", "postcode": "2100"},
        sorkit.LocationNumber: {"gln": "5790000123456"},
    }


DATACLASS_FIELDS = [
    (cls, f.name)
    for cls in (
        sorkit.CreateUnit,
        sorkit.MoveUnit,
        sorkit.CloseUnit,
        sorkit.SetLocationNumber,
        sorkit.Address,
        sorkit.LocationNumber,
    )
    for f in dataclasses.fields(cls)
]
#: EditUnit takes the unit fields as keywords, plus its SOR code and date.
EDIT_FIELDS = ["sor_code", "effective_from", *UNIT_FIELDS]


@pytest.fixture
def places(demo: sorkit.Register) -> tuple[str, str]:
    """An open OE with no pending change and another SI-or-OE to be its new parent."""
    snap = demo.snapshot()
    oes = [
        c
        for c in sorted(snap.codes())
        if snap.versions(c)[-1].level == "OE"
        and snap.end(c) is None
        and snap.status(c, TODAY) == "active"
    ]
    return oes[0], snap.versions(oes[0])[-1].parent or oes[1]


def build_or_refuse(make: Callable[[], Any], owner: str, field: str, value: Any) -> Any:
    """Build a value; a refusal must be the documented one, naming owner, field and value."""
    try:
        return make()
    except (InvalidValueType, InvalidValue) as exc:
        assert exc.owner == owner
        assert exc.field.split("[")[0] == field
        assert str(exc).startswith(f"{owner}.{exc.field}: ")
        assert "forventede" in str(exc)
        return exc


def as_change(built: Any, oe: str) -> Any:
    """A change that uses ``built`` (addresses and location numbers through an edit)."""
    if isinstance(built, sorkit.Address):
        return sorkit.EditUnit(oe, postal_address=built)
    if isinstance(built, sorkit.LocationNumber):
        return sorkit.SetLocationNumber(oe, location_number=built)
    return built


@FUZZ
@given(which=st.sampled_from(DATACLASS_FIELDS), value=ANY_VALUE)
def test_any_type_in_any_field_of_the_dataclass_values(
    demo: sorkit.Register, places: tuple[str, str], which: tuple[type, str], value: Any
) -> None:
    cls, field = which
    oe, parent = places
    args = {**_valid(oe, parent)[cls], field: value}
    built = build_or_refuse(lambda: cls(**args), cls.__name__, field, value)
    if isinstance(built, Exception):
        event("refused when built")
        return
    event(f"planned: {type(plan_safely(demo, lambda: as_change(built, oe))).__name__}")


@FUZZ
@given(field=st.sampled_from(EDIT_FIELDS), value=ANY_VALUE)
def test_any_type_in_any_field_of_an_edit(
    demo: sorkit.Register, places: tuple[str, str], field: str, value: Any
) -> None:
    oe, _ = places
    args: dict[str, Any] = {"sor_code": oe, "phone": "12345678", field: value}
    built = build_or_refuse(lambda: sorkit.EditUnit(**args), "EditUnit", field, value)
    if isinstance(built, Exception):
        event("refused when built")
        return
    event(f"planned: {type(plan_safely(demo, lambda: built)).__name__}")


# -- what is normalised, and what is refused (a table) ----------------------------------------

NORMALISED = [
    (lambda: sorkit.LocationNumber("5790000123456", region=1084).region, "1084"),
    (lambda: sorkit.LocationNumber(5790000123456).gln, "5790000123456"),
    (lambda: sorkit.LocationNumber("5790000123456", edi_types=[1, "x"]).edi_types, ("1", "x")),
    (lambda: sorkit.Address("Vej", 12, 800).house_number, "12"),
    (lambda: sorkit.Address("Vej", 12, 800).postcode, "0800"),
    (lambda: sorkit.CreateUnit(None, "X", 550811000005108).unit_type, PHONE_UNIT_TYPE),
    (lambda: sorkit.CreateUnit(None, "X", "1", valid_from="2026-12-24").valid_from, "2026-12-24"),
    (lambda: sorkit.CloseUnit(1, "24-12-2026").last_day, "2026-12-24"),
    (lambda: sorkit.CloseUnit(1, dt.datetime(2026, 12, 24, 8)).last_day, "2026-12-24"),
    (lambda: sorkit.EditUnit(1, effective_from="24-12-2026").effective_from, "2026-12-24"),
    (lambda: sorkit.EditUnit(1, phone=12345678).fields["phone"], "12345678"),
    (
        lambda: sorkit.EditUnit(1, local_attributes=["a", "b"]).fields["local_attributes"],
        ("a", "b"),
    ),
    (
        lambda: (
            sorkit.EditUnit(
                1, postal_address={"street": "Vej", "house_number": 1, "postcode": 2100}
            )
            .fields["postal_address"]
            .postcode
        ),
        "2100",
    ),
    (lambda: sorkit.MoveUnit(" 123 ", 456.0).new_parent, "456"),
    (
        lambda: sorkit.SetLocationNumber(1, {"gln": 5790000123456}).location_number.gln,
        "5790000123456",
    ),
]


@pytest.mark.parametrize(("make", "expected"), NORMALISED)
def test_reasonable_values_are_normalised(make: Callable[[], Any], expected: Any) -> None:
    got = make()
    if isinstance(got, dt.date):
        got = got.isoformat()
    assert got == expected


REFUSED = [
    (
        lambda: sorkit.LocationNumber("5790000123456", region=[1084]),
        InvalidValueType,
        "LocationNumber.region",
    ),
    (lambda: sorkit.LocationNumber([5790000000005]), InvalidValueType, "LocationNumber.gln"),
    (
        lambda: sorkit.LocationNumber("1", edi_types="abc"),
        InvalidValueType,
        "LocationNumber.edi_types",
    ),
    (
        lambda: sorkit.LocationNumber("1", edi_types=[None]),
        InvalidValueType,
        "LocationNumber.edi_types[0]",
    ),
    (
        lambda: sorkit.LocationNumber("1", inactive="ja"),
        InvalidValueType,
        "LocationNumber.inactive",
    ),
    (lambda: sorkit.Address("Vej", 1.5, "2100"), InvalidValueType, "Address.house_number"),
    (lambda: sorkit.Address(7, "1", "2100"), InvalidValueType, "Address.street"),
    (lambda: sorkit.CreateUnit(None, 42, "1"), InvalidValueType, "CreateUnit.name"),
    (lambda: sorkit.CreateUnit(None, "X", "1", level="XX"), InvalidValue, "CreateUnit.level"),
    (
        lambda: sorkit.CreateUnit(None, "X", "1", visiting_address="same"),
        InvalidValue,
        "CreateUnit.visiting_address",
    ),
    (
        lambda: sorkit.CreateUnit(None, "X", "1", postal_address="Vej 1"),
        InvalidValueType,
        "CreateUnit.postal_address",
    ),
    (lambda: sorkit.CloseUnit(1, "31-02-2026"), InvalidValue, "CloseUnit.last_day"),
    (lambda: sorkit.CloseUnit(1, 20261224), InvalidValueType, "CloseUnit.last_day"),
    (lambda: sorkit.CloseUnit(1, None, confirm="yes"), InvalidValueType, "CloseUnit.confirm"),
    (lambda: sorkit.MoveUnit([1], "2"), InvalidValueType, "MoveUnit.sor_code"),
    (lambda: sorkit.MoveUnit("1", float("nan")), InvalidValueType, "MoveUnit.new_parent"),
    (lambda: sorkit.EditUnit("1", parent="2"), InvalidValueType, "EditUnit.parent"),
    (
        lambda: sorkit.EditUnit("1", inherit_electronic=1),
        InvalidValueType,
        "EditUnit.inherit_electronic",
    ),
    (
        lambda: sorkit.EditUnit("1", local_attributes="a"),
        InvalidValueType,
        "EditUnit.local_attributes",
    ),
    (
        lambda: sorkit.EditUnit("1", effective_from=dt.time(1)),
        InvalidValueType,
        "EditUnit.effective_from",
    ),
    (
        lambda: sorkit.SetLocationNumber("1", "5790000123456"),
        InvalidValueType,
        "SetLocationNumber.location_number",
    ),
]


@pytest.mark.parametrize(("make", "error", "where"), REFUSED)
def test_wrong_values_are_refused_naming_field_and_value(
    make: Callable[[], Any], error: type[Exception], where: str
) -> None:
    with pytest.raises(error) as err:
        make()
    assert str(err.value).startswith(where + ": ")
    assert isinstance(err.value, sorkit.SorkitError)
    assert isinstance(err.value, TypeError if error is InvalidValueType else ValueError)
