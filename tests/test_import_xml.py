"""Importing the SOR XML complete export: real samples, a demo round trip, malformed files."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

import sorkit
from sorkit.exporters import write_sor_xml
from sorkit.importers import ImportRejected, import_sor_xml
from sorkit.store.io import table_counts
from tests.helpers import TODAY
from tests.pgfixtures import new_register
from tests.sorxsd import xml_state

#: Every register test here runs on DuckDB and on PostgreSQL (tests/pgfixtures.py).
pytestmark = pytest.mark.engines

SAMPLES = Path(__file__).parent.parent / "data" / "reference" / "sor_xml_samples"
FIXTURES = Path(__file__).parent / "fixtures"


def _fresh() -> sorkit.Register:
    return new_register("importer", TODAY)


def test_gp_practice_sample_keeps_every_value() -> None:
    reg = _fresh()
    report = import_sor_xml(reg, SAMPLES / "ONE_PRAKSIS.xml")
    assert report.written and report.mode == "new" and report.added == 3
    ie = reg.unit("8321000016007")
    assert ie.level == "IE" and ie.unit_type == "550891000005100"
    ln = ie.location_number
    assert ln is not None and ln.gln == "5790000141227"
    assert ln.net_operator == "41000035001" and ln.region == "1084"
    assert ln.system_supplier == "641000055002" and ln.edb_system == "1611000045003"
    assert ln.administrator == "116" and not ln.only_internal and not ln.inactive
    assert ie.phone == "48300204" and ie.fax == "48300109"
    assert ie.postal_address is not None and ie.postal_address.city == "Gilleleje"
    oe = reg.unit("8341000016002")
    assert oe.ydernummer == "019062"  # leading zero kept
    assert oe.specialities == ("408443003",)
    assert oe.own["inherit_location_number"] and oe.own["location_number"] is None
    assert oe.location_number == ln and oe.inherited["location_number"] == "8321000016007"
    assert oe.own["inherit_electronic"] and oe.phone == "48300204"
    assert oe.own["postal_address"] is None and oe.postal_address == ie.postal_address
    assert oe.valid_from == dt.date(1999, 3, 25) and oe.last_day is None
    assert reg.unit("8331000016009").name == "Michael Filtenborg & co"


def test_hospital_sample_hierarchy_and_values() -> None:
    reg = _fresh()
    report = import_sor_xml(reg, SAMPLES / "ONE_SYGEHUS.xml")
    chain = reg.ancestors("347831000016005")
    assert list(chain["sor_code"]) == ["347801000016001", "347811000016004", "347821000016008"]
    assert list(chain["level"]) == ["IE", "SI", "OE"]
    section = reg.unit("347831000016005")
    assert section.level == "OE" and section.shak == "2529010"
    assert section.specialities == ("394594003",)
    assert section.unit_type == "550851000005109"
    assert reg.unit("347811000016004").shak == "2529"
    assert not section.own["inherit_location_number"] and section.location_number is None
    ie = reg.unit("347801000016001")
    assert ie.email == "J.Thulesen@dadlnet.dk" and ie.website == "www.roskildeojenklinik.dk"
    # The department starts a day before its hospital in the file: moved inside, and said so.
    assert reg.unit("347821000016008").valid_from == dt.date(2009, 10, 8)
    assert len(report.adjustments) == 1 and "347821000016008" in report.adjustments[0]


def test_pharmacy_sample() -> None:
    reg = _fresh()
    import_sor_xml(reg, SAMPLES / "ONE_APOTEK.xml")
    assert reg.unit("306031000016009").pharmacy_id == "362,1"
    assert reg.unit("306011000016003").location_number.gln == "5790000173624"  # type: ignore[union-attr]


def test_import_writes_import_events_and_one_audit_row_per_unit() -> None:
    reg = _fresh()
    report = import_sor_xml(reg, SAMPLES / "ONE_SYGEHUS.xml", reason="første import")
    kinds = reg.store.query("SELECT DISTINCT kind FROM unit_events")
    assert kinds == [("import",)]
    audit = reg.store.query("SELECT sor_code, operation, parameters, reason, change_id FROM audit")
    assert len(audit) == 4 and {a[0] for a in audit} == {
        "347801000016001",
        "347811000016004",
        "347821000016008",
        "347831000016005",
    }
    assert all(a[1] == "import" and a[3] == "første import" for a in audit)
    assert all(a[4] == report.change_id for a in audit)
    params = {a[0]: json.loads(a[2]) for a in audit}
    assert params["347831000016005"]["file"] == "ONE_SYGEHUS.xml"
    flags = params["347831000016005"]["extra"]["organizational_unit_information"]
    assert flags == {
        "AmbulantActivityIndicator": True,
        "PatientsAdmittedIndicator": True,
        "ReportingLevelIndicator": True,
    }
    assert params["347831000016005"]["extra"]["speciality_types"] == {"394594003": "51000095001"}
    assert params["347821000016008"]["extra"]["first_from_in_file"] == "2009-10-07"


def test_dry_run_writes_nothing() -> None:
    reg = _fresh()
    report = import_sor_xml(reg, SAMPLES / "ONE_PRAKSIS.xml", dry_run=True)
    assert not report.written and report.added == 3
    assert len(reg.snapshot()) == 0 and reg.store.generation() == 0


def test_dates_location_number_status_and_close(tmp_path: Path) -> None:
    text = (SAMPLES / "ONE_PRAKSIS.xml").read_text("utf-8-sig")
    # The OE closes (ToDate inclusive); the IE's own number starts later than the IE.
    text = text.replace(
        "<FromDate>1999-03-25</FromDate>\n\t\t\t\t\t\t<UpdatedAt>2009-03-31</UpdatedAt>",
        "<FromDate>1999-03-25</FromDate><ToDate>2009-12-31</ToDate>"
        "\n\t\t\t\t\t\t<UpdatedAt>2009-03-31</UpdatedAt>",
    )
    text = text.replace(
        "<FromDate>1999-03-25</FromDate>\n\t\t\t\t\t<UpdatedAt>2009-03-31</UpdatedAt>\n\t\t\t\t\t"
        "<FirstFromDate>1999-03-25</FirstFromDate>\n\t\t\t\t</SorStatus>\n\t\t\t</EanLocationCodeEntity>",
        "<FromDate>2001-01-01</FromDate><FirstFromDate>2001-01-01</FirstFromDate></SorStatus>"
        "</EanLocationCodeEntity>",
    )
    path = tmp_path / "praksis.xml"
    path.write_text(text, "utf-8")
    reg = _fresh()
    import_sor_xml(reg, path)
    oe = reg.unit("8341000016002")
    assert oe.last_day == dt.date(2009, 12, 31) and oe.status == "closed"
    assert reg.snapshot().end("8341000016002") == dt.date(2010, 1, 1)
    assert reg.unit("8321000016007", as_of=dt.date(2000, 6, 1)).location_number is None
    assert reg.unit("8321000016007", as_of=dt.date(2001, 1, 1)).location_number is not None
    kinds = {r[0] for r in reg.store.query("SELECT kind FROM unit_events")}
    assert kinds == {"import", "close", "location_number"}


def test_unknown_elements_are_ignored(tmp_path: Path) -> None:
    text = (FIXTURES / "minimal.xml").read_text("utf-8")
    text = text.replace(
        "<OwnerType>", "<NytElement><Indhold>x</Indhold></NytElement><OwnerType>", 1
    )
    path = tmp_path / "extra.xml"
    path.write_text(text, "utf-8")
    reg = _fresh()
    assert import_sor_xml(reg, path).added == 2


def test_demo_register_round_trips_through_sor_xml(demo: sorkit.Register, tmp_path: Path) -> None:
    path = tmp_path / "demo.xml"
    count = write_sor_xml(demo, path)
    reg = _fresh()
    report = import_sor_xml(reg, path)
    assert report.units == count and len(reg.snapshot()) == count
    before_snap, after_snap = demo.snapshot(), reg.snapshot()
    for code in after_snap.codes():
        before = before_snap.reference_version(code, TODAY)
        after = after_snap.reference_version(code, TODAY)
        assert before is not None and after is not None
        assert xml_state(after) == xml_state(before), code
        assert after_snap.first_from(code) == before_snap.first_from(code)
        assert after_snap.end(code) == before_snap.end(code)
    # Importing the same export again changes nothing.
    again = import_sor_xml(reg, path, dry_run=True)
    assert again.summary.empty and again.mode == "update"


def _counts(reg: sorkit.Register) -> dict[str, int]:
    return table_counts(reg.store)


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("truncated.xml", ["linje 31", "afkortet XML"]),
        ("wrong_namespace.xml", ["linje 2", "urn:example:ikke-sor", "navnerummet"]),
        ("bad_dates.xml", ["linje 22", "2015-02-30", "linje 36", "ToDate", "2014-12-31"]),
        ("bad_check_digit.xml", ["linje 29", "SorIdentifier", "1700061000016004", "kontrolciffer"]),
        ("billion_laughs.xml", ["linje 2", "DOCTYPE", "DTD"]),
        ("external_entity.xml", ["linje 2", "DOCTYPE", "DTD"]),
    ],
)
def test_malformed_files_are_rejected_and_change_nothing(
    demo: sorkit.Register, fixture: str, expected: list[str]
) -> None:
    generation, counts = demo.store.generation(), _counts(demo)
    with pytest.raises(sorkit.SorImportError) as info:
        import_sor_xml(demo, FIXTURES / fixture)
    message = str(info.value)
    for part in expected:
        assert part in message, (part, message)
    assert "Intet er skrevet" in message
    assert demo.store.generation() == generation and _counts(demo) == counts


def test_every_bad_unit_is_named(tmp_path: Path) -> None:
    text = (SAMPLES / "ONE_SYGEHUS.xml").read_text("utf-8-sig")
    text = text.replace("347821000016008", "347821000016009")  # bad check digit
    text = text.replace(
        "<FirstFromDate>2009-10-08</FirstFromDate>", "<FirstFromDate>8/10/2009</FirstFromDate>", 1
    )
    text = text.replace(
        "<ShakIdentifier>2529010</ShakIdentifier>", "<ShakIdentifier>25</ShakIdentifier>"
    )
    path = tmp_path / "bad.xml"
    path.write_text(text, "utf-8")
    with pytest.raises(ImportRejected) as info:
        import_sor_xml(_fresh(), path)
    fields = sorted(p.field for p in info.value.problems)  # type: ignore[union-attr]
    assert fields == ["FirstFromDate", "ShakIdentifier", "SorIdentifier"]
    assert all(str(p).startswith("linje ") for p in info.value.problems)


def test_not_xml_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.xml"
    path.write_text("dette er ikke xml", "utf-8")
    with pytest.raises(sorkit.SorImportError, match="linje 1"):
        import_sor_xml(_fresh(), path)
    with pytest.raises(sorkit.SorImportError, match="kan ikke læses"):
        import_sor_xml(_fresh(), tmp_path / "findes-ikke.xml")


def test_a_reader_may_not_import(demo: sorkit.Register) -> None:
    with pytest.raises(sorkit.SorImportError, match="sds_admin"):
        import_sor_xml(demo.as_user("reader"), FIXTURES / "minimal.xml")
