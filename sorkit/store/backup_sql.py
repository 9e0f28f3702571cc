"""The SQL behind backup, restore and the integrity check (``sorkit backup|restore|check``).

Everything here reads one consistent view of the register in one connection (while it is open,
DuckDB keeps other processes out), so a check or a backup never sees half of another writer's
transaction.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from sorkit.errors import RegisterBusy
from sorkit.model import Event, Version
from sorkit.store import _LOCK_MARKERS, Store, rows


@dataclass(frozen=True)
class RegisterContents:
    """What the integrity check needs, read in one transaction.

    Attributes:
        generation: the write counter.
        versions: every current version.
        events: every current (not cancelled) event.
        event_without_audit: (change id, SOR code) of current events with no audit record.
        cancel_without_audit: (cancelling change id, SOR code) of cancelled events whose
            cancellation has no audit record.
        version_without_event: (SOR code, valid_from, change id) of current versions that no
            current event of the unit starts.
        duplicate_audit: (change id, SOR code, count) recorded more than once.
        future_rows: (table, gen) of rows stamped with a generation above the counter.
        batch_problems: (batch id, what) of batches without audit rows or audit rows naming a
            batch that was never recorded.
        counts: rows per table.
    """

    generation: int
    versions: list[Version]
    events: list[Event]
    event_without_audit: list[tuple[Any, ...]]
    cancel_without_audit: list[tuple[Any, ...]]
    version_without_event: list[tuple[Any, ...]]
    duplicate_audit: list[tuple[Any, ...]]
    future_rows: list[tuple[Any, ...]]
    counts: dict[str, int]
    batch_problems: list[tuple[Any, ...]]


_EVENT_WITHOUT_AUDIT = """
    SELECT DISTINCT e.change_id, e.sor_code FROM unit_events e
    WHERE e.superseded_at IS NULL AND NOT EXISTS (
        SELECT 1 FROM audit a WHERE a.change_id = e.change_id AND a.sor_code = e.sor_code)
    ORDER BY 1, 2"""

_CANCEL_WITHOUT_AUDIT = """
    SELECT DISTINCT e.superseded_by, e.sor_code FROM unit_events e
    WHERE e.superseded_at IS NOT NULL AND e.superseded_by IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM audit a WHERE a.change_id = e.superseded_by AND a.sor_code = e.sor_code)
    ORDER BY 1, 2"""

_VERSION_WITHOUT_EVENT = """
    SELECT v.sor_code, v.valid_from, v.change_id FROM unit_versions v
    WHERE v.superseded_at IS NULL AND NOT EXISTS (
        SELECT 1 FROM unit_events e WHERE e.sor_code = v.sor_code
        AND e.superseded_at IS NULL AND e.effective_from = v.valid_from)
    ORDER BY 1, 2"""

_DUPLICATE_AUDIT = """
    SELECT change_id, sor_code, count(*) FROM audit
    GROUP BY change_id, sor_code HAVING count(*) > 1 ORDER BY 1, 2"""

_BATCH_PROBLEMS = """
    SELECT DISTINCT a.batch_id, 'no_batch' FROM audit a
    WHERE a.batch_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM batches b WHERE b.batch_id = a.batch_id)
    UNION ALL
    SELECT b.batch_id, 'no_audit' FROM batches b
    WHERE NOT EXISTS (SELECT 1 FROM audit a WHERE a.batch_id = b.batch_id)
    ORDER BY 1, 2"""

_FUTURE_ROWS = """
    SELECT 'unit_versions', max(greatest(gen, coalesce(superseded_gen, 0))) FROM unit_versions
    UNION ALL SELECT 'unit_events', max(gen) FROM unit_events"""


def read_contents(store: Store) -> RegisterContents:
    """Read everything the integrity check looks at, in one transaction."""
    with store.connect() as con:
        con.begin()
        try:
            gen = rows.generation(con)
            versions = rows.select_versions(con, "superseded_at IS NULL", [])
            codes = {v.sor_code for v in versions}
            codes |= {
                r[0] for r in con.execute("SELECT DISTINCT sor_code FROM unit_events").fetchall()
            }
            events = rows.events_for(con, codes) if codes else []
            counts = {
                table: int(con.execute(f'SELECT count(*) FROM "{table}"').fetchall()[0][0])
                for table in _tables(con)
            }
            future = [
                (table, top)
                for table, top in con.execute(_FUTURE_ROWS).fetchall()
                if top is not None and int(top) > gen
            ]
            return RegisterContents(
                generation=gen,
                versions=versions,
                events=events,
                event_without_audit=con.execute(_EVENT_WITHOUT_AUDIT).fetchall(),
                cancel_without_audit=con.execute(_CANCEL_WITHOUT_AUDIT).fetchall(),
                version_without_event=con.execute(_VERSION_WITHOUT_EVENT).fetchall(),
                duplicate_audit=con.execute(_DUPLICATE_AUDIT).fetchall(),
                future_rows=future,
                counts=counts,
                batch_problems=con.execute(_BATCH_PROBLEMS).fetchall(),
            )
        finally:
            con.commit()


def _tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
            "AND table_type = 'BASE TABLE' ORDER BY table_name"
        ).fetchall()
    ]


@contextmanager
def hold_file(path: Path, timeout: float) -> Iterator[None]:
    """Hold DuckDB's lock on ``path`` (waiting for other processes), so no one else writes.

    A file that is not a DuckDB database at all is not locked by anyone: nothing is held.

    Raises:
        RegisterBusy: another process kept the file for longer than ``timeout`` seconds.
    """
    if not path.exists():
        yield
        return
    deadline = time.monotonic() + timeout
    delay = 0.01
    con: duckdb.DuckDBPyConnection | None = None
    while con is None:
        try:
            con = duckdb.connect(str(path))
        except duckdb.Error as exc:
            if not any(marker in str(exc) for marker in _LOCK_MARKERS):
                break  # not a DuckDB file: nobody can hold it
            if time.monotonic() >= deadline:
                raise RegisterBusy(str(path), timeout) from exc
            time.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 0.25)
    try:
        yield
    finally:
        if con is not None:
            con.close()


def remove_register_files(path: Path) -> None:
    """Remove a register file and its WAL (missing files are fine)."""
    for p in (path, Path(str(path) + ".wal")):
        try:
            os.remove(p)
        except FileNotFoundError:
            pass
