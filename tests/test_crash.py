"""Crash safety: a process killed with SIGKILL in the middle of a write leaves no trace (#10).

The worker (``tests/helpers_procs.py``) makes a step inside the write transaction print
``INSIDE`` and sleep (a test hook installed in the worker, not in library code); the test kills
it there. The register must then be exactly as before (every table's rows and a hash of them),
open again, pass the integrity check and take the next change. A kill right after the commit
must keep the whole change (DuckDB replays its WAL). Also: the integrity check finds damage.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import signal
import time
from pathlib import Path
from typing import Any

import duckdb
import pytest

import sorkit
import sorkit.store
from sorkit.integrity import check
from tests.helpers import TODAY
from tests.helpers_procs import fingerprint, start, wait_for_line

# Worker processes killed mid-write: seconds each (make test runs them; make test-fast not).
pytestmark = pytest.mark.slow

REGION_SJAELLAND = "1605661000016005"  # an IE with 128 units under it in the demo


def kill(proc: Any) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def assert_usable(path: str | os.PathLike[str]) -> sorkit.Register:
    """The register opens, passes the integrity check and takes a new change."""
    reg = sorkit.open_register(path, user="admin", today=TODAY, busy_timeout=30)
    report = check(reg)
    assert report.ok, report.problems
    snap = reg.snapshot()
    code = next(
        c
        for c in sorted(snap.codes())
        if snap.versions(c)[-1].level == "OE" and snap.end(c) is None
    )
    plan = reg.plan(sorkit.EditUnit(code, phone="12121212"))
    reg.apply(plan, accept={w.code: "test" for w in plan.warnings})
    assert check(reg).ok
    return reg


def test_kill_inside_cascade_close(demo: sorkit.Register) -> None:
    plan = demo.plan(
        sorkit.CloseUnit(REGION_SJAELLAND, TODAY + dt.timedelta(days=8), confirm=True, cascade=True)
    )
    assert len(plan.events) > 100, plan.codes  # a large WriteSet through the public API
    before = fingerprint(demo.path)
    worker = start(
        "close",
        demo.path,
        REGION_SJAELLAND,
        TODAY + dt.timedelta(days=8),
        env={"SORKIT_TEST_SLOW": "insert_audit:120"},
    )
    wait_for_line(worker, "INSIDE")
    kill(worker)
    assert fingerprint(demo.path) == before
    reg = assert_usable(demo.path)
    assert reg.unit(REGION_SJAELLAND).last_day is None


@pytest.mark.parametrize(
    "step", ["insert_events", "supersede_versions", "insert_versions", "set_generation"]
)
def test_kill_inside_a_large_write(demo: sorkit.Register, step: str) -> None:
    before = fingerprint(demo.path)
    worker = start("bigwrite", demo.path, 2000, env={"SORKIT_TEST_SLOW": f"{step}:120"})
    wait_for_line(worker, "INSIDE")
    kill(worker)
    assert fingerprint(demo.path) == before
    assert_usable(demo.path)


def test_kill_after_commit_keeps_the_whole_change(demo: sorkit.Register) -> None:
    before = fingerprint(demo.path)
    gen0 = demo.store.generation()
    worker = start("bigwrite", demo.path, 2000, env={"SORKIT_TEST_AFTER_COMMIT": "120"})
    wait_for_line(worker, "COMMITTED")
    kill(worker)
    after = fingerprint(demo.path)
    assert after != before
    reg = sorkit.open_register(demo.path, user="admin", today=TODAY)
    assert reg.store.generation() == gen0 + 1
    q = "SELECT count(*) FROM {} WHERE change_id = 'bigwrite-crash'"
    assert reg.store.query(q.format("unit_events"))[0][0] == 2000
    assert reg.store.query(q.format("audit"))[0][0] == 2000
    assert_usable(demo.path)


def test_kill_at_random_moments(demo_template: Path, tmp_path: Path) -> None:
    """Kills at random times around a large write: always all of it or none of it."""
    rng = random.Random(10)
    outcomes = []
    for trial in range(4):
        path = tmp_path / f"trial{trial}.duckdb"
        shutil.copy(demo_template, path)
        before = fingerprint(path)
        worker = start("bigwrite", path, 1500)
        wait_for_line(worker, '{"planned": 1500}')
        time.sleep(rng.uniform(0.0, 1.5))
        if worker.poll() is None:
            kill(worker)
        else:
            worker.communicate()
        reg = sorkit.open_register(path, user="admin", today=TODAY, busy_timeout=30)
        written = reg.store.query("SELECT count(*) FROM audit WHERE change_id = 'bigwrite-crash'")[
            0
        ][0]
        if written == 0:
            assert fingerprint(path) == before
        else:
            assert written == 1500
            events = "SELECT count(*) FROM unit_events WHERE change_id = 'bigwrite-crash'"
            assert reg.store.query(events)[0][0] == 1500
        report = check(reg)
        assert report.ok, report.problems
        outcomes.append(written)
    print("\nRANDOM KILLS", outcomes)


@pytest.fixture(scope="module")
def demo_xml(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo register exported as a SOR XML complete export."""
    reg = sorkit.open_register(demo_template, user="admin", today=TODAY)
    out = tmp_path_factory.mktemp("xml") / "demo.xml"
    sorkit.export(reg, out, format="xml")
    return out


def test_kill_during_a_chunked_import(demo_xml: Path, tmp_path: Path) -> None:
    path = tmp_path / "fresh.duckdb"
    sorkit.open_register(path, user="admin", today=TODAY)  # an empty, unmanaged register
    before = fingerprint(path)
    worker = start(
        "importxml", path, demo_xml, 200, env={"SORKIT_TEST_SLOW": "insert_versions:120"}
    )
    wait_for_line(worker, "INSIDE", timeout=300)  # after the first chunk of 200 units
    kill(worker)
    assert fingerprint(path) == before
    reg = sorkit.open_register(path, user="admin", today=TODAY)
    assert len(reg.snapshot()) == 0
    assert check(reg).ok
    report = sorkit.import_sor_xml(reg, demo_xml, chunk=500)  # the import can simply be rerun
    assert report.written and len(reg.snapshot()) == report.units
    assert check(reg).ok


# -- the integrity check finds damage ----------------------------------------------------------


def _damage(path: str | os.PathLike[str], *sql: str) -> None:
    sorkit.store.release_all()  # this process's lingering handle, before a second one
    con = duckdb.connect(str(path))
    try:
        for statement in sql:
            con.execute(statement)
    finally:
        con.close()


def test_integrity_check_passes_on_the_demo(demo: sorkit.Register) -> None:
    report = check(demo.path)
    assert report.ok, report.problems
    assert report.units == len(demo.snapshot())
    assert "i orden" in report.summary()


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        (
            "DELETE FROM audit WHERE audit_id = (SELECT max(audit_id) FROM audit)",
            "mangler sin audit-post",
        ),
        (
            "INSERT INTO audit SELECT * FROM audit WHERE audit_id = 1",
            "audit-poster (skal være én)",
        ),
        (
            "UPDATE unit_events SET superseded_at = now() WHERE event_id = "
            "(SELECT max(event_id) FROM unit_events WHERE kind = 'edit')",
            "svarer ikke til hændelserne",
        ),
        (
            "UPDATE unit_versions SET phone = '00000000' WHERE version_id = "
            "(SELECT max(version_id) FROM unit_versions WHERE superseded_at IS NULL)",
            "svarer ikke til hændelserne",
        ),
        (
            "UPDATE unit_versions SET valid_from = valid_from + 1 WHERE version_id = ("
            "SELECT max(v.version_id) FROM unit_versions v JOIN unit_versions w "
            "ON w.sor_code = v.sor_code AND w.valid_to = v.valid_from AND w.superseded_at IS NULL "
            "WHERE v.superseded_at IS NULL AND (v.valid_to IS NULL OR v.valid_to > v.valid_from + 1))",
            "Garanti brudt",
        ),
        ("UPDATE meta SET value = '0' WHERE key = 'generation'", "generation"),
    ],
)
def test_integrity_check_finds_damage(demo: sorkit.Register, sql: str, expected: str) -> None:
    _damage(demo.path, sql)
    report = check(demo.path)
    assert not report.ok
    assert any(expected in p for p in report.problems), report.problems
    assert "fejl" in report.summary()


def test_integrity_check_of_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        check(tmp_path / "nothing.duckdb")
