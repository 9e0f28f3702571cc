"""Row-level SQL of the store: converting versions, events and audit rows to and from DuckDB."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import duckdb
import pyarrow as pa

from sorkit.model import (
    ADDRESS_KEYS,
    LOCATION_NUMBER_KEYS,
    STATE_FIELDS,
    Event,
    Version,
    normalise_field,
)

_STATE = list(STATE_FIELDS)
_VERSION_SELECT = ", ".join(
    [
        "sor_code",
        "valid_from",
        "valid_to",
        *_STATE,
        "set_fields",
        "change_id",
        "recorded_at",
        "recorded_by",
        "version_id",
    ]
)
_SET_FIELDS_POS = 3 + len(_STATE)
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


def _to_version(row: Sequence[Any]) -> Version:
    values = list(row)
    for i, name in enumerate(_STATE, start=3):
        values[i] = normalise_field(name, values[i])
    values[_SET_FIELDS_POS] = tuple(values[_SET_FIELDS_POS] or ())
    return Version(*values)


def select_versions(con: duckdb.DuckDBPyConnection, where: str, params: list[Any]) -> list[Version]:
    """Versions matching a WHERE clause written by sorkit (parameters bound, never inlined)."""
    sql = f"SELECT {_VERSION_SELECT} FROM unit_versions WHERE {where} ORDER BY sor_code, valid_from"
    return [_to_version(r) for r in con.execute(sql, params).fetchall()]


def _codes_table(con: duckdb.DuckDBPyConnection, codes: Iterable[str]) -> str:
    con.register("_codes", pa.table({"sor_code": pa.array(sorted(codes), pa.string())}))
    return "(SELECT sor_code FROM _codes)"


def versions_for(con: duckdb.DuckDBPyConnection, codes: Iterable[str]) -> list[Version]:
    """Current versions of the given units."""
    sub = _codes_table(con, codes)
    return select_versions(con, f"superseded_at IS NULL AND sor_code IN {sub}", [])


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
    sub = _codes_table(con, codes)
    where = "" if include_cancelled else " AND superseded_at IS NULL"
    sql = (
        f"SELECT {_EVENT_SELECT} FROM unit_events WHERE sor_code IN {sub}{where} "
        "ORDER BY sor_code, effective_from, recorded_at, event_id"
    )
    return [_to_event(r) for r in con.execute(sql).fetchall()]


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
    table = pa.table(
        {
            "change_id": pa.array([e.change_id for e in events], pa.string()),
            "sor_code": pa.array([e.sor_code for e in events], pa.string()),
            "effective_from": pa.array([e.effective_from for e in events], pa.date32()),
            "kind": pa.array([e.kind for e in events], pa.string()),
            "assignments": pa.array(
                [
                    json.dumps(_plain(dict(e.assignments)), ensure_ascii=False, sort_keys=True)
                    for e in events
                ],
                pa.string(),
            ),
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
    cols: dict[str, pa.Array] = {
        "sor_code": pa.array([v.sor_code for v in versions], pa.string()),
        "valid_from": pa.array([v.valid_from for v in versions], pa.date32()),
        "valid_to": pa.array([v.valid_to for v in versions], pa.date32()),
    }
    for name in _STATE:
        typ = _ARROW_TYPES.get(name, pa.string())
        cols[name] = pa.array([_plain(getattr(v, name)) for v in versions], typ)
    cols["set_fields"] = pa.array([list(v.set_fields) for v in versions], _LIST)
    cols["change_id"] = pa.array([v.change_id for v in versions], pa.string())
    cols["recorded_at"] = pa.array([v.recorded_at or now for v in versions], pa.timestamp("us"))
    cols["recorded_by"] = pa.array([v.recorded_by or user for v in versions], pa.string())
    return pa.table(cols)


def insert_versions(
    con: duckdb.DuckDBPyConnection,
    versions: Sequence[Version],
    user: str,
    now: dt.datetime,
    gen: int,
) -> None:
    """Insert versions (bulk, through Arrow)."""
    if not versions:
        return
    con.register("_versions", versions_table(versions, user, now))
    names = ", ".join(["sor_code", "valid_from", "valid_to", *_STATE, "set_fields"])
    con.execute(
        f"INSERT INTO unit_versions (version_id, {names}, change_id, recorded_at, recorded_by, gen)"
        f" SELECT nextval('version_ids'), {names}, change_id, recorded_at, recorded_by, ? "
        "FROM _versions",
        [gen],
    )
    con.unregister("_versions")


def supersede_versions(
    con: duckdb.DuckDBPyConnection, version_ids: Sequence[int], now: dt.datetime, gen: int
) -> None:
    """Mark versions as superseded (transaction time ends now)."""
    if not version_ids:
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
