"""Flyt OE, Luk OE and Lokationsnummer driven headlessly on the demo register."""

from __future__ import annotations

import datetime as dt

from sorkit.ids import make_gln
from sorkit.widgets import CloseForm, LocationNumberForm, MoveForm, StewardApp
from tests.helpers import TODAY, accept_warnings, named

DAY = dt.timedelta(days=1)


def test_move_outside_own_organisation_needs_an_accepted_warning(demo) -> None:
    steward = demo.as_user("kommune")
    unit = named(demo, "Genoptræning Allerød")
    target = named(demo, "Furesø Kommune", top="Furesø Kommune")
    target = demo.children(target)["sor_code"].iloc[0]  # Furesø's SI
    form = MoveForm(steward, sor_code=unit)
    c = form.controls
    assert c["effective_from"].value == TODAY + DAY
    c["new_parent"].value = target
    assert "MOVE_OUTSIDE_OWN_ORGANISATION" in form.state.codes
    assert not form.state.errors, form.state.codes
    assert c["apply"].disabled
    c["accept_MOVE_OUTSIDE_OWN_ORGANISATION"].value = True
    assert c["apply"].disabled  # a reason is needed too
    c["reason_MOVE_OUTSIDE_OWN_ORGANISATION"].value = "Aftalt med Furesø"
    accept_warnings(form)
    assert not c["apply"].disabled
    c["apply"].click()
    assert form.last_applied is not None, form.result.value
    assert demo.unit(unit, as_of=TODAY + DAY).parent == target
    audit = demo.audit(sor_code=unit)
    assert audit["accepted"].astype(str).str.contains("Aftalt med Furesø").any()


def test_move_picks_the_new_parent_in_the_tree(demo) -> None:
    app = StewardApp(demo)
    unit = named(demo, "Visitationen, Allerød")
    target = named(demo, "Blovstrød Skole")
    app.select(unit)
    assert app.move_form.values.sor_code == unit
    app.move_form.controls["pick"].value = True
    app.tree.select(target)
    assert app.move_form.values.new_parent == target
    assert not app.move_form.picking
    assert app.selected == unit  # the picked unit did not replace the selection
    assert app.move_form.state.plan is not None


def test_close_with_cascade_after_confirmation(demo) -> None:
    tandpleje = named(demo, "Allerød Kommunes Tandpleje")
    children = list(demo.children(tandpleje)["sor_code"])
    form = CloseForm(demo, sor_code=tandpleje)
    c = form.controls
    assert c["last_day"].value == TODAY + 7 * DAY
    last = TODAY + 40 * DAY  # after the pending close of Tandplejen Lyngehus Skolen
    c["last_day"].value = last
    c["cascade"].value = True
    assert not form.state.errors, form.state.codes
    accept_warnings(form)
    c["apply"].click()  # "Luk enhed" only asks
    assert form.confirming and form.last_applied is None
    assert demo.unit(tandpleje).last_day is None
    question = form.question.value
    assert "Tandplejen Blovstrød Skole" in question
    assert demo.unit(tandpleje).location_number.gln in question
    c["confirm"].click()
    assert form.last_applied is not None, form.result.value
    assert form.last_applied.sor_codes[0] == tandpleje
    assert demo.unit(tandpleje).last_day == last
    assert all(demo.unit(code).last_day <= last for code in children)
    assert last.strftime("%d-%m-%Y") in form.result.value


def test_close_cancel_changes_nothing(demo) -> None:
    unit = named(demo, "Tandplejen Engholmskolen")
    form = CloseForm(demo, sor_code=unit)
    accept_warnings(form)
    form.controls["apply"].click()
    assert form.confirming
    form.controls["cancel"].click()
    assert not form.confirming
    assert demo.unit(unit).last_day is None


def test_location_number_bad_check_digit_then_good(demo) -> None:
    unit = named(demo, "Tandplejen Blovstrød Skole")
    form = LocationNumberForm(demo, sor_code=unit)
    c = form.controls
    assert c["location_mode"].value == "inherit"
    good = make_gln("579000012345")
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    c["location_mode"].value = "own"
    for key, value in {
        "region": "1084",
        "edb_system": "1611000045003",
        "system_supplier": "1001000055001",
        "net_operator": "91000035009",
        "administrator": "116",
    }.items():
        c[key].value = value
    c["edi_types"].value = (c["edi_types"].options[0][1],)
    c["gln"].value = bad
    assert "GLN_INVALID" in form.state.codes
    assert c["apply"].disabled
    c["gln"].value = good
    assert "GLN_INVALID" not in form.state.codes
    assert not form.state.errors, form.state.codes
    accept_warnings(form)
    c["apply"].click()
    assert form.last_applied is not None, form.result.value
    assert demo.unit(unit, as_of=TODAY + DAY).location_number.gln == good
    assert demo.unit(unit).location_number.gln != good


def test_rejected_apply_is_shown_not_raised(demo, monkeypatch) -> None:
    unit = named(demo, "Tandplejen Lillerød Skole")
    form = MoveForm(demo, sor_code=unit)
    form.controls["new_parent"].value = named(demo, "Sekretariatet, Allerød")
    accept_warnings(form)
    assert form.state.can_apply
    other = MoveForm(demo, sor_code=unit)
    other.controls["new_parent"].value = named(demo, "Blovstrød Skole")
    accept_warnings(other)
    other.controls["apply"].click()  # someone else moves the unit first
    assert other.last_applied is not None
    monkeypatch.setattr(form, "validate", lambda: form.state)  # a click on the stale plan
    assert form.apply() is None
    assert "CONCURRENT_CHANGE" in form.state.codes
    assert "afvist" in form.result.value
    assert form.controls["apply"].disabled
