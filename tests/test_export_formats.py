"""Exports: Parquet round trip, FHIR R4 bundle with DK Core identifiers, SOR-like CSV."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from fhir.resources.R4B.bundle import Bundle

import sorkit
from sorkit.exporters import export, load_parquet
from sorkit.exporters.common import UnitReader
from sorkit.exporters.fhir import CVR_SYSTEM, GLN_SYSTEM, SOR_SYSTEM, YDERNUMMER_SYSTEM
from sorkit.importers import import_sor_xml
from sorkit.store.io import table_names, table_rows
from tests.helpers import TODAY

SAMPLES = Path(__file__).parent.parent / "data" / "reference" / "sor_xml_samples"


def test_parquet_round_trip_gives_an_identical_register(
    demo: sorkit.Register, tmp_path: Path
) -> None:
    result = export(demo, tmp_path / "dump", format="parquet")
    manifest = json.loads((tmp_path / "dump" / "manifest.json").read_text("utf-8"))
    assert manifest["schema_version"] == demo.store.schema_version()
    assert set(manifest["tables"]) == set(table_names(demo.store))
    assert result.count == manifest["tables"]["unit_versions"]["rows"]
    copy = load_parquet(tmp_path / "dump", tmp_path / "copy.duckdb", user="admin", today=TODAY)
    assert table_names(copy.store) == table_names(demo.store)
    for table in table_names(demo.store):
        assert table_rows(copy.store, table) == table_rows(demo.store, table), table
    # The copy works: reads agree, and new rows get fresh ids.
    code = next(iter(demo.snapshot().codes()))
    assert copy.unit(code) == demo.unit(code)
    next_ids = copy.store.query("SELECT nextval('event_ids')")[0][0]
    assert next_ids > demo.store.query("SELECT max(event_id) FROM unit_events")[0][0]


def test_parquet_load_refuses_a_register_that_is_not_empty(
    demo: sorkit.Register, tmp_path: Path
) -> None:
    export(demo, tmp_path / "dump", format="parquet")
    with pytest.raises(sorkit.SorImportError, match="ikke tomt"):
        load_parquet(tmp_path / "dump", demo.path)
    with pytest.raises(sorkit.SorImportError, match="Parquet"):
        load_parquet(tmp_path, None)


def _entries(path: Path) -> list[dict]:
    return json.loads(path.read_text("utf-8"))["entry"]


def test_fhir_bundle_of_the_demo(demo: sorkit.Register, tmp_path: Path) -> None:
    path = tmp_path / "bundle.json"
    result = export(demo, path, format="fhir")
    data = json.loads(path.read_text("utf-8"))
    assert data["resourceType"] == "Bundle" and data["type"] == "collection"
    entries = data["entry"]
    assert len(entries) == result.count > 2000
    urls = {e["fullUrl"] for e in entries}
    assert len(urls) == len(entries)
    systems = set()
    for e in entries:
        org = e["resource"]
        assert org["resourceType"] == "Organization"
        if "partOf" in org:
            assert org["partOf"]["reference"] in urls
        sor = [i for i in org["identifier"] if i["system"] == SOR_SYSTEM]
        assert len(sor) == 1 and sor[0]["value"] == org["id"]
        assert "start" in sor[0]["period"]
        systems |= {i["system"] for i in org["identifier"]}
    assert systems == {SOR_SYSTEM, GLN_SYSTEM, CVR_SYSTEM, YDERNUMMER_SYSTEM}
    # Every non-root unit has a parent in the bundle.
    roots = [e for e in entries if "partOf" not in e["resource"]]
    assert all(e["resource"]["id"] in set(demo.roots()["sor_code"]) for e in roots)
    # fhir.resources validates the bundle (R4B: Organization is as in R4); a slice keeps it quick.
    Bundle.model_validate({**data, "entry": entries[:400]})


def test_fhir_gln_only_for_own_numbers_and_periods(tmp_path: Path) -> None:
    reg = sorkit.open_register(None, user="importer", today=TODAY)
    import_sor_xml(reg, SAMPLES / "ONE_PRAKSIS.xml")
    path = tmp_path / "b.json"
    export(reg, path, format="fhir", as_of="2005-01-01")
    Bundle.model_validate_json(path.read_text("utf-8"))
    orgs = {e["resource"]["id"]: e for e in _entries(path)}
    ie = orgs["8321000016007"]["resource"]
    assert {"system": GLN_SYSTEM, "value": "5790000141227"} in ie["identifier"]
    assert ie["active"] is True and ie["telecom"][0] == {
        "system": "phone",
        "value": "48300204",
        "use": "work",
    }
    assert ie["address"][0]["city"] == "Gilleleje" and ie["address"][0]["postalCode"] == "3250"
    oe = orgs["8341000016002"]["resource"]
    assert GLN_SYSTEM not in {i["system"] for i in oe["identifier"]}  # inherited, not own
    assert {"system": YDERNUMMER_SYSTEM, "value": "019062"} in oe["identifier"]
    assert oe["partOf"]["reference"] == orgs["8331000016009"]["fullUrl"]
    assert oe["identifier"][0]["period"] == {"start": "1999-03-25"}


def test_csv_export_columns_and_values(demo: sorkit.Register, tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    result = export(demo, path, format="csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    assert len(rows) == result.count
    snap = demo.snapshot()
    expected = [c for c in snap.codes() if snap.status(c, TODAY) != "closed"]
    assert len(rows) == len(expected)
    seen: set[str] = set()
    for row in rows:
        code = row["SorId"].removeprefix('="').removesuffix('"')
        parent = row["ParentSorId"].removeprefix('="').removesuffix('"')
        assert not parent or parent in seen  # parents come first
        seen.add(code)
        assert row["SorType"] in ("IE", "SI", "OE")
        assert row["Nedarvningsstatus"] in ("", "egen", "nedarvet")
        assert bool(row["EanLocationCode"]) == bool(row["Nedarvningsstatus"])
    pending = [r for r in rows if r["ToDate"]]
    assert pending, "closing units show their last day"
    sample = rows[len(rows) // 2]
    unit = demo.unit(sample["SorId"].removeprefix('="').removesuffix('"'))
    assert sample["EntityName"] == unit.name
    assert sample["VirtualAddressTelephoneNumber"] == (unit.phone or "")
    assert sample["FirstFromDate"] == unit.valid_from.isoformat()


def test_unit_reader_matches_register_unit(demo: sorkit.Register) -> None:
    reader = UnitReader(demo.snapshot())
    for code in list(demo.snapshot().codes())[::97]:
        assert reader.unit(code, TODAY) == demo.unit(code)


def test_unknown_format(demo: sorkit.Register, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="ukendt eksportformat"):
        export(demo, tmp_path / "x", format="xlsx")
