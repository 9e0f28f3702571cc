"""Specialities and identifiers in Opret OE and Rediger OE, validated while typing."""

from __future__ import annotations

import sorkit
from sorkit.ids import make_cvr
from sorkit.widgets import CreateForm, EditForm
from sorkit.widgets.identifiers import speciality_options
from tests.helpers_rules import OE_TYPE, Units, day

TP = "Allerød Kommunes Tandpleje"
TBS = "Tandplejen Blovstrød Skole"
ALMEN = "408443003"  # almen medicin


def test_speciality_list_is_the_shipped_one_by_danish_name() -> None:
    options = dict(speciality_options())
    assert options["almen medicin"] == ALMEN
    assert len(options) == 55


def test_create_with_a_speciality_and_identifiers(demo: sorkit.Register) -> None:
    u = Units(demo)
    form = CreateForm(demo, parent=u[TP])
    c = form.controls
    c["name"].value = "Tandplejen Identifikatorer"
    c["unit_type"].value = OE_TYPE
    c["inherit_electronic"].value = True
    c["specialities"].value = (ALMEN,)
    c["cvr"].value = "12345678"
    assert "IDENTIFIER_INVALID" in form.state.codes
    assert "CVR-nummer &#x27;12345678&#x27; kan ikke bruges" in form.findings.value
    cvr = make_cvr("2919000")
    c["cvr"].value = cvr
    c["ydernummer"].value = "123456"
    c["shak"].value = "1301011"
    c["p_number"].value = "1234567890"
    assert not form.state.errors, form.state.codes
    applied = form.apply()
    assert applied is not None
    unit = demo.unit(applied.sor_codes[0], as_of=day(7))
    assert unit.specialities == (ALMEN,)
    assert (unit.cvr, unit.ydernummer, unit.shak, unit.p_number) == (
        cvr,
        "123456",
        "1301011",
        "1234567890",
    )


def test_edit_shows_and_changes_specialities(demo: sorkit.Register) -> None:
    u = Units(demo)
    form = EditForm(demo, u[TBS])
    form.controls["specialities"].value = (ALMEN,)
    assert not form.state.errors and form.state.plan is not None
    assert form.state.plan.change.fields["specialities"] == (ALMEN,)
    form.apply()
    again = EditForm(demo, u[TBS])
    again.controls["effective_from"].value = day(2)
    assert again.controls["specialities"].value == (ALMEN,)


def test_unknown_speciality_is_a_danish_error(demo: sorkit.Register) -> None:
    u = Units(demo)
    plan = demo.plan(sorkit.EditUnit(u[TBS], specialities=("999999999",)))
    assert plan.codes == ["SPECIALITY_UNKNOWN"]
    assert "findes ikke på listen over specialer" in plan.violations[0].message
