"""The register on PostgreSQL: the same store interface as the DuckDB :class:`~sorkit.store.Store`.

Opened with a ``postgresql://`` URL (``open_register``, ``SORKIT_REGISTER``, every CLI
``--register``). Many processes write at once:

- a write locks only the rows of ``units`` it touches (plus the new parent of a created or
  moved unit) with ``SELECT ... FOR UPDATE`` in SOR-code order, and checks each unit's
  generation against the snapshot the change was planned on: a unit written since gives
  :class:`~sorkit.errors.StaleSnapshot` (the engine re-plans, or refuses with
  CONCURRENT_CHANGE when the unit itself changed), any other unit is no obstacle;
- the register-wide ``generation`` is taken as the last statement before COMMIT (a row lock on
  one ``meta`` row held for the inserts and the commit only), so generations are committed in
  order and "everything written after generation G" stays a correct incremental read;
- the commit NOTIFYs channel ``sorkit``; every open store LISTENs on its own connection, and
  :meth:`PgStore.stat_key` changes when a notification arrives, so every open register patches
  its snapshot (and search index and change log) on its next read, without polling.

The database's own constraints (:mod:`sorkit.store.pgschema`) are the last line: a version
written behind sorkit's back that overlaps a current one is refused by PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import pandas as pd
import psycopg
import pyarrow as pa
from psycopg import errors as pg_errors

from sorkit.errors import RegisterBusy, RegisterUnavailable, SchemaError, StaleSnapshot
from sorkit.model import Event, Version
from sorkit.store.engines import is_url
from sorkit.store.pgrows import (
    _AUDIT_LOG,
    _EVENT_SELECT,
    _EVENTS_LOG,
    CHANNEL,
    _audit_table,
    _copy_events,
    _copy_versions,
    _ensure_units,
    _event_table,
    _events_for,
    _generation,
    _insert_audit,
    _lock_units,
    _log_marks,
    _mark_units,
    _next_generation,
    _Qmarks,
    _qmarks,
    _select_versions,
    _to_event,
    _with_event_ids,
    _with_version_ids,
    _write_in,
)
from sorkit.store.pgschema import LATEST_VERSION, MIGRATIONS
from sorkit.store.schema import APP_ID

__all__ = ["PgStore", "is_url", "CHANNEL"]

#: Server answers that mean "wait a little" rather than "not there".
_BUSY_MARKERS = ("starting up", "shutting down", "too many clients", "remaining connection slots")

#: The open stores of this process by database URL: a commit here tells them at once (the
#: NOTIFY reaches them too, a few milliseconds later).
_OPEN: dict[str, weakref.WeakSet[PgStore]] = {}
_OPEN_LOCK = threading.Lock()


def _tell_siblings(url: str, but: PgStore | None = None) -> None:
    """Every other open store of this process on ``url`` re-reads at its next read."""
    with _OPEN_LOCK:
        stores = list(_OPEN.get(url, ()))
    for store in stores:
        if store is not but:
            store._notified += 1


class PgStore:
    """A register in a PostgreSQL database (see the module docstring)."""

    def __init__(self, url: str, *, busy_timeout: float = 60.0):
        """Connect to ``url``, creating the schema in an empty database or upgrading it.

        Raises:
            SchemaError: the database holds something else, or a newer sorkit's register.
            RegisterBusy: the server did not answer within ``busy_timeout`` seconds.
        """
        self.url = url
        self.path = None  # no file: the register lives on the server
        self.busy_timeout = busy_timeout
        self._lock = threading.RLock()
        self._con: psycopg.Connection[Any] | None = None
        self._pid = 0
        self._inherited: list[Any] = []  # connections of a parent process: never touched
        self._seen_generation: int | None = None
        self._users_cache: tuple[int, dict[str, tuple[str, tuple[str, ...], str | None]]] | None
        self._users_cache = None
        self._notified = 0
        #: Server processes of this store's own connections (their NOTIFYs are not news).
        self._own_pids: set[int] = set()
        self._listener: threading.Thread | None = None
        self._listener_pid = 0
        self._listening = False
        self._closed = False
        #: (generation, stat key) of this store's last write; the key is never known ahead
        #: (the commit's own notification changes it), so the register asks once more.
        self.written: tuple[int, tuple[int, ...] | None] = (-1, None)
        self._initialise()
        with _OPEN_LOCK:
            _OPEN.setdefault(url, weakref.WeakSet()).add(self)

    # -- connections -------------------------------------------------------------------------

    def _connect(self) -> psycopg.Connection[Any]:
        """Connect; a server that is starting or full is waited for up to ``busy_timeout``.

        Raises:
            RegisterUnavailable: no server there, a wrong database or a refused login.
            RegisterBusy: the server stayed busy (starting, or out of connections).
        """
        deadline = time.monotonic() + self.busy_timeout
        while True:
            try:
                return psycopg.connect(
                    self.url,
                    connect_timeout=max(2, int(min(self.busy_timeout, 10))),
                    autocommit=True,
                )
            except psycopg.OperationalError as exc:
                text = str(exc)
                if not any(m in text for m in _BUSY_MARKERS):
                    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
                    reason = lines[0] if lines else type(exc).__name__
                    raise RegisterUnavailable(self._where(), reason) from None
                if time.monotonic() >= deadline:
                    raise RegisterBusy(self._where(), self.busy_timeout) from exc
                time.sleep(0.2)

    @contextmanager
    def connect(self) -> Iterator[psycopg.Connection[Any]]:
        """Yield this process's connection to the register (autocommit; one user at a time)."""
        with self._lock:
            if self._con is None or self._pid != os.getpid() or self._con.closed:
                if self._con is not None and self._pid != os.getpid():
                    self._inherited.append(self._con)  # the parent's socket: leave it alone
                self._con = self._connect()
                self._own_pids.add(self._con.info.backend_pid)
                self._pid = os.getpid()
            if self._listener_pid != os.getpid() and not self._closed:
                self._start_listener()
            try:
                yield self._con
            except psycopg.OperationalError:
                # A broken connection (server restart): the next operation connects anew.
                if self._con is not None and self._con.broken:
                    self._con = None
                raise

    @contextmanager
    def transaction(self) -> Iterator[psycopg.Connection[Any]]:
        """Yield the connection inside BEGIN ... COMMIT; any error rolls everything back."""
        with self.connect() as con, con.transaction():
            yield con

    def release(self) -> None:
        """Nothing to let go of: the server keeps the register (the file engine's twin)."""

    def checkpoint(self) -> None:
        """Nothing to do: PostgreSQL makes a commit durable itself."""

    def analyze(self) -> None:
        """Refresh the planner's statistics (after a bulk load: else it guesses, and slowly)."""
        with self.connect() as con:
            con.execute("ANALYZE units, unit_versions, unit_events, audit")

    def close(self) -> None:
        """Close the connections (the register's database may then be dropped or copied)."""
        self._closed = True
        with self._lock:
            if self._con is not None and self._pid == os.getpid():
                self._con.close()
            self._con = None
            self._listening = False
        listener = self._listener
        if listener is not None and listener.is_alive() and self._listener_pid == os.getpid():
            listener.join(timeout=2.0)  # it looks at _closed at least twice a second

    # -- change notifications ----------------------------------------------------------------

    def _start_listener(self) -> None:
        """LISTEN on a connection of its own; a thread counts the notifications."""
        self._listener_pid = os.getpid()
        try:
            con = psycopg.connect(self.url, autocommit=True)
            con.execute(f"LISTEN {CHANNEL}")
        except psycopg.Error:
            self._listening = False
            return
        self._listening = True
        thread = threading.Thread(target=self._listen, args=(con,), daemon=True)
        self._listener = thread
        thread.start()

    def _listen(self, con: psycopg.Connection[Any]) -> None:
        pid = os.getpid()
        try:
            while not self._closed and os.getpid() == pid:
                for note in con.notifies(timeout=0.5, stop_after=1):
                    if note.pid not in self._own_pids:
                        self._notified += 1
        except psycopg.Error:
            pass
        finally:
            self._listening = False
            self._notified += 1  # whatever was missed: look once more
            if os.getpid() == pid:
                con.close()

    def stat_key(self) -> tuple[int, ...] | None:
        """Changes whenever any process commits to the register (a NOTIFY arrived).

        Without a working listener it changes on every call, so every read asks the
        server for the generation (one cheap query) instead of trusting a stale snapshot.
        """
        if self._listening and self._listener_pid == os.getpid():
            return (self._notified,)
        return (time.monotonic_ns(),)

    # -- schema ------------------------------------------------------------------------------

    def _initialise(self) -> None:
        with self.transaction() as con:
            # One process at a time creates or upgrades the schema.
            con.execute("SELECT pg_advisory_xact_lock(hashtext('sorkit-schema'))")
            tables = {
                r[0]
                for r in con.execute(
                    "SELECT table_name FROM information_schema.tables "
                    "WHERE table_schema = current_schema()"
                ).fetchall()
            }
            if not tables:
                self._migrate(con, 0)
                return
            if "meta" not in tables:
                raise SchemaError(f"{self._where()} er ikke et sorkit-register (ingen meta-tabel)")
            meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
            if meta.get("app") != APP_ID:
                raise SchemaError(
                    f"{self._where()} er ikke et sorkit-register (app={meta.get('app')})"
                )
            version = int(meta.get("schema_version", "0"))
            if version > LATEST_VERSION:
                raise SchemaError(
                    f"{self._where()} er lavet af en nyere sorkit (skemaversion {version}; denne "
                    f"sorkit kender op til {LATEST_VERSION}). Opdater sorkit."
                )
            if version < LATEST_VERSION:
                self._migrate(con, version)

    @property
    def where(self) -> str:
        """The URL without user or password (for messages and backup records)."""
        return self._where()

    def _where(self) -> str:
        """The URL without a password, for messages."""
        info = psycopg.conninfo.conninfo_to_dict(self.url)
        return (
            f"postgresql://{info.get('host', '')}:{info.get('port', '')}/{info.get('dbname', '')}"
        )

    def _migrate(self, con: psycopg.Connection[Any], current: int) -> None:
        for version, _name, statements in MIGRATIONS:
            if current < version:
                for statement in statements:
                    con.execute(statement)  # type: ignore[arg-type]  # sorkit's own DDL
                current = version
        if not con.execute("SELECT count(*) FROM meta").fetchall()[0][0]:
            con.cursor().executemany(
                "INSERT INTO meta VALUES (%s, %s)",
                [("app", APP_ID), ("generation", "0"), ("schema_version", str(current))],
            )
        con.execute("UPDATE meta SET value = %s WHERE key = 'schema_version'", [str(current)])

    def schema_version(self) -> int:
        """The schema version of the register."""
        with self.connect() as con:
            row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            return int(row[0]) if row else 0

    # -- reads -------------------------------------------------------------------------------

    def generation(self) -> int:
        """The write counter: the generation of the last committed write."""
        with self.connect() as con:
            return _generation(con)

    def load_current(self) -> tuple[int, list[Version]]:
        """All current-knowledge versions, with the generation they were read at.

        Row by row (psycopg's text rows through :func:`sorkit.store.load.to_version`): at
        10,000 units this took 2.1 s where Arrow columns through the DuckDB loader's
        converter took 3.7 s, so equal values are not shared as they are for a file.
        """
        with self._snapshot_read() as con:
            gen = _generation(con)
            self._seen_generation = gen
            versions = _select_versions(con, "superseded_at IS NULL", [])
        return gen, versions

    def load_changed_since(self, gen: int) -> tuple[int, set[str], list[Version]]:
        """Units written after generation ``gen``: (new generation, their codes, versions)."""
        with self._snapshot_read() as con:
            new_gen = _generation(con)
            self._seen_generation = new_gen
            if new_gen == gen:
                return new_gen, set(), []
            codes = {
                r[0]
                for r in con.execute("SELECT sor_code FROM units WHERE gen > %s", [gen]).fetchall()
            }
            versions = (
                _select_versions(
                    con, "superseded_at IS NULL AND sor_code = ANY(%s)", [sorted(codes)]
                )
                if codes
                else []
            )
        return new_gen, codes, versions

    @contextmanager
    def _snapshot_read(self) -> Iterator[psycopg.Connection[Any]]:
        """A read-only transaction that sees one committed state (REPEATABLE READ)."""
        with self.connect() as con:
            con.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            try:
                yield con
            finally:
                con.execute("COMMIT")

    def versions_known_at(self, sor_code: str, known_at: dt.datetime) -> list[Version]:
        """The unit's versions as sorkit knew them at ``known_at`` (transaction time)."""
        with self.connect() as con:
            return _select_versions(
                con,
                "sor_code = %s AND recorded_at <= %s AND (superseded_at IS NULL OR superseded_at > %s)",
                [sor_code, known_at, known_at],
            )

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run a read query from sorkit's own SQL (``?`` placeholders) and return all rows."""
        with self.connect() as con:
            return list(con.execute(_qmarks(sql), list(params)).fetchall())  # type: ignore[arg-type]

    def query_df(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run a read query from sorkit's own SQL and return a pandas DataFrame."""
        with self.connect() as con:
            cur = con.execute(_qmarks(sql), list(params))  # type: ignore[arg-type]
            names = [d.name for d in cur.description or []]
            return pd.DataFrame.from_records(cur.fetchall(), columns=names)

    def events_for(self, codes: Iterable[str], *, include_cancelled: bool = False) -> list[Event]:
        """The change events of the given units (cancelled ones only on request)."""
        with self.connect() as con:
            return _events_for(con, set(codes), include_cancelled=include_cancelled)

    def events_for_change(self, change_id: str) -> list[Event]:
        """The current (not cancelled) events of one change."""
        with self.connect() as con:
            rows = con.execute(
                f"SELECT {_EVENT_SELECT} FROM unit_events WHERE change_id = %s "
                "AND superseded_at IS NULL ORDER BY event_id",
                [change_id],
            ).fetchall()
        return [_to_event(r) for r in rows]

    def event_log(self) -> tuple[int, int, Any, Any]:
        """The whole change log: (generation, highest audit id, events, audit) as Arrow."""
        with self._snapshot_read() as con:
            gen, top = _log_marks(con)
            events = con.execute(_EVENTS_LOG).fetchall()
            audit = con.execute(_AUDIT_LOG + " WHERE sor_code IS NOT NULL").fetchall()
        return gen, top, _event_table(events), _audit_table(audit)

    def event_log_since(
        self, generation: int, audit_id: int
    ) -> tuple[int, int, set[str], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        """The event and audit rows of every unit written after ``generation`` / ``audit_id``."""
        with self._snapshot_read() as con:
            now, top = _log_marks(con)
            if now == generation and top == audit_id:
                return now, top, set(), [], []
            codes = {
                r[0]
                for r in con.execute(
                    "SELECT sor_code FROM unit_events WHERE gen > %s UNION SELECT sor_code "
                    "FROM audit WHERE audit_id > %s AND sor_code IS NOT NULL",
                    [generation, audit_id],
                ).fetchall()
            }
            wanted = [sorted(codes)]
            events = con.execute(_EVENTS_LOG + " WHERE sor_code = ANY(%s)", wanted).fetchall()
            audit = con.execute(_AUDIT_LOG + " WHERE sor_code = ANY(%s)", wanted).fetchall()
        return now, top, codes, [tuple(r) for r in events], [tuple(r) for r in audit]

    def users(self) -> dict[str, tuple[str, tuple[str, ...], str | None]]:
        """All users: name -> (role, scopes, display name)."""
        cached = self._users_cache
        if (
            cached is not None
            and self._seen_generation is not None
            and cached[0] == self._seen_generation
        ):
            return dict(cached[1])
        with self._snapshot_read() as con:
            gen = _generation(con)
            found = {
                r[0]: (r[1], tuple(r[2] or ()), r[3])
                for r in con.execute(
                    "SELECT user_name, role, scopes, display_name FROM users"
                ).fetchall()
            }
        self._users_cache = (gen, found)
        self._seen_generation = gen
        return dict(found)

    def set_user(
        self, name: str, role: str, scopes: Iterable[str] = (), display_name: str | None = None
    ) -> None:
        """Create or replace a user with a role and scopes (SOR codes)."""
        with self.transaction() as con:
            con.execute("DELETE FROM users WHERE user_name = %s", [name])
            con.execute(
                "INSERT INTO users VALUES (%s, %s, %s, %s)",
                [name, role, list(scopes), display_name],
            )
            _next_generation(con)
            con.execute("SELECT pg_notify(%s, 'users')", [CHANNEL])
        self._users_cache = None
        _tell_siblings(self.url)

    def settings(self) -> dict[str, str]:
        """The register's settings as ``{key: value}`` (see :mod:`sorkit.store.settings`)."""
        with self.connect() as con:
            return dict(con.execute("SELECT key, value FROM settings").fetchall())

    def set_settings(self, values: Mapping[str, str], user: str, now: dt.datetime) -> int:
        """Set settings in one transaction; bumps the generation (plans made before are stale).

        Returns:
            The new generation.
        """
        with self.transaction() as con:
            for key, value in values.items():
                con.execute(
                    "INSERT INTO settings VALUES (%s, %s, %s, %s) ON CONFLICT (key) DO UPDATE "
                    "SET value = EXCLUDED.value, set_by = EXCLUDED.set_by, "
                    "set_at = EXCLUDED.set_at",
                    [key, value, user, now],
                )
            gen = _next_generation(con)
            con.execute("SELECT pg_notify(%s, 'settings')", [CHANNEL])
        self._users_cache = None
        _tell_siblings(self.url)
        return gen

    # -- history, reports, checks (the portable SQL of sorkit.store.reads) ------------------

    def pending_events(self, after: dt.date) -> list[tuple[Any, ...]]:
        """Current events taking effect after ``after``, soonest first (see ``reads``)."""
        from sorkit.store import reads

        with self.connect() as con:
            return reads.pending_events(_Qmarks(con), after)  # type: ignore[arg-type]

    def period_events(self, first: dt.date, last: dt.date, by: str) -> list[tuple[Any, ...]]:
        """Current events in ``[first, last]`` by effective or recorded date (see ``reads``)."""
        from sorkit.store import reads

        with self.connect() as con:
            return reads.period_events(_Qmarks(con), first, last, by)  # type: ignore[arg-type]

    def audit_records(
        self,
        start: dt.date | None = None,
        end: dt.date | None = None,
        sor_code: str | None = None,
    ) -> Any:
        """Audit records recorded in ``[start, end]``, newest first, as a DataFrame."""
        from sorkit.store import reads

        with self.connect() as con:
            return reads.audit_records(_Qmarks(con), start, end, sor_code)  # type: ignore[arg-type]

    def audit_gaps(self) -> Any:
        """Writes without their audit record; batches without their record or rows."""
        from sorkit.store import reads

        with self.connect() as con:
            return reads.audit_gaps(_Qmarks(con))  # type: ignore[arg-type]

    def contents(self) -> Any:
        """Everything the integrity check looks at, read in one snapshot."""
        from sorkit.store import pgio

        return pgio.read_contents(self)

    def dump_parquet(self, folder: Any, *, sorkit_version: str = "") -> dict[str, Any]:
        """Every table as Parquet in DuckDB's types, with a manifest (see :mod:`pgio`)."""
        from sorkit.store import pgio

        return pgio.dump_parquet(self, folder, sorkit_version=sorkit_version)

    def load_parquet(self, folder: Any) -> dict[str, Any]:
        """Fill this empty register from a Parquet dump of either engine."""
        from sorkit.store import pgio

        return pgio.load_parquet(self, folder)

    def batch_with_hash(self, plan_hash: str) -> tuple[Any, ...] | None:
        """The batch already applied with this plan hash, if any."""
        with self.connect() as con:
            found = con.execute(
                "SELECT batch_id, applied_by, applied_at FROM batches WHERE plan_hash = %s",
                [plan_hash],
            ).fetchall()
        return tuple(found[0]) if found else None

    # -- writes ------------------------------------------------------------------------------

    def write(
        self,
        ws: Any,
        project: Callable[[str, list[Event], dt.datetime], list[Version]],
        now: dt.datetime,
    ) -> tuple[int, dict[str, list[Version]]]:
        """Apply a write set in one transaction, locking only the units it touches.

        Raises:
            StaleSnapshot: a touched unit was written after ``ws.expected_generation`` (or a
                deadlock/serialisation conflict with another writer); nothing written.
        """
        heard = self._notified  # notifications heard before the write began
        try:
            with self.transaction() as con:
                new_gen, result = _write_in(con, ws, project, now)
        except (pg_errors.DeadlockDetected, pg_errors.SerializationFailure) as exc:
            raise StaleSnapshot(ws.expected_generation, ws.expected_generation + 1) from exc
        # The listener skips this connection's own notifications: if no other commit was heard
        # meanwhile, the stat key is what the register may keep after patching in this write
        # (a commit heard later changes it again); else the register asks the server once.
        quiet = self._listening and self._notified == heard
        self.written = (new_gen, (heard,) if quiet else None)
        _tell_siblings(self.url, but=self)
        cached = self._users_cache
        if cached is not None and cached[0] == new_gen - 1:
            self._users_cache = (new_gen, cached[1])  # a change write keeps the users
        self._seen_generation = new_gen
        return new_gen, result

    def bulk_load(
        self,
        events: Sequence[Event],
        versions: Sequence[Version] | pa.Table,
        audit: Sequence[Any],
        user: str,
        now: dt.datetime,
    ) -> int:
        """Insert pre-projected events and versions in one transaction (demo, import)."""
        if isinstance(versions, pa.Table):
            from sorkit.store.load import versions_from_arrow

            if "version_id" not in versions.column_names:  # made by rows.versions_table
                versions = versions.append_column(
                    "version_id", pa.nulls(versions.num_rows, pa.int64())
                )
            versions = versions_from_arrow(versions)
        with self.transaction() as con:
            codes = sorted({e.sor_code for e in events} | {v.sor_code for v in versions})
            _ensure_units(con, codes)
            _lock_units(con, codes)
            gen = _next_generation(con)
            _copy_events(con, _with_event_ids(con, events, user, now), gen)
            _copy_versions(con, _with_version_ids(con, versions, user, now), gen)
            _insert_audit(con, audit, user, now)
            _mark_units(con, codes, gen)
            con.execute("SELECT pg_notify(%s, %s)", [CHANNEL, str(gen)])
        self.analyze()
        _tell_siblings(self.url)
        return gen

    def bulk_import(
        self,
        chunks: Iterable[tuple[Sequence[Event], Sequence[Version], Sequence[Any]]],
        user: str,
        now: dt.datetime,
        expected_generation: int,
        *,
        require_empty: bool = True,
    ) -> int:
        """A whole import in one transaction (see :func:`sorkit.store.io.bulk_import`).

        The generation is taken first: the import waits for writers that are committing and
        holds every other writer off until it commits; nothing is written if anyone wrote
        since ``expected_generation`` (or, with ``require_empty``, the register has units).

        Raises:
            StaleSnapshot: someone wrote since the import was planned (nothing written).
        """
        with self.transaction() as con:
            gen = _next_generation(con)
            if gen - 1 != expected_generation:
                raise StaleSnapshot(expected_generation, gen - 1)
            if require_empty and con.execute("SELECT 1 FROM units LIMIT 1").fetchone():
                raise StaleSnapshot(expected_generation, gen - 1)
            codes: set[str] = set()
            for events, versions, audit in chunks:
                new = sorted({e.sor_code for e in events} | {v.sor_code for v in versions})
                _ensure_units(con, new)
                codes.update(new)
                _copy_events(con, _with_event_ids(con, events, user, now), gen)
                _copy_versions(con, _with_version_ids(con, versions, user, now), gen)
                _insert_audit(con, audit, user, now)
            _mark_units(con, sorted(codes), gen)
            con.execute("SELECT pg_notify(%s, %s)", [CHANNEL, str(gen)])
        self.analyze()
        _tell_siblings(self.url)
        return gen
