"""Addresses in the forms, the app, the exports and the importers (#22, #16 address part)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import sorkit
from sorkit.addresses import AddressRegister
from sorkit.model import Address
from sorkit.widgets import CreateForm, StewardApp
from sorkit.widgets.addressui import AddressLookup
from tests.conftest import TODAY
from tests.test_widgets_forms import DENTAL, accept_warnings, named

FIXTURES = Path(__file__).parent / "fixtures"
TP = "Allerød Kommunes Tandpleje"


def test_lookup_gives_city_streets_and_house_numbers() -> None:
    look = AddressLookup(AddressRegister.shipped())
    assert look.city("3450") == "Allerød" and look.city("") == "" and look.city("0001") == ""
    assert look.streets("Bjar", "3450") == ["Bjarkesvej"]
    assert look.streets("Bjar", "") == []  # no postcode: nothing to choose from
    assert len(look.streets("", "3450")) == 25  # the first streets of the postcode
    assert look.house_numbers("Bjarkesvej", "3450") == ["1", "2", "3", "4", "5", "7"]
    assert look.ranges_text("Bjarkesvej", "3450") == "Husnumre: 2-4 (lige), 1-7 (ulige)"
    assert look.ranges_text("Findesikke", "3450") == ""


def test_create_under_the_dental_care_choosing_the_street_from_the_suggestions(demo) -> None:
    form = CreateForm(demo, parent=named(demo, TP))
    c = form.controls
    c["name"].value = "Tandplejen Bjarkesvej"
    c["unit_type"].value = DENTAL
    c["phone"].value = "48 10 20 30"
    c["postal_mode"].value = False
    c["postal_postcode"].value = "3450"
    assert "Allerød" in form.address_cities["postal"].value
    c["postal_street"].value = "bjar"
    assert list(c["postal_street"].options) == ["Bjarkesvej"]
    c["postal_street"].value = c["postal_street"].options[0]
    assert list(c["postal_house_number"].options) == ["1", "2", "3", "4", "5", "7"]
    c["postal_house_number"].value = "2"
    assert not any(code.startswith("ADDRESS_") for code in form.state.codes)
    assert not form.state.errors, form.state.codes
    accept_warnings(form)
    c["apply"].click()
    applied = form.last_applied
    assert applied is not None, form.result.value
    unit = demo.unit(applied.sor_codes[0], as_of=TODAY + dt.timedelta(days=7))
    assert unit.parent == named(demo, TP)
    assert unit.postal_address == Address("Bjarkesvej", "2", "3450", city="Allerød")


def test_a_street_not_in_the_postcode_is_an_error_in_the_form(demo) -> None:
    form = CreateForm(demo, parent=named(demo, TP))
    c = form.controls
    c["name"].value = "Tandplejen Prøve"
    c["unit_type"].value = DENTAL
    c["postal_mode"].value = False
    c["postal_postcode"].value = "3450"
    c["postal_street"].value = "Bjarkevej"
    c["postal_house_number"].value = "2"
    assert "ADDRESS_STREET_UNKNOWN" in form.state.codes
    assert "Bjarkesvej" in form.findings.value  # "Mente du: Bjarkesvej, ...?"
    c["postal_street"].value = "Bjarkesvej"
    c["postal_house_number"].value = "6"  # even side ends at 4
    assert "ADDRESS_HOUSE_NUMBER_OUT_OF_RANGE" in form.state.codes


def test_the_city_is_stored_shown_and_exported(demo, tmp_path) -> None:
    parent = named(demo, TP)
    plan = demo.plan(
        sorkit.CreateUnit(
            parent=parent,
            name="Tandplejen Rådhuset",
            unit_type=DENTAL,
            valid_from=TODAY + dt.timedelta(days=7),
            postal_address=Address("Bjarkesvej", "2", "3450"),
            inherit_electronic=False,
            phone="48100000",
        )
    )
    applied = demo.apply(plan, accept={c: "ok" for c in plan.codes})
    code = applied.sor_codes[0]
    day = TODAY + dt.timedelta(days=7)
    assert demo.unit(code, as_of=day).postal_address.city == "Allerød"
    app = StewardApp(demo)
    app.details.set_unit(code, as_of=day)
    assert "Bjarkesvej 2, 3450 Allerød" in app.details.controls["fields"].value
    assert "Vejregister pr. 02-02-2015" in app.address_status.value
    written = {
        fmt: Path(sorkit.export(demo, tmp_path / f"out.{fmt}", format=fmt, as_of=day).path)
        for fmt in ("xml", "csv", "fhir")
    }
    xml = written["xml"].read_text(encoding="utf-8")
    assert "<dkcc2005:DistrictName>Allerød</dkcc2005:DistrictName>" in xml
    row = next(
        line for line in written["csv"].read_text(encoding="utf-8").splitlines() if code in line
    )
    assert "Bjarkesvej" in row and "Allerød" in row
    bundle = json.loads(written["fhir"].read_text(encoding="utf-8"))
    [org] = [
        e["resource"]
        for e in bundle["entry"]
        if any(i.get("value") == code for i in e["resource"].get("identifier", []))
    ]
    assert org["address"][0]["city"] == "Allerød"
    assert org["address"][0]["postalCode"] == "3450"


def test_an_import_reports_unknown_addresses_but_keeps_them(tmp_path) -> None:
    reg = sorkit.open_register(tmp_path / "r.duckdb")
    report = sorkit.import_sor_xml(reg, FIXTURES / "minimal.xml")
    assert report.written
    assert report.address_problems == [
        "1700051000016001 Lægerne i Testby: Postadresse Stationsvej 4, 3250 Gilleleje: "
        "vejen findes ikke i postnummeret (ADDRESS_STREET_UNKNOWN)"
    ]
    unit = reg.unit("1700051000016001")
    assert unit.postal_address is not None and unit.postal_address.street == "Stationsvej"


def test_a_batch_plan_validates_its_addresses_and_fills_the_city(demo, tmp_path) -> None:
    tandpleje = named(demo, TP)
    plan = tmp_path / "plan.csv"
    plan.write_text(
        "operation,sor_code,date,street,house_number,postcode\n"
        f"edit,{tandpleje},2027-01-01,Bjarkesvej,7,3450\n"
        f"edit,{named(demo, 'Tandplejen Blovstrød Skole')},2027-01-01,Bjarkesvej,9,3450\n"
        f"edit,{named(demo, 'Tandplejen Engholmskolen')},2027-01-01,Bjarkevej,2,3450\n",
        encoding="utf-8",
    )
    report = demo.plan_batch(sorkit.read_plan(plan))
    assert "ADDRESS_HOUSE_NUMBER_OUT_OF_RANGE" in report.codes
    assert "ADDRESS_STREET_UNKNOWN" in report.codes
    first = sorkit.read_plan(plan)[:1]
    demo.apply(demo.plan(first[0]), accept={c: "ok" for c in demo.plan(first[0]).codes})
    moved = demo.unit(tandpleje, as_of=dt.date(2027, 1, 1)).postal_address
    assert moved == Address("Bjarkesvej", "7", "3450", city="Allerød")
