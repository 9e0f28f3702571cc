"""What differs in the hierarchy between two dates (and, if asked, between two states of knowledge).

:func:`compare_snapshots` reads the register on each side through the public table reader
:func:`sorkit.search.frames.hierarchy` (every unit valid on the date, with parent and path) and the
units' own location numbers, and gives one row per unit that differs: new, closed, moved,
renamed, type changed or location number changed (a unit can be several at once). Missing
values compare as equal to each other (two roots have the same parent: none), so only real
differences are listed.

:func:`snapshot_known_at` gives the register as sorkit knew it at a moment (transaction time),
so ``Register.compare(..., known_at_a=..., known_at_b=...)`` can answer "what changed in what we
knew", not only "what changed in the register".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd

from sorkit.search.frames import hierarchy, unit_frame
from sorkit.snapshot import Snapshot

if TYPE_CHECKING:
    from sorkit.store.interface import RegisterStore

__all__ = [
    "COMPARE_COLUMNS",
    "KINDS",
    "compare_snapshots",
    "compare_units",
    "snapshot_known_at",
]

#: The kinds of difference, in the order ``kinds`` lists them.
KINDS = ("new", "closed", "moved", "renamed", "type_changed", "location_number_changed")

#: The columns of the comparison (``_a``: on the first date, ``_b``: on the second).
COMPARE_COLUMNS = [
    "sor_code",
    "kinds",
    *KINDS,
    "level",
    "name_a",
    "name_b",
    "parent_a",
    "parent_name_a",
    "parent_b",
    "parent_name_b",
    "unit_type_a",
    "unit_type_name_a",
    "unit_type_b",
    "unit_type_name_b",
    "location_number_a",
    "location_number_b",
    "path_a",
    "path_b",
]

# Hierarchy column -> the comparison's column stem.
_TAKEN = {
    "name": "name",
    "parent_sor_code": "parent",
    "parent_name": "parent_name",
    "unit_type": "unit_type",
    "unit_type_name": "unit_type_name",
    "path": "path",
}


def compare_snapshots(
    snap_a: Snapshot,
    day_a: dt.date,
    snap_b: Snapshot,
    day_b: dt.date,
    under: str | None = None,
) -> pd.DataFrame:
    """One row per unit that differs between ``snap_a`` on ``day_a`` and ``snap_b`` on ``day_b``.

    Kinds (a unit may have several; ``kinds`` joins them with ", " in :data:`KINDS` order):

    * ``new``: valid on ``day_b``, not on ``day_a``;
    * ``closed``: valid on ``day_a``, not on ``day_b``;
    * ``moved``: valid on both, with another parent (a root stays a root: not moved);
    * ``renamed``, ``type_changed``: valid on both, another name / unit type;
    * ``location_number_changed``: valid on both, another own location number (GLN), also one
      given or taken away (an inherited number is not the unit's own and is not compared).

    Args:
        snap_a: the register on the first side.
        day_a: the first date.
        snap_b: the register on the second side (the same snapshot for a plain comparison).
        day_b: the second date.
        under: only units under this SOR code (itself included) on either date.

    Returns:
        The table of :data:`COMPARE_COLUMNS`: the units valid on ``day_b`` in its tree order,
        then those valid on ``day_a`` only, in its tree order. ``_a`` columns are empty
        (None) for a new unit, ``_b`` columns for a closed one.
    """
    a = _side(snap_a, day_a)
    b = _side(snap_b, day_b)
    if under is not None:
        keep = _below(a, under) | _below(b, under)
        a = a[a.index.isin(keep)]
        b = b[b.index.isin(keep)]
    return _compare_sides(a, b)


def compare_units(
    snap_a: Snapshot,
    day_a: dt.date,
    snap_b: Snapshot,
    day_b: dt.date,
    codes: Iterable[str],
) -> pd.DataFrame:
    """:func:`compare_snapshots` of a few named units only (read unit by unit, no index).

    For previews of planned changes (the batch preview): the same kinds and columns, with each
    side read by :func:`sorkit.search.frames.unit_frame` and kept to the units valid that day.
    """
    wanted = list(dict.fromkeys(codes))
    return _compare_sides(_unit_side(snap_a, day_a, wanted), _unit_side(snap_b, day_b, wanted))


def _compare_sides(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """The comparison of two sides (hierarchy tables indexed by SOR code, see :func:`_side`).

    Column by column: one outer join of the two sides, then vectorised comparisons in which
    two missing values are equal (pandas' ``!=`` says NaN differs from NaN).
    """
    stems = [*_TAKEN.values(), "level", "location_number"]
    left = a[stems].assign(_pos=np.arange(len(a), dtype=np.int64))
    right = b[stems].assign(_pos=np.arange(len(b), dtype=np.int64))
    both = pd.merge(
        left, right, how="outer", left_index=True, right_index=True, suffixes=("_a", "_b")
    )
    in_a = both["_pos_a"].notna().to_numpy()
    in_b = both["_pos_b"].notna().to_numpy()
    # b's tree order, then the units only on a's side in a's tree order.
    rank = np.where(in_b, both["_pos_b"].fillna(0), len(b) + both["_pos_a"].fillna(0))
    order = np.argsort(rank.astype(np.int64), kind="stable")
    both, in_a, in_b = both.iloc[order], in_a[order], in_b[order]
    on_both = in_a & in_b
    flags = {
        "new": in_b & ~in_a,
        "closed": in_a & ~in_b,
        "moved": on_both & _differs(both["parent_a"], both["parent_b"]),
        "renamed": on_both & _differs(both["name_a"], both["name_b"]),
        "type_changed": on_both & _differs(both["unit_type_a"], both["unit_type_b"]),
        "location_number_changed": on_both
        & _differs(both["location_number_a"], both["location_number_b"]),
    }
    keep = np.zeros(len(both), dtype=bool)
    for mask in flags.values():
        keep |= mask
    out = both[keep].copy()
    for kind, mask in flags.items():
        out[kind] = mask[keep]
    out["kinds"] = [
        ", ".join(k for k, on in zip(KINDS, row, strict=True) if on)
        for row in zip(*(flags[k][keep] for k in KINDS), strict=True)
    ]
    out["level"] = out["level_b"].where(out["level_b"].notna(), out["level_a"])
    out = out.rename_axis("sor_code").reset_index()
    return out[COMPARE_COLUMNS].reset_index(drop=True)


def _side(snap: Snapshot, day: dt.date) -> pd.DataFrame:
    """The hierarchy on ``day`` indexed by SOR code, with the own location number (GLN)."""
    frame = hierarchy(snap, day).rename(columns=_TAKEN).set_index("sor_code")
    frame["location_number"] = _own_glns(snap, frame.index, day)
    return frame


def _own_glns(snap: Snapshot, codes: Iterable[str], day: dt.date) -> list[str | None]:
    """The own location number on ``day`` of each unit (None for a unit without one).

    Looked up only for the units that ever held one (the snapshot's identifier index).
    """
    holders: set[str] = set()
    for found in snap.index("gln").values():
        holders |= found
    return [_own_gln(snap, code, day) if code in holders else None for code in codes]


def _unit_side(snap: Snapshot, day: dt.date, codes: list[str]) -> pd.DataFrame:
    """Like :func:`_side` for the named units that are valid on ``day``."""
    frame = unit_frame(snap, codes, day)
    if len(frame):
        frame = frame[frame["status"].isin(["active", "closing"]).to_numpy()]
    frame = frame.rename(columns=_TAKEN).set_index("sor_code")
    frame["location_number"] = [_own_gln(snap, code, day) for code in frame.index]
    return frame


def _own_gln(snap: Snapshot, code: str, day: dt.date) -> str | None:
    v = snap.version_at(code, day)
    number = v.location_number if v is not None else None
    return None if number is None else (number.get("gln") or None)


def _below(side: pd.DataFrame, top: str) -> set[str]:
    """``top`` and every unit under it in one side's hierarchy (empty if it is not there)."""
    if top not in side.index:
        return set()
    kids: dict[str, list[str]] = {}
    for code, parent in zip(side.index, side["parent"], strict=True):
        if isinstance(parent, str):
            kids.setdefault(parent, []).append(code)
    found, stack = {top}, [top]
    while stack:
        for child in kids.get(stack.pop(), ()):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def _differs(left: pd.Series, right: pd.Series) -> npt.NDArray[np.bool_]:
    """Row-wise inequality in which two missing values (None, NaN, NA) are equal."""
    missing_left = left.isna().to_numpy()
    missing_right = right.isna().to_numpy()
    equal = (left.astype(object) == right.astype(object)).to_numpy(dtype=bool)
    return ~((equal & ~missing_left & ~missing_right) | (missing_left & missing_right))


def snapshot_known_at(store: RegisterStore, known_at: dt.datetime | dt.date) -> Snapshot:
    """The register as sorkit knew it at ``known_at`` (transaction time).

    Args:
        store: the register's store.
        known_at: a moment (naive = UTC, as sorkit records it; an aware one is converted), or a
            date: everything recorded up to the end of that day (UTC).

    Returns:
        A snapshot of the versions recorded by then and not yet superseded then.
    """
    return Snapshot(store.load_known_at(known_at_moment(known_at)))


def known_at_moment(known_at: dt.datetime | dt.date) -> dt.datetime:
    """``known_at`` as the naive UTC moment sorkit records (a date: the end of that day)."""
    if isinstance(known_at, dt.datetime):
        if known_at.tzinfo is not None:
            return known_at.astimezone(dt.UTC).replace(tzinfo=None)
        return known_at
    return dt.datetime.combine(known_at, dt.time.max)
