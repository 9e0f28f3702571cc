"""The SQL rows of the PostgreSQL store: the write transaction's steps and row conversions.

:class:`sorkit.store.pg.PgStore` calls these inside its transactions (see its module docstring
for how a write locks its units and takes the generation last).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
import psycopg
import pyarrow as pa
from psycopg.types.json import Jsonb

from sorkit.errors import StaleSnapshot
from sorkit.model import STATE_FIELDS, Event, Version
from sorkit.store.load import VERSION_SELECT, to_version

#: The NOTIFY channel every commit signals (payload: the new generation).
CHANNEL = "sorkit"

_STATE = list(STATE_FIELDS)
_JSON_FIELDS = frozenset(
    {"postal_address", "visiting_address", "activity_address", "location_number"}
)
_LIST_FIELDS = frozenset({"local_attributes", "specialities", "replaces", "replaced_by"})
_VERSION_COLUMNS = [
    "version_id",
    "sor_code",
    "valid_from",
    "valid_to",
    *_STATE,
    "set_fields",
    "change_id",
    "recorded_at",
    "recorded_by",
    "gen",
]
_EVENT_SELECT = (
    "event_id, change_id, sor_code, effective_from, kind, assignments, recorded_at, recorded_by"
)
_EVENT_COLUMNS = (
    "event_id",
    "change_id",
    "sor_code",
    "effective_from",
    "kind",
    "assignments",
    "recorded_at",
    "recorded_by",
    "cancelled",
    "cancelled_by",
)
_EVENTS_LOG = (
    "SELECT event_id, change_id, sor_code, effective_from, kind, assignments, recorded_at, "
    "recorded_by, superseded_at IS NOT NULL AS cancelled, superseded_by AS cancelled_by "
    "FROM unit_events"
)
_AUDIT_LOG = "SELECT audit_id, change_id, sor_code, reason, accepted, batch_id FROM audit"


def _qmarks(sql: str) -> str:
    """Sorkit's portable SQL uses ``?`` placeholders; psycopg wants ``%s``."""
    return sql.replace("%", "%%").replace("?", "%s")


class _Qmarks:
    """A psycopg connection that takes sorkit's portable ``?`` SQL (for ``sorkit.store.reads``)."""

    def __init__(self, con: psycopg.Connection[Any]):
        self.con = con

    def execute(self, sql: str, params: Sequence[Any] = ()) -> _Result:
        cur = self.con.execute(_qmarks(sql), list(params))  # type: ignore[arg-type]
        return _Result(cur)


class _Result:
    def __init__(self, cur: Any):
        self.cur = cur

    def fetchall(self) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in self.cur.fetchall()]

    def df(self) -> pd.DataFrame:
        names = [d.name for d in self.cur.description or []]
        return pd.DataFrame.from_records(self.fetchall(), columns=names)


# -- the write ----------------------------------------------------------------------------------


def _write_in(
    con: psycopg.Connection[Any],
    ws: Any,
    project: Callable[[str, list[Event], dt.datetime], list[Version]],
    now: dt.datetime,
) -> tuple[int, dict[str, list[Version]]]:
    touched = set(ws.touched) | {e.sor_code for e in ws.events}
    cancelled: set[str] = set(ws.cancel_change_ids)
    if cancelled:
        touched |= {
            r[0]
            for r in con.execute(
                "SELECT DISTINCT sor_code FROM unit_events WHERE change_id = ANY(%s) "
                "AND superseded_at IS NULL",
                [sorted(cancelled)],
            ).fetchall()
        }
    _ensure_units(con, sorted(touched))
    seen = _lock_units(con, sorted(touched))
    newest = max(seen.values(), default=0)
    if newest > ws.expected_generation:
        raise StaleSnapshot(ws.expected_generation, newest)
    # The units are locked: their events and versions cannot change until we commit.
    stored = _events_for(con, touched)
    new_events = _with_event_ids(con, ws.events, ws.user, now)
    by_code: dict[str, list[Event]] = {}
    for e in [*(e for e in stored if e.change_id not in cancelled), *new_events]:
        by_code.setdefault(e.sor_code, []).append(e)
    for events in by_code.values():
        events.sort(key=lambda e: (e.effective_from, e.recorded_at, e.event_id))
    known = ws.current
    if (
        known is not None
        and touched <= set(known)
        and all(v.version_id is not None for vs in known.values() for v in vs)
    ):
        current = {c: list(known[c]) for c in touched if known[c]}
    else:
        current = {}
        for v in _select_versions(
            con, "superseded_at IS NULL AND sor_code = ANY(%s)", [sorted(touched)]
        ):
            current.setdefault(v.sor_code, []).append(v)
    from sorkit.store.rows import content_key

    result: dict[str, list[Version]] = {}
    to_supersede: list[int] = []
    to_insert: list[Version] = []
    new_parents: set[str] = set()
    for code in touched:
        new_versions = project(code, by_code.get(code, []), now)
        old_versions = current.get(code, [])
        old_parents = {v.parent for v in old_versions}
        new_parents |= {v.parent for v in new_versions if v.parent and v.parent not in old_parents}
        old_keys = [content_key(v) for v in old_versions]
        keep = {content_key(v) for v in new_versions}
        had = dict(zip(old_keys, old_versions, strict=True))
        to_supersede += [
            int(v.version_id or 0)
            for k, v in zip(old_keys, old_versions, strict=True)
            if k not in keep
        ]
        result[code] = [had.get(content_key(v), v) for v in new_versions]
        to_insert += [v for v in new_versions if content_key(v) not in had]
    # A unit that gains a child is written too (its generation moves), so that closing it
    # at the same time in another process meets this write instead of orphaning the child.
    parents = sorted(new_parents - touched)
    if parents:
        seen = _lock_units(con, parents)
        newest = max(seen.values(), default=0)
        if newest > ws.expected_generation:
            raise StaleSnapshot(ws.expected_generation, newest)
    inserted = _with_version_ids(con, to_insert, ws.user, now)
    ids = {(v.sor_code, v.valid_from): v.version_id for v in inserted}
    for code, vs in result.items():
        result[code] = [
            v
            if v.version_id is not None
            else v._replace(version_id=ids[(v.sor_code, v.valid_from)])
            for v in vs
        ]
    if ws.take_setting is not None:  # e.g. the next location number (sorkit.gln.allocation)
        take_setting(
            con, *ws.take_setting, user=ws.user, now=now, generation=ws.expected_generation
        )
    # From here to COMMIT other writers wait for the generation: inserts only.
    new_gen = _next_generation(con)
    if cancelled:
        con.execute(
            "UPDATE unit_events SET superseded_at = %s, superseded_by = %s, gen = %s "
            "WHERE change_id = ANY(%s) AND superseded_at IS NULL",
            [now, ws.cancelled_by or "", new_gen, sorted(cancelled)],
        )
    _copy_events(con, new_events, new_gen)
    if to_supersede:
        con.execute(
            "UPDATE unit_versions SET superseded_at = %s, superseded_gen = %s "
            "WHERE version_id = ANY(%s)",
            [now, new_gen, to_supersede],
        )
    _copy_versions(con, inserted, new_gen)
    _insert_audit(con, ws.audit, ws.user, now)
    if ws.batch is not None:
        b = ws.batch
        con.execute(
            "INSERT INTO batches VALUES (%s, %s, %s, %s, %s, %s)",
            [b["batch_id"], b["plan_hash"], int(b["row_count"]), ws.user, now, b.get("reason")],
        )
    _mark_units(con, sorted(touched | set(parents)), new_gen)
    con.execute("SELECT pg_notify(%s, %s)", [CHANNEL, str(new_gen)])
    return new_gen, result


def _ensure_units(con: psycopg.Connection[Any], codes: Sequence[str]) -> None:
    """A ``units`` row for every code (new units get generation 0 until their write commits)."""
    if codes:
        con.execute(
            "INSERT INTO units (sor_code, gen) SELECT c, 0 FROM unnest(%s::text[]) AS c "
            "ORDER BY c ON CONFLICT DO NOTHING",
            [list(codes)],
        )


def _lock_units(con: psycopg.Connection[Any], codes: Sequence[str]) -> dict[str, int]:
    """Lock the units' rows (in SOR-code order: no deadlock between writers); their generations."""
    if not codes:
        return {}
    rows = con.execute(
        "SELECT sor_code, gen FROM units WHERE sor_code = ANY(%s) ORDER BY sor_code FOR UPDATE",
        [list(codes)],
    ).fetchall()
    return {r[0]: int(r[1]) for r in rows}


def _mark_units(con: psycopg.Connection[Any], codes: Sequence[str], gen: int) -> None:
    if codes:
        con.execute("UPDATE units SET gen = %s WHERE sor_code = ANY(%s)", [gen, list(codes)])


def _generation(con: psycopg.Connection[Any]) -> int:
    row = con.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
    return int(row[0]) if row else 0


def take_setting(
    con: psycopg.Connection[Any],
    key: str,
    expected: str,
    new: str,
    *,
    user: str,
    now: dt.datetime,
    generation: int,
) -> None:
    """Set ``key`` to ``new`` only if it still holds ``expected``, in one atomic UPDATE.

    Under READ COMMITTED a second writer's UPDATE waits for the first and then re-checks the
    condition, so two writers never take the same value.

    Raises:
        StaleSnapshot: another writer took it first (the caller re-plans).
    """
    cur = con.execute(
        "UPDATE settings SET value = %s, set_by = %s, set_at = %s WHERE key = %s AND value = %s",
        [new, user, now, key, expected],
    )
    if cur.rowcount != 1:
        raise StaleSnapshot(generation, generation + 1)


def _next_generation(con: psycopg.Connection[Any]) -> int:
    """Take the next generation (the ``meta`` row stays locked until COMMIT)."""
    row = con.execute(
        "UPDATE meta SET value = (value::bigint + 1)::text WHERE key = 'generation' RETURNING value"
    ).fetchone()
    assert row is not None
    return int(row[0])


def _log_marks(con: psycopg.Connection[Any]) -> tuple[int, int]:
    row = con.execute("SELECT coalesce(max(audit_id), 0) FROM audit").fetchone()
    return _generation(con), int(row[0]) if row else 0


def _ids(con: psycopg.Connection[Any], sequence: str, n: int) -> list[int]:
    if not n:
        return []
    rows = con.execute(
        f"SELECT nextval('{sequence}') FROM generate_series(1, %s)",  # type: ignore[arg-type]
        [n],
    ).fetchall()
    return [int(r[0]) for r in rows]


def _plain(value: Any) -> Any:
    if hasattr(value, "to_dict"):
        return _plain(value.to_dict())
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _with_event_ids(
    con: psycopg.Connection[Any], events: Sequence[Event], user: str, now: dt.datetime
) -> list[Event]:
    """New events with their ids, stamps and assignments as they will read back."""
    ids = _ids(con, "event_ids", len(events))
    out = []
    for e, event_id in zip(events, ids, strict=True):
        text = json.dumps(_plain(dict(e.assignments)), ensure_ascii=False, sort_keys=True)
        out.append(
            e._replace(
                event_id=event_id,
                assignments=json.loads(text),
                recorded_at=e.recorded_at or now,
                recorded_by=e.recorded_by or user,
            )
        )
    return out


def _with_version_ids(
    con: psycopg.Connection[Any], versions: Sequence[Version], user: str, now: dt.datetime
) -> list[Version]:
    ids = _ids(con, "version_ids", len(versions))
    return [
        v._replace(
            version_id=vid,
            recorded_at=v.recorded_at or now,
            recorded_by=v.recorded_by or user,
        )
        for v, vid in zip(versions, ids, strict=True)
    ]


def _copy_events(con: psycopg.Connection[Any], events: Sequence[Event], gen: int) -> None:
    if not events:
        return
    with con.cursor().copy(
        "COPY unit_events (event_id, change_id, sor_code, effective_from, kind, assignments, "
        "recorded_at, recorded_by, gen) FROM STDIN"
    ) as copy:
        copy.set_types(
            ["int8", "text", "text", "date", "text", "text", "timestamp", "text", "int8"]
        )
        for e in events:
            copy.write_row(
                (
                    e.event_id,
                    e.change_id,
                    e.sor_code,
                    e.effective_from,
                    e.kind,
                    json.dumps(e.assignments, ensure_ascii=False, sort_keys=True),
                    e.recorded_at,
                    e.recorded_by,
                    gen,
                )
            )


_VERSION_TYPES = [
    "int8",
    "text",
    "date",
    "date",
    *[
        "jsonb"
        if n in _JSON_FIELDS
        else "text[]"
        if n in _LIST_FIELDS
        else "bool"
        if n in ("inherit_electronic", "inherit_location_number")
        else "text"
        for n in _STATE
    ],
    "text[]",
    "text",
    "timestamp",
    "text",
    "int8",
]


def _version_row(v: Version, gen: int) -> tuple[Any, ...]:
    values: list[Any] = [v.version_id, v.sor_code, v.valid_from, v.valid_to]
    for name in _STATE:
        value = getattr(v, name)
        if name in _JSON_FIELDS:
            value = None if value is None else Jsonb(_plain(dict(value)))
        elif name in _LIST_FIELDS:
            value = None if value is None else [str(x) for x in value]
        values.append(value)
    values += [list(v.set_fields or ()), v.change_id, v.recorded_at, v.recorded_by, gen]
    return tuple(values)


def _copy_versions(con: psycopg.Connection[Any], versions: Sequence[Version], gen: int) -> None:
    if not versions:
        return
    columns = ", ".join(_VERSION_COLUMNS)
    with con.cursor().copy(f"COPY unit_versions ({columns}) FROM STDIN") as copy:  # type: ignore[arg-type]
        copy.set_types(_VERSION_TYPES)
        for v in versions:
            copy.write_row(_version_row(v, gen))


def _insert_audit(
    con: psycopg.Connection[Any], audit: Sequence[Any], user: str, now: dt.datetime
) -> None:
    if not audit:
        return
    from sorkit.store import dumps

    ids = _ids(con, "audit_ids", len(audit))
    with con.cursor().copy(
        "COPY audit (audit_id, change_id, sor_code, operation, effective_from, parameters, "
        "accepted, reason, batch_id, recorded_by, recorded_at) FROM STDIN"
    ) as copy:
        copy.set_types(
            [
                "int8",
                "text",
                "text",
                "text",
                "date",
                "text",
                "text",
                "text",
                "text",
                "text",
                "timestamp",
            ]
        )
        for a, audit_id in zip(audit, ids, strict=True):
            copy.write_row(
                (
                    audit_id,
                    a.change_id,
                    a.sor_code,
                    a.operation,
                    a.effective_from,
                    dumps(a.parameters),
                    dumps(dict(a.accepted)),
                    a.reason,
                    a.batch_id,
                    user,
                    now,
                )
            )


# -- reading rows -------------------------------------------------------------------------------


def _select_versions(con: psycopg.Connection[Any], where: str, params: list[Any]) -> list[Version]:
    sql = f"SELECT {VERSION_SELECT} FROM unit_versions WHERE {where} ORDER BY sor_code, valid_from"
    with con.cursor() as cur:
        cur.execute(sql, params)  # type: ignore[arg-type]  # sorkit's own SQL
        return [to_version(r) for r in cur]


def _to_event(row: Sequence[Any]) -> Event:
    return Event(row[0], row[1], row[2], row[3], row[4], json.loads(row[5]), row[6], row[7])


def _events_for(
    con: psycopg.Connection[Any], codes: set[str], *, include_cancelled: bool = False
) -> list[Event]:
    if not codes:
        return []
    where = "" if include_cancelled else " AND superseded_at IS NULL"
    rows = con.execute(
        f"SELECT {_EVENT_SELECT} FROM unit_events WHERE sor_code = ANY(%s){where} "  # type: ignore[arg-type]
        "ORDER BY sor_code, effective_from, recorded_at, event_id",
        [sorted(codes)],
    ).fetchall()
    return [_to_event(r) for r in rows]


def _event_table(rows: list[tuple[Any, ...]]) -> pa.Table:
    cols = list(zip(*rows, strict=True)) if rows else [() for _ in _EVENT_COLUMNS]
    types = [
        pa.int64(),
        pa.string(),
        pa.string(),
        pa.date32(),
        pa.string(),
        pa.string(),
        pa.timestamp("us"),
        pa.string(),
        pa.bool_(),
        pa.string(),
    ]
    return pa.table(
        {n: pa.array(c, t) for n, c, t in zip(_EVENT_COLUMNS, cols, types, strict=True)}
    )


def _audit_table(rows: list[tuple[Any, ...]]) -> pa.Table:
    names = ("audit_id", "change_id", "sor_code", "reason", "accepted", "batch_id")
    cols = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    types = [pa.int64(), *[pa.string()] * 5]
    return pa.table({n: pa.array(c, t) for n, c, t in zip(names, cols, types, strict=True)})
