"""Report queries (sorkit.reports) and the report notebooks run through papermill."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import nbformat
import pandas as pd
import pytest

import sorkit
from sorkit import reports
from sorkit.dates import ONE_DAY
from sorkit.model import Event, version_from_state
from sorkit.notebooks import report_names, report_notebook, run_report
from sorkit.store import AuditRow
from tests.helpers import TODAY, code_of

REPORTS = ["changes_in_period", "data_quality", "location_numbers", "pending_changes"]


def direct_change_count(reg: sorkit.Register, first: dt.date, last: dt.date) -> int:
    """Events in force in the period (a close counted on its last day), straight from SQL."""
    rows = reg.store.query(
        "SELECT kind, effective_from FROM unit_events WHERE superseded_at IS NULL"
    )
    return sum(
        1 for kind, eff in rows if first <= (eff - ONE_DAY if kind == "close" else eff) <= last
    )


# -- the functions ---------------------------------------------------------------------------


def test_changes_in_period_matches_the_events(demo: sorkit.Register) -> None:
    first, last = reports.period(demo, days=365)
    assert (first, last) == (TODAY - dt.timedelta(days=365), TODAY)
    changes = reports.changes_in_period(demo, first, last)
    assert len(changes) == direct_change_count(demo, first, last) > 0
    assert changes["effective_date"].between(first, last).all()
    counts = reports.change_counts(changes)
    assert counts["count"].sum() == len(changes)
    future = reports.changes_in_period(demo, TODAY + ONE_DAY, TODAY + dt.timedelta(days=60))
    visitation = code_of(demo, "Visitationen, Allerød")
    move = future[future["sor_code"] == visitation]
    assert list(move["operation"]) == ["Flyt"]
    assert move["effective_date"].item() == TODAY + dt.timedelta(days=14)
    recorded = reports.changes_in_period(demo, TODAY - ONE_DAY, TODAY - ONE_DAY, by="recorded")
    assert visitation in set(recorded["sor_code"])


def test_pending_changes_in_the_next_days(demo: sorkit.Register) -> None:
    visitation = code_of(demo, "Visitationen, Allerød")
    month = reports.pending_changes(demo, days=30)
    week = reports.pending_changes(demo, days=7)
    assert visitation in set(month["sor_code"]) and visitation not in set(week["sor_code"])
    assert (month["effective_date"] <= TODAY + dt.timedelta(days=30)).all()
    everything = demo.pending()
    assert len(month) == (everything["effective_date"] <= TODAY + dt.timedelta(days=30)).sum()
    row = month[month["sor_code"] == visitation].iloc[0]
    assert row["path"].startswith("Allerød Kommune / ")


def test_data_quality_finds_what_it_should(demo: sorkit.Register) -> None:
    snap = demo.snapshot()
    kommune = code_of(demo, "Allerød Kommune")
    findings = reports.data_quality(demo)
    summary = reports.data_quality_summary(findings).set_index("check")["units"]
    assert list(summary.index) == list(reports.QUALITY_CHECKS)
    skipped = findings[findings["check"] == "address_not_validated"]
    assert kommune in set(skipped["sor_code"])
    direct_no_edi = {
        c
        for c in snap.codes()
        if snap.status(c, TODAY) != "closed"
        and (v := snap.reference_version(c, TODAY)) is not None
        and v.location_number is not None
        and not v.location_number.get("edi_types")
    }
    assert set(findings.loc[findings["check"] == "gln_no_edi_types", "sor_code"]) == direct_no_edi
    assert summary["gln_no_edi_types"] == len(direct_no_edi)


def test_data_quality_every_check_on_an_imported_unit(demo: sorkit.Register) -> None:
    # what the rules refuse can still arrive by import: put such a unit straight into the store
    si = code_of(demo, "Sundhed og Omsorg, Allerød")
    code = sorkit.ids.make_sor_code(demo.max_sor_serial() + 1)
    state = {
        "level": "OE",
        "parent": si,
        "name": "Importeret enhed",
        "unit_type": None,
        "inherit_electronic": False,
        "cvr": "12345678",
        "location_number": {"gln": "5790000000001", "inactive": True, "edi_types": ()},
        "visiting_address": {
            "street": "Ukendt Vej",
            "house_number": "1",
            "postcode": "3450",
            "skip_validation": True,
        },
    }
    start = dt.date(2026, 1, 1)
    now = dt.datetime(2026, 11, 30, 12)
    event = Event(None, "test-import", code, start, "import", state, now, "admin")
    version = version_from_state(
        code,
        start,
        None,
        state,
        set_fields=tuple(state),
        change_id="test-import",
        recorded_at=now,
        recorded_by="admin",
    )
    audit = AuditRow("test-import", code, "import", start, {}, {}, "test", None)
    demo.store.bulk_load([event], [version], [audit], "admin", now)
    demo.refresh()
    findings = reports.data_quality(demo)
    mine = findings[findings["sor_code"] == code]
    assert set(mine["check"]) == set(reports.QUALITY_CHECKS)
    details = " ".join(mine["detail"])
    assert "cvr" in details and "5790000000001" in details and "besøgsadresse" in details


def test_location_numbers_per_region_match_sql(demo: sorkit.Register) -> None:
    numbers = reports.location_numbers(demo)
    direct = demo.store.query(
        "SELECT location_number.region, count(*) FROM unit_versions WHERE superseded_at IS NULL "
        "AND location_number IS NOT NULL AND valid_from <= ? AND (valid_to IS NULL OR valid_to > ?) "
        "GROUP BY 1",
        [TODAY, TODAY],
    )
    assert len(numbers) == sum(n for _r, n in direct)
    assert numbers.groupby("region").size().to_dict() == dict(direct)
    table = reports.location_numbers_by_region(numbers)
    assert table.loc["I alt", "I alt"] == len(numbers)
    dental = code_of(demo, "Allerød Kommunes Tandpleje")
    row = numbers[numbers["sor_code"] == dental].iloc[0]
    assert row["region_name"] == "Region Hovedstaden"
    assert row["inheritors"] >= 1  # the school dental clinics use its number
    fig = reports.location_numbers_chart(numbers)
    assert fig.axes[0].get_title() == "Lokationsnumre pr. region og netoperatør"


# -- the notebooks ---------------------------------------------------------------------------


def test_every_report_has_a_notebook_with_parameters() -> None:
    assert report_names() == REPORTS
    for name in REPORTS:
        nb = nbformat.read(report_notebook(name), as_version=4)
        (params,) = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        for key in ("register", "out", "today"):
            assert f"{key} = " in params.source
    with pytest.raises(ValueError, match="findes ikke"):
        report_notebook("nope")


@pytest.mark.slow
def test_changes_in_period_notebook(demo: sorkit.Register, tmp_path: Path) -> None:
    run = run_report(
        "changes_in_period", demo.path, tmp_path, today=TODAY, start="2026-01-01", end="2026-12-31"
    )
    assert run.ok, run.error
    assert {p.name for p in run.files} >= {
        "changes_in_period.ipynb",
        "changes_in_period.html",
        "changes_in_period.csv",
        "changes_in_period_counts.csv",
    }
    frame = pd.read_csv(tmp_path / "changes_in_period.csv")
    expected = direct_change_count(demo, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert len(frame) == expected
    counts = pd.read_csv(tmp_path / "changes_in_period_counts.csv")
    assert counts["count"].sum() == expected
    assert f"{expected} ændringer" in run.html.read_text(encoding="utf-8")


@pytest.mark.slow
def test_pending_changes_notebook(demo: sorkit.Register, tmp_path: Path) -> None:
    run = run_report("pending_changes", demo.path, tmp_path, today=TODAY, days=20)
    assert run.ok, run.error
    frame = pd.read_csv(tmp_path / "pending_changes.csv", dtype={"sor_code": str})
    assert len(frame) == len(reports.pending_changes(demo, days=20))
    assert code_of(demo, "Visitationen, Allerød") in set(frame["sor_code"])
    assert code_of(demo, "Tandplejen Lyngehus Skolen") not in set(frame["sor_code"])  # +31 days
    assert (tmp_path / "pending_changes.html").exists()


@pytest.mark.slow
def test_data_quality_notebook(demo: sorkit.Register, tmp_path: Path) -> None:
    run = run_report("data_quality", demo.path, tmp_path, today=TODAY)
    assert run.ok, run.error
    summary = pd.read_csv(tmp_path / "data_quality_summary.csv").set_index("check")["units"]
    direct = reports.data_quality_summary(reports.data_quality(demo)).set_index("check")["units"]
    assert summary.to_dict() == direct.to_dict()
    findings = pd.read_csv(tmp_path / "data_quality.csv", dtype={"sor_code": str})
    assert code_of(demo, "Allerød Kommune") in set(
        findings.loc[findings["check"] == "address_not_validated", "sor_code"]
    )
    assert "Adresse uden adressevalidering" in run.html.read_text(encoding="utf-8")


@pytest.mark.slow
def test_location_numbers_notebook(demo: sorkit.Register, tmp_path: Path) -> None:
    run = run_report("location_numbers", demo.path, tmp_path, today=TODAY)
    assert run.ok, run.error
    numbers = pd.read_csv(tmp_path / "location_numbers.csv", dtype=str)
    assert len(numbers) == len(reports.location_numbers(demo))
    by_region = pd.read_csv(tmp_path / "location_numbers_by_region.csv", index_col=0)
    assert by_region.loc["I alt", "I alt"] == len(numbers)
    assert (
        by_region.loc["Region Hovedstaden", "I alt"]
        == (numbers["region_name"] == "Region Hovedstaden").sum()
    )
    png = tmp_path / "location_numbers.png"
    assert png.read_bytes()[:4] == b"\x89PNG"
    assert "<img" in run.html.read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_failing_report_keeps_its_notebook(tmp_path: Path) -> None:
    run = run_report("data_quality", tmp_path / "missing.duckdb", tmp_path / "out")
    assert not run.ok
    assert run.error_name == "FileNotFoundError" and "findes ikke" in run.error
    assert run.notebook.exists() and run.html is not None
    assert not (tmp_path / "missing.duckdb").exists()
