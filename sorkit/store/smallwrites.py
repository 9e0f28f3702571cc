"""Inserts of a few rows as plain parameterised SQL (the store's write path for single changes).

Registering an Arrow table with DuckDB and inserting from it costs about 5 ms per statement
whatever its size; a multi-row ``INSERT ... VALUES`` with parameters costs about 1 ms for a
handful of rows. Single changes (a create, an edit, a move: one to a few units) write a few rows
to three tables, so they take this path; batches and imports keep the Arrow path of
:mod:`sorkit.store.rows`, which wins from a few dozen rows on.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Any

import duckdb

from sorkit.model import ADDRESS_KEYS, LOCATION_NUMBER_KEYS, STATE_FIELDS, Event, Version
from sorkit.store.schema import ADDRESS_STRUCT, LOCATION_NUMBER_STRUCT

#: Up to this many rows a write goes through parameterised SQL instead of Arrow.
SMALL_ROWS = 32

_ADDRESS_FIELDS = ("postal_address", "visiting_address", "activity_address")
_LIST_FIELDS = ("local_attributes", "specialities", "replaces", "replaced_by")
_STATE = list(STATE_FIELDS)


_ADDRESS_KEYS = tuple(ADDRESS_KEYS)
_LN_KEYS = tuple(LOCATION_NUMBER_KEYS)


def _values(rows: int, columns: int) -> str:
    one = "(" + ", ".join("?" * columns) + ")"
    return ", ".join([one] * rows)


def insert_events(
    con: duckdb.DuckDBPyConnection,
    events: Sequence[Event],
    user: str,
    now: dt.datetime,
    gen: int,
    assignments: Sequence[str],
) -> None:
    """Insert a few events (``assignments``: their assignments as stored JSON text)."""
    params: list[Any] = []
    for e, text in zip(events, assignments, strict=True):
        params += [
            e.change_id,
            e.sor_code,
            e.effective_from,
            e.kind,
            text,
            e.recorded_at or now,
            e.recorded_by or user,
        ]
    con.execute(
        "INSERT INTO unit_events SELECT nextval('event_ids'), c1, c2, c3, c4, c5, c6, c7, "
        f"NULL, NULL, {int(gen)} FROM (VALUES {_values(len(events), 7)}) "
        "AS t(c1, c2, c3, c4, c5, c6, c7)",
        params,
    )


def insert_audit(
    con: duckdb.DuckDBPyConnection,
    audit: Sequence[Any],
    user: str,
    now: dt.datetime,
    dumps: Any,
) -> None:
    """Insert a few audit rows (``dumps``: the store's JSON writer for parameters)."""
    params: list[Any] = []
    for a in audit:
        params += [
            a.change_id,
            a.sor_code,
            a.operation,
            a.effective_from,
            dumps(a.parameters),
            dumps(dict(a.accepted)),
            a.reason,
            a.batch_id,
        ]
    con.execute(
        "INSERT INTO audit SELECT nextval('audit_ids'), c1, c2, c3, c4, c5, c6, c7, c8, ?, ? "
        f"FROM (VALUES {_values(len(audit), 8)}) AS t(c1, c2, c3, c4, c5, c6, c7, c8)",
        [user, now, *params],  # the two in the SELECT list come first
    )


def insert_versions(
    con: duckdb.DuckDBPyConnection,
    versions: Sequence[Version],
    user: str,
    now: dt.datetime,
    gen: int,
) -> dict[tuple[str, dt.date], int]:
    """Insert a few versions; struct and list values are passed as JSON and cast in SQL.

    Returns:
        The new version ids by (SOR code, valid_from).
    """
    names = ["sor_code", "valid_from", "valid_to", *_STATE, "set_fields"]
    width = len(names) + 3  # change_id, recorded_at, recorded_by
    params: list[Any] = []
    for v in versions:
        for name in names:
            params.append(_param(name, getattr(v, name)))
        params += [v.change_id, v.recorded_at or now, v.recorded_by or user]
    select = [
        f"c{i}" if names[i] not in _CASTS else _CASTS[names[i]].format(f"c{i}")
        for i in range(len(names))
    ]
    aliases = ", ".join(f"c{i}" for i in range(width))
    found = con.execute(
        f"INSERT INTO unit_versions (version_id, {', '.join(names)}, change_id, recorded_at, "
        f"recorded_by, gen) SELECT nextval('version_ids'), {', '.join(select)}, "
        f"c{width - 3}, c{width - 2}, c{width - 1}, {int(gen)} "
        f"FROM (VALUES {_values(len(versions), width)}) AS t({aliases}) "
        "RETURNING sor_code, valid_from, version_id",
        params,
    ).fetchall()
    return {(code, start): int(vid) for code, start, vid in found}


_CASTS: dict[str, str] = {
    **{name: f"CAST(CAST({{}} AS JSON) AS {ADDRESS_STRUCT})" for name in _ADDRESS_FIELDS},
    "location_number": f"CAST(CAST({{}} AS JSON) AS {LOCATION_NUMBER_STRUCT})",
    **{name: "CAST(CAST({} AS JSON) AS VARCHAR[])" for name in (*_LIST_FIELDS, "set_fields")},
}


def _param(name: str, value: Any) -> Any:
    """A version field as a parameter: structs and lists as JSON text, the rest as they are."""
    if name in _ADDRESS_FIELDS or name == "location_number":
        if value is None:
            return None
        keys = _LN_KEYS if name == "location_number" else _ADDRESS_KEYS
        return json.dumps({k: _plain(value.get(k)) for k in keys}, ensure_ascii=False)
    if name in _LIST_FIELDS or name == "set_fields":
        if value is None:
            return None
        return json.dumps([str(x) for x in value], ensure_ascii=False)
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, (tuple, list)):
        return [str(x) for x in value]
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    return value
