"""Details, history, search panel and the assembled StewardApp, headless."""

from __future__ import annotations

import pandas as pd

from sorkit.widgets import HistoryPanel, SearchPanel, StewardApp, UnitDetails
from sorkit.widgets.app import TAB_KEYS
from tests.helpers import named


def test_details_mark_inherited_values_and_list_pending_changes(demo) -> None:
    holder = named(demo, "Allerød Kommunes Tandpleje")
    details = UnitDetails(demo, named(demo, "Tandplejen Blovstrød Skole"))
    text = details.controls["fields"].value
    assert f"nedarvet fra Allerød Kommunes Tandpleje ({holder})" in text
    assert details.unit.location_number.gln in text
    lyngehus = named(demo, "Tandplejen Lyngehus Skolen")
    details.set_unit(lyngehus)
    assert list(details.pending["sor_code"]) == [lyngehus]
    assert "Luk" in details.controls["pending"].value
    assert "31-12-2026" in details.controls["pending"].value


def test_history_lists_the_units_changes(demo) -> None:
    visitation = named(demo, "Visitationen, Allerød")
    panel = HistoryPanel(demo, visitation)
    assert "Flyt" in set(panel.history["operation"])
    assert "Visitationen, Allerød" in panel.controls["title"].value
    assert "Flyt" in panel.controls["table"].value


def test_search_panel_finds_picks_and_exports(demo, tmp_path) -> None:
    panel = SearchPanel(demo)
    picked = []
    panel.on_select(picked.append)
    panel.controls["text"].value = "*blovstrød*"
    names = set(panel.results["name"])
    assert {"Tandplejen Blovstrød Skole", "Blovstrød Skole"} <= names
    assert "Tandplejen Blovstrød Skole" in panel.controls["results"].value
    code = panel.results["sor_code"].iloc[0]
    panel.controls["pick"].value = code
    assert picked == [code]
    out = panel.export_csv(tmp_path / "out" / "blovstrød.csv")
    assert len(pd.read_csv(out, dtype=str)) == len(panel.results)
    panel.controls["under"].value = named(demo, "Allerød Kommune")
    panel.controls["text"].value = ""
    panel.controls["unit_type"].value = "550811000005108"  # administrativ enhed
    panel.controls["search"].click()
    assert len(panel.results) >= 2
    assert set(panel.results["unit_type"]) == {"550811000005108"}


def test_app_selects_a_unit_for_every_tab(demo) -> None:
    app = StewardApp(demo.as_user("kommune"))
    kommune = named(demo, "Allerød Kommune")
    assert app.tree.root_codes() == [kommune]  # "Kun mine enheder" for a steward
    assert [app.controls["tabs"].get_title(i) for i in range(len(TAB_KEYS))][:7] == [
        "Detaljer",
        "Historik",
        "Opret OE",
        "Rediger OE",
        "Flyt OE",
        "Luk OE",
        "Lokationsnummer",
    ]
    app.controls["quick_search"].value = "Blovstrød Skole"
    options = dict(app.controls["quick_results"].options)
    code = options[f"Tandplejen Blovstrød Skole ({named(demo, 'Tandplejen Blovstrød Skole')})"]
    app.controls["quick_results"].value = code
    assert app.selected == code == app.tree.selected
    assert app.details.unit.sor_code == code
    for form in (app.create_form, app.move_form, app.close_form):
        assert code in form.heading.value
    assert app.edit_form.values.sor_code == code
    assert app.location_form.values.sor_code == code
    assert app.history.history.empty  # read when the tab is shown
    app.show_tab("history")
    assert not app.history.history.empty


def test_app_details_follow_the_tree_date(demo) -> None:
    import datetime as dt

    app = StewardApp(demo)
    visitation = named(demo, "Visitationen, Allerød")
    app.select(visitation)
    assert app.details.unit.parent == named(demo, "Sundhed og Omsorg, Allerød")
    app.tree.controls["as_of"].value = demo.today + dt.timedelta(days=14)
    assert app.details.unit.parent == named(demo, "Sekretariatet, Allerød")
