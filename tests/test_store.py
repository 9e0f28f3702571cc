"""The store: schema versions and migrations, bitemporal reads, foreign and newer files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

import sorkit
from sorkit.store import Store, release_all
from sorkit.store.schema import LATEST_VERSION, MIGRATIONS
from tests.builders import add_unit, code, write

D = dt.date


def test_new_file_gets_latest_schema(tmp_path: Path) -> None:
    store = Store(tmp_path / "r.duckdb")
    assert store.schema_version() == LATEST_VERSION
    assert store.generation() == 0


def test_upgrade_from_v1(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    for sql in MIGRATIONS[0][2]:
        con.execute(sql)
    con.execute(
        "INSERT INTO meta VALUES ('app', 'sorkit'), ('generation', '0'), ('schema_version', '1')"
    )
    con.close()
    reg = sorkit.open_register(path, user="a", today=D(2026, 12, 1))
    assert reg.store.schema_version() == LATEST_VERSION
    # The upgraded file has what version 2 added: the batches table and location_numbers view.
    assert reg.store.query("SELECT count(*) FROM batches") == [(0,)]
    assert reg.store.query("SELECT count(*) FROM location_numbers") == [(0,)]


def test_foreign_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE customers (id INTEGER)")
    con.close()
    with pytest.raises(sorkit.SchemaError, match="ikke et sorkit-register"):
        sorkit.open_register(path)


def test_newer_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.duckdb"
    Store(path)
    release_all()  # this process's lingering handle, before a second handle opens it
    con = duckdb.connect(str(path))
    con.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    con.close()
    with pytest.raises(sorkit.SchemaError, match="nyere sorkit"):
        sorkit.open_register(path)


def test_bitemporal_read_as_known_at_an_earlier_moment(tmp_path: Path) -> None:
    reg = sorkit.open_register(tmp_path / "r.duckdb", user="admin", today=D(2026, 12, 1))
    ie = add_unit(
        reg,
        code(1),
        None,
        "Region Test",
        D(2020, 1, 1),
        phone="11111111",
        postal_address={"street": "Vej", "house_number": "1", "postcode": "2300"},
    )
    before_edit = reg.clock.now()
    write(reg, ie, D(2024, 1, 1), "edit", phone="22222222")
    after_edit = reg.clock.now()
    # Valid time: the edit holds from 2024 on, the old phone before.
    assert reg.unit(ie, as_of=D(2023, 6, 1)).phone == "11111111"
    assert reg.unit(ie, as_of=D(2025, 6, 1)).phone == "22222222"
    # Transaction time: before the edit was recorded, 2025 still had the old phone.
    assert reg.unit(ie, as_of=D(2025, 6, 1), known_at=before_edit).phone == "11111111"
    assert reg.unit(ie, as_of=D(2025, 6, 1), known_at=after_edit).phone == "22222222"
    # Nothing is deleted: the superseded version is still stored.
    rows = reg.store.query("SELECT count(*) FROM unit_versions WHERE superseded_at IS NOT NULL")
    assert rows[0][0] >= 1


def test_unknown_before_it_was_recorded(tmp_path: Path) -> None:
    reg = sorkit.open_register(tmp_path / "r.duckdb", user="admin", today=D(2026, 12, 1))
    early = reg.clock.now()
    ie = add_unit(reg, code(1), None, "Region Test", D(2020, 1, 1))
    with pytest.raises(sorkit.UnitNotFound):
        reg.unit(ie, known_at=early)


def test_stale_generation_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "r.duckdb"
    a = sorkit.open_register(path, user="admin", today=D(2026, 12, 1))
    add_unit(a, code(1), None, "Region Test", D(2020, 1, 1))
    b = sorkit.open_register(path, user="admin", today=D(2026, 12, 1))
    stale = b.snapshot()
    write(a, code(1), D(2024, 1, 1), "edit", name="Region Ny")
    from sorkit.errors import StaleSnapshot
    from sorkit.store import WriteSet

    with pytest.raises(StaleSnapshot):
        b.store.write(
            WriteSet(expected_generation=stale.generation, user="b"),
            lambda c, e, n: [],
            b.clock.now(),
        )
    # A second register on the same file sees the first one's write at its next read.
    assert b.unit(code(1), as_of=D(2025, 1, 1)).name == "Region Ny"


@pytest.mark.slow
def test_small_writes_store_exactly_what_the_arrow_path_stores(
    demo: sorkit.Register, tmp_path: Path
) -> None:
    """Single changes insert through parameterised SQL; the rows must equal the Arrow path's."""
    import datetime as dt

    from sorkit.store import rows, smallwrites

    snap = demo.snapshot()
    versions = [v for c in sorted(snap.codes()) for v in snap.versions(c)]
    full = versions[0]
    address = {"street": "Blegdamsvej", "house_number": "9", "postcode": "2100", "city": "Kbh Ø"}
    versions.append(  # every struct and list field filled, None and empty lists elsewhere
        full._replace(
            sor_code="1" + full.sor_code[1:],
            postal_address=address,
            visiting_address={**address, "skip_validation": True},
            activity_address={**address, "floor": "st", "door": "tv"},
            replaces=("123",),
            replaced_by=(),
            specialities=("394594003", "394585009"),
            location_number={
                "gln": "5790000141227",
                "net_operator": "41000035001",
                "region": "1084",
                "only_internal": False,
                "edi_types": ("MEDCOM", "OIOXML"),
            },
        )
    )
    now = dt.datetime(2026, 1, 1, 12, 0)
    bulk, small = Store(tmp_path / "bulk.duckdb"), Store(tmp_path / "small.duckdb")
    with bulk.transaction() as con:
        rows.insert_versions(con, rows.versions_table(versions, "u", now), "u", now, 1)
    with small.transaction() as con:
        for i in range(0, len(versions), 7):
            smallwrites.insert_versions(con, versions[i : i + 7], "u", now, 1)
    sql = "SELECT * EXCLUDE (version_id) FROM unit_versions ORDER BY sor_code, valid_from"
    assert bulk.query(sql) == small.query(sql)
    assert len(bulk.query(sql)) == len(versions)
