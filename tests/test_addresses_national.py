"""The national street register (#22): real addresses from the shipped CPR 370712 file."""

from __future__ import annotations

import datetime as dt

import pytest

from sorkit import refdata
from sorkit.addresses import (
    HOUSE_NUMBER_OUT_OF_RANGE,
    POSTCODE_UNKNOWN,
    REGISTER_NO_COVERAGE,
    STREET_UNKNOWN,
    AddressRegister,
    abbreviates,
    fill_cities,
    with_city,
)
from sorkit.model import Address


@pytest.fixture(scope="module")
def reg() -> AddressRegister:
    return AddressRegister.shipped()


def codes(problems):
    return [p.code for p in problems]


def test_the_shipped_register_is_the_national_one_of_2_february_2015(reg):
    assert reg.info.fmt == "cpr370712"
    assert reg.info.date == dt.date(2015, 2, 2)
    assert reg.status_text() == "Vejregister pr. 02-02-2015"
    assert reg.street_count > 100_000
    assert reg.stale_warning(dt.date(2015, 6, 1)) is None
    warning = reg.stale_warning(dt.date(2026, 12, 1))
    assert warning is not None and "Vejregister pr. 02-02-2015" in warning


def test_a_street_in_every_one_of_the_98_municipalities_validates(reg):
    municipalities = refdata.municipalities()
    real = municipalities[municipalities["code"] != "0411"]  # Christiansø is not a kommune
    assert len(real) == 98
    regions = set()
    for code, region in zip(real["code"], real["region_name"], strict=True):
        samples = reg.sample_addresses(code)
        assert samples, f"no streets in {code}"
        street, number, postcode, city = samples[len(samples) // 2]
        assert reg.check(street, number, postcode) == [], (code, street, number, postcode)
        assert reg.city(postcode) == city and city
        assert reg.ranges(street, postcode)[0].kommunekode == code or any(
            r.kommunekode == code for r in reg.ranges(street, postcode)
        )
        regions.add(region)
    assert len(regions) == 5


@pytest.mark.parametrize(
    ("street", "number", "postcode", "city"),
    [
        ("Bjarkesvej", "2", "3450", "Allerød"),  # the guide's town hall
        ("bjarkesvej", "7", "3450", "Allerød"),  # odd side 1-7
        ("Rådhuspladsen", "1", "1550", "København V"),
        ("Raadhuspladsen", "1", "1550", "København V"),  # aa = å
        ("Borgmester Christiansens Gade", "40", "2450", "København SV"),  # "Borgm Christiansensg"
        ("Borgm. Christiansensg.", "41", "2450", "København SV"),
        ("Bjarkesvej", "22Z", "3000", "Helsingør"),  # a range ending at a letter
        ("Asylgade", "2", "9800", "Hjørring"),  # Region Nordjylland
        ("Asylvej", "2", "9480", "Løkken"),
    ],
)
def test_real_addresses_validate_and_give_the_city(reg, street, number, postcode, city):
    assert reg.check(street, number, postcode) == []
    assert reg.city(postcode) == city


def test_wrong_side_unknown_street_and_unknown_postcode_fail_with_their_codes(reg):
    # Bjarkesvej, Allerød: even 2-4, odd 1-7 - 6 lies inside 1-7 but on the even side.
    [side] = reg.check("Bjarkesvej", "6", "3450")
    assert side.code == HOUSE_NUMBER_OUT_OF_RANGE
    assert sorted(side.details["ranges"]) == ["1-7 (ulige)", "2-4 (lige)"]
    assert codes(reg.check("Bjarkesvej", "9", "3450")) == [HOUSE_NUMBER_OUT_OF_RANGE]
    [street] = reg.check("Bjarkevej", "2", "3450")
    assert street.code == STREET_UNKNOWN and "Bjarkesvej" in street.details["suggestions"]
    assert reg.check("Bjarkevej", "2", "3450", suggestions=False)[0].details["suggestions"] == []
    assert codes(reg.check("Bjarkesvej", "2", "3459")) == [POSTCODE_UNKNOWN]
    assert codes(reg.check("Bjarkesvej", "2", "9999")) == [POSTCODE_UNKNOWN]  # CPR "Ukendt"
    # A street of another postcode is unknown here (Bjarkesvej 2740 Skovlunde exists).
    assert codes(reg.check("Bjarkesvej", "2", "2750")) == [STREET_UNKNOWN]
    # Large-recipient postcodes have no streets: the old code stays.
    assert codes(reg.check("Kongevejen", "1", "0800")) == [REGISTER_NO_COVERAGE]


@pytest.mark.parametrize(
    ("short", "full", "cut", "expected"),
    [
        ("borgm christiansensg", "borgmester christiansens gade", False, True),
        ("h c andersens blvd", "h c andersens boulevard", False, True),
        ("dr margrethes vej", "dronning margrethes vej", False, True),
        ("dr margrethes vej", "dronning margrethes alle", False, False),
        ("borgm christiansensg", "christiansens gade", False, False),
        ("kongens nytorv", "kongens nytorv 2", False, False),  # a word may not be missing
        ("frederiksberg allé", "frederiksberg allé 12 a", True, True),  # cut off at 20
    ],
)
def test_abbreviation_rule(short, full, cut, expected):
    assert abbreviates(short, full, cut) is expected


def test_suggestions_and_house_numbers(reg):
    assert reg.suggest("Bjar", "3450") == ["Bjarkesvej"]
    assert reg.suggest("bjar", "3450") == ["Bjarkesvej"]
    found = reg.suggest("B", "3450", limit=50)
    assert found and all(name.casefold().startswith("b") for name in found[:5])
    assert found == sorted(found, key=refdata.danish_sort_key)[: len(found)] or found
    contains = reg.suggest("kes", "3450", limit=50)
    assert "Bjarkesvej" in contains
    assert reg.suggest("Bjar", "0800") == []
    assert reg.house_numbers("Bjarkesvej", "3450") == ["1", "2", "3", "4", "5", "7"]
    assert reg.house_numbers("Findes Ikke", "3450") == []
    streets = reg.streets("3450")
    assert "Bjarkesvej" in streets and len(streets) > 200
    assert reg.canonical("BJARKESVEJ", "3450") == "Bjarkesvej"


def test_city_is_filled_from_the_postcode():
    plain = Address("Bjarkesvej", "2", "3450")
    assert with_city(plain).city == "Allerød"
    assert with_city(Address("Bjarkesvej", "2", "3450", city="Lillerød")).city == "Lillerød"
    assert with_city(Address("X", "1", "0001")).city is None
    filled = fill_cities({"postal_address": plain.to_dict(), "visiting_address": None, "x": 1})
    assert filled["postal_address"]["city"] == "Allerød"
    assert filled["visiting_address"] is None and filled["x"] == 1
