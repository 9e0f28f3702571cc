"""Row-level SQL of the store: converting versions, events and audit rows to and from DuckDB."""

from __future__ import annotations

import datetime as dt
import gc
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import repeat
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
    return versions_from_arrow(con.sql(sql, params=params or None).to_arrow_table())


class LoadedVersions(list[Version]):
    """Versions sorted by unit and date, with the per-unit grouping and parent index prebuilt.

    A plain list to everyone else; :class:`sorkit.snapshot.Snapshot` uses ``by_code`` and
    ``children`` instead of grouping a million versions again.
    """

    by_code: dict[str, tuple[Version, ...]]
    children: dict[str, set[str]]
    #: The columns tree-wide reads need (:data:`TREE_COLUMNS`), as Arrow, for vectorised work.
    tree: pa.Table | None = None


#: The version columns kept columnar in the snapshot (see ``Snapshot.tree_table``).
TREE_COLUMNS = ("sor_code", "valid_from", "valid_to", "level", "parent", "name", "unit_type")


# -- columnar conversion: Arrow columns -> storage-form Python values, column by column --------
#
# Converting a million rows value by value (fetchall, then normalise every field) costs tens of
# seconds; column by column, with repeated values shared (dates, codes, parents, names), it is
# a fraction of a second and the snapshot is smaller.


def _combined(col: pa.ChunkedArray | pa.Array) -> pa.Array:
    return col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col


def _pick(values: list[Any], indices: Any) -> list[Any]:
    """``[values[i] for i in indices]``, done by numpy (object fancy indexing is in C)."""
    import numpy as np

    lookup = np.empty(len(values), dtype=object)
    lookup[:] = values
    return lookup[indices].tolist()  # type: ignore[no-any-return]


def _shared_values(arr: pa.Array, values: list[Any]) -> list[Any]:
    """Map a dictionary-encoded array's indices to ``values`` (nulls to the last entry)."""
    import pyarrow.compute as pc

    return _pick(values, pc.fill_null(arr.indices, len(values) - 1).to_numpy())


def _strings(col: pa.Array, shared: bool = True) -> list[str | None]:
    """Strings in storage form ("" is None); ``shared``: one object per distinct value."""
    import pyarrow.compute as pc

    n = len(col)
    if col.null_count == n:
        return [None] * n
    if not shared:  # mostly distinct values (change ids, phones): sharing would not pay
        if pc.any(pc.equal(col, "")).as_py():
            col = pc.if_else(pc.equal(col, ""), pa.scalar(None, col.type), col)
        return col.to_pylist()
    encoded = col.dictionary_encode()
    values: list[Any] = encoded.dictionary.to_pylist()
    values = [None if v == "" else v for v in values] + [None]
    return _shared_values(encoded, values)


def _temporal(col: pa.Array) -> list[Any]:
    """Dates (one shared object per day) and timestamps, through numpy (not value by value)."""
    import numpy as np
    import pyarrow.compute as pc

    n = len(col)
    if col.null_count == n:
        return [None] * n
    if pa.types.is_timestamp(col.type):
        out = col.cast(pa.timestamp("us")).to_numpy(zero_copy_only=False).astype(object).tolist()
        return [None if v is None or v != v else v for v in out] if col.null_count else out
    days = col.cast(pa.int32())
    valid = days.drop_null()
    lo, hi = pc.min(valid).as_py(), pc.max(valid).as_py()
    ints = pc.fill_null(days, lo).to_numpy() - lo
    objects = pa.array(np.arange(lo, hi + 1, dtype=np.int32)).cast(pa.date32()).to_pylist()
    out = _pick(objects, ints)
    if col.null_count:
        for i in pc.is_null(days).to_numpy(zero_copy_only=False).nonzero()[0].tolist():
            out[i] = None
    return out


def _tuples(col: pa.Array) -> list[tuple[str, ...]]:
    """Lists as tuples; equal lists share one tuple (set_fields, specialities repeat a lot)."""
    import pyarrow.compute as pc

    n = len(col)
    empty: tuple[str, ...] = ()
    if col.null_count == n:
        return [empty] * n
    joined = pc.binary_join(col, _SEP)
    if joined.null_count > col.null_count:  # a list holding a null: convert exactly
        return [tuple(str(v) for v in (x or ())) for x in col.to_pylist()]
    lengths = pc.fill_null(pc.list_value_length(col), 0)
    # [""] and [] join alike; tell them apart by length.
    key = pc.if_else(pc.greater(lengths, 0), pc.binary_join_element_wise("#", joined, ""), "")
    encoded = key.dictionary_encode()
    values = [tuple(k[1:].split(_SEP)) if k else empty for k in encoded.dictionary.to_pylist()]
    return _shared_values(encoded, [*values, empty])


_SEP = "\x1f"


def _structs(col: pa.Array, name: str) -> list[Any]:
    n = len(col)
    if col.null_count == n:
        return [None] * n
    import pyarrow.compute as pc

    out: list[Any] = [None] * n
    valid = pc.is_valid(col).to_numpy(zero_copy_only=False).nonzero()[0]
    for i, value in zip(valid.tolist(), col.take(pa.array(valid)).to_pylist(), strict=True):
        out[i] = normalise_field(name, value)
    return out


def _plain_column(col: pa.Array) -> list[Any]:
    return col.to_pylist()


_DISTINCT = {"change_id", "phone", "email"}


def _column(name: str, col: pa.ChunkedArray | pa.Array) -> list[Any]:
    arr = _combined(col)
    typ = arr.type
    if name in ("version_id",) or pa.types.is_boolean(typ):
        values = arr.to_numpy(zero_copy_only=False).tolist()
        return [bool(v) for v in values] if pa.types.is_boolean(typ) else values
    if pa.types.is_string(typ) or pa.types.is_large_string(typ):
        return _strings(arr, shared=name not in _DISTINCT)
    if pa.types.is_date(typ) or pa.types.is_timestamp(typ):
        return _temporal(arr)
    if pa.types.is_list(typ) or pa.types.is_large_list(typ):
        return _tuples(arr)
    if pa.types.is_struct(typ):
        return _structs(arr, name)
    return _plain_column(arr)


def versions_from_arrow(table: pa.Table) -> list[Version]:
    """Versions from an Arrow table with the columns of ``_VERSION_SELECT`` (storage form)."""
    n = table.num_rows
    if not n:
        return []
    if n <= _SMALL:  # a few units: row by row is cheaper than the columnar set-up
        columns = [table.column(name).to_pylist() for name in Version._fields]
        return [_to_version(r) for r in zip(*columns, strict=True)]
    with _no_gc():
        columns = [_column(name, table.column(name)) for name in Version._fields]
        return list(map(tuple.__new__, repeat(Version, n), zip(*columns, strict=True)))


@contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of (acyclic) objects are made.

    Otherwise every few thousand allocations trigger a collection that walks all live
    objects; loading a large register spent most of its time there.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load_versions(con: duckdb.DuckDBPyConnection, where: str, params: list[Any]) -> LoadedVersions:
    """Like :func:`select_versions`, grouped by unit and with the parent index built.

    The rows are read unsorted (DuckDB's ORDER BY over a million wide rows costs seconds) and
    ordered here by (unit, valid_from) with numpy, which usually finds them in order already.
    """
    import numpy as np
    import pyarrow.compute as pc

    sql = f"SELECT {_VERSION_SELECT} FROM unit_versions WHERE {where}"
    table = con.sql(sql, params=params or None).to_arrow_table()
    out = LoadedVersions()
    out.by_code, out.children = {}, {}
    out.tree = table.select(list(TREE_COLUMNS))
    if not table.num_rows:
        return out
    codes = _combined(table.column("sor_code")).dictionary_encode()
    # Rank the codes as strings, so units come in SOR-code order as before.
    rank = np.empty(len(codes.dictionary), dtype=np.int64)
    rank[pc.array_sort_indices(codes.dictionary).to_numpy()] = np.arange(len(rank))
    unit = rank[codes.indices.to_numpy()]
    start = pc.fill_null(_combined(table.column("valid_from")).cast(pa.int32()), 0).to_numpy()
    key = (unit << 32) | (start.astype(np.int64) - np.iinfo(np.int32).min)
    order = None
    if len(key) > 1 and not bool(np.all(key[1:] >= key[:-1])):
        order = np.argsort(key, kind="stable")
        unit = unit[order]
    with _no_gc():
        versions = versions_from_arrow(table)
        # Reordering the finished rows is far cheaper than reordering the wide Arrow table.
        out.extend(versions if order is None else map(versions.__getitem__, order.tolist()))
        del versions
        by_code, children = out.by_code, out.children
        starts = np.flatnonzero(np.concatenate(([True], unit[1:] != unit[:-1]))).tolist()
        stops = starts[1:] + [len(out)]
        for first, stop in zip(starts, stops, strict=True):
            by_code[out[first].sor_code] = tuple(out[first:stop])
        # Parent index: the distinct (parent, child) pairs, grouped by parent.
        code_of = {c: c for c in by_code}  # one str object per code everywhere
        pairs = table.select(["parent", "sor_code"]).filter(pc.is_valid(table.column("parent")))
        if pairs.num_rows:
            pairs = pairs.group_by(["parent", "sor_code"]).aggregate([])
            for parent, child in zip(
                pairs.column("parent").to_pylist(),
                pairs.column("sor_code").to_pylist(),
                strict=True,
            ):
                if not parent:
                    continue
                child = code_of.get(child, child)
                found = children.get(parent)
                if found is None:
                    children[code_of.get(parent, parent)] = {child}
                else:
                    found.add(child)
    return out


#: Up to this many rows (or codes) the row-by-row paths are used: an ``IN (?, ...)`` list is
#: answered from the ART index on sor_code, a registered Arrow table by a scan of the table.
_SMALL = 256


def _codes_table(con: duckdb.DuckDBPyConnection, codes: Iterable[str]) -> str:
    con.register("_codes", pa.table({"sor_code": pa.array(sorted(codes), pa.string())}))
    return "(SELECT sor_code FROM _codes)"


def _codes_filter(con: duckdb.DuckDBPyConnection, codes: Iterable[str]) -> tuple[str, list[str]]:
    """A ``sor_code IN ...`` condition: a parameter list for a few codes, else a joined table."""
    wanted = sorted(set(codes))
    if len(wanted) <= _SMALL:
        return f"sor_code IN ({', '.join('?' * len(wanted))})", wanted
    return f"sor_code IN {_codes_table(con, wanted)}", []


def versions_for(con: duckdb.DuckDBPyConnection, codes: Iterable[str]) -> list[Version]:
    """Current versions of the given units."""
    cond, params = _codes_filter(con, codes)
    if not params and cond.endswith("()"):
        return []
    if params:  # a few units, found through the index: fetch rows directly
        sql = (
            f"SELECT {_VERSION_SELECT} FROM unit_versions WHERE superseded_at IS NULL AND {cond}"
            " ORDER BY sor_code, valid_from"
        )
        return [_to_version(r) for r in con.execute(sql, params).fetchall()]
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
    cond, params = _codes_filter(con, codes)
    where = "" if include_cancelled else " AND superseded_at IS NULL"
    sql = (
        f"SELECT {_EVENT_SELECT} FROM unit_events WHERE {cond}{where} "
        "ORDER BY sor_code, effective_from, recorded_at, event_id"
    )
    return [_to_event(r) for r in con.execute(sql, params).fetchall()]


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


def tree_table(versions: Sequence[Version]) -> pa.Table:
    """The :data:`TREE_COLUMNS` of some versions as an Arrow table (as the load keeps them)."""
    at = dict(zip(Version._fields, zip(*versions, strict=True), strict=False)) if versions else {}
    types = {"valid_from": pa.date32(), "valid_to": pa.date32()}
    return pa.table(
        {name: pa.array(at.get(name, ()), types.get(name, pa.string())) for name in TREE_COLUMNS}
    )


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
) -> None:
    """Insert versions (bulk, through Arrow; an Arrow table from :func:`versions_table` too)."""
    if isinstance(versions, pa.Table):
        table = versions
    else:
        if not versions:
            return
        table = versions_table(versions, user, now)
    if not table.num_rows:
        return
    con.register("_versions", table)
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
