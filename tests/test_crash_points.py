"""Crash proofs (issue #19): SIGKILL a writer at random points and prove where the kill landed.

The writer is a process forked from the test after it planned the change (so the child only
writes); with ``SORKIT_CRASH_MARKER`` set, the store appends ``begin`` / ``commit`` /
``committed`` lines around every write transaction (:mod:`sorkit.store.marks`). The test waits
for ``begin``, sleeps until a random point between the begin mark and 0.9 x the time from
begin to the commit mark (the shortest seen: one un-killed run per kind, then every run that
reached its commit), kills the process with SIGKILL and reads the last mark: ``begin`` means
the kill landed inside the transaction. Three kinds of write, 32 kills in all: a single
apply (a cascade close of 129 units), a batch apply (200 edits) and a fresh SOR XML import.

After every kill: the register is exactly as before (every table's rows hashed) or holds the
whole change (generation + 1, every event and audit record), a kill inside the transaction
always leaves it as before, the integrity check (``sorkit check``) passes, and the next apply
works. At least half of the kills must have landed inside the transaction.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import signal
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import sorkit
from sorkit.integrity import check
from sorkit.store import marks
from tests.helpers import TODAY
from tests.helpers_procs import fingerprint
from tests.test_concurrency import editable_units
from tests.test_crash import REGION_SJAELLAND

pytestmark = pytest.mark.slow

#: Kills per kind of write (32 in all).
KILLS = {"apply": 12, "batch": 12, "import": 8}
ADDRESS = sorkit.Address("Roskildevej", "1", "2680", city="Solrød Strand")
#: The harness's limit for one writer (a hang fails; a write needs far less).
LIMIT = 300.0


@dataclass
class Counts:
    generation: int
    units: int
    events: int
    audit: int


def counts(path: Path) -> Counts:
    reg = sorkit.open_register(path, user="admin", today=TODAY, busy_timeout=30)
    q = reg.store.query
    found = Counts(
        generation=reg.store.generation(),
        units=q("SELECT count(DISTINCT sor_code) FROM unit_versions")[0][0],
        events=q("SELECT count(*) FROM unit_events")[0][0],
        audit=q("SELECT count(*) FROM audit")[0][0],
    )
    reg.store.release()
    return found


def run_writer(write: Callable[[], Any], marker: Path, label: str, delay: float | None) -> str:
    """Fork a child that runs ``write``; kill it ``delay`` s after its transaction began.

    The delay counts from the time in the child's ``begin`` mark, not from when the test saw
    it, so a slow poll on a busy machine does not push the kill past the commit.

    Returns where the child was: ``inside`` (its transaction had begun, no commit yet),
    ``committing`` (between the commit mark and the commit's end), ``after`` (committed), or
    ``finished`` when it was not killed (``delay`` None, or it ended first).
    """
    marker.unlink(missing_ok=True)
    pid = os.fork()
    if pid == 0:  # the writer
        code = 1
        try:
            os.environ[marks.ENV] = str(marker)
            write()
            code = 0
        finally:
            os._exit(code)
    deadline = time.monotonic() + LIMIT
    began: float | None = None  # the begin mark's time (CLOCK_MONOTONIC is system-wide)
    while began is None:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            assert os.waitstatus_to_exitcode(status) == 0, "the writer failed"
            return "finished"
        assert time.monotonic() < deadline, "the writer never began its transaction"
        text = marker.read_text() if marker.exists() else ""
        found = [line for line in text.splitlines() if line.startswith(f"begin {label} {pid} ")]
        began = float(found[0].split()[3]) if found else None
        time.sleep(0.001)
    if delay is None:
        while not os.waitpid(pid, os.WNOHANG)[0]:
            assert time.monotonic() < deadline, "the writer hung"
            time.sleep(0.005)
        return "finished"
    time.sleep(max(0.0, began + delay - time.monotonic()))  # delay counted from the begin
    os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    if os.WIFEXITED(status):
        assert os.WEXITSTATUS(status) == 0
        return "finished"
    last = [
        line.split()[0] for line in marker.read_text().splitlines() if f" {label} {pid} " in line
    ]
    return {"begin": "inside", "commit": "committing", "committed": "after"}[last[-1]]


def span(marker: Path, label: str) -> float | None:
    """Seconds from ``begin`` to ``commit`` of the marked transaction of ``label``.

    None when the writer was killed before its commit mark.
    """
    times = {
        line.split()[0]: float(line.split()[3])
        for line in marker.read_text().splitlines()
        if line.split()[1] == label
    }
    if "commit" not in times:
        return None
    return times["commit"] - times["begin"]


def next_apply_works(path: Path) -> None:
    """The register passes the integrity check and takes a new change."""
    reg = sorkit.open_register(path, user="admin", today=TODAY, busy_timeout=30)
    report = check(reg)
    assert report.ok, report.problems
    snap = reg.snapshot()
    oes = [
        c
        for c in sorted(snap.codes())
        if snap.versions(c)[-1].level == "OE" and snap.end(c) is None
    ]
    if oes:
        change: Any = sorkit.EditUnit(oes[0], phone="12121212")
    else:  # an import killed before its commit leaves the register empty: a new IE
        change = sorkit.CreateUnit(
            None, "Nedbrudstest", "550881000005103", postal_address=ADDRESS, phone="12121212"
        )
    plan = reg.plan(change)
    done = reg.apply(plan, accept={w.code: "test" for w in plan.warnings})
    code = oes[0] if oes else done.sor_codes[0]
    assert reg.unit(code, as_of=done.effective_date).own["phone"] == "12121212"
    reg.store.release()


def _apply(path: Path) -> Callable[[], Any]:
    reg = sorkit.open_register(path, user="admin", today=TODAY)
    plan = reg.plan(
        sorkit.CloseUnit(REGION_SJAELLAND, TODAY + dt.timedelta(days=8), confirm=True, cascade=True)
    )
    assert len(plan.events) > 100
    return lambda: reg.apply(plan, accept={w.code: "nedbrudstest" for w in plan.warnings})


def _batch(path: Path) -> Callable[[], Any]:
    reg = sorkit.open_register(path, user="admin", today=TODAY)
    units = editable_units(reg, 200)
    changes = [sorkit.EditUnit(code, phone=f"4455{i:04d}") for i, code in enumerate(units)]
    report = reg.plan_batch(changes, accept={"PUBLIC_INFORMATION": "nedbrudstest"})
    return lambda: reg.apply_batch(report, reason="nedbrudstest")


@pytest.fixture(scope="module")
def demo_xml(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    reg = sorkit.open_register(demo_template, user="admin", today=TODAY)
    out = tmp_path_factory.mktemp("xml") / "demo.xml"
    sorkit.export(reg, out, format="xml")
    reg.store.release()
    return out


def test_kills_at_random_points_inside_writes(
    demo_template: Path, demo_xml: Path, tmp_path: Path
) -> None:
    seed = int(os.environ.get("SORKIT_CRASH_SEED", random.randrange(10**6)))
    rng = random.Random(seed)
    empty = tmp_path / "empty.duckdb"
    sorkit.open_register(empty, user="admin", today=TODAY).store.release()

    def _import(path: Path) -> Callable[[], Any]:
        reg = sorkit.open_register(path, user="admin", today=TODAY)
        return lambda: sorkit.import_sor_xml(reg, demo_xml, chunk=500)

    kinds: dict[str, tuple[Path, Callable[[Path], Callable[[], Any]], str]] = {
        "apply": (demo_template, _apply, "write"),
        "batch": (demo_template, _batch, "write"),
        "import": (empty, _import, "import"),
    }
    landed: Counter[str] = Counter()
    per_kind: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    marker = tmp_path / "marks.txt"
    for kind, (template, prepare, label) in kinds.items():
        before = fingerprint(template)
        start = counts(template)
        # One un-killed run: the whole change, and how long its transaction takes.
        path = tmp_path / f"{kind}.duckdb"
        shutil.copy(template, path)
        assert run_writer(prepare(path), marker, label, None) == "finished"
        length = span(marker, label)
        assert length is not None
        whole = counts(path)
        assert whole.generation == start.generation + 1
        assert whole.audit > start.audit and whole.events > start.events
        for trial in range(KILLS[kind]):
            path = tmp_path / f"{kind}{trial}.duckdb"
            shutil.copy(template, path)
            # A random point inside the transaction: before the commit mark of the fastest
            # run seen so far (a warm run is faster than the first).
            where = run_writer(prepare(path), marker, label, rng.uniform(0.0, 0.9 * length))
            length = min(length, span(marker, label) or length)
            landed[where] += 1
            per_kind[f"{kind}:{where}"] += 1
            found = counts(path)
            if found.generation == start.generation:  # none of it: exactly as before
                assert fingerprint(path) == before, (kind, trial, where)
                outcomes["nothing"] += 1
            else:  # all of it
                assert found == whole, (kind, trial, where)
                outcomes["all"] += 1
            if where == "inside":
                assert found.generation == start.generation, "a kill inside kept the change"
            if where in ("after", "finished"):
                assert found.generation == start.generation + 1
            next_apply_works(path)
            path.unlink()
            Path(f"{path}.wal").unlink(missing_ok=True)
    kills = sum(KILLS.values())
    print(
        f"\nCRASH POINTS seed={seed} landed={dict(landed)} outcomes={dict(outcomes)} {dict(per_kind)}"
    )
    assert sum(landed.values()) == kills >= 30
    assert landed["inside"] * 2 >= kills, landed
