"""Reading versions out of the store: Arrow record batches -> storage-form :class:`Version` rows.

Converting a million rows value by value (``fetchall``, then normalising every field) costs tens
of seconds; here it is done column by column, one record batch at a time, with every repeated
value shared: one ``str`` per distinct code, name or type, one ``date`` per day, one tuple per
distinct list and one (frozen) dict per distinct address or location number. The batches are
streamed from DuckDB, so the whole result never sits in memory as Arrow next to the Python rows.

Shared values are storage-form and treated as immutable: ``_FrozenDict`` refuses changes.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from itertools import compress, repeat
from operator import is_, itemgetter
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sorkit.model import STATE_FIELDS, Version, normalise_field

_STATE = list(STATE_FIELDS)
VERSION_SELECT = ", ".join(
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

#: Up to this many rows the row-by-row path is used (cheaper than the columnar set-up).
SMALL = 256
#: Rows per record batch read from DuckDB.
BATCH_ROWS = 32_768

#: The version columns tree-wide reads need (see ``Snapshot.tree_table``).
TREE_COLUMNS = ("sor_code", "valid_from", "valid_to", "level", "parent", "name", "unit_type")

#: String columns whose values are nearly always distinct (others are shared when they repeat).
_DISTINCT = frozenset({"phone"})
#: Separates list items and struct fields in the keys values are shared by.
_SEP = "\x1f"
_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


class LoadedVersions(list[Version]):
    """Versions sorted by unit and date, with the per-unit grouping and parent index prebuilt.

    A plain list to everyone else; :class:`sorkit.snapshot.Snapshot` uses ``by_code`` and
    ``children`` instead of grouping a million versions again.
    """

    by_code: dict[str, tuple[Version, ...]]
    children: dict[str, set[str]]
    #: The :data:`TREE_COLUMNS` as Arrow, if the loader kept them (it does not: the snapshot
    #: builds them on first use, so opening a register does not hold a second copy).
    tree: pa.Table | None = None


def to_version(row: Sequence[Any]) -> Version:
    """One row of :data:`VERSION_SELECT` (Python values) as a storage-form version."""
    values = list(row)
    for i, name in enumerate(_STATE, start=3):
        values[i] = normalise_field(name, values[i])
    values[_SET_FIELDS_POS] = tuple(values[_SET_FIELDS_POS] or ())
    return Version(*values)


def select_versions(con: duckdb.DuckDBPyConnection, where: str, params: list[Any]) -> list[Version]:
    """Versions matching a WHERE clause written by sorkit (parameters bound, never inlined)."""
    sql = f"SELECT {VERSION_SELECT} FROM unit_versions WHERE {where} ORDER BY sor_code, valid_from"
    return versions_from_arrow(con.sql(sql, params=params or None).to_arrow_table())


def versions_from_arrow(table: pa.Table) -> list[Version]:
    """Versions from an Arrow table with the columns of :data:`VERSION_SELECT` (storage form)."""
    n = table.num_rows
    if not n:
        return []
    if n <= SMALL:  # a few units: row by row is cheaper than the columnar set-up
        columns = [table.column(name).to_pylist() for name in Version._fields]
        return [to_version(r) for r in zip(*columns, strict=True)]
    converter = _Converter()
    out: list[Version] = []
    with _no_gc():
        for batch in table.to_batches():
            out.extend(converter.versions(batch))
    return out


def load_versions(con: duckdb.DuckDBPyConnection, where: str, params: list[Any]) -> LoadedVersions:
    """Like :func:`select_versions`, grouped by unit and with the parent index built.

    The rows are streamed unsorted (DuckDB's ORDER BY over a million wide rows costs seconds),
    converted batch by batch, and ordered here by (unit, valid_from) with numpy, which usually
    finds them in order already.
    """
    sql = f"SELECT {VERSION_SELECT} FROM unit_versions WHERE {where}"
    reader = con.sql(sql, params=params or None).to_arrow_reader(BATCH_ROWS)
    out = LoadedVersions()
    out.by_code, out.children = {}, {}
    converter = _Converter(with_ids=True)
    with _no_gc():
        versions: list[Version] = []
        try:
            for batch in reader:
                versions.extend(converter.versions(batch))
                del batch
        finally:
            reader.close()  # the connection is free again (also after an error)
        if not versions:
            return out
        codes = converter.code_list  # by id
        unit = np.concatenate(converter.unit_ids)
        # Rank the codes as strings, so units come in SOR-code order.
        rank = np.empty(len(codes), dtype=np.int64)
        rank[np.argsort(np.array(codes, dtype=object), kind="stable")] = np.arange(len(codes))
        unit = rank[unit]
        start = np.concatenate(converter.starts).astype(np.int64)
        key = (unit << 32) | (start - np.iinfo(np.int32).min)
        if len(key) > 1 and not bool(np.all(key[1:] >= key[:-1])):
            order = np.argsort(key, kind="stable")
            unit = unit[order]
            out.extend(_pick(versions, order))
        else:
            out.extend(versions)
        del versions
        starts = np.flatnonzero(np.concatenate(([True], unit[1:] != unit[:-1]))).tolist()
        stops = [*starts[1:], len(out)]
        firsts = map(out.__getitem__, starts)
        groups = map(tuple, map(out.__getitem__, map(slice, starts, stops)))
        out.by_code.update(zip(map(itemgetter(0), firsts), groups, strict=True))
        # Parent index: the distinct (parent, child) pairs, grouped by parent (in pair order).
        if converter.pairs:
            pairs = np.unique(np.concatenate(converter.pairs)).astype(np.int64)
            parent = pairs >> 32
            cut = np.flatnonzero(np.concatenate(([True], parent[1:] != parent[:-1])))
            kids = _pick(codes, pairs & 0xFFFFFFFF)
            bounds = [*cut.tolist(), len(kids)]
            sets = map(set, map(kids.__getitem__, map(slice, bounds[:-1], bounds[1:])))
            out.children.update(zip(_pick(codes, parent[cut]), sets, strict=True))
        if len(out) >= _TRIM_ROWS:
            _settle()
    if len(out) >= _TRIM_ROWS:
        _release_free_memory()
    return out


def tree_table(versions: Sequence[Version]) -> pa.Table:
    """The :data:`TREE_COLUMNS` of some versions as an Arrow table."""
    types = {"valid_from": pa.date32(), "valid_to": pa.date32()}
    fields = Version._fields
    columns = {}
    for name in TREE_COLUMNS:
        get = itemgetter(fields.index(name))
        columns[name] = pa.array(list(map(get, versions)), types.get(name, pa.string()))
    return pa.table(columns)


#: From this many rows on, a load hands its freed temporary memory back to the system.
_TRIM_ROWS = 50_000


def _release_free_memory() -> None:
    """Return freed heap memory to the OS (glibc keeps a large load's temporaries otherwise).

    Without it a process that opened a big register holds a hundred MB or more of free heap
    pages; a no-op where the C library has no ``malloc_trim``.
    """
    import ctypes

    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return
    trim(0)
    pa.default_memory_pool().release_unused()


def _settle() -> None:
    """Spare the collector a pass over a large load's objects (called with it paused).

    Turned back on, the collector would at once walk everything made during the load (over
    a million objects per 200,000 units: 0.6 s) only to find it all alive and move it to an
    older generation. Moving it straight to the oldest (``freeze`` then ``unfreeze``) skips
    that walk. Not done if the process froze objects itself: ``unfreeze`` would release them.
    """
    if not gc.get_freeze_count():
        gc.freeze()
        gc.unfreeze()


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


# -- columnar conversion: Arrow columns -> storage-form Python values, column by column --------


def _pick(values: list[Any], indices: Any) -> list[Any]:
    """``[values[i] for i in indices]``, done by numpy (object fancy indexing is in C)."""
    lookup = np.empty(len(values), dtype=object)
    lookup[:] = values
    return lookup[indices].tolist()  # type: ignore[no-any-return]


def _shared_values(encoded: pa.DictionaryArray, values: list[Any]) -> list[Any]:
    """Map a dictionary-encoded array's indices to ``values`` (nulls to the last entry)."""
    return _pick(values, pc.fill_null(encoded.indices, len(values) - 1).to_numpy())


def _scatter(n: int, positions: Any, values: list[Any]) -> list[Any]:
    """A list of ``n`` Nones with ``values`` at ``positions``."""
    out = np.full(n, None, dtype=object)
    out[positions] = values
    return out.tolist()  # type: ignore[no-any-return]


def _has_separator(col: pa.Array) -> bool:
    """True if a string (or list of strings) column holds :data:`_SEP` anywhere."""
    if pa.types.is_list(col.type) or pa.types.is_large_list(col.type):
        col = pc.list_flatten(col)
    if not len(col) or col.null_count == len(col):
        return False
    return bool(pc.any(pc.match_substring(col, _SEP)).as_py())


class _Converter:
    """Converts record batches to versions; values repeated across batches are shared too."""

    def __init__(self, with_ids: bool = False):
        self.with_ids = with_ids
        self.text: dict[str, str] = {}
        self.days: dict[int, dt.date] = {}
        self.lists: dict[str, tuple[str, ...]] = {}
        self.structs: dict[tuple[str, Any], Any] = {}
        self.shared_tuples: dict[tuple[str, ...], tuple[str, ...]] = {}
        # With ids: every code (unit or parent) numbered, per batch the unit ids, start days
        # and (parent << 32 | child) pairs.
        self.code_ids: dict[str, int] = {}
        self.code_list: list[str] = []  # by id
        self.unit_ids: list[Any] = []
        self.starts: list[Any] = []
        self.pairs: list[Any] = []
        self._batch_ids: dict[str, Any] = {}
        self.stamps: dict[int, dt.datetime] = {}

    def versions(self, batch: pa.RecordBatch) -> list[Version]:
        """The rows of one batch as versions."""
        n = batch.num_rows
        if not n:
            return []
        self._batch_ids = {}
        columns = [self.column(name, batch.column(name)) for name in Version._fields]
        if self.with_ids:
            self._ids(batch)
        return list(map(tuple.__new__, repeat(Version, n), zip(*columns, strict=True)))

    def column(self, name: str, col: pa.Array) -> list[Any]:
        """One column in storage form."""
        typ = col.type
        if pa.types.is_boolean(typ):
            if col.null_count:  # storage form: a missing flag is False
                col = pc.fill_null(col, False)
            return col.to_numpy(zero_copy_only=False).tolist()  # type: ignore[no-any-return]
        if pa.types.is_integer(typ) and not col.null_count:
            return col.to_numpy().tolist()  # type: ignore[no-any-return]
        if pa.types.is_string(typ) or pa.types.is_large_string(typ):
            if self.with_ids and name in ("sor_code", "parent"):
                return self.codes(col, name)
            return self.strings(col, shared=name not in _DISTINCT)
        if pa.types.is_date(typ):
            return self.dates(col)
        if pa.types.is_timestamp(typ):
            return self.timestamps(col)
        if pa.types.is_list(typ) or pa.types.is_large_list(typ):
            return self.tuples(col)
        if pa.types.is_struct(typ):
            return self.struct_values(col, name)
        return col.to_pylist()

    def strings(self, col: pa.Array, shared: bool = True) -> list[str | None]:
        """Strings in storage form ("" is None); ``shared``: one object per distinct value."""
        n = len(col)
        if col.null_count == n:
            return [None] * n
        encoded = col.dictionary_encode() if shared else None
        if encoded is None or 2 * len(encoded.dictionary) > n - col.null_count:
            # Mostly distinct values (change ids, phones): sharing would not pay.
            if pc.any(pc.equal(col, "")).as_py():
                col = pc.if_else(pc.equal(col, ""), pa.scalar(None, col.type), col)
            return col.to_pylist()  # type: ignore[no-any-return]
        return _shared_values(encoded, [*self._interned(encoded.dictionary), None])

    def _interned(self, dictionary: pa.Array) -> list[str | None]:
        """Distinct strings as the shared objects ("" as None), looked up in C (``map``)."""
        words = dictionary.to_pylist()
        values: list[str | None] = list(map(self.text.setdefault, words, words))
        if "" in self.text:  # "" is stored as None: never share it
            del self.text[""]
            values[words.index("")] = None
        return values

    def codes(self, col: pa.Array, name: str) -> list[str | None]:
        """Like :meth:`strings` (shared), and numbers every code for the load's sorting.

        A code seen before is found by one dict look-up (its number gives its shared object);
        only a new code is interned and numbered.
        """
        encoded = col.dictionary_encode()
        words = encoded.dictionary.to_pylist()
        ids, by_id = self.code_ids, self.code_list
        numbers: list[Any] = list(map(ids.get, words))
        if None in numbers:  # new codes: intern and number them in dictionary order
            new = list(compress(words, map(is_, numbers, repeat(None))))
            if "" in new:
                new.remove("")
            if new:
                new = list(map(self.text.setdefault, new, new))
                ids.update(zip(new, range(len(by_id), len(by_id) + len(new)), strict=True))
                by_id.extend(new)
                numbers = list(map(ids.get, words))
        blank = numbers.index(None) if None in numbers else -1  # "" (stored as None)
        if blank >= 0:
            numbers[blank] = -1
        values: list[Any] = list(map(by_id.__getitem__, numbers))
        if blank >= 0:
            values[blank] = None
        at = pc.fill_null(encoded.indices, len(words)).to_numpy()
        self._batch_ids[name] = np.asarray([*numbers, -1], dtype=np.int64)[at]
        return _pick([*values, None], at)

    def dates(self, col: pa.Array) -> list[dt.date | None]:
        """Dates, one shared object per day."""
        n = len(col)
        if col.null_count == n:
            return [None] * n
        encoded = col.cast(pa.int32()).dictionary_encode()
        days = encoded.dictionary.to_pylist()
        cache = self.days
        objects: list[Any] = list(map(cache.get, days))
        if None in objects:
            for i in compress(range(len(days)), map(is_, objects, repeat(None))):
                d = days[i]
                objects[i] = cache[d] = dt.date.fromordinal(d + _EPOCH_ORDINAL)
        return _shared_values(encoded, [*objects, None])

    def timestamps(self, col: pa.Array) -> list[dt.datetime | None]:
        """Timestamps; equal ones (the rows of one transaction) share one object."""
        n = len(col)
        if col.null_count == n:
            return [None] * n
        filled = pc.fill_null(col.cast(pa.timestamp("us")).cast(pa.int64()), 0)
        encoded = filled.dictionary_encode()
        if 2 * len(encoded.dictionary) > n:  # mostly distinct: convert all at once, no sharing
            micros = filled.to_numpy()
            out = micros.astype("datetime64[us]").astype(object).tolist()
        else:
            cache = self.stamps
            distinct = encoded.dictionary.to_numpy()
            fresh = distinct.astype("datetime64[us]").astype(object).tolist()
            objects = list(map(cache.setdefault, distinct.tolist(), fresh))
            out = _pick(objects, encoded.indices.to_numpy())
        if col.null_count:
            for i in np.flatnonzero(pc.is_null(col).to_numpy(zero_copy_only=False)).tolist():
                out[i] = None
        return out  # type: ignore[no-any-return]

    def tuples(self, col: pa.Array) -> list[tuple[str, ...]]:
        """Lists as tuples; equal lists share one tuple (set_fields, specialities repeat a lot).

        Lists are told apart by their items joined with :data:`_SEP`; a row whose length does
        not match the separators in its joined text holds an item with the separator in it.
        """
        n = len(col)
        empty: tuple[str, ...] = ()
        if col.null_count == n or not len(pc.list_flatten(col)):
            return [empty] * n  # no items at all: every row is () (nulls too)
        joined = pc.binary_join(col, _SEP)
        lengths = pc.fill_null(pc.list_value_length(col), 0).to_numpy()
        if joined.null_count == col.null_count:
            encoded = joined.dictionary_encode()
            words = encoded.dictionary.to_pylist()
            seps = np.fromiter((w.count(_SEP) for w in words), np.int64, len(words))
            at = pc.fill_null(encoded.indices, len(words)).to_numpy(
                zero_copy_only=False, writable=True
            )
            implied = np.append(seps + 1, 0)[at]  # items per row if no item holds _SEP
            exact = lengths == implied
            # An empty list joins to "" like [""]; any other mismatch is a separator in an item.
            if bool(np.all(exact | (lengths == 0))):
                cache = self.lists
                values = []
                for w in words:
                    k = "#" + w
                    found = cache.get(k)
                    if found is None:
                        found = cache[k] = tuple(w.split(_SEP))
                    values.append(found)
                values.append(empty)
                at[lengths == 0] = len(words)
                return _pick(values, at)
        # A list holding a null, or an item holding the separator: convert exactly.
        share = self.shared_tuples.setdefault
        return [share(t, t) for t in (tuple(str(v) for v in (x or ())) for x in col.to_pylist())]

    def struct_values(self, col: pa.Array, name: str) -> list[Any]:
        """Addresses and location numbers: one frozen dict per distinct value."""
        n = len(col)
        if col.null_count == n:
            return [None] * n
        valid = np.flatnonzero(pc.is_valid(col).to_numpy(zero_copy_only=False))
        rows = col.take(pa.array(valid)) if col.null_count else col
        key = _struct_key(rows)
        if key is None:  # a field holds the separator: convert row by row, share by content
            cache = self.structs
            values = []
            for v in rows.to_pylist():
                value = normalise_field(name, v)
                values.append(cache.setdefault((name, tuple(value.items())), value))
            return values if len(valid) == n else _scatter(n, valid, values)
        encoded = key.dictionary_encode()
        indices = encoded.indices.to_numpy()
        cache = self.structs
        keys = encoded.dictionary.to_pylist()
        missing = [i for i, k in enumerate(keys) if (name, k) not in cache]
        if missing:
            first = np.empty(len(keys), dtype=np.int64)
            first[indices[::-1]] = np.arange(len(indices) - 1, -1, -1)
            fresh = rows.take(pa.array(first[missing])).to_pylist()
            for i, value in zip(missing, fresh, strict=True):
                cache[(name, keys[i])] = normalise_field(name, value)
        values = _pick([cache[(name, k)] for k in keys], indices)
        return values if len(valid) == n else _scatter(n, valid, values)

    def _ids(self, batch: pa.RecordBatch) -> None:
        """Keep the batch's unit ids, start days and (parent << 32 | child) pairs."""
        units, parents = self._batch_ids["sor_code"], self._batch_ids["parent"]
        self.unit_ids.append(units)
        start = batch.column("valid_from").cast(pa.int32())
        self.starts.append(pc.fill_null(start, 0).to_numpy())
        has = parents >= 0
        if has.any():
            self.pairs.append(np.unique((parents[has] << 32) | units[has]))


def _struct_key(rows: pa.StructArray) -> pa.Array | None:
    """A string per (non-null) struct row, equal exactly when the rows are equal.

    Each field is ``=value`` or ``~`` (null), lists ``=<length>:item<SEP>item``; fields are
    joined by :data:`_SEP`. None if some text holds the separator (the key would be ambiguous).
    """
    parts: list[pa.Array] = []
    for field in rows.flatten():
        typ = field.type
        if pa.types.is_list(typ) or pa.types.is_large_list(typ):
            if _has_separator(field):
                return None
            joined = pc.binary_join(field, _SEP)
            if joined.null_count > field.null_count:
                return None
            length = pc.cast(pc.list_value_length(field), pa.string())
            text = pc.binary_join_element_wise(length, joined, ":")
        elif pa.types.is_string(typ) or pa.types.is_large_string(typ):
            if _has_separator(field):
                return None
            text = field
        else:
            text = pc.cast(field, pa.string())
        parts.append(pc.fill_null(pc.binary_join_element_wise("=", text, ""), "~"))
    if not parts:
        return pa.array([""] * len(rows), pa.string())
    return pc.binary_join_element_wise(*parts, _SEP)
