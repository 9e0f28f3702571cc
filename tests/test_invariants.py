"""The restricted guarantee check of a planned change: when it may leave out the cycle walk."""

from __future__ import annotations

import datetime as dt

import pytest

from sorkit.invariants import _parents_changed, problems
from sorkit.model import Version
from sorkit.snapshot import Snapshot

D0, D1, D2 = dt.date(2020, 1, 1), dt.date(2024, 1, 1), dt.date(2025, 1, 1)


def v(code: str, parent: str | None, start: dt.date = D0, end: dt.date | None = None, **kw):
    fields = dict.fromkeys(Version._fields)
    fields.update(
        sor_code=code, valid_from=start, valid_to=end, parent=parent, name=code,
        level="IE" if parent is None else "OE", inherit_electronic=False,
        inherit_location_number=False, local_attributes=(), specialities=(), replaces=(),
        replaced_by=(),
    )  # fmt: skip
    fields.update(kw)
    return Version(**fields)


TREE = [v("A", None), v("B", "A"), v("C", "B")]


@pytest.mark.parametrize(
    ("scenario", "updates", "changed"),
    [
        ("a rename splits B's version, same parent", {"B": [v("B", "A", D0, D1), v("B", "A", D1, name="B2")]}, False),
        ("a close ends B", {"B": [v("B", "A", D0, D2)]}, True),
        ("a move gives B another parent from D1", {"B": [v("B", "A", D0, D1), v("B", "C", D1)]}, True),
        ("a new unit", {"N": [v("N", "A", D1)]}, True),
    ],
)  # fmt: skip
def test_parents_changed(scenario: str, updates: dict, changed: bool) -> None:
    before = Snapshot(TREE)
    after = before.overlay(updates)
    assert _parents_changed(before, after, updates) is changed, scenario


def test_a_move_into_its_own_subtree_is_a_cycle_with_or_without_before() -> None:
    before = Snapshot(TREE)
    after = before.overlay({"B": [v("B", "A", D0, D1), v("B", "C", D1)]})
    for found in (problems(after, ["B"]), problems(after, ["B"], before=before)):
        assert any("cycle" in p for p in found), found


def test_an_edit_leaves_out_the_cycle_walk() -> None:
    # A register that already holds a cycle (B <-> C): the full check finds it, and an edit's
    # check, given the state it was planned on, does not walk the tree again.
    broken = Snapshot([v("A", None), v("B", "C"), v("C", "B")])
    after = broken.overlay({"C": [v("C", "B", D0, D1), v("C", "B", D1, name="C2")]})
    assert any("cycle" in p for p in problems(after, ["C"]))
    assert not any("cycle" in p for p in problems(after, ["C"], before=broken))
