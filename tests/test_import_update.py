"""Importing a newer export into a register that already holds units: the difference as changes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

import sorkit
from sorkit.exporters import write_sor_xml
from sorkit.importers import import_sor_xml
from sorkit.store.io import table_counts
from tests.builders import add_unit, code, write
from tests.helpers import TODAY
from tests.pgfixtures import new_register

#: Every register test here runs on DuckDB and on PostgreSQL (tests/pgfixtures.py).
pytestmark = pytest.mark.engines

SAMPLES = Path(__file__).parent.parent / "data" / "reference" / "sor_xml_samples"
SNAPSHOT = dt.date(2026, 11, 30)
D = dt.date
IE, SI, DEPT, SECTION = "347801000016001", "347811000016004", "347821000016008", "347831000016005"
NEW = code(170008)


def _base() -> sorkit.Register:
    reg = new_register("importer", TODAY)
    import_sor_xml(reg, SAMPLES / "ONE_SYGEHUS.xml")
    return reg


@pytest.fixture
def newer(tmp_path: Path) -> Path:
    """SOR's newer state: a new clinic, the section renamed and moved under it, the dept closed."""
    sor = _base()
    add_unit(
        sor,
        NEW,
        SI,
        "Roskilde Øjenklinik, klinik 2",
        D(2026, 5, 1),
        unit_type="550851000005109",
        inherit_electronic=True,  # SOR XML needs a telephone number on an own electronic block
    )
    write(sor, SECTION, D(2026, 6, 1), "edit", name="Roskilde Øjenklinik, sengeafsnit")
    write(sor, SECTION, D(2026, 6, 1), "move", parent=NEW)
    write(sor, DEPT, D(2026, 10, 1), "close")
    path = tmp_path / "sor_2026-11-30.xml"
    write_sor_xml(sor, path, as_of=SNAPSHOT, include_closed=True)
    return path


def test_dry_run_lists_the_difference_and_writes_nothing(newer: Path) -> None:
    reg = _base()
    counts = table_counts(reg.store)
    report = import_sor_xml(reg, newer, dry_run=True)
    assert report.mode == "update" and report.dry_run and not report.written
    assert report.counts() == {"added": 1, "changed": 1, "moved": 1, "closed": 1}
    rows = {(r.action, r.sor_code): r for r in report.summary.itertuples()}
    assert rows[("added", NEW)].date == D(2026, 5, 1)
    assert rows[("moved", SECTION)].date == D(2026, 6, 1)
    assert "sengeafsnit" in rows[("changed", SECTION)].changes
    assert rows[("closed", DEPT)].date == D(2026, 9, 30)  # the last day
    assert table_counts(reg.store) == counts and report.snapshot_date == SNAPSHOT


def test_applying_the_difference_gives_sor_s_state_with_history(newer: Path) -> None:
    reg = _base()
    report = import_sor_xml(reg, newer)
    assert report.written and report.change_id
    section = reg.unit(SECTION, as_of=SNAPSHOT)
    assert section.name == "Roskilde Øjenklinik, sengeafsnit" and section.parent == NEW
    assert reg.unit(SECTION, as_of=D(2026, 5, 31)).name == "Roskilde Øjenklinik, beh. afsnit"
    assert reg.unit(SECTION, as_of=D(2026, 5, 31)).parent == DEPT
    assert reg.unit(DEPT).last_day == D(2026, 9, 30) and reg.unit(DEPT).status == "closed"
    assert reg.unit(NEW).valid_from == D(2026, 5, 1)
    events = reg.store.query(
        "SELECT sor_code, kind, effective_from FROM unit_events WHERE change_id = ? ORDER BY sor_code, kind",
        [report.change_id],
    )
    assert sorted(events) == sorted(
        [
            (DEPT, "close", D(2026, 10, 1)),
            (SECTION, "edit", D(2026, 6, 1)),
            (SECTION, "move", D(2026, 6, 1)),
            (NEW, "create", D(2026, 5, 1)),
        ]
    )
    audit = reg.store.query(
        "SELECT sor_code, operation, parameters FROM audit WHERE change_id = ?", [report.change_id]
    )
    assert sorted(a[0] for a in audit) == sorted([DEPT, SECTION, NEW])
    assert all(a[1] == "import" for a in audit)
    assert all(json.loads(a[2])["file"] == newer.name for a in audit)
    # The same export again: nothing left to do.
    assert import_sor_xml(reg, newer, dry_run=True).summary.empty


def test_fields_the_export_does_not_carry_are_kept(newer: Path) -> None:
    reg = _base()
    ln = {
        "gln": "5790000173624",
        "region": "1085",
        "edb_system": "1611000045003",
        "system_supplier": "641000055002",
        "net_operator": "41000035001",
        "administrator": "116",
        "edi_types": ("MEDCOM-1", "MEDCOM-2"),
    }
    write(reg, SI, D(2015, 1, 1), "location_number", location_number=ln)
    sor = _base()
    write(sor, SI, D(2015, 1, 1), "location_number", location_number={**ln, "edi_types": ()})
    path = newer.parent / "with_ln.xml"
    write_sor_xml(sor, path, as_of=SNAPSHOT)
    report = import_sor_xml(reg, path, dry_run=True)
    assert report.summary.empty, report.summary
    # A real change of an EDI attribute is applied, and the EDI message types survive it.
    write(
        sor,
        SI,
        D(2026, 3, 1),
        "location_number",
        location_number={**ln, "edi_types": (), "region": "1084"},
    )
    write_sor_xml(sor, path, as_of=SNAPSHOT)
    report = import_sor_xml(reg, path)
    assert report.counts() == {"changed": 1}
    got = reg.unit(SI, as_of=SNAPSHOT).location_number
    assert got is not None and got.region == "1084" and got.edi_types == ("MEDCOM-1", "MEDCOM-2")


def test_units_missing_from_the_file_close_and_the_guard_counts_them() -> None:
    # A complete export (scope="complete") closes what it lacks, under every owner.
    reg = _base()
    counts = table_counts(reg.store)
    praksis = SAMPLES / "ONE_PRAKSIS.xml"
    with pytest.raises(sorkit.SorImportError, match="max_closures=2"):
        import_sor_xml(reg, praksis, max_closures=2, scope="complete")
    assert table_counts(reg.store) == counts
    dry = import_sor_xml(reg, praksis, max_closures=2, dry_run=True, scope="complete")
    assert dry.closed == 4 and dry.added == 3 and any("force" in c for c in dry.conflicts)
    # An extract of another owner (the default scope) closes nothing of this one.
    assert import_sor_xml(reg, praksis, max_closures=2, dry_run=True).closed == 0
    report = import_sor_xml(reg, praksis, max_closures=2, force=True, scope="complete")
    assert report.written and report.closed == 4
    # Closed from the export's snapshot day (2010-01-26): the last day is the day before.
    assert reg.unit(IE).last_day == D(2010, 1, 25)
    assert reg.unit("8341000016002").ydernummer == "019062"


def test_close_missing_false_leaves_other_units_alone() -> None:
    reg = _base()
    report = import_sor_xml(reg, SAMPLES / "ONE_APOTEK.xml", close_missing=False)
    assert report.counts() == {"added": 3}
    assert reg.unit(IE).status == "active"


def test_a_closed_unit_open_in_the_file_is_a_conflict(newer: Path) -> None:
    reg = _base()
    write(reg, SECTION, D(2020, 1, 1), "close")
    report = import_sor_xml(reg, newer, dry_run=True)
    conflicts = report.summary[report.summary["action"] == "conflict"]
    assert list(conflicts["sor_code"]) == [SECTION]
    assert any(SECTION in c for c in report.conflicts)


def test_an_update_that_breaks_a_guarantee_is_refused(tmp_path: Path) -> None:
    reg = _base()
    # In the register a new unit under the department lives on; the file closes the department.
    add_unit(reg, NEW, DEPT, "Ny enhed", D(2026, 1, 1), unit_type="550851000005109")
    sor = _base()
    write(sor, DEPT, D(2026, 10, 1), "close")
    write(sor, SECTION, D(2026, 10, 1), "close")
    path = tmp_path / "closed.xml"
    write_sor_xml(sor, path, as_of=SNAPSHOT, include_closed=True)
    counts = table_counts(reg.store)
    with pytest.raises(sorkit.SorImportError, match="garantier"):
        import_sor_xml(reg, path, close_missing=False)
    assert table_counts(reg.store) == counts
