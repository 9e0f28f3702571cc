"""The report notebooks' HTML copies are for the people who read them: no code, Danish only."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest

import sorkit
from sorkit import reports
from sorkit.notebooks import run_report
from sorkit.reports import queries
from sorkit.reports import view as reportview

TODAY = dt.date(2026, 12, 1)
#: Internal keys a reader must never see: column keys and check keys of sorkit.reports.
INTERNAL = sorted(
    (
        {*reports.CHANGE_COLUMNS, *reports.QUALITY_CHECKS, *queries.LOCATION_COLUMNS}
        | {"check_label", "units", "_order", "pd.set_option", "import sorkit", "reportview"}
    )
    - {"region"}  # also a Danish word ("pr. region og netoperatør")
)
CHARTS = {
    "changes_in_period": "changes_per_week.png",
    "data_quality": "data_quality.png",
    "location_numbers": "location_numbers.png",
    "pending_changes": "pending_per_day.png",
}


def visible_text(page: str) -> str:
    """The page without its scripts, styles and tags (what a reader can see)."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    return re.sub(r"<[^>]+>", " ", page)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CHARTS))
def test_report_html_has_no_code_no_internal_key_and_a_chart(
    demo: sorkit.Register, tmp_path: Path, name: str
) -> None:
    run = run_report(name, demo.path, tmp_path, today=TODAY)
    assert run.ok, run.error
    assert run.html is not None
    page = run.html.read_text("utf-8")
    # no code cell input (markdown cells render in an input area too: look for the editor)
    code_input = (
        r'class="[^"]*\b(jp-InputArea-editor|jp-InputPrompt|jp-CodeMirrorEditor|hl-ipython3)\b'
    )
    assert not re.search(code_input, page)
    text = visible_text(page)
    found = [k for k in INTERNAL if re.search(rf"(?<![\w-]){re.escape(k)}(?![\w-])", text)]
    assert found == [], found
    assert "Kør uden opsyn" not in text  # the notebook-only note is left out
    assert re.search(r"Register:.*Dato:\s*01-12-2026.*Kørt:\s*\d\d-\d\d-\d{4}", text, re.S)
    assert page.count('src="data:image/png') >= 1  # at least one chart in the page
    png = tmp_path / CHARTS[name]
    assert png.read_bytes()[:4] == b"\x89PNG"  # and as a PNG next to the CSV files
    assert list(tmp_path.glob("*.csv"))
    # The executed notebook keeps the code for the record.
    kept = nbformat.read(run.notebook, as_version=4)
    assert any("import sorkit" in c.source for c in kept.cells if c.cell_type == "code")


def test_danish_table_names_every_column_and_formats_values() -> None:
    frame = pd.DataFrame(
        {
            "effective_date": [dt.date(2027, 1, 2)],
            "recorded_at": [pd.Timestamp("2026-11-30 09:05")],
            "check": ["no_phone"],
            "check_label": ["Intet telefonnummer"],
            "inactive": [True],
            "reason": [None],
        }
    )
    table = reportview.danish_table(frame)
    assert list(table.columns) == [
        "Virkningsdato",
        "Registreret",
        "Kontrol",
        "Ikke aktivt",
        "Begrundelse",
    ]
    assert table.iloc[0].tolist() == [
        "02-01-2027",
        "30-11-2026 09:05",
        "Intet telefonnummer",
        "ja",
        "",
    ]
    html = reportview.table_html(frame)
    assert "no_phone" not in html and "<th>0</th>" not in html
    with pytest.raises(KeyError, match="unknown_column"):
        reportview.danish_table(pd.DataFrame({"unknown_column": [1]}))


def test_long_tables_say_where_the_rest_is() -> None:
    frame = pd.DataFrame({"name": [f"enhed {i}" for i in range(12)]})
    html = reportview.table_html(frame, limit=10)
    assert "enhed 9" in html and "enhed 10" not in html
    assert "Viser de første 10 af 12 rækker; alle står i CSV-filen." in html


def test_charts_have_danish_titles(demo: sorkit.Register) -> None:
    changes = reports.changes_in_period(demo, days=60)
    fig = reportview.changes_per_week_chart(changes)
    assert fig.axes[0].get_title() == "Ændringer pr. uge"
    assert sum(p.get_height() for p in fig.axes[0].patches) == len(changes)
    pending = reports.pending_changes(demo, days=30)
    fig = reportview.pending_per_day_chart(pending)
    assert sum(p.get_height() for p in fig.axes[0].patches) == len(pending)
    findings = reports.data_quality(demo)
    table = reportview.quality_by_region(findings, {c: "Region X" for c in findings["sor_code"]})
    assert table.to_dict()["Region X"] == {
        label: n for label, n in findings.groupby("check_label")["sor_code"].nunique().items()
    }
    assert reportview.quality_chart(table).axes[0].get_title() == (
        "Enheder med fund pr. kontrol og region"
    )
