r"""The in-memory search index behind :func:`sorkit.search.search`.

One :class:`SearchIndex` is kept per :class:`~sorkit.snapshot.Snapshot` and follows its
generation: when the register applies a change (the snapshot is updated in place and its
generation goes up), the index patches in the changed units before the next search, so a search
never lags behind the register. A new snapshot object (another process wrote, or
``reg.refresh()``) gets a freshly built index.

What the index holds:

* Every version of every unit as numpy arrays (unit, dates, parent, name, type, level), so the
  version a unit has on any date is found for all units at once with ``searchsorted``.
* The names as stored (original case, one per run of equal names of a unit) and the SOR codes
  as Arrow string arrays, so result tables are built with takes
  (:mod:`sorkit.search.resultframes`), not unit by unit.
* Every distinct casefolded name of a unit (an *entry*), joined in one big string with ``"\\n"``
  before and after each, so name patterns are found with ``str.find`` / ``re`` scans in C.
* Identifier dictionaries (CVR, own location number, ydernummer, SHAK: value -> version ids).

Per asked date it computes (and caches) a :class:`DayView`: each unit's reference version on that
date (the version valid then; for a future unit its first, for a closed unit its last), its
status, and the tree on that date in path order (children by casefolded name, then SOR code), so
"units under X" is one range of positions and results sort by path without building paths.
The first view renumbers the units in its path order (unit ids are in tree order from then on),
so that the per-unit arrays are read in memory order for a subtree or the whole register.
"""

from __future__ import annotations

import datetime as dt
import threading
import weakref
from bisect import bisect_left
from collections import OrderedDict
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from sorkit.model import Version
from sorkit.snapshot import Snapshot

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: Stands for a line break inside a name, so that every entry is one line of the big string.
NEWLINE_STAND_IN = "\x00"

#: Ordinal used for an open end (``valid_to`` None).
OPEN_END = dt.date.max.toordinal() + 1

_DAY_BITS = 22  # date ordinals (up to 9999-12-31) fit in 22 bits
LEVEL_CODES = {"IE": 0, "SI": 1, "OE": 2}
IDENTIFIER_FIELDS = ("cvr", "gln", "ydernummer", "shak")

# Status codes of DayView.status (GONE: a unit whose versions were all cancelled).
ACTIVE, FUTURE, CLOSING, CLOSED, GONE = 0, 1, 2, 3, 4

_MAX_DAY_VIEWS = 8
_VERSION_COLUMNS = (
    "v_unit",
    "v_from",
    "v_to",
    "v_parent",
    "v_entry",
    "v_label",
    "v_type",
    "v_level",
)
_UNIT_COLUMNS = ("u_from", "u_end", "u_first_v", "u_last")
# The arrays of a DayView indexed by unit id whose values are no unit ids.
_PER_UNIT = ("ref", "valid", "entry", "label", "level", "unit_type", "status", "depth", "last")


def fold(text: str) -> str:
    """The form names and search text are compared in: casefolded, line breaks replaced."""
    return text.casefold().replace("\n", NEWLINE_STAND_IN)


def identifier_key(field: str, value: str) -> str:
    """The form an identifier is looked up in (SHAK ignores case; the others are digits)."""
    return value.upper() if field == "shak" else value


class DayView:
    """Every unit as on one date: reference version, status and place in the tree."""

    # Per unit id (besides the reference version's id, entry, label id, level and type):
    # parent on the date (-1: a root; a gone parent or a cycle counts as none), depth, position
    # in path order and the last position of its subtree; and the units by position.
    parent: IntArray
    depth: IntArray
    pos: IntArray
    last: IntArray
    by_pos: IntArray

    def __init__(self, index: SearchIndex, day: dt.date):
        """Compute the view of ``index`` on ``day`` (vectorised over all units)."""
        self.day = day
        self._scratch: BoolArray | None = None
        n = index.n_units
        d = day.toordinal()
        uids = np.arange(n, dtype=np.int64)
        i = np.searchsorted(index.key_sorted, (uids << _DAY_BITS) | d, side="right") - 1
        i_clip = np.maximum(i, 0)
        cand = index.key_order[i_clip]
        started = (i >= 0) & (index.v_unit[cand] == uids)
        valid = started & (index.v_to[cand] > d)
        alive = index.u_last[:n] >= index.u_first_v[:n]
        ref = np.where(valid, cand, np.where(started, index.u_last[:n], index.u_first_v[:n]))
        ref = np.where(alive, ref, 0)
        self.ref: IntArray = ref
        self.valid: BoolArray = valid & alive
        self.entry: IntArray = index.v_entry[ref]
        self.label: IntArray = index.v_label[ref]
        self.level: IntArray = index.v_level[ref]
        self.unit_type: IntArray = index.v_type[ref]
        first = index.u_from[:n]
        end = index.u_end[:n]
        status = np.where(end == OPEN_END, ACTIVE, CLOSING)
        status = np.where(end <= d, CLOSED, status)
        status = np.where(d < first, FUTURE, status)
        self.status: IntArray = np.where(alive, status, GONE)
        parent = np.where(alive, index.v_parent[ref], -1)
        parent[(parent >= 0) & ~alive[parent]] = -1  # under a unit that is gone: a root
        self._tree(index, parent)

    def _tree(self, index: SearchIndex, parent: IntArray) -> None:
        """Parents, depths, positions in path order (pre-order, children by name), subtree ends."""
        n = len(parent)
        uids = np.arange(n, dtype=np.int64)
        if not n:  # an empty register
            self.parent = self.depth = self.pos = self.last = self.by_pos = uids
            return
        parent[parent == uids] = -1
        depth = np.full(n, -1, dtype=np.int64)
        depth[parent < 0] = 0
        unresolved = np.flatnonzero(depth < 0)
        while len(unresolved):
            parent_depth = depth[parent[unresolved]]
            known = parent_depth >= 0
            if not known.any():  # a cycle of reference versions: show its units as roots
                parent[unresolved] = -1
                depth[unresolved] = 0
                break
            depth[unresolved[known]] = parent_depth[known] + 1
            unresolved = unresolved[~known]
        self.parent = parent
        self.depth = depth
        by_depth = np.argsort(depth, kind="stable")
        bounds = np.searchsorted(depth[by_depth], np.arange(int(depth.max(initial=0)) + 2))
        levels = [by_depth[bounds[k] : bounds[k + 1]] for k in range(len(bounds) - 1)]
        size = np.ones(n, dtype=np.int64)
        for nodes in reversed(levels[1:]):
            size += np.bincount(parent[nodes], weights=size[nodes], minlength=n).astype(np.int64)
        group = np.where(parent < 0, n, parent)
        # Siblings by name, then SOR code: rank units by (name, code), then sort by parent.
        by_name = np.argsort(
            index.entry_rank[self.entry] * (len(index.code_rank) * 2 + 2) + index.code_rank[:n]
        )
        dense = np.empty(n, dtype=np.int64)
        dense[by_name] = uids
        order = np.argsort(group * (n + 1) + dense, kind="stable")
        sizes = size[order]
        before = np.cumsum(sizes) - sizes
        grouped = group[order]
        starts = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]])
        base = np.repeat(before[starts], np.diff(np.r_[starts, n]))
        offset = np.empty(n, dtype=np.int64)
        offset[order] = before - base
        pos = np.empty(n, dtype=np.int64)
        if levels:
            pos[levels[0]] = offset[levels[0]]
        for nodes in levels[1:]:
            pos[nodes] = pos[parent[nodes]] + 1 + offset[nodes]
        self.pos = pos
        self.last = pos + size - 1
        by_pos = np.empty(n, dtype=np.int64)
        by_pos[pos] = uids
        self.by_pos = by_pos

    def renumber(self, order: IntArray) -> None:
        """Follow the index's renumbering of units into this view's path order.

        Args:
            order: the old id of each new id (this view's ``by_pos``).
        """
        n = len(order)
        for name in _PER_UNIT:
            setattr(self, name, getattr(self, name)[order])
        self.parent = np.append(self.pos, -1)[self.parent[order]]  # -1 (a root) stays -1
        self.pos = np.arange(n, dtype=np.int64)  # new ids are the positions
        self.by_pos = self.pos.copy()
        self._scratch = None

    def scratch(self) -> BoolArray:
        """A boolean per unit, all False, for the caller to mark units in and clear again.

        Shared by every reader of the view: use it only while holding the index's lock, and
        set back to False what was marked.
        """
        if self._scratch is None:
            self._scratch = np.zeros(len(self.ref), dtype=bool)
        return self._scratch

    def subtree_mask(self, uid: int, include_self: bool) -> BoolArray:
        """True for the units under ``uid`` (and ``uid`` itself if asked) on the view's date."""
        low = self.pos[uid] if include_self else self.pos[uid] + 1
        return (self.pos >= low) & (self.pos <= self.last[uid])


class SearchIndex:
    """Names, identifiers and versions of all units of one snapshot, ready to search."""

    # One row per version (version id = row): unit id, from/to ordinals, parent unit id (-1:
    # none), entry id of its name, label id of its name as stored, unit-type id (-1: none),
    # level code.
    v_unit: IntArray
    v_from: IntArray
    v_to: IntArray
    v_parent: IntArray
    v_entry: IntArray
    v_label: IntArray
    v_type: IntArray
    v_level: IntArray
    # One row per unit: first day, first closed day (OPEN_END), first and last version id.
    u_from: IntArray
    u_end: IntArray
    u_first_v: IntArray
    u_last: IntArray
    # Sort ranks (see _ranks) of entries and units' SOR codes.
    entry_rank: IntArray
    code_rank: IntArray
    # Names as stored (large_string; one per run of equal names of a unit: v_label points
    # here) and every unit's SOR code (codes_text[unit id]). Unit ids, and with them the codes
    # and names, follow the tree of the first day viewed (see _arrange).
    labels: pa.Array
    codes_text: pa.Array
    has_blank_label: bool

    def __init__(self, snap: Snapshot):
        """Build the index of every unit in ``snap``."""
        self.snap = snap
        self.lock = threading.RLock()
        self.codes: list[str] = []
        self.code_id: dict[str, int] = {}
        self.type_id: dict[str, int] = {}
        self.entries: list[str] = []
        self._entry_units: list[int] = []
        self.n_labels = 0
        # Versions whose parent is no unit of the snapshot: version id -> the parent's code.
        self.missing_parent: dict[int, str] = {}
        self.identifiers: dict[str, dict[str, list[int]]] = {f: {} for f in IDENTIFIER_FIELDS}
        self._built_versions: dict[str, tuple[Version, ...]] = {}
        self._days: OrderedDict[dt.date, DayView] = OrderedDict()
        self._rebuild()

    # -- building ------------------------------------------------------------------------

    def _rebuild(self) -> None:
        snap = self.snap
        self.generation = snap.generation
        self.codes = list(snap.codes())
        self.code_id = {c: i for i, c in enumerate(self.codes)}
        self.type_id = {}
        self.entries = []
        self._entry_units = []
        self.n_labels = 0
        self.missing_parent = {}
        self.identifiers = {f: {} for f in IDENTIFIER_FIELDS}
        cols = self._collect(list(range(len(self.codes))), 0)
        self._built_versions = dict(zip(self.codes, cols["per_unit"], strict=True))
        self._set_version_arrays(cols, fresh=True)
        self.labels = cols["labels"]
        self.has_blank_label = _has_blank(self.labels)
        self.codes_text = pa.array(self.codes, pa.large_string())
        self._arranged = False
        self.big = "\n" + "\n".join(self.entries) + "\n"
        self._set_entry_arrays(fresh=True)
        self.code_rank, self.sorted_codes = _ranks(self.codes)
        self.patched_versions = 0
        self._days.clear()

    def _collect(self, uids: list[int], first_vid: int) -> dict[str, Any]:
        """Flatten the versions of ``uids`` into columns; record new entries and identifiers."""
        codes, versions = self.codes, self.snap.versions
        per_unit = [versions(codes[u]) for u in uids]
        counts = np.fromiter((len(vs) for vs in per_unit), dtype=np.int64, count=len(uids))
        flat = [v for vs in per_unit for v in vs]
        unit = np.repeat(np.asarray(uids, dtype=np.int64), counts)
        ends = np.cumsum(counts) + first_vid
        as_stored = [v.name for v in flat]
        names = [
            s if "\n" not in s else s.replace("\n", NEWLINE_STAND_IN)
            for s in (name.casefold() if name else "" for name in as_stored)
        ]
        folded = np.array(names, dtype=object)
        new = np.ones(len(flat), dtype=bool)
        if len(flat) > 1:
            new[1:] = (unit[1:] != unit[:-1]) | (folded[1:] != folded[:-1])
        first_entry = len(self.entries)
        self.entries.extend(folded[new].tolist())
        self._entry_units.extend(unit[new].tolist())
        # Names as stored: a new label where the unit or the stored name changes.
        stored = np.array(as_stored, dtype=object)
        new_label = np.ones(len(flat), dtype=bool)
        if len(flat) > 1:
            new_label[1:] = (unit[1:] != unit[:-1]) | (stored[1:] != stored[:-1])
        first_label = self.n_labels
        self.n_labels += int(new_label.sum())
        code_id, type_id = self.code_id, self.type_id
        parents = [v.parent for v in flat]
        v_parent = np.fromiter(
            (code_id.get(p, -1) if p else -1 for p in parents), dtype=np.int64, count=len(flat)
        )
        for i in np.flatnonzero(v_parent < 0).tolist():
            if (written := parents[i]) is not None:
                self.missing_parent[first_vid + i] = written
        identifiers = self.identifiers
        columns = {
            "cvr": [v.cvr for v in flat],
            "ydernummer": [v.ydernummer for v in flat],
            "shak": [v.shak for v in flat],
            "gln": [ln.get("gln") if (ln := v.location_number) else None for v in flat],
        }
        for field, values in columns.items():
            table = identifiers[field]
            for i, value in enumerate(values):
                if value:
                    table.setdefault(identifier_key(field, str(value)), []).append(first_vid + i)
        return {
            "v_unit": unit,
            "v_from": [v.valid_from.toordinal() for v in flat],
            "v_to": [OPEN_END if v.valid_to is None else v.valid_to.toordinal() for v in flat],
            "v_parent": v_parent,
            "v_entry": first_entry + np.cumsum(new) - 1,
            "v_label": first_label + np.cumsum(new_label) - 1,
            "labels": pa.array(stored[new_label], pa.large_string()),
            "v_type": [
                -1 if v.unit_type is None else type_id.setdefault(str(v.unit_type), len(type_id))
                for v in flat
            ],
            "v_level": [LEVEL_CODES.get(v.level, -1) for v in flat],
            "u_from": [vs[0].valid_from.toordinal() if vs else OPEN_END for vs in per_unit],
            "u_end": [
                OPEN_END if not vs or vs[-1].valid_to is None else vs[-1].valid_to.toordinal()
                for vs in per_unit
            ],
            "u_first_v": ends - counts,
            "u_last": ends - 1,
            "per_unit": per_unit,
        }

    def _set_version_arrays(self, cols: dict[str, Any], fresh: bool) -> None:
        for name in _VERSION_COLUMNS:
            arr = np.asarray(cols[name], dtype=np.int64)
            setattr(self, name, arr if fresh else np.concatenate([getattr(self, name), arr]))
        if fresh:
            for name in _UNIT_COLUMNS:
                setattr(self, name, np.asarray(cols[name], dtype=np.int64))
        key = (self.v_unit << _DAY_BITS) | self.v_from
        self.key_order: IntArray = np.argsort(key, kind="stable")
        self.key_sorted: IntArray = key[self.key_order]

    def _set_entry_arrays(self, fresh: bool) -> None:
        names = self.entries
        lengths = np.fromiter((len(s) for s in names), dtype=np.int64, count=len(names))
        self.entry_len: IntArray = lengths
        self.entry_start: IntArray = 1 + np.r_[0, np.cumsum(lengths + 1)[:-1]].astype(np.int64)
        self.entry_unit: IntArray = np.array(self._entry_units, dtype=np.int64)
        if fresh:
            self.entry_rank, self.sorted_names = _ranks(names)
        self.max_entry_len = int(lengths.max(initial=0))

    # -- following the snapshot ----------------------------------------------------------

    def refresh(self) -> None:
        """Bring the index up to the snapshot's generation (patch, or rebuild if large)."""
        if self.generation == self.snap.generation:
            return
        snap = self.snap
        by_code = getattr(snap, "_by_code", None)
        built = self._built_versions
        if by_code is None or getattr(snap, "_base", None) is not None:
            self._rebuild()
            return
        changed = [c for c, vs in by_code.items() if built.get(c) is not vs]
        if self.patched_versions + 4 * len(changed) > max(1000, len(self.v_unit) // 4):
            self._rebuild()
            return
        self._patch(changed)

    def _patch(self, changed: list[str]) -> None:
        """Re-index the changed units: their new versions and names are appended."""
        snap = self.snap
        n_old = len(self.codes)
        for code in changed:
            if code not in self.code_id:
                self.code_id[code] = len(self.codes)
                self.codes.append(code)
        uids = [self.code_id[c] for c in changed]
        first_entry = len(self.entries)
        cols = self._collect(uids, len(self.v_unit))
        self._set_version_arrays(cols, fresh=False)
        self.labels = pa.concat_arrays([self.labels, cols["labels"]])
        self.has_blank_label = self.has_blank_label or _has_blank(cols["labels"])
        n = len(self.codes)
        if n > n_old:
            new_codes = pa.array(self.codes[n_old:], pa.large_string())
            self.codes_text = pa.concat_arrays([self.codes_text, new_codes])
        for name in _UNIT_COLUMNS:
            arr = getattr(self, name)
            if n > n_old:
                arr = np.concatenate([arr, np.zeros(n - n_old, dtype=np.int64)])
            arr[np.array(uids, dtype=np.int64)] = np.array(cols[name], dtype=np.int64)
            setattr(self, name, arr)
        new_names = self.entries[first_entry:]
        if new_names:
            self.big = self.big + "\n".join(new_names) + "\n"
        self._set_entry_arrays(fresh=False)
        self.entry_rank = np.concatenate(
            [
                self.entry_rank,
                np.array([_rank(self.sorted_names, s) for s in new_names], dtype=np.int64),
            ]
        )
        if n > n_old:
            extra = [_rank(self.sorted_codes, c) for c in self.codes[n_old:]]
            self.code_rank = np.concatenate([self.code_rank, np.array(extra, dtype=np.int64)])
        self._built_versions.update(zip(changed, cols["per_unit"], strict=True))
        self.patched_versions += len(cols["v_unit"])
        self.generation = snap.generation
        self._days.clear()

    # -- reading -------------------------------------------------------------------------

    @property
    def n_units(self) -> int:
        """How many units the index knows."""
        return len(self.codes)

    def day(self, day: dt.date) -> DayView:
        """The (cached) view of every unit on ``day``."""
        view = self._days.get(day)
        if view is None:
            view = DayView(self, day)
            if not self._arranged:
                self._arrange(view)
            self._days[day] = view
            while len(self._days) > _MAX_DAY_VIEWS:
                self._days.popitem(last=False)
        else:
            self._days.move_to_end(day)
        return view

    def _arrange(self, view: DayView) -> None:
        """Renumber the units in the view's path order, and store the names in that order.

        Done once per build, by the first :meth:`day`, so that unit ids (and label ids) follow
        the tree: a subtree, or the whole register, is then a run of nearly consecutive ids,
        and reading its units' values from the per-unit arrays reads memory in order. With a
        million units those arrays no longer fit in the processor's cache, and reads in random
        order cost about ten times more. The view itself is renumbered too.

        Only the numbering changes, never what a unit's versions, name or code are. Ids taken
        from the index before its first view are not valid afterwards (every reader asks for
        the view first).
        """
        self._arranged = True
        order, new_id = view.by_pos, view.pos  # old id by new id, new id by old id
        n = len(order)
        # Same keys, new values: updating the dict costs less than building another.
        self.code_id.update(zip(self.codes, new_id.tolist(), strict=True))
        self.codes = [self.codes[i] for i in order.tolist()]
        self.codes_text = self.codes_text.take(order)
        self.code_rank = self.code_rank[order]
        for name in _UNIT_COLUMNS:
            setattr(self, name, getattr(self, name)[order])
        unit_of = np.append(new_id, -1)  # unit_of[-1] is -1: no parent stays no parent
        self.v_unit = unit_of[self.v_unit]
        self.v_parent = unit_of[self.v_parent]
        self.entry_unit = unit_of[self.entry_unit]
        self._entry_units = self.entry_unit.tolist()
        # The sorted keys start with the unit: move each unit's run of keys to its new place.
        counts = np.bincount(self.v_unit, minlength=n)  # versions by new id
        first = np.cumsum(counts) - counts  # the run's new start
        old_counts = counts[new_id]
        old_first = np.cumsum(old_counts) - old_counts  # the run's old start, by old id
        moved = np.arange(len(self.key_order)) + np.repeat(old_first[order] - first, counts)
        self.key_order = self.key_order[moved]
        unit_bits = np.repeat(np.arange(n, dtype=np.int64), counts) << _DAY_BITS
        self.key_sorted = (self.key_sorted[moved] & ((1 << _DAY_BITS) - 1)) | unit_bits
        view.renumber(order)
        # Names: label ids follow the units (one unit's labels keep their order).
        label_unit = np.empty(len(self.labels), dtype=np.int64)
        label_unit[self.v_label] = self.v_unit
        by_unit = np.argsort(label_unit, kind="stable")
        renumber = np.empty(len(by_unit), dtype=np.int64)
        renumber[by_unit] = np.arange(len(by_unit), dtype=np.int64)
        self.labels = self.labels.take(by_unit)
        self.v_label = renumber[self.v_label]
        view.label = renumber[view.label]

    def entries_at(self, positions: list[int] | IntArray) -> IntArray:
        """The entries (lines of the big string) that hold the given string positions."""
        pos = np.asarray(positions, dtype=np.int64)
        return np.searchsorted(self.entry_start, pos, side="right") - 1


def _has_blank(labels: pa.Array) -> bool:
    """True if some name is empty (a path through it has no separator there)."""
    return bool(pc.any(pc.equal(pc.binary_length(labels), 0)).as_py())


def _ranks(values: list[str]) -> tuple[IntArray, list[str]]:
    """Each value's sort rank (twice its sorted position; equal values share the first one).

    Returns:
        The ranks and the values in sorted order.
    """
    n = len(values)
    order = sorted(range(n), key=values.__getitem__)
    ordered = [values[i] for i in order]
    first = np.arange(n, dtype=np.int64)
    if n > 1:
        same = np.fromiter(
            (a == b for a, b in zip(ordered, ordered[1:], strict=False)),
            dtype=bool,
            count=n - 1,
        )
        first[1:][same] = 0
        first = np.maximum.accumulate(first)
    rank = np.empty(n, dtype=np.int64)
    rank[np.asarray(order, dtype=np.int64)] = 2 * first
    return rank, ordered


def _rank(sorted_values: list[str], value: str) -> int:
    """The sort rank of a value added after the build (see :func:`_ranks`)."""
    i = bisect_left(sorted_values, value)
    if i < len(sorted_values) and sorted_values[i] == value:
        return 2 * i
    return 2 * i - 1


_CACHE: weakref.WeakKeyDictionary[Snapshot, SearchIndex] = weakref.WeakKeyDictionary()
_CACHE_LOCK = threading.Lock()


def index_for(snap: Snapshot) -> SearchIndex:
    """The search index of ``snap``, built on first use and kept up to its generation."""
    with _CACHE_LOCK:
        index = _CACHE.get(snap)
        if index is None:
            index = SearchIndex(snap)
            _CACHE[snap] = index
            return index
    with index.lock:
        index.refresh()
    return index


def cached_index(snap: Snapshot) -> SearchIndex | None:
    """The search index of ``snap`` if one was built (brought up to its generation), else None.

    For reads that are fast from the index but do not justify building it.
    """
    with _CACHE_LOCK:
        index = _CACHE.get(snap)
    if index is None:
        return None
    with index.lock:
        index.refresh()
    return index
