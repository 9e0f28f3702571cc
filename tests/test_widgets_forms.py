"""Opret OE and Rediger OE driven headlessly: set control values, click, check the register."""

from __future__ import annotations

import datetime as dt

from sorkit.addresses import AddressRegister
from sorkit.model import Address
from sorkit.widgets import CreateForm, EditForm, StewardApp
from tests.helpers import TODAY, accept_warnings, named

DAY = dt.timedelta(days=1)
DENTAL = "550691000005104"


def test_create_shows_errors_then_applies_and_appears_in_the_tree(demo) -> None:
    app = StewardApp(demo)
    parent = named(demo, "Allerød Kommunes Tandpleje")
    assert app.tree.reveal(parent)
    form = app.create_form
    c = form.controls
    assert form.values.parent == parent
    assert c["valid_from"].value == TODAY + 7 * DAY  # default and earliest
    c["name"].value = "Tandplejen Ny Skole"
    c["unit_type"].value = DENTAL
    c["valid_from"].value = TODAY + DAY
    assert {"DATE_TOO_EARLY", "PHONE_REQUIRED"} <= set(form.state.codes)
    assert c["apply"].disabled
    c["valid_from"].value = TODAY + 7 * DAY
    c["phone"].value = "48 10 20 30"
    assert not form.state.errors, form.state.codes
    accept_warnings(form)
    assert not c["apply"].disabled
    c["apply"].click()
    applied = form.last_applied
    assert applied is not None, form.result.value
    new = applied.sor_codes[0]
    assert applied.change_id in form.result.value
    assert (TODAY + 7 * DAY).strftime("%d-%m-%Y") in form.result.value
    unit = demo.unit(new, as_of=TODAY + 7 * DAY)
    assert unit.name == "Tandplejen Ny Skole" and unit.parent == parent
    assert new in app.tree.loaded_children(parent)
    assert c["apply"].disabled  # no double submit
    assert c["name"].value == ""  # a blank form for the next unit


def test_create_with_own_addresses_and_location_number(demo) -> None:
    from sorkit.ids import make_gln

    parent = named(demo, "Sundhed og Omsorg, Allerød")
    form = CreateForm(demo, parent=parent)
    c = form.controls
    c["name"].value = "Sundhedshuset Allerød"
    c["unit_type"].value = DENTAL
    c["phone"].value = "48100000"
    assert c["postal_mode"].value is True and c["postal_street"].disabled
    c["postal_mode"].value = False
    assert not c["postal_street"].disabled
    street, number, postcode, _city = AddressRegister.default().sample_addresses()[0]
    c["postal_postcode"].value = postcode
    c["postal_street"].value = street[:3]
    assert street in c["postal_street"].options
    c["postal_street"].value = street
    c["postal_house_number"].value = number
    c["location_mode"].value = "own"
    c["gln"].value = make_gln("579000054321")
    c["region"].value = "1084"
    c["edi_types"].value = (
        ("XDIS01",)
        if "XDIS01" in dict((v, k) for k, v in c["edi_types"].options)
        else (c["edi_types"].options[0][1],)
    )
    c["local_attribute_1"].value = "x" * 21
    change = form.build_change()
    assert change.postal_address == Address(street, number, postcode)
    assert not any(code.startswith("ADDRESS_") for code in form.state.codes)
    assert change.location_number.gln.startswith("579")
    assert change.visiting_address == "same_as_postal"
    assert "LOCAL_ATTRIBUTE_TOO_LONG" in form.state.codes


def test_edit_prefills_own_values_and_sends_only_changes(demo) -> None:
    code = named(demo, "Tandplejen Blovstrød Skole")
    form = EditForm(demo, sor_code=code)
    c = form.controls
    assert c["name"].value == "Tandplejen Blovstrød Skole"
    assert c["inherit_electronic"].value is True  # own setting, not the inherited phone
    assert c["phone"].value == "" and c["phone"].disabled
    assert c["location_mode"].value == "inherit"
    assert c["effective_from"].value == TODAY + DAY
    assert "INGEN" in form.findings.value.upper() or form.state.problem
    c["name"].value = "Tandplejen Blovstrød Skole og SFO"
    assert form.state.plan.change.fields == {"name": "Tandplejen Blovstrød Skole og SFO"}
    accept_warnings(form)
    c["apply"].click()
    assert form.last_applied is not None, form.result.value
    assert demo.unit(code).name == "Tandplejen Blovstrød Skole"
    assert demo.unit(code, as_of=TODAY + DAY).name == "Tandplejen Blovstrød Skole og SFO"
    assert c["name"].value == "Tandplejen Blovstrød Skole og SFO"  # reloaded as of tomorrow
