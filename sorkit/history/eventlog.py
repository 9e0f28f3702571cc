"""The register's change log in memory: what a unit's history shows, without a database read.

Every read of sorkit is answered from memory (the snapshot, the search index) except, until
now, history, which asked DuckDB three questions per unit (about 10 ms whatever the register's
size). :class:`EventLog` holds every event of every unit (cancelled ones included) and every
unit's audit records (why, accepted warnings, batch) as two Arrow tables in storage order, each
with a permutation that groups it by unit: about 170 bytes per event with its audit record (the
assignments' JSON is most of it; repeated texts are dictionary-encoded). A unit's rows are found
by binary search over the SOR codes and taken from the tables.

The log is read once per snapshot, on the first history asked of it (about a second at
200,000 units), and brought up to date when the snapshot's generation moves on: the units
written since are read again through the sor_code indexes and kept beside the tables. When the
writes touched many units (a re-import), the whole log is read again instead.
"""

from __future__ import annotations

import threading
import weakref
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sorkit.snapshot import Snapshot

if TYPE_CHECKING:
    from sorkit.store.interface import RegisterStore

__all__ = ["EventLog", "UnitLog", "log_for"]

#: Writes since the log was read that touched more units than REREAD_UNITS and than
#: REREAD_SHARE of the register make the next read of the log read all of it again, instead
#: of keeping those units' rows beside the tables (as Python tuples, several times larger).
REREAD_UNITS = 1000
REREAD_SHARE = 0.1

#: A unit's rows: (event rows, audit rows), as ``sorkit.store.logrows`` orders their columns.
UnitLog = tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]

# Columns whose values repeat (operations, users, reasons): kept dictionary-encoded.
_REPEATED = {"kind", "recorded_by", "cancelled_by", "reason", "accepted", "batch_id"}


class _Grouped:
    """An Arrow table whose rows are found by unit: rows sorted by unit, then by ``order``.

    The table's columns are kept as read (chunked, not copied), but for the SOR code, which
    the grouping replaces, and the repeated texts, which are dictionary-encoded.
    """

    def __init__(self, table: pa.Table, order: list[str]) -> None:
        codes = pc.dictionary_encode(table.column("sor_code").combine_chunks())
        unit = codes.indices.to_numpy().astype(np.int64)
        keys = [_sortable(table.column(name)) for name in reversed(order)]
        self.perm = np.lexsort([*keys, unit]) if len(unit) else np.zeros(0, np.int64)
        counts = np.bincount(unit, minlength=len(codes.dictionary))
        self.starts = np.concatenate([np.zeros(1, np.int64), np.cumsum(counts)])
        # The SOR codes as fixed-width bytes, sorted, for a binary search (a dict of a million
        # codes would cost a hundred bytes each).
        names = _fixed_width(codes.dictionary)
        self.by_key = np.argsort(names, kind="stable")
        self.keys = names[self.by_key]
        self.names = list(table.column_names)
        self.code_at = self.names.index("sor_code")
        kept = {}
        for name in self.names:
            if name == "sor_code":
                continue
            column = table.column(name)
            kept[name] = pc.dictionary_encode(column) if name in _REPEATED else column
        self.table = pa.table(kept)

    def __len__(self) -> int:
        return len(self.keys)

    def rows(self, code: str) -> list[tuple[Any, ...]]:
        key = code.encode("utf-8")
        at = int(np.searchsorted(self.keys, key))
        if at == len(self.keys) or self.keys[at] != key:
            return []
        unit = int(self.by_key[at])
        # Row by row: a take on a chunked column would first join its chunks (a copy of the
        # whole column for texts), which is what the columns were kept chunked to avoid.
        columns = self.table.columns
        out = []
        for i in self.perm[self.starts[unit] : self.starts[unit + 1]].tolist():
            values = [column[i].as_py() for column in columns]
            values.insert(self.code_at, code)
            out.append(tuple(values))
        return out


def _fixed_width(texts: pa.Array) -> Any:
    """UTF-8 texts (no nulls) as a numpy array of fixed-width bytes, made from Arrow's buffers."""
    texts = texts.cast(pa.large_string())
    offsets = np.frombuffer(texts.buffers()[1], np.int64)[
        texts.offset : texts.offset + len(texts) + 1
    ]
    data = np.frombuffer(texts.buffers()[2] or b"", np.uint8)
    lengths = np.diff(offsets)
    width = max(1, int(lengths.max(initial=0)))
    out = np.zeros((len(texts), width), np.uint8)
    rows = np.repeat(np.arange(len(texts)), lengths)
    cols = np.arange(len(rows)) - np.repeat(offsets[:-1] - offsets[0], lengths)
    out[rows, cols] = data[offsets[0] : offsets[-1]]
    return out.view(f"S{width}").ravel()


def _sortable(column: pa.ChunkedArray) -> Any:
    """A column as numbers that sort as its values do (dates and times as integers)."""
    kind = column.type
    if pa.types.is_date32(kind):
        column = column.cast(pa.int32())
    elif pa.types.is_timestamp(kind):
        column = column.cast(pa.int64())
    return column.to_numpy()


class EventLog:
    """Every unit's events and audit records at a generation.

    Attributes:
        generation: the register generation the log is up to.
        audit_id: the highest audit record id the log has seen.
    """

    def __init__(self, generation: int, audit_id: int, events: pa.Table, audit: pa.Table) -> None:
        """Group the tables by unit (events in history order, audit records oldest first)."""
        self.lock = threading.Lock()
        self._set(generation, audit_id, events, audit)

    def _set(self, generation: int, audit_id: int, events: pa.Table, audit: pa.Table) -> None:
        self.generation = generation
        self.audit_id = audit_id
        self._own: dict[str, UnitLog] = {}  # units read again since
        self._events = _Grouped(events, ["effective_from", "recorded_at", "event_id"])
        self._audit = _Grouped(audit, ["audit_id"])

    @property
    def units(self) -> int:
        """How many units have events in the tables read last (not counting those re-read)."""
        return len(self._events)

    def unit(self, code: str) -> UnitLog:
        """The unit's event rows (oldest effective date first) and audit rows (oldest first)."""
        with self.lock:
            own = self._own.get(code)
            if own is not None:
                return list(own[0]), list(own[1])
            return self._events.rows(code), self._audit.rows(code)

    def update(self, store: RegisterStore) -> None:
        """Bring the log up to the register's generation (the units written since)."""
        with self.lock:
            generation, audit_id, codes, events, audit = store.event_log_since(
                self.generation, self.audit_id
            )
            if len(codes) > max(REREAD_UNITS, REREAD_SHARE * self.units):
                self._set(*store.event_log())
                return
            grouped: dict[str, UnitLog] = {code: ([], []) for code in codes}
            for row in events:
                grouped[row[2]][0].append(tuple(row))
            for row in audit:
                grouped[row[2]][1].append(tuple(row))
            for event_rows, audit_rows in grouped.values():
                event_rows.sort(key=lambda r: (r[3], r[6], r[0]))
                audit_rows.sort(key=lambda r: r[0])
            self._own.update(grouped)
            self.generation, self.audit_id = generation, audit_id


_CACHE: weakref.WeakKeyDictionary[Snapshot, EventLog] = weakref.WeakKeyDictionary()
_CACHE_LOCK = threading.Lock()


def log_for(snap: Snapshot, store: RegisterStore) -> EventLog:
    """The change log kept with ``snap``: read on first use, then kept up to its generation.

    Args:
        snap: the register's current snapshot (the log lives as long as it does).
        store: the register's store, to read the log from.

    Returns:
        A log at least as new as ``snap``.
    """
    with _CACHE_LOCK:  # held while reading: two threads must not read the log twice
        log = _CACHE.get(snap)
        if log is None:
            log = EventLog(*store.event_log())
            _CACHE[snap] = log
            return log
    if log.generation < snap.generation:
        log.update(store)
    return log
