"""The SOR XML export validates against the real SOR XML v1.0.0 schema and round-trips."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from lxml import etree

import sorkit
from sorkit import CloseUnit, CreateUnit, EditUnit, MoveUnit, SetLocationNumber
from sorkit.errors import SorExportError
from sorkit.exporters import write_sor_xml
from sorkit.exporters.sorxml import SPECIALITY_TYPE
from sorkit.ids import make_gln
from sorkit.importers import import_sor_xml
from sorkit.importers.xmlfields import NOT_IN_XML, XML_FIELDS
from sorkit.model import STATE_FIELDS
from tests.builders import write
from tests.helpers_rules import OE_TYPE, TODAY, Units, day, location_number
from tests.sorxsd import schema_errors, xml_state

SAMPLES = Path(__file__).parent.parent / "data" / "reference" / "sor_xml_samples"
NS = {"s": "urn:oio:sundhedsstyrelsen:organisation:1.0.0"}
TP = "Allerød Kommunes Tandpleje"
TBS = "Tandplejen Blovstrød Skole"
LYN = "Tandplejen Lyngehus Skolen"
SEK = "Sekretariatet, Allerød"


def _fresh(today: dt.date = TODAY) -> sorkit.Register:
    return sorkit.open_register(None, user="importer", today=today)


def _edi(gln: str) -> sorkit.LocationNumber:
    """A location number with numeric EDI codes, as SOR XML requires (xs:long)."""
    return location_number(
        gln,
        edb_system="1611000045003",
        system_supplier="641000055002",
        net_operator="41000035001",
        administrator="116",
    )


def assert_round_trip(source: sorkit.Register, path: Path, day_: dt.date) -> sorkit.Register:
    """Import ``path`` into a new register; every unit equals ``source`` as far as XML carries."""
    reg = _fresh(day_)
    import_sor_xml(reg, path)
    before, after = source.snapshot(), reg.snapshot()
    assert sorted(after.codes()) == sorted(
        c for c in before.codes() if before.reference_version(c, day_) is not None
    )
    for code in after.codes():
        old, new = before.reference_version(code, day_), after.reference_version(code, day_)
        assert old is not None and new is not None
        assert xml_state(new) == xml_state(old), code
        assert after.first_from(code) == before.first_from(code), code
        assert after.end(code) == before.end(code), code
    return reg


@pytest.mark.parametrize("name", ["ONE_SYGEHUS", "ONE_PRAKSIS", "ONE_APOTEK"])
def test_real_samples_validate(name: str) -> None:
    assert schema_errors(SAMPLES / f"{name}.xml") == []


def test_demo_register_export_is_schema_valid(demo: sorkit.Register, tmp_path: Path) -> None:
    path = tmp_path / "demo.xml"
    count = write_sor_xml(demo, path)
    assert count == len(demo.snapshot())  # closed units included by default
    assert schema_errors(path) == []
    doc = etree.parse(str(path))
    # The elements that broke the schema before: speciality types, CVR, local attributes.
    assert doc.xpath("count(//s:ClinicalSpeciality)", namespaces=NS) > 100
    assert doc.xpath("count(//s:ClinicalSpeciality/s:SpecialityType)", namespaces=NS) == (
        doc.xpath("count(//s:ClinicalSpeciality)", namespaces=NS)
    )
    assert doc.xpath("//s:SpecialityType/text()", namespaces=NS)[0] == SPECIALITY_TYPE
    assert not doc.xpath("//s:CvrNumberIdentifier", namespaces=NS)
    assert doc.xpath("count(//s:LocalAttributeCollection)", namespaces=NS) > 10
    assert doc.xpath("count(//s:LocalAttribute3)", namespaces=NS) > 0
    assert doc.xpath("count(//s:ToDate)", namespaces=NS) > 0  # closed units with their last day


def test_changed_register_export_is_schema_valid_and_round_trips(
    demo: sorkit.Register, tmp_path: Path
) -> None:
    u = Units(demo)
    created = demo.apply(
        demo.plan(
            CreateUnit(
                parent=u[TP],
                name="Tandplejen Kongevejens Skole",
                unit_type=OE_TYPE,
                phone="48 10 00 00",
                local_attributes=("", "", "tredje"),
                specialities=("408443003",),
            )
        ),
        accept={"PUBLIC_INFORMATION": "offentligt nummer"},
    ).sor_codes[0]
    demo.apply(
        demo.plan(EditUnit(u[TBS], name="Tandplejen Blovstrød", local_attributes=("", "b"))),
        accept={"PUBLIC_INFORMATION": "ok"},
    )
    move = demo.plan(MoveUnit(u[LYN], new_parent=u[SEK], effective_from=day(2)))
    demo.apply(move, accept={w.code: "aftalt" for w in move.warnings})
    gln = make_gln("579000099887")
    ln = demo.plan(SetLocationNumber(u[SEK], _edi(gln), effective_from=day(3)))
    demo.apply(ln, accept={w.code: "aftalt" for w in ln.warnings})
    close = demo.plan(CloseUnit(created, day(30), confirm=True))
    demo.apply(close, accept={w.code: "aftalt" for w in close.warnings})

    for as_of in (TODAY, day(10), day(40)):
        path = tmp_path / f"changed-{as_of}.xml"
        write_sor_xml(demo, path, as_of)
        assert schema_errors(path) == [], as_of
        reg = assert_round_trip(demo, path, as_of)
        if as_of == day(10):
            assert reg.unit(u[TBS]).name == "Tandplejen Blovstrød"
            assert reg.snapshot().reference_version(created, as_of).local_attributes == (
                "",
                "",
                "tredje",
            )
            sek = reg.unit(u[SEK])
            assert sek.location_number is not None and sek.location_number.gln == gln
            assert reg.unit(u[LYN]).parent == u[SEK]
        if as_of == day(40):
            assert reg.snapshot().end(created) == day(31)


@pytest.mark.parametrize("name", ["ONE_SYGEHUS", "ONE_PRAKSIS", "ONE_APOTEK"])
def test_real_samples_round_trip(name: str, tmp_path: Path) -> None:
    first = _fresh(dt.date(2010, 1, 26))
    import_sor_xml(first, SAMPLES / f"{name}.xml")
    path = tmp_path / f"{name}.xml"
    write_sor_xml(first, path, dt.date(2010, 1, 26))
    assert schema_errors(path) == []
    second = assert_round_trip(first, path, dt.date(2010, 1, 26))
    # Every state field of every unit, not only those XML carries: the samples hold nothing else.
    for code in first.snapshot().codes():
        a = first.snapshot().reference_version(code, dt.date(2010, 1, 26))
        b = second.snapshot().reference_version(code, dt.date(2010, 1, 26))
        assert a is not None and b is not None and a.state() == b.state()


def test_closed_units_only_on_request(demo: sorkit.Register, tmp_path: Path) -> None:
    snap = demo.snapshot()
    closed = [c for c in snap.codes() if snap.status(c, TODAY) == "closed"]
    assert closed
    everything = sorkit.export(demo, tmp_path / "all.xml", "xml")
    in_force = sorkit.export(demo, tmp_path / "open.xml", "xml", include_closed=False)
    assert everything.count == len(snap) and in_force.count == len(snap) - len(closed)
    assert schema_errors(tmp_path / "open.xml") == []
    csv = sorkit.export(demo, tmp_path / "units.csv", "csv")
    csv_all = sorkit.export(demo, tmp_path / "all.csv", "csv", include_closed=True)
    assert csv.count == in_force.count and csv_all.count == everything.count
    fhir = sorkit.export(demo, tmp_path / "units.json", "fhir")
    assert fhir.count == in_force.count
    with pytest.raises(ValueError, match="Parquet"):
        sorkit.export(demo, tmp_path / "pq", "parquet", include_closed=False)


def test_what_the_schema_has_no_place_for_is_documented() -> None:
    assert NOT_IN_XML["OE"] == {"cvr", "p_number"}
    assert {"cvr", "p_number", "shak", "local_attributes", "specialities"} <= NOT_IN_XML["IE"]
    assert {"local_code", "ydernummer", "local_attributes"} <= NOT_IN_XML["SI"]
    for level in ("IE", "SI", "OE"):
        assert XML_FIELDS[level] | NOT_IN_XML[level] == set(STATE_FIELDS)
    doc = sorkit.exporters.sorxml.__doc__ or ""
    assert "CVR" in doc and "P-number" in doc and "SpecialityType" in doc


def test_cvr_stays_in_the_register_on_an_xml_update(demo: sorkit.Register, tmp_path: Path) -> None:
    path = tmp_path / "demo.xml"
    write_sor_xml(demo, path)
    snap = demo.snapshot()
    with_cvr = [c for c in snap.codes() if (snap.reference_version(c, TODAY) or snap).cvr]
    assert with_cvr
    report = import_sor_xml(demo, path, dry_run=True)
    assert report.summary.empty  # nothing to change: missing CVR is not "CVR removed"


def test_unwritable_values_are_named_and_nothing_is_written(tmp_path: Path) -> None:
    reg = _fresh()
    path = tmp_path / "owner.xml"
    import_sor_xml(reg, SAMPLES / "ONE_PRAKSIS.xml")
    write(reg, "8321000016007", dt.date(2010, 1, 1), "edit", phone="112")
    path.write_text("old", "utf-8")
    with pytest.raises(SorExportError) as caught:
        write_sor_xml(reg, path, dt.date(2010, 6, 1))
    assert "8321000016007" in str(caught.value) and "TelephoneNumberIdentifier" in str(caught.value)
    assert "'112'" in str(caught.value)
    assert path.read_text("utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["owner.xml"]


@pytest.mark.parametrize(
    ("only_internal", "inactive"), [(True, False), (False, True), (True, True)]
)
def test_location_number_flags_as_sor_writes_them(
    tmp_path: Path, only_internal: bool, inactive: bool
) -> None:
    reg = _fresh(dt.date(2010, 1, 26))
    import_sor_xml(reg, SAMPLES / "ONE_PRAKSIS.xml")
    owner = "8321000016007"
    ln = dict(reg.snapshot().versions(owner)[-1].location_number or {})
    ln.update(only_internal=only_internal, inactive=inactive)
    write(reg, owner, dt.date(2010, 1, 1), "location_number", location_number=ln)
    path = tmp_path / "flags.xml"
    write_sor_xml(reg, path, dt.date(2010, 1, 26))
    assert schema_errors(path) == []
    doc = etree.parse(str(path))
    flags = doc.xpath("//s:InstitutionOwner/s:EanLocationCodeEntity", namespaces=NS)[0]
    assert flags.findtext("s:OnlyInternalIndicator", namespaces=NS) == str(only_internal).lower()
    assert flags.findtext("s:NonActiveIndicator", namespaces=NS) == str(inactive).lower()
    back = _fresh(dt.date(2010, 1, 26))
    import_sor_xml(back, path)
    got = back.unit(owner).location_number
    assert got is not None and (got.only_internal, got.inactive) == (only_internal, inactive)
