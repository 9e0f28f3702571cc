"""reg.compare: one row per unit that differs between two dates (tables and a brute force)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pandas as pd
import pytest

import sorkit
from sorkit.analysis.compare import COMPARE_COLUMNS, KINDS, compare_units
from sorkit.search.frames import hierarchy
from tests.builders import add_unit, code, write
from tests.helpers import TODAY

D = TODAY + dt.timedelta(days=10)  # the day the changes below take effect
BEFORE, AFTER = TODAY, TODAY + dt.timedelta(days=20)
START = TODAY - dt.timedelta(days=400)

R1, R2, S1, S2, MOVED, RENAMED, CLOSED, GLN, RETYPED, STILL, NEW = (code(i) for i in range(1, 12))
GLN_A = {"gln": "5790000000012"}
GLN_B = {"gln": "5790000000029"}


@pytest.fixture
def small(empty: sorkit.Register) -> sorkit.Register:
    """Two roots, an institution under each, and one unit for every kind of change."""
    reg = empty
    add_unit(reg, R1, None, "Region A", START, unit_type="547211000005108")
    add_unit(reg, R2, None, "Region B", START, unit_type="547211000005108")
    add_unit(reg, S1, R1, "Hospital A", START, unit_type="22232009")
    add_unit(reg, S2, R2, "Hospital B", START, unit_type="22232009")
    for c, name in ((MOVED, "Flyttes"), (RENAMED, "Gammelt navn"), (CLOSED, "Lukkes")):
        add_unit(reg, c, S1, name, START, unit_type="394802001")
    add_unit(reg, GLN, S1, "Nummer", START, unit_type="394802001", location_number=GLN_A)
    add_unit(reg, RETYPED, S1, "Type", START, unit_type="394802001")
    add_unit(reg, STILL, S1, "Uændret", START, unit_type="394802001")
    return reg


def _changed(reg: sorkit.Register) -> dict[str, Any]:
    """Apply one change of each kind on D; return what each unit's ``kinds`` must be."""
    write(reg, MOVED, D, "move", parent=S2)
    write(reg, RENAMED, D, "edit", name="Nyt navn")
    write(reg, CLOSED, D, "close")
    write(reg, GLN, D, "location_number", location_number=GLN_B)
    write(reg, RETYPED, D, "edit", unit_type="225746001")
    add_unit(reg, NEW, S2, "Ny enhed", D, unit_type="394802001")
    return {
        MOVED: "moved",
        RENAMED: "renamed",
        CLOSED: "closed",
        GLN: "location_number_changed",
        RETYPED: "type_changed",
        NEW: "new",
    }


def test_no_change_no_rows_and_roots_are_not_moved(small: sorkit.Register) -> None:
    out = small.compare(BEFORE, AFTER)
    assert list(out.columns) == COMPARE_COLUMNS
    assert out.empty  # two roots (parent None on both dates) are not "moved"


@pytest.mark.parametrize(
    ("unit", "kind", "a_field", "b_field", "a_value", "b_value"),
    [
        (MOVED, "moved", "parent_a", "parent_b", S1, S2),
        (MOVED, "moved", "parent_name_a", "parent_name_b", "Hospital A", "Hospital B"),
        (RENAMED, "renamed", "name_a", "name_b", "Gammelt navn", "Nyt navn"),
        (CLOSED, "closed", "name_a", "name_b", "Lukkes", None),
        (NEW, "new", "name_a", "name_b", None, "Ny enhed"),
        (GLN, "location_number_changed", "location_number_a", "location_number_b",
         GLN_A["gln"], GLN_B["gln"]),
        (RETYPED, "type_changed", "unit_type_a", "unit_type_b", "394802001", "225746001"),
    ],
)  # fmt: skip
def test_each_kind_once_with_its_values(
    small: sorkit.Register,
    unit: str,
    kind: str,
    a_field: str,
    b_field: str,
    a_value: Any,
    b_value: Any,
) -> None:
    expected = _changed(small)
    out = small.compare(BEFORE, AFTER)
    assert sorted(out["sor_code"]) == sorted(expected)  # R1, R2, S1, S2, STILL are not listed
    row = out[out["sor_code"] == unit]
    assert len(row) == 1
    r = row.iloc[0]
    assert r["kinds"] == expected[unit] == kind
    assert [k for k in KINDS if r[k]] == [kind]
    for field, value in ((a_field, a_value), (b_field, b_value)):
        assert (None if pd.isna(r[field]) else r[field]) == value


def test_paths_on_both_sides_and_reversed_dates(small: sorkit.Register) -> None:
    _changed(small)
    out = small.compare(BEFORE, AFTER).set_index("sor_code")
    assert out.loc[MOVED, "path_a"] == "Region A / Hospital A / Flyttes"
    assert out.loc[MOVED, "path_b"] == "Region B / Hospital B / Flyttes"
    back = small.compare(AFTER, BEFORE).set_index("sor_code")
    assert back.loc[NEW, "kinds"] == "closed" and back.loc[CLOSED, "kinds"] == "new"
    assert back.loc[MOVED, "parent_a"] == S2 and back.loc[MOVED, "parent_b"] == S1


def test_several_kinds_on_one_unit(small: sorkit.Register) -> None:
    write(small, MOVED, D, "move", parent=S2)
    write(small, MOVED, D, "edit", name="Flyttet og omdøbt")
    out = small.compare(BEFORE, AFTER)
    assert out["kinds"].tolist() == ["moved, renamed"]


def test_under_limits_to_the_subtree_on_either_date(small: sorkit.Register) -> None:
    _changed(small)
    under_s1 = set(small.compare(BEFORE, AFTER, under=S1)["sor_code"])
    # MOVED left S1's subtree, but it was under S1 on the first date.
    assert under_s1 == {MOVED, RENAMED, CLOSED, GLN, RETYPED}
    under_s2 = set(small.compare(BEFORE, AFTER, under=S2)["sor_code"])
    assert under_s2 == {MOVED, NEW}
    assert small.compare(BEFORE, AFTER, under=STILL).empty


def test_known_at_compares_what_we_knew(small: sorkit.Register) -> None:
    before_change = small.clock.now()
    expected = _changed(small)
    # On the same date, what we knew then and what we know now differ by the same changes.
    out = small.compare(AFTER, AFTER, known_at_a=before_change)
    assert dict(zip(out["sor_code"], out["kinds"], strict=True)) == expected
    assert small.compare(AFTER, AFTER, known_at_a=before_change, known_at_b=before_change).empty


def _brute(reg: sorkit.Register, day_a: dt.date, day_b: dt.date) -> dict[str, str]:
    """The differences from two hierarchy calls, row by row, location numbers via reg.unit."""
    snap = reg.snapshot()
    a = {r["sor_code"]: r for r in hierarchy(snap, day_a).to_dict("records")}
    b = {r["sor_code"]: r for r in hierarchy(snap, day_b).to_dict("records")}

    def val(row: dict[str, Any], field: str) -> Any:
        v = row[field]
        return None if v is None or (isinstance(v, float) and v != v) else v

    def gln(code_: str, day: dt.date) -> str | None:
        own = reg.unit(code_, as_of=day).own.get("location_number")
        return own["gln"] if own else None

    out = {}
    for c in a.keys() | b.keys():
        if c not in a:
            out[c] = "new"
        elif c not in b:
            out[c] = "closed"
        else:
            kinds = []
            if val(a[c], "parent_sor_code") != val(b[c], "parent_sor_code"):
                kinds.append("moved")
            if val(a[c], "name") != val(b[c], "name"):
                kinds.append("renamed")
            if val(a[c], "unit_type") != val(b[c], "unit_type"):
                kinds.append("type_changed")
            if gln(c, day_a) != gln(c, day_b):
                kinds.append("location_number_changed")
            if kinds:
                out[c] = ", ".join(kinds)
    return out


def _random_changes(
    reg: sorkit.Register, rng: random.Random, span: tuple[dt.date, dt.date]
) -> None:
    """Moves, renames, new types and location numbers of open OEs on random days in ``span``."""
    snap = reg.snapshot()
    open_units = [c for c in sorted(snap.codes()) if snap.end(c) is None]
    oes = [c for c in open_units if snap.versions(c)[0].level == "OE"]
    sis = [c for c in open_units if snap.versions(c)[0].level == "SI"]
    width = (span[1] - span[0]).days
    for i, unit in enumerate(rng.sample(oes, 60)):
        day = max(span[0] + dt.timedelta(days=rng.randrange(width)), snap.first_from(unit))
        day = max(day, snap.versions(unit)[-1].valid_from + dt.timedelta(days=1))
        match i % 4:
            case 0:
                write(reg, unit, day, "move", parent=rng.choice(sis))
            case 1:
                write(reg, unit, day, "edit", name=f"Omdøbt {i}")
            case 2:
                write(reg, unit, day, "edit", unit_type="225746001")
            case _:
                write(reg, unit, day, "location_number", location_number={"gln": f"57900{i:08d}"})


@pytest.mark.slow
def test_equals_brute_force_on_demo_for_ten_random_date_pairs(demo: sorkit.Register) -> None:
    rng = random.Random(23)
    span = (TODAY - dt.timedelta(days=3 * 365), TODAY + dt.timedelta(days=365))
    _random_changes(demo, rng, span)
    width = (span[1] - span[0]).days
    seen: set[str] = set()
    for _ in range(10):
        day_a, day_b = (span[0] + dt.timedelta(days=rng.randrange(width)) for _ in range(2))
        out = demo.compare(day_a, day_b)
        got = dict(zip(out["sor_code"], out["kinds"], strict=True))
        assert len(got) == len(out)  # one row per unit
        assert got == _brute(demo, day_a, day_b), (day_a, day_b)
        seen.update(k for kinds in got.values() for k in kinds.split(", "))
    assert set(KINDS) <= seen


def test_compare_units_agrees_with_the_whole_comparison(small: sorkit.Register) -> None:
    _changed(small)
    snap = small.snapshot()
    whole = small.compare(BEFORE, AFTER)
    for codes in ([MOVED, STILL], [NEW, CLOSED, GLN], [R1, R2], list(snap.codes())):
        part = compare_units(snap, BEFORE, snap, AFTER, codes)
        expected = whole[whole["sor_code"].isin(codes)].sort_values("sor_code")
        got = part.sort_values("sor_code")
        assert got["sor_code"].tolist() == expected["sor_code"].tolist()
        assert got["kinds"].tolist() == expected["kinds"].tolist()
        assert (
            got["parent_name_b"].fillna("").tolist()
            == expected["parent_name_b"].fillna("").tolist()
        )
