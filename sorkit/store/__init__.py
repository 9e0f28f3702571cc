"""The only part of sorkit that talks to DuckDB.

Connections are short: open, transact, close, so that several notebooks, a scheduled report and
a batch job can share one register file (DuckDB admits one writing process at a time); a process
keeps the file for at most :data:`LINGER` seconds (0.1) after its last operation, so a burst of
operations pays for one attach. A process that finds the file locked waits and retries for a
bounded time, then raises :class:`RegisterBusy`. An in-memory register (``path=None``) keeps its one connection.

Every write is one transaction that first checks the register's ``generation`` counter: if another
writer came first, :class:`StaleSnapshot` tells the caller to re-read and re-plan.
"""

from __future__ import annotations

import atexit
import datetime as dt
import json
import os
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from sorkit.errors import RegisterBusy, SchemaError, StaleSnapshot
from sorkit.model import Event, Version
from sorkit.store import logrows, reads, rows, smallwrites
from sorkit.store.schema import APP_ID, LATEST_VERSION, MIGRATIONS

__all__ = ["Store", "WriteSet", "AuditRow", "LINGER", "open_store", "release_all"]

_LOCK_MARKERS = ("Could not set lock", "Conflicting lock", "database is locked", "lock on file")


@dataclass(frozen=True)
class AuditRow:
    """One audit record: one per changed unit per apply (and per cancellation)."""

    change_id: str
    sor_code: str | None
    operation: str
    effective_from: dt.date | None
    parameters: Mapping[str, Any]
    accepted: Mapping[str, str]
    reason: str | None
    batch_id: str | None


@dataclass
class WriteSet:
    """Everything one apply writes, in one transaction."""

    expected_generation: int
    user: str
    events: list[Event] = field(default_factory=list)
    cancel_change_ids: list[str] = field(default_factory=list)
    cancelled_by: str | None = None
    audit: list[AuditRow] = field(default_factory=list)
    batch: Mapping[str, Any] | None = None
    touched: set[str] = field(default_factory=set)
    #: The touched units' current versions as the caller's snapshot at ``expected_generation``
    #: holds them (with their version ids); saves reading them again. None: read them.
    current: Mapping[str, Sequence[Version]] | None = None


class Store:
    """A register file (or an in-memory register) and the SQL that reads and writes it."""

    def __init__(self, path: str | os.PathLike[str] | None, *, busy_timeout: float = 60.0):
        """Open (creating or upgrading) the register at ``path``; None for in-memory.

        Raises:
            SchemaError: the file is not a sorkit register, or was made by a newer sorkit.
            RegisterBusy: another process held the file for longer than ``busy_timeout``.
        """
        self.path = None if path is None else Path(path)
        self.busy_timeout = busy_timeout
        self._memory: duckdb.DuckDBPyConnection | None = None
        self._lock = threading.RLock()
        # The generation the last read saw, and the users table at some generation.
        self._seen_generation: int | None = None
        self._users_cache: tuple[int, dict[str, tuple[str, tuple[str, ...], str | None]]] | None
        self._users_cache = None
        #: (generation, stat key) of this store's last write, see :meth:`_settled_stat`.
        self.written: tuple[int, tuple[int, ...] | None] = (-1, None)
        if self.path is None:
            self._memory = duckdb.connect(":memory:")
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._initialise()

    # -- connections -------------------------------------------------------------------------

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Yield a connection; for files it is opened now and closed afterwards.

        The file is ATTACHed to a DuckDB engine this process keeps (one per file) and DETACHed
        :data:`LINGER` seconds after the last block ends (DETACH checkpoints and releases the
        lock like a close): the tens of milliseconds it takes DuckDB to start a database
        instance are paid once per process, and the attach once per burst of operations
        instead of once per read or write.
        """
        if self._memory is not None:
            with self._lock:
                yield self._memory
            return
        con = self._open_with_retry()
        try:
            yield con
        finally:
            try:
                con.close()
            finally:
                _engine(self.path).release()

    def release(self) -> None:
        """Let go of the file now if this process is not using it (see :data:`LINGER`)."""
        if self.path is not None:
            _engine(self.path).detach_now()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Yield a connection inside BEGIN ... COMMIT; any error rolls everything back."""
        with self.connect() as con, _committed(con):
            yield con

    def _open_with_retry(self) -> duckdb.DuckDBPyConnection:
        deadline = time.monotonic() + self.busy_timeout
        delay = 0.01
        while True:
            try:
                return _engine(self.path).acquire()
            except duckdb.Error as exc:  # another process holds the file
                if not any(marker in str(exc) for marker in _LOCK_MARKERS):
                    raise
                if time.monotonic() >= deadline:
                    raise RegisterBusy(str(self.path), self.busy_timeout) from exc
                time.sleep(delay * (0.5 + random.random()))
                delay = min(delay * 2, 0.25)

    def stat_key(self) -> tuple[int, ...] | None:
        """A cheap fingerprint of the file (and its WAL) that changes when anyone writes."""
        if self.path is None:
            return None
        key: list[int] = []
        for p in (self.path, Path(str(self.path) + ".wal")):
            try:
                st = p.stat()
                key += [st.st_mtime_ns, st.st_size]
            except FileNotFoundError:
                key += [0, 0]
        return tuple(key)

    # -- schema ------------------------------------------------------------------------------

    def _initialise(self) -> None:
        with self.transaction() as con:
            tables = {
                r[0]
                for r in con.execute(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
                    " AND table_catalog = current_database()"
                ).fetchall()
            }
            if not tables:
                self._migrate(con, 0)
                return
            if "meta" not in tables:
                raise SchemaError(f"{self.path} er ikke et sorkit-register (ingen meta-tabel)")
            meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
            if meta.get("app") != APP_ID:
                raise SchemaError(f"{self.path} er ikke et sorkit-register (app={meta.get('app')})")
            version = int(meta.get("schema_version", "0"))
            if version > LATEST_VERSION:
                raise SchemaError(
                    f"{self.path} er lavet af en nyere sorkit (skemaversion {version}; denne "
                    f"sorkit kender op til {LATEST_VERSION}). Opdater sorkit."
                )
            if version < LATEST_VERSION:
                self._migrate(con, version)

    def _migrate(
        self, con: duckdb.DuckDBPyConnection, current: int, upto: int | None = None
    ) -> None:
        target = LATEST_VERSION if upto is None else upto
        for version, _name, statements in MIGRATIONS:
            if current < version <= target:
                for sql in statements:
                    con.execute(sql)
                current = version
        if not con.execute("SELECT count(*) FROM meta").fetchall()[0][0]:
            con.executemany(
                "INSERT INTO meta VALUES (?, ?)",
                [("app", APP_ID), ("generation", "0"), ("schema_version", str(current))],
            )
        con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(current)])

    def schema_version(self) -> int:
        """The schema version of the register."""
        with self.connect() as con:
            found = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()
            return int(found[0][0])

    # -- reads -------------------------------------------------------------------------------

    def generation(self) -> int:
        """The write counter: it grows by one with every committed write."""
        with self.connect() as con:
            return rows.generation(con)

    def load_current(self) -> tuple[int, list[Version]]:
        """All current-knowledge versions, with the generation they were read at."""
        with self.connect() as con:
            con.begin()
            try:
                gen = rows.generation(con)
                self._seen_generation = gen
                versions = rows.load_versions(con, "superseded_at IS NULL", [])
            finally:
                con.commit()
        return gen, versions

    def load_changed_since(self, gen: int) -> tuple[int, set[str], list[Version]]:
        """Units written after generation ``gen``: (new generation, their codes, versions)."""
        with self.connect() as con:
            con.begin()
            try:
                new_gen = rows.generation(con)
                self._seen_generation = new_gen
                if new_gen == gen:  # nothing written since: skip the scan
                    return new_gen, set(), []
                codes = {
                    r[0]
                    for r in con.execute(
                        "SELECT DISTINCT sor_code FROM unit_versions WHERE gen > ? OR superseded_gen > ?",
                        [gen, gen],
                    ).fetchall()
                }
                versions = rows.versions_for(con, codes) if codes else []
            finally:
                con.commit()
        return new_gen, codes, versions

    def versions_known_at(self, sor_code: str, known_at: dt.datetime) -> list[Version]:
        """The unit's versions as sorkit knew them at ``known_at`` (transaction time)."""
        with self.connect() as con:
            return rows.select_versions(
                con,
                "sor_code = ? AND recorded_at <= ? AND (superseded_at IS NULL OR superseded_at > ?)",
                [sor_code, known_at, known_at],
            )

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run a read query from sorkit's own SQL (never user text) and return all rows."""
        with self.connect() as con:
            return con.execute(sql, list(params)).fetchall()

    def query_df(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run a read query from sorkit's own SQL and return a pandas DataFrame."""
        with self.connect() as con:
            return con.execute(sql, list(params)).df()

    def events_for(self, codes: Iterable[str], *, include_cancelled: bool = False) -> list[Event]:
        """The change events of the given units (cancelled ones only on request)."""
        with self.connect() as con:
            return rows.events_for(con, set(codes), include_cancelled=include_cancelled)

    def event_log(self) -> tuple[int, int, Any, Any]:
        """The whole change log, read in one transaction (see :mod:`sorkit.store.logrows`).

        Returns:
            (generation, highest audit id, events, audit records), the last two Arrow tables.
        """
        with self.connect() as con, _committed(con):
            generation, audit_id = logrows.log_marks(con)
            events, audit = logrows.log_tables(con)
        return generation, audit_id, events, audit

    def event_log_since(
        self, generation: int, audit_id: int
    ) -> tuple[int, int, set[str], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        """The event and audit rows of every unit written after ``generation`` / ``audit_id``.

        Returns:
            (generation, highest audit id, the units, their event rows, their audit rows).
            Only the generation is read when nothing was written.
        """
        with self.connect() as con, _committed(con):
            now, top = logrows.log_marks(con)
            if now == generation and top == audit_id:
                return now, top, set(), [], []
            codes = logrows.changed_since(con, generation, audit_id)
            events, audit = logrows.log_rows_for(con, codes)
        return now, top, codes, events, audit

    def events_for_change(self, change_id: str) -> list[Event]:
        """The current (not cancelled) events of one change."""
        with self.connect() as con:
            return rows.events_of_change(con, change_id)

    def users(self) -> dict[str, tuple[str, tuple[str, ...], str | None]]:
        """All users: name -> (role, scopes, display name).

        Every change of the users table bumps the generation, so the table read at a given
        generation is reused while the last read of this store saw that same generation (a
        plan right after an apply needs no extra connection for it).
        """
        cached = self._users_cache
        if (
            cached is not None
            and self._seen_generation is not None
            and cached[0] == self._seen_generation
        ):
            return dict(cached[1])
        with self.connect() as con:
            con.begin()
            try:
                gen = rows.generation(con)
                found = {
                    r[0]: (r[1], tuple(r[2] or ()), r[3])
                    for r in con.execute(
                        "SELECT user_name, role, scopes, display_name FROM users"
                    ).fetchall()
                }
            finally:
                con.commit()
        self._users_cache = (gen, found)
        self._seen_generation = gen
        return dict(found)

    def set_user(
        self, name: str, role: str, scopes: Iterable[str] = (), display_name: str | None = None
    ) -> None:
        """Create or replace a user with a role and scopes (SOR codes)."""
        with self.transaction() as con:
            con.execute("DELETE FROM users WHERE user_name = ?", [name])
            con.execute(
                "INSERT INTO users VALUES (?, ?, ?, ?)", [name, role, list(scopes), display_name]
            )
            rows.bump_generation(con)
        self._users_cache = None

    # -- writes ------------------------------------------------------------------------------

    def write(
        self,
        ws: WriteSet,
        project: Callable[[str, list[Event], dt.datetime], list[Version]],
        now: dt.datetime,
    ) -> tuple[int, dict[str, list[Version]]]:
        """Apply a write set in one transaction.

        Args:
            ws: the events, cancellations, audit rows and optional batch record.
            project: folds a unit's current events into its versions.
            now: the transaction time stamped on every row.

        Returns:
            The new generation and, per touched unit, its current versions afterwards.

        Raises:
            StaleSnapshot: someone else wrote since ``ws.expected_generation``; nothing written.
        """
        try:
            return self._write(ws, project, now)
        except duckdb.TransactionException as exc:  # another thread of this process came first
            if "onflict" not in str(exc):
                raise
            raise StaleSnapshot(ws.expected_generation, ws.expected_generation + 1) from exc

    def _write(
        self,
        ws: WriteSet,
        project: Callable[[str, list[Event], dt.datetime], list[Version]],
        now: dt.datetime,
    ) -> tuple[int, dict[str, list[Version]]]:
        with self.connect() as con:
            with _committed(con):
                new_gen, result = self._write_in(con, ws, project, now)
            big = len(ws.events) + len(ws.cancel_change_ids) > smallwrites.SMALL_ROWS
            self.written = (new_gen, self._settled_stat(con, checkpoint=big))
        cached = self._users_cache
        if cached is not None and cached[0] == new_gen - 1:
            self._users_cache = (new_gen, cached[1])  # a change write keeps the users
        self._seen_generation = new_gen
        return new_gen, result

    def _settled_stat(
        self, con: duckdb.DuckDBPyConnection, checkpoint: bool = False
    ) -> tuple[int, ...] | None:
        """The file's stat key once this process's commit is checkpointed, or None.

        Taken while the file is still attached, so no other process can have written in
        between; only when this is the sole operation of the process on the file (another
        thread's write could otherwise slip in). While the file lingers attached nobody else
        can change it either, so the register need not re-read the file to learn what it just
        wrote (the checkpoint at the later detach changes the stat once more; the register then
        finds the generation unchanged with one cheap query).
        """
        if self.path is None:
            return None
        if checkpoint or LINGER <= 0:
            # A big write goes into the file at once (the WAL stays small for the next attach);
            # without lingering the detach comes right after: checkpointing now leaves it
            # nothing to change.
            try:
                con.execute("CHECKPOINT")
            except duckdb.Error:
                return None
        if not _engine(self.path).sole_user():
            return None
        return self.stat_key()

    def checkpoint(self) -> None:
        """Write the WAL into the register file now (after bulk work, before copying a file)."""
        if self.path is None:
            return
        with self.connect() as con:
            con.execute("CHECKPOINT")

    def _write_in(
        self,
        con: duckdb.DuckDBPyConnection,
        ws: WriteSet,
        project: Callable[[str, list[Event], dt.datetime], list[Version]],
        now: dt.datetime,
    ) -> tuple[int, dict[str, list[Version]]]:
        gen = rows.generation(con)
        if gen != ws.expected_generation:
            raise StaleSnapshot(ws.expected_generation, gen)
        new_gen = gen + 1
        touched = set(ws.touched) | {e.sor_code for e in ws.events}
        if ws.cancel_change_ids:
            touched |= rows.cancel_events(
                con, ws.cancel_change_ids, ws.cancelled_by or "", now, new_gen
            )
        rows.insert_events(con, ws.events, ws.user, now, new_gen)
        events = rows.events_by_code(con, touched)
        known = ws.current
        if (
            known is not None
            and touched <= set(known)
            and all(v.version_id is not None for vs in known.values() for v in vs)
        ):  # the generation matched: the snapshot's versions are the stored ones
            current = {c: list(known[c]) for c in touched if known[c]}
        else:
            current = rows.versions_by_code(con, touched)
        result: dict[str, list[Version]] = {}
        to_supersede: list[int] = []
        to_insert: list[Version] = []
        for code in touched:
            new_versions = project(code, events.get(code, []), now)
            old_versions = current.get(code, [])
            new_keys = [rows.content_key(v) for v in new_versions]
            old_keys = [rows.content_key(v) for v in old_versions]
            had = dict(zip(old_keys, old_versions, strict=True))
            keep = set(new_keys)
            to_supersede += [
                int(v.version_id or 0)
                for k, v in zip(old_keys, old_versions, strict=True)
                if k not in keep
            ]
            to_insert += [v for k, v in zip(new_keys, new_versions, strict=True) if k not in had]
            result[code] = [had.get(k, v) for k, v in zip(new_keys, new_versions, strict=True)]
        rows.supersede_versions(con, to_supersede, now, new_gen)
        ids = rows.insert_versions(con, to_insert, ws.user, now, new_gen, ids=True)
        if ids:  # the new versions carry their ids, so the next write can trust them too
            for code, vs in result.items():
                result[code] = [
                    v
                    if v.version_id is not None
                    else v._replace(version_id=ids.get((v.sor_code, v.valid_from)))
                    for v in vs
                ]
        rows.insert_audit(con, ws.audit, ws.user, now)
        if ws.batch is not None:
            rows.insert_batch(con, ws.batch, ws.user, now)
        rows.set_generation(con, new_gen)
        return new_gen, result

    def bulk_load(
        self,
        events: Sequence[Event],
        versions: Sequence[Version] | pa.Table,
        audit: Sequence[AuditRow],
        user: str,
        now: dt.datetime,
    ) -> int:
        """Insert pre-projected events and versions in one transaction (demo, import).

        ``versions`` may be an Arrow table made by :func:`sorkit.store.rows.versions_table`.
        """
        with self.transaction() as con:
            gen = rows.generation(con) + 1
            rows.insert_events(con, events, user, now, gen)
            rows.insert_versions(con, versions, user, now, gen)
            rows.insert_audit(con, audit, user, now)
            rows.set_generation(con, gen)
        self.checkpoint()
        return gen

    def batch_with_hash(self, plan_hash: str) -> tuple[Any, ...] | None:
        """The batch already applied with this plan hash, if any."""
        with self.connect() as con:
            found = con.execute(
                "SELECT batch_id, applied_by, applied_at FROM batches WHERE plan_hash = ?",
                [plan_hash],
            ).fetchall()
            return tuple(found[0]) if found else None

    # -- history, reports and checks (SQL in sorkit.store.reads) -----------------------------

    def pending_events(self, after: dt.date) -> list[tuple[Any, ...]]:
        """Current events taking effect after ``after``, soonest first (see ``reads``)."""
        with self.connect() as con:
            return reads.pending_events(con, after)

    def period_events(self, first: dt.date, last: dt.date, by: str) -> list[tuple[Any, ...]]:
        """Current events in ``[first, last]`` by effective or recorded date (see ``reads``)."""
        with self.connect() as con:
            return reads.period_events(con, first, last, by)

    def audit_records(
        self,
        start: dt.date | None = None,
        end: dt.date | None = None,
        sor_code: str | None = None,
    ) -> Any:
        """Audit records recorded in ``[start, end]``, newest first, as a DataFrame."""
        with self.connect() as con:
            return reads.audit_records(con, start, end, sor_code)

    def audit_gaps(self) -> reads.AuditGaps:
        """Writes without their audit record; batches without their record or rows."""
        with self.connect() as con:
            return reads.audit_gaps(con)

    def contents(self) -> Any:
        """Everything the integrity check looks at (a ``backup_sql.RegisterContents``)."""
        from sorkit.store.backup_sql import read_contents

        return read_contents(self)

    # -- bulk writes and whole-register copies (SQL in sorkit.store.io) ----------------------

    def bulk_import(
        self,
        chunks: Iterable[tuple[Sequence[Event], Sequence[Version], Sequence[AuditRow]]],
        user: str,
        now: dt.datetime,
        expected_generation: int,
        *,
        require_empty: bool = True,
    ) -> int:
        """Insert an import's parts in one transaction (see :func:`sorkit.store.io.bulk_import`)."""
        from sorkit.store.io import bulk_import

        return bulk_import(
            self, chunks, user, now, expected_generation, require_empty=require_empty
        )

    def dump_parquet(self, folder: str | Path, *, sorkit_version: str = "") -> dict[str, Any]:
        """Every table as Parquet with a manifest (see :func:`sorkit.store.io.dump_parquet`)."""
        from sorkit.store.io import dump_parquet

        return dump_parquet(self, folder, sorkit_version=sorkit_version)

    def load_parquet(self, folder: str | Path) -> dict[str, Any]:
        """Fill this empty register from a dump (see :func:`sorkit.store.io.load_parquet`)."""
        from sorkit.store.io import load_parquet

        return load_parquet(self, folder)


def open_store(path: str | os.PathLike[str] | None, *, busy_timeout: float = 60.0) -> Store:
    """The store of the register at ``path`` (a DuckDB file; None = in memory).

    The one place that picks a storage engine: a second engine adds its own kind of ``path``
    here and returns its implementation of :class:`sorkit.store.interface.RegisterStore`.
    """
    return Store(path, busy_timeout=busy_timeout)


class _Engine:
    """An in-memory DuckDB that attaches one register file while this process works on it.

    Operations of several threads on the same file share one attachment (as ``duckdb.connect``
    shares one database instance per file within a process). When the last operation ends, the
    file stays attached for :data:`LINGER` seconds more, so a burst of operations (a notebook
    cell reading history of fifty units, a plan right after an apply) pays for one attach
    instead of one per operation; then a timer DETACHes it (checkpointing the WAL into the file
    and releasing DuckDB's file lock for other processes). Each file has its own engine, so
    catalog queries only ever see that file.
    """

    def __init__(self, path: Path):
        self.path = path
        self.lock = threading.Lock()
        self.pid = 0
        self.con: duckdb.DuckDBPyConnection | None = None
        self.users = 0
        self.attached = False
        self.idle_since = 0.0  # monotonic time the last operation ended
        self.timer: threading.Timer | None = None  # the one pending detach, if any

    def acquire(self) -> duckdb.DuckDBPyConnection:
        """Attach the file if needed and return a cursor using it (raises on a lock conflict)."""
        with self.lock:
            if self.con is None or self.pid != os.getpid():  # new, or inherited through fork
                self.con = duckdb.connect(":memory:")
                self.pid = os.getpid()
                self.users = 0
                self.attached = False
            if not self.attached:
                target = str(self.path).replace("'", "''")
                self.con.execute(f"ATTACH '{target}' AS {_ALIAS}")
                self.attached = True
            self.users += 1
            cursor = self.con.cursor()
        try:
            cursor.execute(f"USE {_ALIAS}")
        except BaseException:
            cursor.close()
            self.release()
            raise
        return cursor

    def sole_user(self) -> bool:
        """True if exactly one operation of this process has the file attached."""
        with self.lock:
            return self.users == 1

    def release(self) -> None:
        """One user less; after the last one the file is detached (at once or after LINGER)."""
        with self.lock:
            self.users -= 1
            if self.users or not self.attached:
                return
            if LINGER <= 0:
                self._detach()
                return
            self.idle_since = time.monotonic()
            if self.timer is None:
                self._schedule(LINGER)

    def detach_now(self) -> None:
        """Detach at once if no operation is running (before another handle opens the file)."""
        with self.lock:
            if self.users == 0 and self.attached and self.pid == os.getpid():
                self._detach()

    def _schedule(self, delay: float) -> None:
        """Start the one detach timer (call with the lock held)."""
        self.timer = threading.Timer(delay, self._detach_if_idle)
        self.timer.daemon = True
        self.timer.start()

    def _detach_if_idle(self) -> None:
        """Timer: detach once the file has been idle LINGER seconds; else look again then."""
        with self.lock:
            self.timer = None
            if self.users or not self.attached or self.pid != os.getpid():
                return  # in use again: the next release schedules anew
            left = self.idle_since + LINGER - time.monotonic()
            if left > 0:
                self._schedule(left)
            else:
                self._detach()

    def _detach(self) -> None:
        """DETACH (checkpoint, then the file lock is released); call with the lock held."""
        self.attached = False
        if self.con is None:
            return
        try:
            self.con.execute(f"DETACH {_ALIAS}")
        except duckdb.Error:
            # A broken engine (e.g. the file vanished): start afresh next time.
            self.con.close()
            self.con = None


#: Seconds a register file stays attached after this process's last operation on it
#: (``SORKIT_LINGER``; 0 releases it at once). Other processes wait at most this long extra.
LINGER = float(os.environ.get("SORKIT_LINGER", "0.1"))


def release_all() -> None:
    """Detach every idle register file of this process now (at exit, before a restore)."""
    with _ENGINES_LOCK:
        engines = list(_ENGINES.values())
    for engine in engines:
        engine.detach_now()


@contextmanager
def _committed(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """BEGIN ... COMMIT on ``con``; any error rolls everything back."""
    con.begin()
    try:
        yield
    except BaseException:
        con.rollback()
        raise
    con.commit()


_ALIAS = "sorkit_register"
_ENGINES: dict[str, _Engine] = {}
_ENGINES_LOCK = threading.Lock()
atexit.register(release_all)


def _engine(path: Path | None) -> _Engine:
    assert path is not None
    key = os.path.realpath(path)
    with _ENGINES_LOCK:
        found = _ENGINES.get(key)
        if found is None:
            found = _ENGINES[key] = _Engine(Path(key))
        return found


def dumps(value: Any) -> str:
    """JSON text for parameters and assignments (dates as ISO, tuples as lists)."""
    return json.dumps(value, default=_json_default, ensure_ascii=False, sort_keys=True)


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if hasattr(value, "to_dict"):
        return value.to_dict()
    raise TypeError(f"cannot store {type(value).__name__}")
