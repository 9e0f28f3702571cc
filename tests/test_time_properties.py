"""Hypothesis properties of the interval algebra and the timeline projection."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from sorkit import dates
from sorkit.model import Event
from sorkit.timeline import events_from_versions, project

day = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2040, 12, 31))
maybe_day = st.none() | day


def interval(start: dt.date, length: int | None) -> tuple[dt.date, dt.date | None]:
    return start, None if length is None else start + dt.timedelta(days=length)


intervals = st.builds(interval, day, st.none() | st.integers(1, 4000))


@given(intervals, intervals)
def test_overlap_is_symmetric_and_matches_days(a, b) -> None:
    assert dates.overlaps(*a, *b) == dates.overlaps(*b, *a)
    clipped = dates.clip(*a, *b)
    assert (clipped is not None) == dates.overlaps(*a, *b)


@given(intervals, day)
def test_contains_agrees_with_validity(a, d) -> None:
    assert dates.Validity(*a).contains(d) == dates.contains(*a, d)


@given(maybe_day)
def test_inclusive_round_trip(last_day) -> None:
    assert dates.valid_to_to_last_day(dates.last_day_to_valid_to(last_day)) == last_day


@given(intervals, intervals, day)
def test_clip_is_the_intersection(a, b, d) -> None:
    clipped = dates.clip(*a, *b)
    inside_both = dates.contains(*a, d) and dates.contains(*b, d)
    assert inside_both == (clipped is not None and dates.contains(*clipped, d))


names = st.sampled_from(["A", "B", "C"])
phones = st.sampled_from(["11111111", "22222222", None])
assignments = st.fixed_dictionaries({}, optional={"name": names, "phone": phones})


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 400), assignments), max_size=8),
    st.none() | st.integers(401, 500),
)
def test_projection_round_trips_through_versions(edits, close_after) -> None:
    """Folding events, rebuilding them from the versions and folding again changes nothing."""
    start = dt.date(2020, 1, 1)
    events = [
        Event(1, "c0", "x", start, "create", {"level": "IE", "name": "A"}, dt.datetime(2020, 1, 1))
    ]
    for i, (offset, values) in enumerate(edits, start=2):
        events.append(
            Event(
                i,
                f"c{i}",
                "x",
                start + dt.timedelta(days=offset),
                "edit",
                values,
                dt.datetime(2020, 1, 1, 0, 0, i),
            )
        )
    if close_after is not None:
        events.append(
            Event(
                99,
                "close",
                "x",
                start + dt.timedelta(days=close_after),
                "close",
                {},
                dt.datetime(2020, 1, 2),
            )
        )
    versions = project("x", events)
    again = project("x", events_from_versions(versions))
    assert [(v.valid_from, v.valid_to, v.state()) for v in again] == [
        (v.valid_from, v.valid_to, v.state()) for v in versions
    ]
    # Versions tile the unit's life without gaps or overlaps.
    for a, b in zip(versions, versions[1:], strict=False):
        assert a.valid_to == b.valid_from


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 300), phones), min_size=1, max_size=6), st.data())
def test_later_change_keeps_its_own_field(edits, data) -> None:
    """A change inserted before a later change of the same field does not override it."""
    start = dt.date(2020, 1, 1)
    base = [
        Event(
            1,
            "c0",
            "x",
            start,
            "create",
            {"level": "IE", "name": "A", "phone": "0"},
            dt.datetime(2020, 1, 1),
        )
    ]
    for i, (offset, phone) in enumerate(edits, start=2):
        base.append(
            Event(
                i,
                f"c{i}",
                "x",
                start + dt.timedelta(days=offset),
                "edit",
                {"phone": phone},
                dt.datetime(2020, 1, 1, 0, 0, i),
            )
        )
    insert_at = data.draw(st.integers(1, 300))
    new = Event(
        100,
        "new",
        "x",
        start + dt.timedelta(days=insert_at),
        "edit",
        {"phone": "NEW", "name": "B"},
        dt.datetime(2021, 1, 1),
    )
    versions = project("x", base + [new])
    later = sorted(
        (e for e in base[1:] if e.effective_from > new.effective_from),
        key=lambda e: (e.effective_from, e.recorded_at),
    )
    for v in versions:
        if v.valid_from < new.effective_from:
            continue
        own = [e for e in later if e.effective_from <= v.valid_from]
        expected_phone = own[-1].assignments["phone"] if own else "NEW"
        assert v.phone == expected_phone
        assert v.name == "B"  # fields no later change names carry the new value forward
