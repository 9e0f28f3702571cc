"""The PostgreSQL store: schema and migrations, foreign and newer databases, bitemporal reads,
per-unit version checks (a write is refused only when one of its own units changed)."""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest

import sorkit
from sorkit.errors import StaleSnapshot
from sorkit.store import WriteSet
from sorkit.store.pgschema import LATEST_VERSION, MIGRATIONS
from sorkit.store.schema import MIGRATIONS as DUCKDB_MIGRATIONS
from tests import pgserver
from tests.builders import add_unit, code, write

pytestmark = pytest.mark.postgresql

D = dt.date
TODAY = D(2026, 12, 1)


def test_same_numbered_migrations_as_duckdb() -> None:
    assert [(n, name) for n, name, _ in MIGRATIONS] == [
        (n, name) for n, name, _ in DUCKDB_MIGRATIONS
    ]


def test_new_database_gets_latest_schema_and_constraints(pg_url: str) -> None:
    url = pgserver.create_database(pg_url)
    reg = sorkit.open_register(url, user="a", today=TODAY)
    assert reg.store.schema_version() == LATEST_VERSION
    assert reg.path == url and len(reg.snapshot()) == 0
    names = {
        r[0]
        for r in reg.store.query(
            "SELECT conname FROM pg_constraint WHERE conrelid = 'unit_versions'::regclass"
        )
    }
    assert {"one_current_version_a_day", "location_number_one_unit_a_day"} <= names
    reg.store.close()
    # Opening again neither migrates again nor fails.
    again = sorkit.open_register(url, user="a", today=TODAY)
    assert again.store.schema_version() == LATEST_VERSION
    again.store.close()


def test_foreign_and_newer_databases_are_refused(pg_url: str, pg_database: str) -> None:
    foreign = pgserver.create_database(pg_url)
    with psycopg.connect(foreign, autocommit=True) as con:
        con.execute("CREATE TABLE something (x int)")
    with pytest.raises(sorkit.SchemaError, match="ikke et sorkit-register"):
        sorkit.open_register(foreign)
    with psycopg.connect(pg_database, autocommit=True) as con:
        con.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    with pytest.raises(sorkit.SchemaError, match="nyere sorkit"):
        sorkit.open_register(pg_database)


def test_bitemporal_read_as_known_at_an_earlier_moment(pg_database: str) -> None:
    reg = sorkit.open_register(pg_database, user="admin", today=TODAY)
    ie = add_unit(reg, code(1), None, "Region Test", D(2020, 1, 1), phone="11111111")
    before_edit = reg.clock.now()
    write(reg, ie, D(2024, 1, 1), "edit", phone="22222222")
    after_edit = reg.clock.now()
    assert reg.unit(ie, as_of=D(2023, 6, 1)).phone == "11111111"
    assert reg.unit(ie, as_of=D(2025, 6, 1)).phone == "22222222"
    assert reg.unit(ie, as_of=D(2025, 6, 1), known_at=before_edit).phone == "11111111"
    assert reg.unit(ie, as_of=D(2025, 6, 1), known_at=after_edit).phone == "22222222"
    rows = reg.store.query("SELECT count(*) FROM unit_versions WHERE superseded_at IS NOT NULL")
    assert rows[0][0] >= 1
    reg.store.close()


def test_a_stale_unit_is_refused_and_another_unit_is_not(pg_database: str) -> None:
    a = sorkit.open_register(pg_database, user="admin", today=TODAY)
    region = add_unit(a, code(1), None, "Region Test", D(2020, 1, 1))
    other = add_unit(a, code(2), None, "Region Anden", D(2020, 1, 1))
    b = sorkit.open_register(pg_database, user="admin", today=TODAY)
    stale_generation = b.snapshot().generation
    # b plans a change of the other unit on the register as it is now ...
    plan = b.plan(sorkit.EditUnit(other, name="Region Anden Ny"))
    assert plan.generation == stale_generation
    # ... then a changes the region: the register's generation moves on.
    write(a, region, D(2024, 1, 1), "edit", name="Region Ny")
    assert a.store.generation() == stale_generation + 1
    with pytest.raises(StaleSnapshot):  # a write of the region planned before is refused
        b.store.write(
            WriteSet(expected_generation=stale_generation, user="b", touched={region}),
            lambda c, e, n: [],
            b.clock.now(),
        )
    # b's plan of the other unit goes through at the first attempt (no StaleSnapshot, no
    # re-plan): only its own unit is checked.
    stale_writes = []
    real_write = b.store.write

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        try:
            return real_write(*args, **kwargs)
        except StaleSnapshot:
            stale_writes.append(1)
            raise

    b.store.write = counting  # type: ignore[method-assign]
    b.apply(plan)
    assert stale_writes == []
    assert a.store.generation() == stale_generation + 2
    tomorrow = TODAY + dt.timedelta(days=1)
    assert a.unit(other, as_of=tomorrow).name == "Region Anden Ny"
    assert b.unit(region, as_of=D(2025, 1, 1)).name == "Region Ny"
    a.store.close()
    b.store.close()
