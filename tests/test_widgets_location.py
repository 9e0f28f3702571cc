"""The Lokationsnummer form driven headlessly (issue #17): a new number is the default."""

from __future__ import annotations

import datetime as dt

from sorkit.gln import allocation as glnalloc
from sorkit.ids import is_valid_gln
from sorkit.widgets import StewardApp
from tests.conftest import TODAY

TOMORROW = TODAY + dt.timedelta(days=1)


def test_kommune_gives_blovstrod_skole_a_new_number(demo) -> None:
    reg = demo.as_user("kommune")
    found = reg.search("Blovstrød Skole")
    school = found[found["name"] == "Blovstrød Skole"]["sor_code"].iloc[0]
    app = StewardApp(reg)
    app.select(school)
    form = app.location_form
    c = form.controls
    assert c["location_mode"].value == "inherit"  # as the unit is now: its parent's number
    assert c["location_mode"].options[0][1] == "new"  # a number of its own: a new one first
    c["location_mode"].value = "new"
    assert c["gln"].disabled and not c["net_operator"].disabled
    # the code fields suggest the known codes with their names; any code may be typed
    assert "KMD (41000035001)" in c["net_operator"].options
    assert "116 (ukendt kode)" in c["administrator"].options
    assert not any("navn ukendt" in o for o in c["system_supplier"].options)
    c["region"].value = "Region Hovedstaden (1084)"
    c["edb_system"].value = "221000045007 (ukendt kode)"
    c["system_supplier"].value = "641000055002"  # typed, not picked
    c["net_operator"].value = "KMD (41000035001)"
    c["administrator"].value = "116 (ukendt kode)"
    c["edi_types"].value = ("FDIS20",)
    assert form.values.location.net_operator == "41000035001"
    state = form.state
    assert state.codes == ["GLN_MUNICIPAL_CONTACT_MEDCOM"], state.codes
    gln = state.plan.allocated_gln
    rng = glnalloc.gln_range(demo)
    assert gln and is_valid_gln(gln) and rng is not None and gln[:12] >= rng.first
    assert gln in form.number_note.value  # the number to be given is shown before saving
    assert "sor@medcom.dk" in form.findings.value
    assert c["apply"].disabled
    assert "MedCom" in c["reason_GLN_MUNICIPAL_CONTACT_MEDCOM"].placeholder
    c["accept_GLN_MUNICIPAL_CONTACT_MEDCOM"].value = True
    c["reason_GLN_MUNICIPAL_CONTACT_MEDCOM"].value = "Aftalt med MedCom 01-12-2026"
    assert not c["apply"].disabled
    c["apply"].click()
    applied = form.last_applied
    assert applied is not None and applied.location_number == gln, form.result.value
    assert gln in form.result.value
    assert reg.unit(school, as_of=TOMORROW).location_number.gln == gln
    # Detaljer lists the pending change with the number; the form now shows the unit's number
    pending = app.details.controls["pending"].controls["table"].children
    assert any(gln in getattr(cell, "value", "") for cell in pending)
    assert c["location_mode"].value == "own" and c["gln"].value == gln
    app.history.refresh()
    last = app.history.history.iloc[-1]
    assert gln in last["changes"] and "Aftalt med MedCom" in last["accepted"]


def test_unknown_code_warns_and_region_steward_is_not_told_about_medcom(demo) -> None:
    reg = demo.as_user("region")
    found = reg.search("Øjenafdelingen, Ambulatorium", only_mine=True)
    unit = found["sor_code"].iloc[0]
    app = StewardApp(reg)
    app.select(unit)
    c = app.location_form.controls
    c["location_mode"].value = "new"
    for key, value in (
        ("region", "1084"),
        ("edb_system", "221000045007"),
        ("system_supplier", "641000055002"),
        ("net_operator", "12345"),
        ("administrator", "116"),
    ):
        c[key].value = value
    c["edi_types"].value = ("FDIS20",)
    codes = app.location_form.state.codes
    assert "GLN_CODE_UNKNOWN" in codes and "GLN_MUNICIPAL_CONTACT_MEDCOM" not in codes
    assert not app.location_form.state.errors


def test_a_unit_without_a_number_gets_new_number_as_default(demo) -> None:
    from sorkit import SetLocationNumber
    from sorkit.widgets import LocationNumberForm

    found = demo.search("Sundhedscenter Allerød")
    bare = found["sor_code"].iloc[0]
    plan = demo.plan(SetLocationNumber(bare, None, inherit=False))  # no number from tomorrow
    demo.apply(plan, accept={w.code: "test" for w in plan.warnings})
    form = LocationNumberForm(demo, bare)
    assert form.controls["location_mode"].value == "new"
    assert form.values.location.to_location_number().gln is None
