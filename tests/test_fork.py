"""Safe after fork (issue #19): children forked from a process that used a register work.

DuckDB is not fork-safe: before the fix, four children forked right after the parent had read
the register all hung in ``duckdb.connect`` (3 runs of 3). ``sorkit.store`` registers
``os.register_at_fork`` handlers: before a fork every engine lock is taken (so no linger timer
is half-way through a DETACH), running operations are waited for and every engine is closed;
in the child every engine is reset and DuckDB is opened afresh. The time limits below belong
to the harness (a hang fails the test); no speed is asserted.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest

import sorkit
import sorkit.store
from sorkit.errors import SorkitError
from sorkit.integrity import check
from tests.helpers import TODAY
from tests.test_concurrency import editable_units

pytestmark = pytest.mark.slow  # worker processes

CHILDREN = 4
EDITS = 50
#: The harness's limit for all children together (a hang fails; they need far less).
HARNESS_LIMIT = 300.0


def _child_edits(path: str, units: list[str], tag: int, out: str) -> None:
    """In a forked child: 50 edits through the parent's module state, results to ``out``."""
    reg = sorkit.open_register(path, user="admin", today=TODAY, busy_timeout=300)
    applied: dict[str, Any] = {}
    rejected: dict[str, list[str]] = {}
    for i, code in enumerate(units):
        phone = f"6{tag}{i:06d}"
        plan = reg.plan(sorkit.EditUnit(code, phone=phone))
        try:
            done = reg.apply(plan, accept={w.code: "gaffeltest" for w in plan.warnings})
            applied[code] = [done.change_id, phone, str(done.effective_date)]
        except sorkit.ChangeRejected as exc:
            rejected[code] = exc.codes
    Path(out).write_text(json.dumps({"applied": applied, "rejected": rejected}))


def test_four_forked_children_apply_50_edits_each(demo: sorkit.Register, tmp_path: Path) -> None:
    """The parent opened and read the register (its file lingers attached, a detach timer is
    pending); 4 children forked now apply 200 edits; nothing hangs, nothing is lost."""
    units = editable_units(demo, CHILDREN * EDITS)
    # The parent reads: snapshot, a history (the change log), a search and a raw query, so
    # the engine is attached with its linger timer running when the children are forked.
    assert len(demo.history(units[0])) > 0
    assert len(demo.search("a*")) > 0
    audit0 = demo.store.query("SELECT count(*) FROM audit")[0][0]
    gen0 = demo.store.generation()
    assert demo.path is not None

    ctx = multiprocessing.get_context("fork")
    children = []
    for k in range(CHILDREN):
        part = units[k * EDITS : (k + 1) * EDITS]
        out = str(tmp_path / f"child{k}.json")
        proc = ctx.Process(target=_child_edits, args=(demo.path, part, k + 1, out))
        proc.start()
        children.append((proc, out))
    # The parent keeps reading while its children write.
    assert demo.unit(units[0]).sor_code == units[0]

    hung = []
    deadline = time.monotonic() + HARNESS_LIMIT
    for proc, _ in children:
        proc.join(timeout=max(0.0, deadline - time.monotonic()))
        if proc.is_alive():
            hung.append(proc.pid)
            proc.kill()
            proc.join()
    assert hung == [], f"children hung: {hung}"
    assert [proc.exitcode for proc, _ in children] == [0] * CHILDREN

    applied: dict[str, Any] = {}
    for _, out in children:
        found = json.loads(Path(out).read_text())
        assert found["rejected"] == {}
        applied.update(found["applied"])
    assert len(applied) == CHILDREN * EDITS

    demo.refresh()
    for code, (change_id, phone, day) in applied.items():
        assert demo.unit(code, as_of=dt.date.fromisoformat(day)).own["phone"] == phone, code
        found = demo.store.query("SELECT sor_code FROM audit WHERE change_id = ?", [change_id])
        assert found == [(code,)]
    assert demo.store.query("SELECT count(*) FROM audit")[0][0] == audit0 + CHILDREN * EDITS
    assert demo.store.generation() == gen0 + CHILDREN * EDITS
    report = check(demo)
    assert report.ok, report.problems


def test_fork_waits_for_another_threads_operation(demo: sorkit.Register) -> None:
    """A fork while another thread is inside a read waits for it; the child then works."""
    inside = threading.Event()
    leave = threading.Event()

    def reader() -> None:
        with demo.store.connect() as con:
            con.execute("SELECT count(*) FROM unit_versions").fetchall()
            inside.set()
            leave.wait(30)

    thread = threading.Thread(target=reader)
    thread.start()
    assert inside.wait(30)
    threading.Timer(0.5, leave.set).start()  # the fork below waits for this
    pid = os.fork()
    if pid == 0:  # the child: a fresh engine attaches the file
        code = 1
        try:
            code = 0 if demo.store.generation() >= 0 else 1
        finally:
            os._exit(code)
    thread.join()
    assert _wait_child(pid) == 0


def test_fork_inside_an_operation_gives_a_clear_error_in_the_child(
    demo: sorkit.Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Forking from inside an operation on the file cannot wait for itself: the child refuses
    that file with a Danish message (never a hang); the parent goes on."""
    monkeypatch.setattr(sorkit.store, "FORK_WAIT", 0.2)
    with demo.store.connect() as con:
        pid = os.fork()
        if pid == 0:
            code = 3
            try:
                demo.store.generation()
                code = 1
            except SorkitError as exc:
                code = 0 if "fork" in str(exc) and "spawn" in str(exc) else 2
            finally:
                os._exit(code)
        assert con.execute("SELECT count(*) FROM meta").fetchall()[0][0] > 0
    assert _wait_child(pid) == 0
    assert demo.store.generation() >= 0


def _wait_child(pid: int, limit: float = 120.0) -> int:
    """The child's exit code; kills it and fails if it is still running after ``limit`` s."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.05)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    raise AssertionError(f"forked child {pid} hung")
