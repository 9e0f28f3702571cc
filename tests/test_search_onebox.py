"""The one search box: identifiers by shape in reg.search and in the app; results as a table."""

from __future__ import annotations

import pandas as pd
import pytest

import sorkit
from sorkit.ids import make_cvr, make_gln
from sorkit.search.shape import identifier_shapes
from sorkit.widgets import SearchPanel, StewardApp
from sorkit.widgets.results_table import ResultsTable, count_text

TP = "Allerød Kommunes Tandpleje"


def code_of(reg: sorkit.Register, name: str) -> str:
    found = reg.search(name)
    return str(found[found.name == name].sor_code.iloc[0])


SOR = "1610461000016004"
SHAPES = [
    ("valid SOR code", SOR, [("sor_code", SOR)]),
    ("SOR code with spaces", "1610 4610 0001 6004", [("sor_code", SOR)]),
    ("SOR code, wrong check digit", "1610461000016005", []),
    ("GLN", "5790090002552", [("gln", "5790090002552")]),
    ("GLN, wrong check digit", "5790090002553", []),
    ("CVR", "29190003", [("cvr", "29190003")]),
    ("CVR, wrong check digit", "29190004", []),
    ("ydernummer-like", "123456", []),
    ("name", "Blovstrød", []),
    ("wildcard digits", "5790*", []),
]


@pytest.mark.parametrize("row", SHAPES, ids=[r[0] for r in SHAPES])
def test_identifier_shapes(row: tuple[str, str, list[tuple[str, str]]]) -> None:
    _id, text, expected = row
    assert identifier_shapes(text) == expected


def test_reg_search_by_sor_code_gln_and_cvr_as_text(demo: sorkit.Register) -> None:
    tp = code_of(demo, TP)
    unit = demo.unit(tp)
    cvr = make_cvr("2919000")
    assert cvr is not None
    demo.apply(demo.plan(sorkit.EditUnit(tp, demo.today + pd.Timedelta(days=1), cvr=cvr)))
    later = demo.today + pd.Timedelta(days=2)
    for text, kind in (
        (tp, "sor_code"),
        (f"{tp[:4]} {tp[4:]}", "sor_code"),
        (unit.location_number.gln, "gln"),
        (cvr, "cvr"),
    ):
        found = demo.search(text, as_of=later)
        assert found.attrs["search_kind"] == kind, text
        assert list(found.sor_code) == [tp], text
    name = demo.search("Allerød Kommunes Tandpl")
    assert name.attrs["search_kind"] == "name" and tp in set(name.sor_code)


def test_a_number_of_no_identifier_shape_is_a_name(demo: sorkit.Register) -> None:
    found = demo.search("12345678")  # 8 digits, bad CVR check digit
    assert found.attrs["search_kind"] == "name"
    unused = make_gln("579999999999")
    assert demo.search(unused).attrs["search_kind"] == "gln"  # a GLN nobody holds


def test_count_line_says_kind_and_cut() -> None:
    frame = pd.DataFrame({"sor_code": ["1"] * 200})
    frame.attrs.update(search_kind="name", total=1969)
    assert count_text(frame) == (
        "Søgt på navn: viser 200 af 1.969 enheder (gør søgningen smallere for at se resten)."
    )
    one = pd.DataFrame({"sor_code": ["1"]})
    one.attrs.update(search_kind="cvr", total=1)
    assert count_text(one) == "Søgt på CVR-nummer: 1 enhed fundet."


def test_results_table_has_the_columns_and_rows_open(demo: sorkit.Register) -> None:
    table = ResultsTable()
    opened: list[str] = []
    table.on_select(opened.append)
    table.show(demo.search("*blovstrød*"))
    head = "".join(c.value for c in table.controls["table"].children[:2])
    for title in ("Navn", "SOR-kode", "Enhedstype", "Placering", "Status"):
        assert f"<b>{title}</b>" in head
    assert len(table.controls["table"].children) == 2 * (len(table.frame) + 1)
    code = str(table.frame.sor_code.iloc[0])
    assert table.controls[f"row_{code}"].description == table.frame.name.iloc[0]
    table.click(code)
    assert opened == [code]


def test_enter_in_under_runs_the_search(demo: sorkit.Register) -> None:
    panel = SearchPanel(demo)
    panel.controls["unit_type"].value = "550811000005108"
    panel.controls["under"].value = code_of(demo, "Allerød Kommune")  # Enter in the field
    assert len(panel.results) >= 2
    assert "Ingen" not in panel.controls["count"].value


def test_app_one_box_lands_on_details(demo: sorkit.Register) -> None:
    kommune = demo.as_user("kommune")
    app = StewardApp(kommune)
    tp = code_of(demo, TP)
    gln = demo.unit(tp).location_number.gln
    for text in (tp, gln):
        app.show_tab("create")
        app.controls["quick_search"].value = text
        assert app._showing("details"), text
        assert app.selected == tp == app.tree.selected
        assert TP in app.details.controls["fields"].value or TP in str(app.details.unit.name)
    app.controls["quick_search"].value = "*tandpleje*"
    assert app._showing("search")
    assert "Søgt på navn" in app.search_panel.controls["count"].value
