"""The fast paths of issue #8 give the same answers as the plain ones."""

from __future__ import annotations

import datetime as dt

import sorkit
from sorkit.changes import EditUnit
from sorkit.search import frames
from sorkit.snapshot import Snapshot
from sorkit.store import rows
from tests.helpers import TODAY


def test_columnar_load_equals_row_by_row(demo: sorkit.Register) -> None:
    with demo.store.connect() as con:
        loaded = rows.load_versions(con, "superseded_at IS NULL", [])
        plain = [
            rows._to_version(r)
            for r in con.execute(
                f"SELECT {rows._VERSION_SELECT} FROM unit_versions WHERE superseded_at IS NULL "
                "ORDER BY sor_code, valid_from"
            ).fetchall()
        ]
    assert list(loaded) == plain
    snap = Snapshot(plain)
    assert loaded.by_code == {c: snap.versions(c) for c in snap.codes()}
    assert loaded.children == {p: snap.child_candidates(p) for p in loaded.children}


def test_hierarchy_matches_unit_frame_and_follows_writes(demo: sorkit.Register) -> None:
    snap = demo.snapshot()
    whole = frames.hierarchy(snap, TODAY)
    codes = whole["sor_code"].tolist()
    assert len(codes) == len(set(codes))
    assert set(codes) == {c for c in snap.codes() if snap.version_at(c, TODAY) is not None}
    plain = frames.unit_frame(snap, codes, TODAY).set_index("sor_code")
    fast = whole.set_index("sor_code")
    for col in ("name", "parent_name", "path", "valid_from", "last_day", "status"):
        a = [None if x != x else x for x in plain[col].tolist()]
        b = [None if x != x else x for x in fast.loc[codes, col].tolist()]
        assert a == b, col
    unit = codes[len(codes) // 2]
    plan = demo.plan(EditUnit(unit, TODAY + dt.timedelta(days=14), name="Omdøbt enhed"))
    demo.apply(plan, accept={v.code: "test" for v in plan.violations}, reason="test")
    later = frames.hierarchy(demo.snapshot(), TODAY + dt.timedelta(days=14))
    assert later.set_index("sor_code").loc[unit, "name"] == "Omdøbt enhed"


def test_max_serial_follows_new_units(demo: sorkit.Register) -> None:
    snap = demo.snapshot()
    before = snap.max_serial()
    assert before == demo.max_sor_serial()
