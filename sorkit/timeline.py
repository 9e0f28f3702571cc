"""The timeline of a unit: its versions are a projection of its change events.

Timeline semantics (rules.md §3): a change sets the fields it names from its effective date
onward; a later change that sets the same field keeps its own value from its own date. Folding
the events in date order gives exactly that, and cancelling a change is dropping its events and
folding again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sorkit.model import STATE_FIELDS, Event, Version, normalise_field

CREATE_KINDS = ("create", "import")
CLOSE_KIND = "close"


class TimelineError(ValueError):
    """The events of a unit do not make a valid timeline (e.g. no create event first)."""


def event_order(event: Event) -> tuple[Any, ...]:
    """Sort key: by effective date, then by when sorkit learned of the change."""
    recorded = event.recorded_at or dt.datetime.min
    return (event.effective_from, recorded, event.event_id or 0)


def project(
    sor_code: str,
    events: Iterable[Event],
    *,
    recorded_at: dt.datetime | None = None,
    recorded_by: str | None = None,
) -> list[Version]:
    """Fold a unit's events into its versions, oldest first.

    Args:
        sor_code: the unit.
        events: its current (not cancelled) events, in any order.
        recorded_at: transaction time to stamp on the versions.
        recorded_by: user to stamp on the versions.

    Returns:
        The versions; empty if there are no events.

    Raises:
        TimelineError: if the first event is not a create/import, or an event follows a close.
    """
    ordered = sorted(events, key=event_order)
    if not ordered:
        return []
    if ordered[0].kind not in CREATE_KINDS:
        raise TimelineError(f"{sor_code}: the first event must create the unit")
    state: dict[str, Any] = {}
    # One state per distinct effective date.
    points: list[tuple[dt.date, dict[str, Any], str, set[str]]] = []
    end: dt.date | None = None
    for event in ordered:
        if end is not None:
            raise TimelineError(f"{sor_code}: a change on {event.effective_from} follows its close")
        if event.kind == CLOSE_KIND:
            end = event.effective_from
            continue
        assigned = {name for name in event.assignments if name in STATE_FIELDS}
        for name in assigned:
            state[name] = normalise_field(name, event.assignments[name])
        if points and points[-1][0] == event.effective_from:
            merged = points[-1][3] | assigned
            points[-1] = (event.effective_from, dict(state), event.change_id, merged)
        else:
            points.append((event.effective_from, dict(state), event.change_id, assigned))
    versions: list[Version] = []
    for i, (start, snapshot, change_id, assigned) in enumerate(points):
        stop = points[i + 1][0] if i + 1 < len(points) else end
        if stop is not None and end is not None and stop > end:
            stop = end
        if stop is not None and stop <= start:
            continue
        # The state holds normalised values already (see above), and every default is in
        # storage form, so the version is built directly (this is the demo's and the import's
        # hot path; it gives the same versions as ``version_from_state``).
        versions.append(
            _new_version(
                (
                    sor_code,
                    start,
                    stop,
                    *[snapshot.get(name, default) for name, default in _DEFAULTS],
                    tuple(sorted(assigned)),
                    change_id,
                    recorded_at,
                    recorded_by,
                    None,
                )
            )
        )
    return versions


_DEFAULTS = tuple(STATE_FIELDS.items())


def _new_version(values: tuple[Any, ...]) -> Version:
    return tuple.__new__(Version, values)


def events_from_versions(versions: Sequence[Version]) -> list[Event]:
    """Rebuild a unit's events (merged per date) from its versions and their ``set_fields``.

    Folding the result with :func:`project` gives the same versions back, so planning can work
    on the in-memory snapshot without reading the event table.
    """
    events: list[Event] = []
    for i, v in enumerate(versions):
        kind = "create" if i == 0 else "edit"
        names = v.set_fields if (i > 0 or v.set_fields) else tuple(STATE_FIELDS)
        assignments = {name: getattr(v, name) for name in names}
        events.append(
            Event(
                None,
                v.change_id or "",
                v.sor_code,
                v.valid_from,
                kind,
                assignments,
                dt.datetime.min + dt.timedelta(microseconds=i),
            )
        )
    last = versions[-1] if versions else None
    if last is not None and last.valid_to is not None:
        events.append(
            Event(
                None,
                "",
                last.sor_code,
                last.valid_to,
                CLOSE_KIND,
                {},
                dt.datetime.min + dt.timedelta(microseconds=len(versions)),
            )
        )
    return events


def diff_versions(
    old: Sequence[Version], new: Sequence[Version]
) -> tuple[list[Version], list[Version]]:
    """Return (old versions to supersede, new versions to insert); unchanged ones stay."""
    new_keys = {_content_key(v) for v in new}
    old_keys = {_content_key(v) for v in old}
    superseded = [v for v in old if _content_key(v) not in new_keys]
    inserted = [v for v in new if _content_key(v) not in old_keys]
    return superseded, inserted


def _content_key(version: Version) -> tuple[Any, ...]:
    state = version.state()
    return (
        version.valid_from,
        version.valid_to,
        version.set_fields,
        tuple(repr(state[k]) for k in STATE_FIELDS),
    )
