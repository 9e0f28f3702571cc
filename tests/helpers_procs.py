"""Worker scripts for the multiprocess reliability tests (run as ``python helpers_procs.py MODE``).

Every mode opens the register file named on the command line in a process of its own, does one
thing and prints one JSON line with what happened (so the test can check it). Test-only fault
hooks are installed here, by monkeypatching in the worker, never in library code:

- ``SORKIT_TEST_SLOW=<step>:<seconds>`` makes the store step ``<step>`` (a function of
  :mod:`sorkit.store.rows`, e.g. ``insert_audit``) print ``INSIDE`` and sleep, so that the parent
  can kill the process while the write transaction is open.
- ``SORKIT_TEST_AFTER_COMMIT=<seconds>`` (mode ``bigwrite``) prints ``COMMITTED`` right after
  the commit and sleeps before the connection closes (the rows are only in DuckDB's WAL then).

Modes:
    edit PATH UNITS_JSON TAG      plan + apply one phone edit per unit (warnings accepted)
    hold PATH SECONDS             hold a write transaction open on the file
    race PATH UNIT PHONE READY GO plan an edit, signal READY, wait for GO, then apply it
    close PATH UNIT LAST_DAY      cascade-close a subtree through reg.plan + reg.apply
    bigwrite PATH N               one store write of N edit events (a large WriteSet)
    importcsv PATH FILE           import a SOR CSV file
    importxml PATH FILE CHUNK     fresh import of a SOR XML export, CHUNK units per insert
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script by the worker processes: find ``tests``
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.helpers import TODAY  # noqa: E402


def _out(**data: Any) -> None:
    print(json.dumps(data, default=str), flush=True)


def _install_counters() -> dict[str, float]:
    """Count lock waits (failed opens) and stale writes of this process."""
    import duckdb

    import sorkit.store as store
    from sorkit.errors import StaleSnapshot

    stats = {"lock_waits": 0, "wait_seconds": 0.0, "stale": 0}
    real_connect = duckdb.connect
    real_open = store.Store._open_with_retry
    real_write = store.Store.write

    def connect(*args: Any, **kwargs: Any) -> Any:
        try:
            return real_connect(*args, **kwargs)
        except duckdb.Error:
            stats["lock_waits"] += 1
            raise

    def open_with_retry(self: Any) -> Any:
        t0 = time.perf_counter()
        before = stats["lock_waits"]
        try:
            return real_open(self)
        finally:
            if stats["lock_waits"] > before:
                stats["wait_seconds"] += time.perf_counter() - t0

    def write(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return real_write(self, *args, **kwargs)
        except StaleSnapshot:
            stats["stale"] += 1
            raise

    engine = getattr(store, "_Engine", None)
    if engine is not None:  # the store attaches the file to a per-process engine
        real_acquire = engine.acquire

        def acquire(self: Any) -> Any:
            try:
                return real_acquire(self)
            except duckdb.Error:
                stats["lock_waits"] += 1
                raise

        engine.acquire = acquire
    else:
        store.duckdb.connect = connect  # type: ignore[attr-defined]
    store.Store._open_with_retry = open_with_retry  # type: ignore[method-assign]
    store.Store.write = write  # type: ignore[method-assign]
    return stats


def _install_slow_hook() -> None:
    spec = os.environ.get("SORKIT_TEST_SLOW")
    if not spec:
        return
    step, seconds = spec.split(":")
    from sorkit.store import rows

    real = getattr(rows, step)

    def slow(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        print("INSIDE", flush=True)
        time.sleep(float(seconds))
        return result

    setattr(rows, step, slow)


def _install_after_commit_hook() -> None:
    """With ``SORKIT_TEST_AFTER_COMMIT=<seconds>``, print ``COMMITTED`` after the next commit
    and sleep before the connection closes (the rows are then only in DuckDB's WAL)."""
    seconds = os.environ.get("SORKIT_TEST_AFTER_COMMIT")
    if not seconds:
        return
    import sorkit.store as store

    original = store.Store._settled_stat

    def settled_stat(self: Any, con: Any, **options: Any) -> Any:  # right after the commit
        print("COMMITTED", flush=True)
        time.sleep(float(seconds))
        return original(self, con, **options)

    store.Store._settled_stat = settled_stat  # type: ignore[method-assign]


def _open(path: str, user: str = "admin", busy: float = 120.0) -> Any:
    import sorkit

    return sorkit.open_register(path, user=user, today=TODAY, busy_timeout=busy)


def mode_edit(path: str, units_json: str, tag: str) -> None:
    """Apply one edit per unit: the phone number, or a local attribute for odd positions."""
    stats = _install_counters()
    import sorkit

    units = json.loads(Path(units_json).read_text())
    reg = _open(path)
    applied: dict[str, Any] = {}
    rejected: dict[str, list[str]] = {}
    t0 = time.perf_counter()
    for i, code in enumerate(units):
        if i % 2 == 0:
            value: Any = f"7{int(tag):01d}{i:06d}"
            change = sorkit.EditUnit(code, phone=value)
        else:
            value = [f"last-{tag}-{i}"]
            change = sorkit.EditUnit(code, local_attributes=value)
        try:
            plan = reg.plan(change)
            done = reg.apply(plan, accept={w.code: "belastningstest" for w in plan.warnings})
            applied[code] = [done.change_id, change.fields, str(done.effective_date)]
        except sorkit.ChangeRejected as exc:
            rejected[code] = exc.codes
    _out(
        applied=applied,
        rejected=rejected,
        seconds=time.perf_counter() - t0,
        **stats,
    )


def mode_hold(path: str, seconds: str) -> None:
    """Hold a write transaction open (this process keeps DuckDB's file lock meanwhile)."""
    import duckdb

    con = duckdb.connect(path)
    con.begin()
    con.execute("UPDATE meta SET value = value WHERE key = 'generation'")
    print("HELD", flush=True)
    time.sleep(float(seconds))
    con.rollback()
    con.close()
    _out(released=True)


def mode_race(path: str, unit: str, phone: str, ready: str, go: str) -> None:
    """Plan an edit, say READY, wait for GO, apply; report whether it was applied or refused."""
    import sorkit

    reg = _open(path)
    plan = reg.plan(sorkit.EditUnit(unit, phone=phone))
    Path(ready).write_text("ready")
    deadline = time.monotonic() + 60
    while not Path(go).exists():
        if time.monotonic() > deadline:
            _out(result="timeout")
            return
        time.sleep(0.005)
    try:
        reg.apply(plan, accept={w.code: "test" for w in plan.warnings})
        _out(result="applied", phone=phone)
    except sorkit.ChangeRejected as exc:
        _out(result="rejected", codes=exc.codes, message=str(exc))


def mode_close(path: str, unit: str, last_day: str) -> None:
    """Cascade-close a subtree through the public API (a WriteSet of many events)."""
    import sorkit

    _install_slow_hook()
    reg = _open(path)
    plan = reg.plan(
        sorkit.CloseUnit(unit, last_day=dt.date.fromisoformat(last_day), confirm=True, cascade=True)
    )
    print(json.dumps({"planned": len(plan.events), "codes": plan.codes}), flush=True)
    reg.apply(plan, accept={w.code: "test" for w in plan.warnings}, reason="nedbrudstest")
    _out(result="applied", events=len(plan.events))


def mode_bigwrite(path: str, count: str) -> None:
    """One store write with an edit event for each of N open units (no rules, pure storage)."""
    from sorkit.model import Event
    from sorkit.store import AuditRow, WriteSet
    from sorkit.timeline import project

    _install_slow_hook()
    reg = _open(path)
    snap = reg.snapshot()
    day = TODAY + dt.timedelta(days=1)
    codes = sorted(c for c in snap.codes() if snap.status(c, day) == "active")[: int(count)]
    change_id = "bigwrite-crash"
    now = reg.clock.now()
    events = [
        Event(None, change_id, c, day, "edit", {"phone": "99999999"}, now, None) for c in codes
    ]
    audit = [
        AuditRow(change_id, c, "edit", day, {"phone": "99999999"}, {}, "nedbrudstest", None)
        for c in codes
    ]
    ws = WriteSet(snap.generation, reg.user, events=events, audit=audit, touched=set(codes))
    print(json.dumps({"planned": len(events)}), flush=True)
    _install_after_commit_hook()
    reg.store.write(ws, lambda code, evs, at: project(code, evs, recorded_at=at), now)
    _out(result="applied", events=len(events))


def mode_importcsv(path: str, source: str) -> None:
    """Import a SOR CSV export (the import engineer's chunked loader)."""
    import sorkit

    _install_slow_hook()
    reg = _open(path)
    print(json.dumps({"planned": source}), flush=True)
    result = sorkit.import_sor_csv(reg, source)
    _out(result="applied", detail=repr(result)[:200])


def mode_importxml(path: str, source: str, chunk: str) -> None:
    """Fresh import of a SOR XML export into an empty register, ``chunk`` units per insert."""
    import sorkit

    _install_slow_hook()
    reg = _open(path)
    print(json.dumps({"planned": source}), flush=True)
    report = sorkit.import_sor_xml(reg, source, chunk=int(chunk))
    _out(result="applied", units=report.units, written=report.written)


MODES = {
    "edit": mode_edit,
    "hold": mode_hold,
    "race": mode_race,
    "close": mode_close,
    "bigwrite": mode_bigwrite,
    "importcsv": mode_importcsv,
    "importxml": mode_importxml,
}

if __name__ == "__main__":
    MODES[sys.argv[1]](*sys.argv[2:])


# -- helpers for the tests (imported as tests.helpers_procs) ------------------------------------

SCRIPT = Path(__file__).resolve()


def start(mode: str, *args: Any, env: dict[str, str] | None = None) -> Any:
    """Start a worker process running ``mode`` (stdout is a pipe of JSON lines)."""
    import subprocess

    full_env = {**os.environ, **(env or {})}
    return subprocess.Popen(
        [sys.executable, str(SCRIPT), mode, *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=full_env,
    )


def wait_for_line(proc: Any, wanted: str, timeout: float = 120.0) -> list[str]:
    """Read the worker's stdout until a line equal to ``wanted``; return the lines read."""
    import selectors

    lines: list[str] = []
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not sel.select(timeout=max(0.0, deadline - time.monotonic())):
            break
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip("\n"))
        if lines[-1] == wanted:
            return lines
    raise AssertionError(
        f"worker never printed {wanted!r}; stdout={lines}; stderr={proc.stderr.read()[-3000:]}"
    )


def result(proc: Any, timeout: float = 600.0) -> dict[str, Any]:
    """Wait for the worker and return its last JSON line."""
    out, err = proc.communicate(timeout=timeout)
    lines = [line for line in out.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise AssertionError(f"worker failed ({proc.returncode}): {err[-3000:]}")
    return dict(json.loads(lines[-1]))


def fingerprint(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Row count and SHA-256 of the sorted rows of every table (read in one connection)."""
    import hashlib

    import duckdb

    import sorkit.store

    sorkit.store.release_all()  # this process's lingering handle, before a second one opens it
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
                "AND table_type = 'BASE TABLE' ORDER BY 1"
            ).fetchall()
        ]
        out: dict[str, Any] = {}
        for table in tables:
            found = sorted(repr(r) for r in con.execute(f'SELECT * FROM "{table}"').fetchall())
            out[table] = (len(found), hashlib.sha256("\n".join(found).encode()).hexdigest())
        return out
    finally:
        con.close()
