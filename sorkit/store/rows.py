"""Row-level SQL of the store: converting versions, events and audit rows to and from DuckDB."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute  # noqa: F401 - pa.compute below

from sorkit.model import (
    ADDRESS_KEYS,
    LOCATION_NUMBER_KEYS,
    STATE_FIELDS,
    Event,
    Version,
)
from sorkit.store import load as _load
from sorkit.store import smallwrites

_STATE = list(STATE_FIELDS)
# The read side lives in sorkit.store.load; its old names here:
TREE_COLUMNS = _load.TREE_COLUMNS
LoadedVersions = _load.LoadedVersions
load_versions = _load.load_versions
select_versions = _load.select_versions
tree_table = _load.tree_table
versions_from_arrow = _load.versions_from_arrow
_to_version = _load.to_version
_VERSION_SELECT = _load.VERSION_SELECT
_EVENT_SELECT = (
    "event_id, change_id, sor_code, effective_from, kind, assignments, recorded_at, recorded_by"
)

_ADDRESS_TYPE = pa.struct(
    [(k, pa.bool_() if k == "skip_validation" else pa.string()) for k in ADDRESS_KEYS]
)
_LN_TYPE = pa.struct(
    [
        (
            k,
            pa.bool_()
            if k in ("only_internal", "inactive")
            else pa.list_(pa.string())
            if k == "edi_types"
            else pa.string(),
        )
        for k in LOCATION_NUMBER_KEYS
    ]
)
_LIST = pa.list_(pa.string())
_ARROW_TYPES: dict[str, pa.DataType] = {
    "postal_address": _ADDRESS_TYPE,
    "visiting_address": _ADDRESS_TYPE,
    "activity_address": _ADDRESS_TYPE,
    "location_number": _LN_TYPE,
    "inherit_electronic": pa.bool_(),
    "inherit_location_number": pa.bool_(),
    "local_attributes": _LIST,
    "specialities": _LIST,
    "replaces": _LIST,
    "replaced_by": _LIST,
}


def generation(con: duckdb.DuckDBPyConnection) -> int:
    """Read the write counter."""
    found = con.execute("SELECT value FROM meta WHERE key = 'generation'").fetchall()
    return int(found[0][0]) if found else 0


def set_generation(con: duckdb.DuckDBPyConnection, gen: int) -> None:
    """Set the write counter."""
    con.execute("UPDATE meta SET value = ? WHERE key = 'generation'", [str(gen)])


def bump_generation(con: duckdb.DuckDBPyConnection) -> None:
    """Increase the write counter by one."""
    set_generation(con, generation(con) + 1)


# The read side (load_versions, versions_from_arrow, ...) lives in sorkit.store.load and
# is imported above under its old names.


#: Up to this many rows (or codes) the row-by-row paths are used: an ``IN (?, ...)`` list is
#: answered from the ART index on sor_code, a registered Arrow table by a scan of the table.
_SMALL = 256


def _codes_table(con: duckdb.DuckDBPyConnection, codes: Iterable[str]) -> str:
    con.register("_codes", pa.table({"sor_code": pa.array(sorted(codes), pa.string())}))
    return "(SELECT sor_code FROM _codes)"


def codes_filter(con: duckdb.DuckDBPyConnection, codes: Iterable[str]) -> tuple[str, list[str]]:
    """A ``sor_code IN ...`` condition: a parameter list for a few codes, else a joined table."""
    wanted = sorted(set(codes))
    if len(wanted) <= _SMALL:
        return f"sor_code IN ({', '.join('?' * len(wanted))})", wanted
    return f"sor_code IN {_codes_table(con, wanted)}", []


def versions_for(con: duckdb.DuckDBPyConnection, codes: Iterable[str]) -> list[Version]:
    """Current versions of the given units."""
    cond, params = codes_filter(con, codes)
    if not params and cond.endswith("()"):
        return []
    if params:  # a few units, found through the index: fetch rows directly
        # DuckDB uses the ART index on sor_code only for a filter on sor_code alone (with
        # ``superseded_at IS NULL`` beside it, it scans the table: 15 ms instead of 5 at
        # 200,000 units; picking the rows in a MATERIALIZED CTE first costs 2-3 ms a unit),
        # so the units' rows, superseded ones included, are filtered and sorted here (1 ms).
        sql = f"SELECT {_VERSION_SELECT}, superseded_at FROM unit_versions WHERE {cond}"
        found = [r[:-1] for r in con.execute(sql, params).fetchall() if r[-1] is None]
        return [_to_version(r) for r in sorted(found, key=_version_order)]
    return select_versions(con, f"superseded_at IS NULL AND {cond}", params)


def versions_by_code(
    con: duckdb.DuckDBPyConnection, codes: Iterable[str]
) -> dict[str, list[Version]]:
    """Current versions of the given units, grouped by unit."""
    out: dict[str, list[Version]] = {}
    for v in versions_for(con, codes):
        out.setdefault(v.sor_code, []).append(v)
    return out


def _to_event(row: Sequence[Any]) -> Event:
    return Event(row[0], row[1], row[2], row[3], row[4], json.loads(row[5]), row[6], row[7])


def events_for(
    con: duckdb.DuckDBPyConnection, codes: set[str], *, include_cancelled: bool = False
) -> list[Event]:
    """Events of the given units, in event order."""
    if not codes:
        return []
    cond, params = codes_filter(con, codes)
    if params:  # a few units: through the index, filtered and sorted here (see versions_for)
        sql = f"SELECT {_EVENT_SELECT}, superseded_at FROM unit_events WHERE {cond}"
        found = [
            r[:-1]
            for r in con.execute(sql, params).fetchall()
            if include_cancelled or r[-1] is None
        ]
        return [_to_event(r) for r in sorted(found, key=_event_order)]
    where = "" if include_cancelled else " WHERE superseded_at IS NULL"
    sql = (
        f"WITH u AS MATERIALIZED (SELECT * FROM unit_events WHERE {cond}) "
        f"SELECT {_EVENT_SELECT} FROM u{where} "
        "ORDER BY sor_code, effective_from, recorded_at, event_id"
    )
    return [_to_event(r) for r in con.execute(sql, params).fetchall()]


def _event_order(row: Sequence[Any]) -> tuple[Any, ...]:
    """ORDER BY sor_code, effective_from, recorded_at, event_id (a row of _EVENT_SELECT)."""
    return (row[2], row[3], row[6], row[0])


def _version_order(row: Sequence[Any]) -> tuple[Any, ...]:
    """ORDER BY sor_code, valid_from (a row of _VERSION_SELECT)."""
    return (row[0], row[1])


def events_of_change(con: duckdb.DuckDBPyConnection, change_id: str) -> list[Event]:
    """The current events of one change."""
    sql = (
        f"SELECT {_EVENT_SELECT} FROM unit_events WHERE change_id = ? "
        "AND superseded_at IS NULL ORDER BY event_id"
    )
    return [_to_event(r) for r in con.execute(sql, [change_id]).fetchall()]


def events_by_code(con: duckdb.DuckDBPyConnection, codes: set[str]) -> dict[str, list[Event]]:
    """Current events of the given units, grouped by unit."""
    out: dict[str, list[Event]] = {}
    for e in events_for(con, codes):
        out.setdefault(e.sor_code, []).append(e)
    return out


def cancel_events(
    con: duckdb.DuckDBPyConnection, change_ids: Sequence[str], by: str, now: dt.datetime, gen: int
) -> set[str]:
    """Supersede the events of the given changes; return the units they touched."""
    codes: set[str] = set()
    for change_id in change_ids:
        codes |= {
            r[0]
            for r in con.execute(
                "SELECT DISTINCT sor_code FROM unit_events WHERE change_id = ? AND superseded_at IS NULL",
                [change_id],
            ).fetchall()
        }
        con.execute(
            "UPDATE unit_events SET superseded_at = ?, superseded_by = ?, gen = ? "
            "WHERE change_id = ? AND superseded_at IS NULL",
            [now, by, gen, change_id],
        )
    return codes


def _plain(value: Any) -> Any:
    if hasattr(value, "to_dict"):  # Address, LocationNumber: their storage form
        return _plain(value.to_dict())
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    return value


def insert_events(
    con: duckdb.DuckDBPyConnection, events: Sequence[Event], user: str, now: dt.datetime, gen: int
) -> None:
    """Insert new events (ids from the sequence; recorded_at/by default to now/user)."""
    if not events:
        return
    texts = [
        json.dumps(_plain(dict(e.assignments)), ensure_ascii=False, sort_keys=True) for e in events
    ]
    if len(events) <= smallwrites.SMALL_ROWS:
        smallwrites.insert_events(con, events, user, now, gen, texts)
        return
    table = pa.table(
        {
            "change_id": pa.array([e.change_id for e in events], pa.string()),
            "sor_code": pa.array([e.sor_code for e in events], pa.string()),
            "effective_from": pa.array([e.effective_from for e in events], pa.date32()),
            "kind": pa.array([e.kind for e in events], pa.string()),
            "assignments": pa.array(texts, pa.string()),
            "recorded_at": pa.array([e.recorded_at or now for e in events], pa.timestamp("us")),
            "recorded_by": pa.array([e.recorded_by or user for e in events], pa.string()),
        }
    )
    con.register("_events", table)
    con.execute(
        "INSERT INTO unit_events SELECT nextval('event_ids'), change_id, sor_code, effective_from,"
        " kind, assignments, recorded_at, recorded_by, NULL, NULL, ? FROM _events",
        [gen],
    )
    con.unregister("_events")


def versions_table(versions: Sequence[Version], user: str, now: dt.datetime) -> pa.Table:
    """Versions as an Arrow table with the store's column types."""
    # Transposing once (in C) and handing tuples and frozen dicts straight to Arrow is an order
    # of magnitude faster than converting value by value (Arrow takes tuples as lists).
    columns = list(zip(*versions, strict=True)) if versions else [() for _ in Version._fields]
    at = dict(zip(Version._fields, columns, strict=True))
    cols: dict[str, pa.Array] = {
        "sor_code": pa.array(at["sor_code"], pa.string()),
        "valid_from": pa.array(at["valid_from"], pa.date32()),
        "valid_to": pa.array(at["valid_to"], pa.date32()),
    }
    for name in _STATE:
        typ = _ARROW_TYPES.get(name, pa.string())
        cols[name] = pa.array(at[name], typ)
    cols["set_fields"] = pa.array(at["set_fields"], _LIST)
    cols["change_id"] = pa.array(at["change_id"], pa.string())
    cols["recorded_at"] = pa.array(
        [now if r is None else r for r in at["recorded_at"]], pa.timestamp("us")
    )
    cols["recorded_by"] = pa.array(
        [user if r is None else r for r in at["recorded_by"]], pa.string()
    )
    return pa.table(cols)


def insert_versions(
    con: duckdb.DuckDBPyConnection,
    versions: Sequence[Version] | pa.Table,
    user: str,
    now: dt.datetime,
    gen: int,
    ids: bool = False,
) -> dict[tuple[str, dt.date], int]:
    """Insert versions (bulk, through Arrow; an Arrow table from :func:`versions_table` too).

    Returns:
        With ``ids``, the new version ids by (SOR code, valid_from); else an empty dict.
    """
    if isinstance(versions, pa.Table):
        table = versions
    else:
        if not versions:
            return {}
        if len(versions) <= smallwrites.SMALL_ROWS:
            return smallwrites.insert_versions(con, versions, user, now, gen)
        table = versions_table(versions, user, now)
    if not table.num_rows:
        return {}
    con.register("_versions", table)
    names = ", ".join(["sor_code", "valid_from", "valid_to", *_STATE, "set_fields"])
    found = con.execute(
        f"INSERT INTO unit_versions (version_id, {names}, change_id, recorded_at, recorded_by, gen)"
        f" SELECT nextval('version_ids'), {names}, change_id, recorded_at, recorded_by, ? "
        "FROM _versions" + (" RETURNING sor_code, valid_from, version_id" if ids else ""),
        [gen],
    ).fetchall()
    con.unregister("_versions")
    return {(code, start): int(vid) for code, start, vid in found} if ids else {}


def supersede_versions(
    con: duckdb.DuckDBPyConnection, version_ids: Sequence[int], now: dt.datetime, gen: int
) -> None:
    """Mark versions as superseded (transaction time ends now)."""
    if not version_ids:
        return
    if len(version_ids) <= _SMALL:  # ids grow with time: the zone maps find them at once
        con.execute(
            "UPDATE unit_versions SET superseded_at = ?, superseded_gen = ? "
            f"WHERE version_id IN ({', '.join('?' * len(version_ids))})",
            [now, gen, *[int(i) for i in version_ids]],
        )
        return
    con.register("_ids", pa.table({"version_id": pa.array(list(version_ids), pa.int64())}))
    con.execute(
        "UPDATE unit_versions SET superseded_at = ?, superseded_gen = ? "
        "WHERE version_id IN (SELECT version_id FROM _ids)",
        [now, gen],
    )
    con.unregister("_ids")


def insert_audit(
    con: duckdb.DuckDBPyConnection, audit: Sequence[Any], user: str, now: dt.datetime
) -> None:
    """Insert audit rows."""
    if not audit:
        return
    from sorkit.store import dumps

    if len(audit) <= smallwrites.SMALL_ROWS:
        smallwrites.insert_audit(con, audit, user, now, dumps)
        return
    table = pa.table(
        {
            "change_id": pa.array([a.change_id for a in audit], pa.string()),
            "sor_code": pa.array([a.sor_code for a in audit], pa.string()),
            "operation": pa.array([a.operation for a in audit], pa.string()),
            "effective_from": pa.array([a.effective_from for a in audit], pa.date32()),
            "parameters": pa.array([dumps(a.parameters) for a in audit], pa.string()),
            "accepted": pa.array([dumps(dict(a.accepted)) for a in audit], pa.string()),
            "reason": pa.array([a.reason for a in audit], pa.string()),
            "batch_id": pa.array([a.batch_id for a in audit], pa.string()),
        }
    )
    con.register("_audit", table)
    con.execute(
        "INSERT INTO audit SELECT nextval('audit_ids'), change_id, sor_code, operation, "
        "effective_from, parameters, accepted, reason, batch_id, ?, ? FROM _audit",
        [user, now],
    )
    con.unregister("_audit")


def insert_batch(
    con: duckdb.DuckDBPyConnection, batch: Mapping[str, Any], user: str, now: dt.datetime
) -> None:
    """Record an applied batch (its plan hash makes a second apply detectable)."""
    con.execute(
        "INSERT INTO batches VALUES (?, ?, ?, ?, ?, ?)",
        [
            batch["batch_id"],
            batch["plan_hash"],
            int(batch["row_count"]),
            user,
            now,
            batch.get("reason"),
        ],
    )


def content_key(version: Version) -> tuple[Any, ...]:
    """What makes two versions the same stored fact (interval and state)."""
    return (
        version.sor_code,
        version.valid_from,
        version.valid_to,
        version.set_fields,
        tuple(repr(getattr(version, k)) for k in _STATE),
    )
