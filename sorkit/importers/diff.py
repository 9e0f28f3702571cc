"""From parsed records to events: a fresh register's import, and the difference to a newer export.

Dates (domain reference §1.2): FirstFromDate is the unit's first day, ToDate its last day
(inclusive, so the close event is dated ToDate + 1), FromDate the first day of the state the file
gives. An export holds only the current state, so a new unit is created on FirstFromDate *with
that current state* (the history before FromDate is not in the file; FromDate is kept in the
audit parameters). The unit's own location number has its own SorStatus: if it starts after the
unit, the unit is created without it and a ``location_number`` event sets it on its first day;
if it ends before the unit, a ``location_number`` event removes it the day after.

A unit may not start before (or outlive) its parent in sorkit (rules.md §5). Real exports have
such cases (the sample hospital's department starts a day before its hospital); the import then
moves the child's start (or end) inside the parent's life and lists each adjustment in the
report rather than rejecting the file.

Updating a register that already holds units compares each unit in the file with the register's
state on the export's snapshot day (or today): changed fields become an ``edit`` event and a new
parent a ``move`` event on FromDate (later if a newer change in the register would otherwise
mask it), a ToDate the register lacks a ``close`` event, units new to the register ``create``
events, and open units missing from the file a ``close`` from the snapshot day. Fields a format
does not carry (EDI message types in XML, addresses in the hierarchy CSV, ...) keep the
register's values. What cannot be applied (a closed unit open again, another close date, a
different level) is reported as a conflict and left alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sorkit.dates import ONE_DAY
from sorkit.importers.common import Problem, UnitRecord
from sorkit.importers.scope import owner_in_register
from sorkit.inherit import resolve
from sorkit.model import STATE_FIELDS, Event, LocationNumber, normalise_field
from sorkit.snapshot import Snapshot
from sorkit.timeline import TimelineError, events_from_versions, project

_CHILD_LEVELS = {None: ("IE",), "IE": ("SI",), "SI": ("OE",), "OE": ("OE",)}


def order_top_down(
    records: list[UnitRecord], snap: Snapshot, problems: list[Problem]
) -> list[UnitRecord]:
    """Sort records so that every parent comes before its children; report cycles."""
    by_code = {r.sor_code: r for r in records}
    done: set[str] = set()
    out: list[UnitRecord] = []
    children: dict[str | None, list[UnitRecord]] = {}
    for r in records:
        key = r.parent if r.parent in by_code else None
        children.setdefault(key, []).append(r)
    stack = list(reversed(children.get(None, [])))
    while stack:
        r = stack.pop()
        if r.sor_code in done:
            continue
        done.add(r.sor_code)
        out.append(r)
        stack.extend(reversed(children.get(r.sor_code, [])))
    for r in records:
        if r.sor_code not in done:
            problems.append(
                Problem(
                    r.where, "ParentSorId", r.parent or "", "enheden indgår i en ring af forældre"
                )
            )
    return out


def fit_to_parents(
    records: list[UnitRecord],
    snap: Snapshot,
    problems: list[Problem],
    adjustments: list[str],
) -> None:
    """Check parents and levels; move children's dates inside their parents' lives.

    ``records`` must be in top-down order. Parents may be in the file or (on an update) in the
    register. Records are changed in place.
    """
    spans: dict[str, tuple[dt.date, dt.date | None]] = {}
    levels: dict[str, str] = {}
    for r in records:
        existing = snap.versions(r.sor_code)
        if r.parent is None:
            if r.level != "IE":
                problems.append(
                    Problem(
                        r.where, "ParentSorId", "", f"en {r.level} skal have en overordnet enhed"
                    )
                )
        else:
            span = spans.get(r.parent)
            plevel = levels.get(r.parent)
            if span is None and snap.exists(r.parent):
                span = (snap.first_from(r.parent), snap.end(r.parent))  # type: ignore[assignment]
                ref = snap.versions(r.parent)[-1]
                plevel = ref.level
            if span is None:
                problems.append(
                    Problem(
                        r.where,
                        "ParentSorId",
                        r.parent,
                        "den overordnede enhed findes hverken i filen eller i registret",
                    )
                )
                continue
            if r.level not in _CHILD_LEVELS.get(plevel, ()):
                problems.append(
                    Problem(
                        r.where,
                        "SorType",
                        r.level,
                        f"en {r.level} kan ikke ligge under en {plevel} ({r.parent})",
                    )
                )
            pstart, pend = span
            if not existing and r.first_from < pstart:
                adjustments.append(
                    f"{r.sor_code} {r.name}: startdato {r.first_from} flyttet til "
                    f"{pstart}, den overordnede enhed {r.parent}s startdato"
                )
                r.extra["first_from_in_file"] = r.first_from.isoformat()
                r.first_from = pstart
                r.from_date = max(r.from_date, pstart)
            if pend is not None and (r.end is None or r.end > pend):
                adjustments.append(
                    f"{r.sor_code} {r.name}: lukkes sammen med den overordnede enhed "
                    f"{r.parent} (sidste dag {pend - ONE_DAY})"
                )
                r.extra["last_day_in_file"] = r.last_day.isoformat() if r.last_day else None
                r.last_day = pend - ONE_DAY
            if r.end is not None and r.end <= r.first_from:
                problems.append(
                    Problem(
                        r.where,
                        "FirstFromDate",
                        r.first_from.isoformat(),
                        f"enheden ligger uden for den overordnede enhed {r.parent}s levetid",
                    )
                )
        start = snap.first_from(r.sor_code) if existing else r.first_from
        spans[r.sor_code] = (start or r.first_from, r.end)
        levels[r.sor_code] = r.level


def unit_events(
    rec: UnitRecord, change_id: str, now: dt.datetime, user: str, kind: str = "import"
) -> list[Event]:
    """The events that create a unit as the record states it (and close it if it ends)."""

    def ev(day: dt.date, k: str, assignments: Mapping[str, Any]) -> Event:
        return Event(None, change_id, rec.sor_code, day, k, dict(assignments), now, user)

    state = dict(rec.state)
    start, end = rec.first_from, rec.end
    later: list[Event] = []
    ln = state.get("location_number")
    if ln is not None:
        ln_start = max(rec.ln_first_from or start, start)
        ln_end = None if rec.ln_last_day is None else rec.ln_last_day + ONE_DAY
        if end is not None and ln_end is not None and ln_end >= end:
            ln_end = None
        if ln_end is not None and ln_end <= ln_start:
            state["location_number"] = None
        else:
            if ln_start > start:
                state["location_number"] = None
                if end is None or ln_start < end:
                    later.append(ev(ln_start, "location_number", {"location_number": ln}))
            if ln_end is not None:
                later.append(ev(ln_end, "location_number", {"location_number": None}))
    out = [ev(start, kind, state), *later]
    if end is not None:
        out.append(ev(end, "close", {}))
    return out


def file_state_on(rec: UnitRecord, day: dt.date) -> dict[str, Any]:
    """The record's state on ``day`` (its own location number only while it is valid)."""
    state = dict(rec.state)
    if state.get("location_number") is not None:
        ln_start = rec.ln_first_from or rec.first_from
        if day < ln_start or (rec.ln_last_day is not None and day > rec.ln_last_day):
            state["location_number"] = None
    return state


@dataclass
class UpdatePlan:
    """The events of an update and what they mean."""

    events: list[Event] = field(default_factory=list)
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    closures: int = 0
    actions: dict[str, str] = field(default_factory=dict)
    dates: dict[str, dt.date] = field(default_factory=dict)


def plan_update(
    records: Iterable[UnitRecord],
    snap: Snapshot,
    ref_day: dt.date,
    change_id: str,
    now: dt.datetime,
    user: str,
    *,
    close_missing: bool = True,
    owners: Collection[str] | None = None,
) -> UpdatePlan:
    """Compare a newer export with the register and return the events that bring it in step.

    Args:
        records: the file's units, top-down.
        snap: the register now.
        ref_day: the export's snapshot day: the register is compared as it is on this day,
            and units missing from the file are closed from it.
        change_id: the id the events are recorded under.
        now: transaction time.
        user: who imports.
        close_missing: close open units the file does not hold.
        owners: close only missing units under these institution owners (an extract of
            part of SOR); None closes missing units everywhere (a complete export).
    """
    plan = UpdatePlan()

    def ev(code: str, day: dt.date, kind: str, assignments: Mapping[str, Any]) -> Event:
        return Event(None, change_id, code, day, kind, dict(assignments), now, user)

    in_file: set[str] = set()
    for rec in records:
        code = rec.sor_code
        in_file.add(code)
        versions = snap.versions(code)
        if not versions:
            plan.events += unit_events(rec, change_id, now, user, kind="create")
            changes = "oprettet" + (f"; lukkes efter {rec.last_day}" if rec.last_day else "")
            plan.rows.append(("added", code, rec.name, rec.level, rec.first_from, changes))
            plan.actions[code] = "added"
            plan.dates[code] = rec.first_from
            continue
        reg_start = versions[0].valid_from
        reg_end = versions[-1].valid_to
        if versions[-1].level != rec.level:
            plan.conflicts.append(
                f"{code} {rec.name}: niveau {rec.level} i filen, {versions[-1].level} i registret"
            )
            plan.rows.append(("conflict", code, rec.name, rec.level, None, "niveau afviger"))
            continue
        cmp_day = max(ref_day, rec.from_date, reg_start)
        if reg_end is not None and reg_end <= cmp_day:
            if rec.end is None or rec.end > reg_end:
                plan.conflicts.append(
                    f"{code} {rec.name}: lukket i registret fra {reg_end}, men åben i filen"
                )
                plan.rows.append(
                    (
                        "conflict",
                        code,
                        rec.name,
                        rec.level,
                        None,
                        "lukket i registret, åben i filen",
                    )
                )
            continue
        reg_v = snap.reference_version(code, cmp_day)
        assert reg_v is not None
        wanted = file_state_on(rec, cmp_day)
        changed: dict[str, Any] = {}
        for name in rec.carried:
            if name == "level":
                continue
            new = normalise_field(name, wanted.get(name, STATE_FIELDS[name]))
            old = getattr(reg_v, name)
            if name == "location_number" and new is not None and old is not None:
                if new.get("gln") == old.get("gln"):
                    kept = {k: v for k, v in old.items() if k not in rec.ln_carried}
                    new = normalise_field(name, {**new, **kept})
            if name.endswith("_address") and new is not None and old is not None:
                # Exports do not carry "skip address validation": keep the register's flag.
                new = normalise_field(name, {**new, "skip_validation": old.get("skip_validation")})
            if name == "location_number" and new is not None and old is not None:
                if LocationNumber.from_dict(new) == LocationNumber.from_dict(old):
                    continue
            if new != old:
                changed[name] = new
        if changed and rec.effective is not None:
            _drop_same_effective(snap, reg_v, cmp_day, rec, changed)
        last_start = versions[-1].valid_from
        unit_events_: list[Event] = []
        if changed:
            eff = max(rec.from_date, reg_start)
            for v in versions:
                if eff < v.valid_from <= cmp_day and set(v.set_fields) & set(changed):
                    eff = v.valid_from
            if reg_end is not None and eff >= reg_end:
                plan.conflicts.append(f"{code} {rec.name}: ændring pr. {eff} efter lukning")
                plan.rows.append(
                    ("conflict", code, rec.name, rec.level, eff, "ændring efter lukning")
                )
                continue
            if "parent" in changed:
                unit_events_.append(ev(code, eff, "move", {"parent": changed["parent"]}))
                plan.rows.append(
                    (
                        "moved",
                        code,
                        rec.name,
                        rec.level,
                        eff,
                        f"parent: {reg_v.parent} -> {changed['parent']}",
                    )
                )
            others = {k: v for k, v in changed.items() if k != "parent"}
            if others:
                unit_events_.append(ev(code, eff, "edit", others))
                text = "; ".join(
                    f"{k}: {_show(getattr(reg_v, k))} -> {_show(v)}"
                    for k, v in sorted(others.items())
                )
                plan.rows.append(("changed", code, rec.name, rec.level, eff, text))
            plan.dates[code] = eff
            last_start = max(last_start, eff)
        if rec.end is not None and rec.end != reg_end:
            if reg_end is not None:
                plan.conflicts.append(
                    f"{code} {rec.name}: sidste dag {rec.last_day} i filen, "
                    f"{reg_end - ONE_DAY} i registret"
                )
                plan.rows.append(
                    ("conflict", code, rec.name, rec.level, rec.last_day, "lukkedato afviger")
                )
            elif rec.end <= last_start:
                plan.conflicts.append(
                    f"{code} {rec.name}: lukning pr. {rec.last_day} ligger før en senere ændring"
                )
                plan.rows.append(
                    (
                        "conflict",
                        code,
                        rec.name,
                        rec.level,
                        rec.last_day,
                        "lukning før senere ændring",
                    )
                )
            else:
                unit_events_.append(ev(code, rec.end, "close", {}))
                plan.rows.append(("closed", code, rec.name, rec.level, rec.last_day, "lukket"))
                plan.closures += 1
                plan.dates.setdefault(code, rec.end)
        if unit_events_:
            plan.events += unit_events_
            plan.actions[code] = "changed"
    if close_missing:
        owner_of: dict[str, str | None] = {}
        for code in sorted(set(snap.codes()) - in_file):
            versions = snap.versions(code)
            start, end = versions[0].valid_from, versions[-1].valid_to
            if start > ref_day or end is not None:
                continue  # not yet started (pending in sorkit), or already closed/closing
            if (
                owners is not None
                and owner_in_register(snap, code, ref_day, owner_of) not in owners
            ):
                continue  # another institution owner's unit: not this file's part of SOR
            v = versions[-1]
            if v.valid_from >= ref_day:
                plan.conflicts.append(
                    f"{code} {v.name}: mangler i filen, men har en ventende ændring pr. {v.valid_from}"
                )
                plan.rows.append(
                    ("conflict", code, v.name, v.level, None, "mangler i filen; ventende ændring")
                )
                continue
            plan.events.append(ev(code, ref_day, "close", {}))
            plan.rows.append(
                ("closed", code, v.name, v.level, ref_day - ONE_DAY, "mangler i filen")
            )
            plan.closures += 1
            plan.actions[code] = "closed"
            plan.dates[code] = ref_day
    return plan


def _show(value: Any) -> str:
    if value is None or value == ():
        return "-"
    if isinstance(value, Mapping):
        if "gln" in value:
            return str(value.get("gln"))
        return " ".join(
            str(value.get(k) or "") for k in ("street", "house_number", "postcode")
        ).strip()
    if isinstance(value, tuple):
        return ", ".join(value)
    return str(value)


def _plain_address(a: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if a is None:
        return None
    return {k: a.get(k) for k in ("street", "house_number", "postcode", "floor", "door", "city")}


def _drop_same_effective(
    snap: Snapshot, reg_v: Any, day: dt.date, rec: UnitRecord, changed: dict[str, Any]
) -> None:
    """Drop changes that only turn an own value into an equal inherited one (or back)."""
    assert rec.effective is not None
    resolved, _ = resolve(snap, reg_v, day)
    eff = rec.effective
    for name in ("postal_address", "visiting_address", "activity_address"):
        if name in changed and name in eff:
            if _plain_address(resolved[name]) == _plain_address(eff[name]):
                del changed[name]
    block = ("phone", "email", "website", "fax")
    if any(k in changed for k in (*block, "inherit_electronic")) and all(
        resolved[k] == eff.get(k) for k in block if k in eff
    ):
        for k in (*block, "inherit_electronic"):
            changed.pop(k, None)
    if "location_number" in changed or "inherit_location_number" in changed:
        mine, theirs = resolved["location_number"], eff.get("location_number")
        same = (mine is None and theirs is None) or (
            mine is not None
            and theirs is not None
            and all(mine.get(k) == theirs.get(k) for k in rec.ln_carried)
        )
        if same:
            changed.pop("location_number", None)
            changed.pop("inherit_location_number", None)


def project_updates(
    snap: Snapshot, events: list[Event], now: dt.datetime
) -> tuple[dict[str, list[Any]], list[str]]:
    """Project the touched units with their new events on the snapshot (for checks)."""
    by_code: dict[str, list[Event]] = {}
    for e in events:
        by_code.setdefault(e.sor_code, []).append(e)
    updates: dict[str, list[Any]] = {}
    broken: list[str] = []
    for code, own in by_code.items():
        try:
            updates[code] = project(
                code, events_from_versions(snap.versions(code)) + own, recorded_at=now
            )
        except TimelineError as exc:
            broken.append(str(exc))
    return updates, broken
