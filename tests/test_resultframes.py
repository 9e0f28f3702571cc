"""The columnar table builders give exactly the table the row-by-row builder gave (issue #8).

The oracle is ``tests/reference_frames.py``: ``unit_frame``, ``hierarchy`` and ``roots`` as
they were before the columnar builders. "Exactly" means values, dtypes, column order and row
order (``assert_frame_equal`` with ``check_exact``, plus ``DataFrame.equals``).
"""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
import pandas as pd
import pytest

import sorkit
from sorkit.changes import CloseUnit, CreateUnit, MoveUnit
from sorkit.demo.data import OE_CLINICAL
from sorkit.search import frames, resultframes
from sorkit.search.index import cached_index, index_for
from sorkit.search.resultframes import index_frame
from sorkit.snapshot import Snapshot
from tests import reference_frames as reference
from tests.builders import write
from tests.helpers import TODAY

D = dt.date
PAST_AND_FUTURE = [
    TODAY,
    TODAY - dt.timedelta(days=1),
    D(1990, 1, 1),
    D(2008, 6, 30),
    D(2015, 3, 1),
    TODAY + dt.timedelta(days=14),
    TODAY + dt.timedelta(days=400),
    D(2040, 1, 1),
]


def same(fast: pd.DataFrame, plain: pd.DataFrame) -> None:
    """The two tables are equal in values, dtypes, columns, index and row order."""
    pd.testing.assert_frame_equal(fast, plain, check_exact=True)
    assert list(fast.dtypes) == list(plain.dtypes)
    assert fast.equals(plain)


def accept(reg: sorkit.Register, change: object) -> object:
    plan = reg.plan(change)
    assert not [v for v in plan.violations if v.severity == "error"], plan.violations
    return reg.apply(plan, accept={v.code: "test" for v in plan.violations}, reason="test")


def dates_of(reg: sorkit.Register) -> list[dt.date]:
    """Fixed dates, the dates of pending moves and creations and the days before them."""
    pending = reg.pending()
    moves = pending[pending["operation"].isin(["Flyt", "Opret"])]["effective_date"].tolist()
    assert moves
    return sorted({*PAST_AND_FUTURE, *moves, *(d - dt.timedelta(days=1) for d in moves)})


def check_index_frame(snap: Snapshot, day: dt.date, uids: np.ndarray) -> None:
    """index_frame (column by column, and row by row for few units) and unit_frame agree."""
    index = index_for(snap)
    codes = [index.codes[u] for u in uids.tolist()]
    plain = reference.unit_frame(snap, codes, day)
    usual = resultframes.ROW_BY_ROW
    try:
        for row_by_row in (0, usual):
            resultframes.ROW_BY_ROW = row_by_row
            with index.lock:
                same(index_frame(index, index.day(day), uids), plain)
    finally:
        resultframes.ROW_BY_ROW = usual
    same(frames.unit_frame(snap, codes, day), plain)


def subsets(snap: Snapshot, day: dt.date, n: int, rng: random.Random) -> list[np.ndarray]:
    """Every unit (in two orders), roots only, active only, a few, one, none."""
    index = index_for(snap)
    everyone = np.arange(n, dtype=np.int64)
    shuffled = everyone.copy()
    rng.shuffle(shuffled)  # type: ignore[arg-type]
    with index.lock:
        view = index.day(day)
        roots = np.flatnonzero(view.parent < 0)
        active = np.flatnonzero(view.status == 0)
    return [
        everyone,
        shuffled,
        roots,
        active,
        shuffled[:7],
        shuffled[:1],
        everyone[:0],
    ]


@pytest.mark.slow
def test_index_frame_equals_unit_frame_on_many_dates(demo: sorkit.Register) -> None:
    rng = random.Random(8)
    snap = demo.snapshot()
    n = index_for(snap).n_units
    statuses = set()
    for day in dates_of(demo):
        statuses |= {snap.status(c, day) for c in snap.codes()}
        for uids in subsets(snap, day, n, rng):
            check_index_frame(snap, day, uids)
    assert statuses == {"active", "future", "closing", "closed"}


@pytest.mark.slow
def test_equal_after_moves_creates_closes_and_cancels(demo: sorkit.Register) -> None:
    snap = demo.snapshot()
    index_for(snap)  # built before the writes: the index is patched, not rebuilt
    hospital = demo.search("Rigshospitalet", level="SI")["sor_code"].iloc[0]
    wards = demo.children(hospital)["sor_code"].tolist()
    later = TODAY + dt.timedelta(days=30)
    accept(demo, MoveUnit(wards[0], wards[1], effective_from=later))
    accept(
        demo,
        CreateUnit(
            parent=wards[2],
            name="Nyt afsnit, Ærø",
            unit_type=demo.search(sor_code=wards[2])["unit_type"].iloc[0],
            phone="33333333",
            valid_from=later,
        ),
    )
    accept(demo, CloseUnit(wards[3], last_day=later, confirm=True, cascade=True))
    pending = demo.pending()
    creations = pending[pending["operation"] == "Opret"]
    demo.cancel(creations["change_id"].iloc[0], reason="test")  # a unit whose versions are gone
    write(demo, wards[4], later, "edit", name="RENAMED ward")  # another case, same fold
    snap = demo.snapshot()
    n = index_for(snap).n_units
    rng = random.Random(3)
    for day in [TODAY, later - dt.timedelta(days=1), later, D(2040, 1, 1)]:
        for uids in subsets(snap, day, n, rng):
            check_index_frame(snap, day, uids)


def test_dangling_parents_empty_and_odd_names(demo: sorkit.Register) -> None:
    snap = demo.snapshot()
    versions = [v for c in sorted(snap.codes()) for v in snap.versions(c)]
    root = next(v for v in versions if v.parent is None)
    dangling = next(v for v in versions if v.parent is not None and v.parent != root.sor_code)
    broken = versions[-1].sor_code
    odd = []
    for v in versions:
        if v.sor_code == broken:
            v = v._replace(name=f"Linje\nskift {v.valid_from}")  # a name per version
        elif v.sor_code == dangling.sor_code:
            v = v._replace(parent="1234567890123456")  # a parent that is no unit
        elif v.sor_code == root.sor_code:
            v = v._replace(name="")  # a root with an empty name: children's paths start bare
        odd.append(v)
    built = Snapshot(odd)
    rng = random.Random(5)
    n = index_for(built).n_units
    for day in (TODAY, D(2000, 1, 1)):
        for uids in subsets(built, day, n, rng):
            check_index_frame(built, day, uids)


@pytest.mark.parametrize(
    "criteria",
    [
        {"text": "*kardio*"},
        {"text": "Allerød*", "include_closed": True},
        {"text": "*skole", "as_of": D(2012, 1, 1)},
        {"text": "*a?d*", "limit": 17},
        {"text": "plejecenter", "as_of": TODAY + dt.timedelta(days=60)},
        {"level": "IE"},
        {"level": "OE", "include_closed": True, "as_of": D(2040, 1, 1)},
        {"text": "zzzz-ingen"},
        {},
        {"include_closed": True, "limit": None},
    ],
)
def test_search_rows_equal_unit_frame(demo: sorkit.Register, criteria: dict) -> None:
    criteria = dict(criteria)
    criteria.setdefault("limit", None)
    text = criteria.pop("text", None)
    found = demo.search(text, **criteria)
    day = criteria.get("as_of", TODAY)
    same(found, reference.unit_frame(demo.snapshot(), found["sor_code"].tolist(), day))


def test_search_under_and_lookups_equal_unit_frame(demo: sorkit.Register) -> None:
    snap = demo.snapshot()
    hospital = demo.search("Rigshospitalet", level="SI")["sor_code"].iloc[0]
    for day in (TODAY, D(2010, 1, 1), D(2040, 1, 1)):
        for found in (
            demo.search(under=hospital, as_of=day, limit=None),
            demo.search(under=hospital, as_of=day, include_closed=True, limit=None),
            demo.search(sor_code=hospital, as_of=day),
        ):
            same(found, reference.unit_frame(snap, found["sor_code"].tolist(), day))


def path_order(frame: pd.DataFrame, snap: Snapshot, day: dt.date) -> list[str]:
    """The codes in path order: by the names from the root (case ignored), then SOR codes."""
    key: dict[str, tuple[tuple[str, str], ...]] = {}

    def of(code: str) -> tuple[tuple[str, str], ...]:
        if code not in key:
            v = snap.reference_version(code, day)
            assert v is not None
            above = of(v.parent) if v.parent is not None else ()
            key[code] = (*above, (v.name.casefold(), code))
        return key[code]

    return sorted(frame["sor_code"].tolist(), key=of)


@pytest.mark.slow
def test_hierarchy_rows_and_path_order(demo: sorkit.Register) -> None:
    snap = demo.snapshot()
    for day in dates_of(demo):
        whole = frames.hierarchy(snap, day)
        old = reference.hierarchy(snap, day)
        codes = whole["sor_code"].tolist()
        assert sorted(codes) == sorted(old["sor_code"].tolist())
        assert set(codes) == {c for c in snap.codes() if snap.version_at(c, day) is not None}
        same(whole, reference.unit_frame(snap, codes, day))
        assert codes == path_order(whole, snap, day)
        listed = demo.search(as_of=day, include_closed=True, limit=None)["sor_code"].tolist()
        assert codes == [c for c in listed if c in set(codes)]  # the order search lists


def test_hierarchy_of_an_empty_register(empty: sorkit.Register) -> None:
    same(frames.hierarchy(empty.snapshot(), TODAY), reference.hierarchy(empty.snapshot(), TODAY))


def reads(reg: sorkit.Register, top: str, day: dt.date) -> dict[str, pd.DataFrame]:
    below = reg.subtree(top, as_of=day, include_closed=True)
    return {
        "roots": reg.roots(as_of=day),
        "children": reg.children(top, as_of=day, include_closed=True),
        "subtree": below,
        "subtree_open": reg.subtree(top, as_of=day),
        "subtree_typed": reg.subtree(top, as_of=day, unit_type=OE_CLINICAL, include_closed=True),
        "ancestors": reg.ancestors(below["sor_code"].iloc[-1], as_of=day),
    }


def test_reads_equal_the_row_by_row_tables_with_and_without_the_index(
    demo: sorkit.Register,
) -> None:
    snap = demo.snapshot()
    hospital = next(
        c
        for c in sorted(snap.codes())
        if snap.versions(c)[-1].name == "Rigshospitalet" and snap.versions(c)[-1].level == "SI"
    )
    days = (TODAY, D(2008, 1, 1), TODAY + dt.timedelta(days=30), D(2040, 1, 1))
    assert cached_index(snap) is None
    plain = {day: reads(demo, hospital, day) for day in days}  # no index built: unit by unit
    assert cached_index(snap) is None
    index_for(snap)
    for day in days:
        fast = reads(demo, hospital, day)  # the index is there: from its view of the day
        same(fast["roots"], reference.roots(demo, day))
        for name, frame in fast.items():
            same(frame, plain[day][name])
            same(frame, reference.unit_frame(snap, frame["sor_code"].tolist(), day))
        below = fast["subtree_open"]
        assert below["sor_code"].tolist() == path_order(below, snap, day)  # tree order
        assert below["sor_code"].iloc[0] == hospital
        closed = fast["subtree"][fast["subtree"]["status"] == "closed"]["sor_code"].tolist()
        assert closed == sorted(closed) and fast["subtree"]["sor_code"].tolist()[-len(closed) :]
        assert set(fast["subtree_typed"]["unit_type"]) <= {OE_CLINICAL}
