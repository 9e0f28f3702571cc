"""Tables of units as pandas DataFrames: the shape search, children, subtree and roots return.

The columns are :data:`UNIT_COLUMNS`. :func:`unit_frame` describes a list of units read one by
one from the snapshot (a few units: children, ancestors); :func:`hierarchy` lists the whole
register on a date from the search index, column by column (see :mod:`sorkit.search.resultframes`,
whose :func:`~sorkit.search.resultframes.index_frame` gives the same table for any units).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pandas as pd

from sorkit.search.resultframes import (
    PATH_SEPARATOR,
    UNIT_COLUMNS,
    PathCache,
    index_frame,
    rows_frame,
)
from sorkit.snapshot import Snapshot

__all__ = ["PATH_SEPARATOR", "UNIT_COLUMNS", "PathCache", "hierarchy", "unit_frame"]


def unit_frame(
    snap: Snapshot, codes: Iterable[str], day: dt.date, paths: PathCache | None = None
) -> pd.DataFrame:
    """One row per unit in ``codes`` (in that order), described as on ``day``.

    The row-by-row builder :func:`sorkit.search.resultframes.rows_frame`, under its public name.
    """
    return rows_frame(snap, codes, day, paths)


def hierarchy(snap: Snapshot, day: dt.date) -> pd.DataFrame:
    """Every unit valid on ``day`` with its path, in tree order (the columns of unit_frame).

    Tree order is the order search lists the register in: each unit followed by its subtree,
    siblings by name (case ignored), then SOR code. The rows are those
    :func:`unit_frame` gives for the same units.

    The whole register is read from the search index (kept per snapshot) and its view of
    ``day``, which already knows every unit's version, status and place in the tree; the table
    is made column by column, each path once from its parent's, so the time grows linearly
    with the register.

    Args:
        snap: the snapshot to list.
        day: the date.

    Returns:
        The table of :data:`UNIT_COLUMNS`, one row per unit in force on ``day``.
    """
    from sorkit.search.index import index_for

    index = index_for(snap)
    with index.lock:
        view = index.day(day)
        order = view.by_pos
        return index_frame(index, view, order[view.valid[order]])
