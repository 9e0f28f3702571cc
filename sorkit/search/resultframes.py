"""Tables of units built column by column: the shape search, children, subtree and roots return.

Every read that lists units answers with the same table (:data:`UNIT_COLUMNS`). Two builders
make it, with identical results (values, dtypes, column and row order):

* :func:`rows_frame` (:func:`sorkit.search.frames.unit_frame`) reads each unit from the snapshot:
  cheap for a few units, and needs no search index;
* :func:`index_frame` takes every column at once from the search index and a
  :class:`~sorkit.search.index.DayView` (numpy and Arrow takes; paths grown one tree level at a
  time), for search results and whole-register lists; up to :data:`ROW_BY_ROW` units it hands
  over to :func:`rows_frame`, whose fixed cost is lower.

Both hand their columns to :func:`assemble`, which gives each column the dtype pandas would
infer from the Python values (``str`` for text, ``object`` for dates and for a column with no
value at all) without pandas looking at every value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.api.internals import create_dataframe_from_blocks
from pandas.arrays import ArrowStringArray

from sorkit import refdata
from sorkit.dates import valid_to_to_last_day
from sorkit.snapshot import Snapshot

if TYPE_CHECKING:
    from sorkit.search.index import DayView, SearchIndex

UNIT_COLUMNS = [
    "sor_code",
    "name",
    "level",
    "unit_type",
    "unit_type_name",
    "parent_sor_code",
    "parent_name",
    "path",
    "valid_from",
    "last_day",
    "status",
]

#: Between the names of a path (root first).
PATH_SEPARATOR = " / "

#: The columns that hold dates (``datetime.date`` or None, dtype object); the rest are text.
DATE_COLUMNS = ("valid_from", "last_day")

#: Names of the status codes of :class:`~sorkit.search.index.DayView` (ACTIVE ... CLOSED).
STATUS_NAMES = ("active", "future", "closing", "closed")
LEVEL_NAMES = ("IE", "SI", "OE")

_STR = pd.StringDtype("pyarrow", na_value=np.nan)
_COLUMN_INDEX = pd.Index(UNIT_COLUMNS)
_EPOCH = dt.date(1970, 1, 1).toordinal()


def empty_frame() -> pd.DataFrame:
    """The table with no rows (every column of dtype object, as pandas makes it)."""
    return pd.DataFrame.from_records([], columns=UNIT_COLUMNS)


def assemble(columns: Mapping[str, Any], rows: int) -> pd.DataFrame:
    """The table of :data:`UNIT_COLUMNS` from its columns, typed as pandas would infer them.

    Args:
        columns: per column name, the text as an Arrow string array (nulls for None), or for
            :data:`DATE_COLUMNS` a numpy object array of ``datetime.date`` / None.
        rows: the number of rows (every column has this length).

    Returns:
        A DataFrame equal to ``pd.DataFrame.from_records`` of the same values: text columns
        of dtype ``str`` (None shown as NaN), or ``object`` holding None where no row has a
        value; date columns of dtype ``object``.
    """
    if not rows:
        return empty_frame()
    blocks: list[tuple[Any, npt.NDArray[np.intp]]] = []
    objects: list[npt.NDArray[Any]] = []
    placed: list[int] = []
    for i, name in enumerate(UNIT_COLUMNS):
        values = columns[name]
        if name in DATE_COLUMNS:
            objects.append(values)
            placed.append(i)
        elif values.null_count == rows:
            objects.append(np.full(rows, None, dtype=object))
            placed.append(i)
        else:
            strings = ArrowStringArray(values, dtype=_STR)  # type: ignore[call-arg]
            blocks.append((strings, np.array([i], dtype=np.intp)))
    blocks.append((np.stack(objects), np.array(placed, dtype=np.intp)))
    return create_dataframe_from_blocks(blocks, pd.RangeIndex(rows), _COLUMN_INDEX)


def text(values: list[str | None]) -> pa.Array:
    """Python strings (and None) as an Arrow ``large_string`` array."""
    return pa.array(values, pa.large_string())


def dates(ordinals: npt.NDArray[np.int64]) -> npt.NDArray[Any]:
    """Date ordinals as an object array of ``datetime.date``."""
    if len(ordinals) > 1000:  # many: each day made once, then taken
        low, high = int(ordinals.min()), int(ordinals.max())
        if high - low < len(ordinals):
            days = np.arange(low - _EPOCH, high + 1 - _EPOCH, dtype=np.int64)
            return days.astype("datetime64[D]").astype(object)[ordinals - low]
    return (ordinals - _EPOCH).astype("datetime64[D]").astype(object)


class PathCache:
    """Memoised paths (names from the root to the unit, inclusive) on one date."""

    def __init__(self, snap: Snapshot, day: dt.date):
        """Cache paths of ``snap`` on ``day``."""
        self.snap = snap
        self.day = day
        self._paths: dict[str, str] = {}

    def path(self, code: str) -> str:
        """The unit's path on the cache's date (its reference version if not valid then)."""
        cached = self._paths.get(code)
        if cached is not None:
            return cached
        chain = []
        current: str | None = code
        seen: set[str] = set()
        while current is not None and current not in seen:
            if current in self._paths:
                break
            seen.add(current)
            v = (
                self.snap.reference_version(current, self.day)
                if current == code
                else self.snap.version_at(current, self.day)
            )
            if v is None:
                v = self.snap.reference_version(current, self.day)
            if v is None:
                break
            chain.append((current, v.name, v.parent))
            current = v.parent
        prefix = self._paths.get(current, "") if current is not None else ""
        for code_i, name, _parent in reversed(chain):
            prefix = f"{prefix}{PATH_SEPARATOR}{name}" if prefix else name
            self._paths[code_i] = prefix
        return self._paths.get(code, "")


def rows_frame(
    snap: Snapshot, codes: Iterable[str], day: dt.date, paths: PathCache | None = None
) -> pd.DataFrame:
    """One row per unit in ``codes`` (in that order), read unit by unit from the snapshot.

    Each unit is described by its reference version on ``day`` (a future unit by its first
    version, a closed one by its last); unknown codes are left out.

    Args:
        snap: the snapshot to read.
        codes: SOR codes.
        day: the date the units are described on.
        paths: a path cache of ``snap`` on ``day`` to share between calls.

    Returns:
        The table of :data:`UNIT_COLUMNS`.
    """
    paths = paths or PathCache(snap, day)
    type_names = refdata.unit_type_names()
    rows = []
    for code in codes:
        v = snap.reference_version(code, day)
        if v is None:
            continue
        parent_name = None
        if v.parent is not None:
            pv = snap.reference_version(v.parent, day)
            parent_name = pv.name if pv is not None else None
        rows.append(
            (
                code,
                v.name,
                v.level,
                v.unit_type,
                type_names.get(v.unit_type) if v.unit_type else None,
                v.parent,
                parent_name,
                paths.path(code),
                snap.first_from(code),
                valid_to_to_last_day(snap.end(code)),
                snap.status(code, day),
            )
        )
    if not rows:
        return assemble({}, 0)
    values = list(zip(*rows, strict=True))
    try:
        columns = {
            name: np.array(values[i], dtype=object)
            if name in DATE_COLUMNS
            else text(list(values[i]))
            for i, name in enumerate(UNIT_COLUMNS)
        }
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # a value that is not text: let pandas type it
        return pd.DataFrame.from_records(rows, columns=UNIT_COLUMNS)
    return assemble(columns, len(rows))


#: Up to this many units, :func:`index_frame` reads them one by one (fixed costs dominate).
ROW_BY_ROW = 150


def index_frame(index: SearchIndex, view: DayView, uids: npt.NDArray[np.int64]) -> pd.DataFrame:
    """One row per unit id in ``uids`` (in that order), described as on the view's date.

    The same table :func:`sorkit.search.frames.unit_frame` gives for these units' SOR codes: each
    unit's reference version (the version on the date; a future unit's first, a closed unit's
    last), its parent and the parent's name, its path, first day, last day and status. Units
    whose versions are all gone are left out. The caller holds ``index.lock``.

    Args:
        index: the search index (up to date with its snapshot).
        view: ``index.day(date)``.
        uids: unit ids of the index.
    """
    from sorkit.search.index import GONE, OPEN_END

    uids = np.asarray(uids, dtype=np.int64)
    if len(uids) <= ROW_BY_ROW:
        snap, day = index.snap, view.day
        return rows_frame(snap, [index.codes[u] for u in uids.tolist()], day, PathCache(snap, day))
    uids = uids[view.status[uids] != GONE]
    rows = len(uids)
    if not rows:
        return empty_frame()
    ref = view.ref[uids]
    # The parent as the version names it. The view's parent is that one but for a root (none,
    # gone, itself, or in a cycle): only for those read the versions (rows apart in memory).
    parent = view.parent[uids]
    roots = np.flatnonzero(parent < 0)
    parent[roots] = index.v_parent[ref[roots]]
    has_parent = parent >= 0
    named = has_parent.copy()  # the parent is a unit with versions
    named[has_parent] = view.status[parent[has_parent]] != GONE
    tree = _Members(index, view, np.concatenate([uids, parent[named]]))
    at = tree.slot(uids)
    at_parent = pa.array(tree.slot(np.where(named, parent, uids)), mask=~named)
    # Unit ids follow the tree (see SearchIndex._arrange): these takes read nearly in order.
    parent_code = index.codes_text.take(pa.array(parent, mask=~has_parent))
    if index.missing_parent:
        parent_code = _missing_parents(index, ref, parent_code)
    kinds = view.unit_type[uids]
    type_codes, type_names = _type_texts(index)
    kind_at = pa.array(np.where(kinds < 0, len(type_codes) - 1, kinds))
    levels = view.level[uids]
    end = index.u_end[uids]
    is_open = end == OPEN_END
    last_day = dates(np.where(is_open, _EPOCH + 1, end) - 1)
    last_day[is_open] = None
    return assemble(
        {
            "sor_code": index.codes_text.take(uids),
            "name": tree.names.take(at),
            "level": _LEVEL_TEXT.take(np.where(levels < 0, len(LEVEL_NAMES), levels)),
            "unit_type": type_codes.take(kind_at),
            "unit_type_name": type_names.take(kind_at),
            "parent_sor_code": parent_code,
            "parent_name": tree.names.take(at_parent),
            "path": tree.paths().take(at),
            "valid_from": dates(index.u_from[uids]),
            "last_day": last_day,
            "status": _STATUS_TEXT.take(view.status[uids]),
        },
        rows,
    )


_LEVEL_TEXT = text([*LEVEL_NAMES, None])
_SEPARATOR = pa.scalar(PATH_SEPARATOR, pa.large_string())
_STATUS_TEXT = text(list(STATUS_NAMES))


def _type_texts(index: SearchIndex) -> tuple[pa.Array, pa.Array]:
    """Unit-type codes and Danish names by type id (the last entry: no type)."""
    names = refdata.unit_type_names()
    codes = list(index.type_id)
    return (
        text([*codes, None]),
        text([*(names.get(c) if c else None for c in codes), None]),
    )


def _missing_parents(index: SearchIndex, ref: npt.NDArray[np.int64], codes: pa.Array) -> pa.Array:
    """Fill in the parent codes that name no unit of the snapshot (kept as written)."""
    missing = index.missing_parent
    at = [i for i, v in enumerate(ref.tolist()) if v in missing]
    if not at:
        return codes
    values = codes.to_pylist()
    for i in at:
        values[i] = missing[int(ref[i])]
    return text(values)


class _Members:
    """Some units and all their ancestors on a view's date, with their names and paths.

    The members are ordered by depth, and within a depth in path order, so that a level's
    parents come in order in the level above: taking a parent's name or path, and taking the
    rows back in path order, read memory in order (string takes at random places cost several
    times more). The caller holds the index's lock.
    """

    def __init__(self, index: SearchIndex, view: DayView, uids: npt.NDArray[np.int64]):
        parent, depth = view.parent, view.depth
        n = len(parent)
        mark = view.scratch()  # all False; True for the units found, reset below
        mark[uids] = True
        current = uids
        while True:  # one tree level up per step
            up = parent[current]
            up = up[up >= 0]
            up = up[~mark[up]]
            if not len(up):
                break
            mark[up] = True
            current = up
        if len(uids) * 16 > n:  # many: filter the units in path order
            ordered = view.by_pos[mark[view.by_pos]]
            mark[ordered] = False
        else:  # few: sort them
            ordered = np.flatnonzero(mark)
            mark[ordered] = False
            ordered = ordered[np.argsort(view.pos[ordered])]
        member_depth = depth[ordered]
        if int(member_depth.max()) < 2**15:
            member_depth = member_depth.astype(np.int16)  # a stable sort of int16 is a radix sort
        by_depth = np.argsort(member_depth, kind="stable")
        ordered = ordered[by_depth]
        member_depth = member_depth[by_depth]
        self.bounds = np.searchsorted(member_depth, np.arange(int(member_depth[-1]) + 2))
        self.ordered = ordered
        if len(ordered) * 64 > n:  # not few: a slot per unit id
            dense = np.empty(n, dtype=np.int64)
            dense[ordered] = np.arange(len(ordered), dtype=np.int64)
            self._dense: npt.NDArray[np.int64] | None = dense
        else:
            self._place = np.argsort(ordered)  # the k-th smallest member's slot
            self._sorted = ordered[self._place]
            self._dense = None
        self.index, self.view = index, view
        self.names: pa.Array = index.labels.take(view.label[ordered])

    def slot(self, units: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """The members' places (units must be members)."""
        if self._dense is not None:
            return self._dense[units]
        return self._place[np.searchsorted(self._sorted, units)]

    def paths(self) -> pa.Array:
        """Every member's path: each level's parents' paths joined with its own names."""
        bounds, ordered, names = self.bounds, self.ordered, self.names
        parent = self.view.parent
        blanks = self.index.has_blank_label
        pieces: list[pa.Array] = []
        for k in range(len(bounds) - 1):
            low, high = int(bounds[k]), int(bounds[k + 1])
            own = names.slice(low, high - low)
            if k == 0:
                pieces.append(own)
                continue
            above = pieces[-1].take(self.slot(parent[ordered[low:high]]) - int(bounds[k - 1]))
            joined = pc.binary_join_element_wise(above, own, _SEPARATOR)
            if blanks:  # an empty path above: no separator (as PathCache)
                joined = pc.if_else(pc.equal(pc.binary_length(above), 0), own, joined)
            pieces.append(joined)
        return pa.concat_arrays(pieces) if len(pieces) > 1 else pieces[0]
