"""Many writers on one PostgreSQL register (issue #20), against a real server.

- 8 processes x 50 changes to different units all apply (writers lock only their own units);
- two processes changing the same unit: one applies, the other gets CONCURRENT_CHANGE, and the
  winner's value is what the register holds (no lost update);
- the database itself refuses a version written behind sorkit's back that overlaps a current one
  (and a location number held by two units on the same day);
- a change applied in one process is seen by a search in another process within a second,
  without reopening (LISTEN/NOTIFY).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest

import sorkit
from sorkit.integrity import check
from tests.helpers import TODAY
from tests.helpers_procs import result, start
from tests.test_concurrency import audit_rows, editable_units

pytestmark = [pytest.mark.postgresql, pytest.mark.slow]  # worker processes, a server

PROCESSES = 8
CHANGES = int(os.environ.get("SORKIT_LOAD_CHANGES", "50"))


@pytest.fixture
def pg_demo(pg_demo_url: str) -> Any:
    reg = sorkit.open_register(pg_demo_url, user="admin", today=TODAY)
    yield reg
    reg.store.close()


def test_eight_processes_apply_400_changes_to_different_units(
    pg_demo: sorkit.Register, tmp_path: Path
) -> None:
    demo = pg_demo
    total = PROCESSES * CHANGES
    units = editable_units(demo, total)
    audit0 = demo.store.query("SELECT count(*) FROM audit")[0][0]
    gen0 = demo.store.generation()
    workers = []
    t0 = time.monotonic()
    for k in range(PROCESSES):
        part = tmp_path / f"units{k}.json"
        part.write_text(json.dumps(units[k * CHANGES : (k + 1) * CHANGES]))
        workers.append(start("edit", demo.path, part, k + 1))
    outcomes = [result(w, timeout=900) for w in workers]
    seconds = time.monotonic() - t0
    applied: dict[str, Any] = {}
    for o in outcomes:
        assert o["rejected"] == {}, o["rejected"]
        applied.update(o["applied"])
    assert len(applied) == total
    demo.refresh()
    for code, (change_id, fields, day) in applied.items():
        unit = demo.unit(code, as_of=dt.date.fromisoformat(day))
        if "phone" in fields:
            assert unit.own["phone"] == fields["phone"], code
        else:
            assert list(unit.own["local_attributes"]) == fields["local_attributes"], code
        assert audit_rows(demo, change_id) == [(code,)]
    assert demo.store.query("SELECT count(*) FROM audit")[0][0] == audit0 + total
    assert demo.store.generation() == gen0 + total
    report = check(demo)
    assert report.ok, report.problems
    figures = {
        "processes": PROCESSES,
        "changes": total,
        "seconds": round(seconds, 1),
        "changes_per_second": round(total / seconds, 2),
        "stale_retries": sum(o["stale"] for o in outcomes),
    }
    print("\nPG LOAD", json.dumps(figures))


def test_two_processes_same_unit_one_concurrent_change_no_lost_update(
    pg_demo: sorkit.Register, tmp_path: Path
) -> None:
    demo = pg_demo
    unit = editable_units(demo, 1)[0]
    go = tmp_path / "go"
    workers = []
    for i in range(2):
        ready = tmp_path / f"ready{i}"
        workers.append((start("race", demo.path, unit, f"5555555{i}", ready, go), ready))
    deadline = time.monotonic() + 120
    while not all(r.exists() for _, r in workers):
        assert time.monotonic() < deadline, "workers did not get ready"
        time.sleep(0.05)
    go.write_text("go")
    outcomes = [result(w) for w, _ in workers]
    applied = [o for o in outcomes if o["result"] == "applied"]
    rejected = [o for o in outcomes if o["result"] == "rejected"]
    assert len(applied) == 1 and len(rejected) == 1, outcomes
    assert rejected[0]["codes"] == ["CONCURRENT_CHANGE"]
    assert demo.unit(unit, as_of=TODAY + dt.timedelta(days=1)).phone == applied[0]["phone"]
    assert check(demo).ok


def _copy_of_current_version(con: psycopg.Connection[Any], code: str) -> str:
    """An INSERT that repeats the unit's current open version (a new id, same valid time)."""
    columns = [
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = "
            "'unit_versions' AND column_name NOT IN ('version_id', 'valid') "
            "ORDER BY ordinal_position"
        )
    ]
    names = ", ".join(columns)
    return (
        f"INSERT INTO unit_versions (version_id, {names}) SELECT nextval('version_ids'), {names} "
        f"FROM unit_versions WHERE sor_code = '{code}' AND superseded_at IS NULL "
        "AND valid_to IS NULL"
    )


def test_the_database_refuses_an_overlapping_version_behind_sorkits_back(
    pg_demo: sorkit.Register,
) -> None:
    demo = pg_demo
    unit = editable_units(demo, 1)[0]
    url = str(demo.path)
    with psycopg.connect(url) as con:
        with pytest.raises(psycopg.errors.ExclusionViolation, match="one_current_version_a_day"):
            with con.transaction():
                con.execute(_copy_of_current_version(con, unit))  # type: ignore[arg-type]
        # Closing the old version's transaction time first makes the same row legal.
        with con.transaction():
            con.execute(_copy_of_current_version(con, unit))  # type: ignore[arg-type]
            con.execute(
                "UPDATE unit_versions SET superseded_at = now() WHERE version_id = (SELECT "
                "min(version_id) FROM unit_versions WHERE sor_code = %s AND superseded_at IS "
                "NULL AND valid_to IS NULL)",
                [unit],
            )


def test_the_database_refuses_one_location_number_on_two_units(pg_demo: sorkit.Register) -> None:
    demo = pg_demo
    snap = demo.snapshot()
    holders = [
        code
        for code in sorted(snap.codes())
        if (vs := snap.versions(code)) and vs[-1].location_number and vs[-1].valid_to is None
    ]
    other = next(c for c in editable_units(demo, 50) if c not in holders)
    gln = snap.versions(holders[0])[-1].location_number["gln"]  # type: ignore[index]
    with psycopg.connect(str(demo.path)) as con:
        with pytest.raises(
            psycopg.errors.ExclusionViolation, match="location_number_one_unit_a_day"
        ):
            with con.transaction():
                con.execute(
                    "UPDATE unit_versions SET location_number = jsonb_build_object('gln', %s::text) "
                    "WHERE sor_code = %s AND superseded_at IS NULL AND valid_to IS NULL",
                    [gln, other],
                )


def test_a_change_in_another_process_reaches_a_search_here_within_a_second(
    pg_demo: sorkit.Register,
) -> None:
    demo = pg_demo
    unit = editable_units(demo, 1)[0]
    store: Any = demo.store
    loads = {"full": 0}
    real = store.load_current

    def counting() -> Any:
        loads["full"] += 1
        return real()

    store.load_current = counting
    tomorrow = TODAY + dt.timedelta(days=1)
    assert demo.search("Lysegrøn Kvikfisk", as_of=tomorrow).empty  # snapshot and index loaded
    outcome = result(start("rename", demo.path, unit, "Lysegrøn Kvikfisk"))
    assert outcome["result"] == "applied"
    day = dt.date.fromisoformat(outcome["day"])
    deadline = time.monotonic() + 1.0
    found = demo.search("Lysegrøn Kvikfisk", as_of=day)
    while found.empty and time.monotonic() < deadline:
        time.sleep(0.02)
        found = demo.search("Lysegrøn Kvikfisk", as_of=day)
    assert list(found["sor_code"]) == [unit]
    assert loads["full"] == 0  # patched in place: the register was not re-read whole
