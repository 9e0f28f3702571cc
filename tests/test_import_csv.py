"""Importing the SOR CSV exports: the SOR2 SorEntity CSV and the semicolon hierarchy dump."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import sorkit
from sorkit.importers import ImportRejected, import_sor_csv
from sorkit.store.io import table_counts
from tests.helpers import TODAY

FIXTURES = Path(__file__).parent / "fixtures"
D = dt.date
REGION, HOSPITAL, DEPT, SECTION = (
    "1700011000016000",
    "1700021000016009",
    "1700031000016006",
    "1700041000016004",
)
GP_IE, GP_SI, GP_OE = "1700051000016001", "1700061000016003", "1700071000016008"


def _fresh() -> sorkit.Register:
    return sorkit.open_register(None, user="importer", today=TODAY)


def test_sor2_csv_values_and_inheritance() -> None:
    reg = _fresh()
    report = import_sor_csv(reg, FIXTURES / "sor2_sorentity.csv")
    assert report.format == "sor2-csv" and report.added == 7
    region = reg.unit(REGION)
    assert region.level == "IE" and region.unit_type == "550881000005103"
    assert region.cvr == "29123454" and region.email == "regionen@example.dk"
    assert region.location_number is not None and region.location_number.gln == "5790002123450"
    hospital = reg.unit(HOSPITAL)
    assert hospital.parent == REGION and hospital.shak == "6620" and hospital.cvr is None
    assert hospital.valid_from == D(2008, 1, 1)  # FirstFromDate, not FromDate
    assert (
        hospital.own["inherit_location_number"] and hospital.inherited["location_number"] == REGION
    )
    dept = reg.unit(DEPT)
    assert dept.name == "Øjenafdeling; ambulatorium"  # a quoted semicolon
    assert dept.own["postal_address"] is None and dept.postal_address == hospital.postal_address
    assert dept.own["inherit_electronic"] and dept.phone == "48294829"
    assert dept.location_number is not None and dept.location_number.gln == "5790002123467"
    assert "location_number" not in dept.inherited
    assert dept.specialities == ("394594003",)  # "oftalmologi" by name
    section = reg.unit(SECTION)
    assert section.last_day == D(2027, 6, 30) and section.status == "closing"
    assert not section.own["inherit_electronic"] and section.phone == "48294830"
    assert section.inherited["location_number"] == DEPT
    assert reg.unit(GP_OE).ydernummer == "019062"
    assert reg.unit(GP_OE).unit_type is None


def test_hierarchy_dump() -> None:
    reg = _fresh()
    report = import_sor_csv(reg, FIXTURES / "sor_hierarchy.csv")
    assert report.format == "sor-hierarchy-csv" and report.added == 7
    assert list(reg.ancestors(SECTION)["sor_code"]) == [REGION, HOSPITAL, DEPT]
    assert reg.unit(SECTION).level == "OE" and reg.unit(SECTION).last_day == D(2027, 6, 30)
    assert reg.unit(HOSPITAL).unit_type == "22232009"  # the type given by its name
    assert reg.unit(GP_OE).status == "closed" and reg.unit(GP_OE).last_day == D(2020, 12, 31)
    assert reg.unit(REGION).last_day is None  # 99991231 is the open end


def test_hierarchy_update_keeps_addresses() -> None:
    reg = _fresh()
    import_sor_csv(reg, FIXTURES / "sor2_sorentity.csv")
    report = import_sor_csv(reg, FIXTURES / "sor_hierarchy.csv", dry_run=True)
    # Only what the dump carries differs: the names of two units and a closed GP unit.
    counts = report.counts()
    assert counts.get("changed") == 2 and counts.get("closed") == 1, report.summary
    assert set(report.summary["sor_code"]) == {DEPT, GP_OE}
    report = import_sor_csv(reg, FIXTURES / "sor_hierarchy.csv")
    assert reg.unit(DEPT, as_of=TODAY).name == "Øjenafdeling"
    assert reg.unit(DEPT).phone == "48294829"  # kept


def test_every_bad_row_is_named_and_nothing_written() -> None:
    reg = _fresh()
    with pytest.raises(ImportRejected) as info:
        import_sor_csv(reg, FIXTURES / "sor2_bad_rows.csv")
    problems = info.value.problems
    lines = sorted({str(p).split(":")[0] for p in problems})
    assert lines == ["linje 3", "linje 4", "linje 5", "linje 6", "linje 7"]
    text = str(info.value)
    for part in ("1700021000016008", "2008-13-45", "SX", "5790002123451", "EntityName"):
        assert part in text
    assert len(reg.snapshot()) == 0 and reg.store.generation() == 0


def test_unknown_csv_shape_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a;b;c\n1;2;3\n", "utf-8")
    with pytest.raises(sorkit.SorImportError, match="ukendt CSV-format"):
        import_sor_csv(_fresh(), path)


def test_missing_parent_and_cycle_are_named(tmp_path: Path) -> None:
    text = (FIXTURES / "sor_hierarchy.csv").read_text("utf-8")
    lines = text.splitlines()
    # The hospital's parent does not exist anywhere; the GP units point at each other.
    lines[2] = lines[2].replace(";1700011000016000;", ";1700081000016005;")
    lines[6] = lines[6].replace("1700051000016001;2015", "1700071000016008;2015")
    path = tmp_path / "bad.csv"
    path.write_text("\r\n".join(lines) + "\r\n", "utf-8")
    with pytest.raises(ImportRejected) as info:
        import_sor_csv(_fresh(), path)
    text = str(info.value)
    assert "1700081000016005" in text and "ring" in text


@pytest.mark.slow
def test_csv_export_round_trips(demo: sorkit.Register, tmp_path: Path) -> None:
    path = tmp_path / "demo.csv"
    count = sorkit.export(demo, path, format="csv").count
    reg = _fresh()
    report = import_sor_csv(reg, path)
    assert report.units == count
    before, after = demo.snapshot(), reg.snapshot()
    for code in after.codes():
        a, b = before.reference_version(code, TODAY), after.reference_version(code, TODAY)
        assert a is not None and b is not None
        assert (a.name, a.parent, a.unit_type, a.shak, a.ydernummer) == (
            b.name,
            b.parent,
            b.unit_type,
            b.shak,
            b.ydernummer,
        )
        assert after.first_from(code) == before.first_from(code)
    # In step with the register it came from: nothing to change there.
    counts = table_counts(demo.store)
    assert import_sor_csv(demo, path, dry_run=True).summary.empty
    assert table_counts(demo.store) == counts
