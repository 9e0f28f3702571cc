"""Plan and apply changes: the change engine behind ``Register.plan``, ``apply`` and ``cancel``.

Planning has no side effects: it turns a change into events, folds them into the would-be
versions of the units it touches (an overlay of the in-memory snapshot) and runs the rules on
the register as it is and as it would be. Applying writes the events in one short transaction;
if another writer came first, the change is re-planned on the fresh register and refused with
CONCURRENT_CHANGE when its own units changed meanwhile.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from sorkit.addresses import AddressRegister
from sorkit.changes import (
    Change,
    CloseUnit,
    CreateUnit,
    EditUnit,
    MoveUnit,
    SetLocationNumber,
    change_parameters,
)
from sorkit.dates import ONE_DAY
from sorkit.errors import ChangeRejected, StaleSnapshot
from sorkit.history import show
from sorkit.ids import make_sor_code
from sorkit.invariants import problems
from sorkit.model import STATE_FIELDS, Event, Version
from sorkit.rules import Context, check
from sorkit.rules.codes import Violation, violation
from sorkit.rules.general import DATE_RULES, earliest_date

__all__ = [
    "DATE_RULES",
    "Applied",
    "Plan",
    "apply_plan",
    "cancel_change",
    "earliest_date",
    "effective_date",
    "plan_change",
]
from sorkit.snapshot import Snapshot
from sorkit.store import AuditRow, WriteSet
from sorkit.texts import FIELD_LABELS
from sorkit.timeline import TimelineError, events_from_versions, project

if TYPE_CHECKING:
    from sorkit.register import Register

#: Attempts of an apply that keeps meeting other writers (of other units) before it gives up.
_MAX_RETRIES = 40


def _backoff(attempt: int) -> None:
    """Wait a random, growing while after a lost race, so that writers do not collide again."""
    time.sleep(random.uniform(0, min(0.02 * 2**attempt, 0.5)))


@dataclass(frozen=True)
class Plan:
    """A planned change: what it would write and what the rules say about it.

    Attributes:
        change: the change value.
        user: who planned it.
        violations: every finding (errors block; warnings block until accepted).
        effective_date: the date the change takes effect (for a close, its last day).
        preview: the version rows the apply would write (a DataFrame).
        change_id: the id the change will be recorded under.
        sor_codes: the units it changes (for a create, the new unit's code first).
    """

    change: Any
    user: str
    violations: tuple[Violation, ...]
    effective_date: dt.date | None
    preview: pd.DataFrame
    change_id: str
    sor_codes: tuple[str, ...]
    events: tuple[Event, ...] = ()
    generation: int = 0
    fingerprints: Mapping[str, Any] = field(default_factory=dict)
    after: Snapshot | None = None

    @property
    def ok(self) -> bool:
        """True when no error blocks the change (warnings may still need accepting)."""
        return not any(v.is_error for v in self.violations)

    @property
    def errors(self) -> list[Violation]:
        """The blocking errors."""
        return [v for v in self.violations if v.is_error]

    @property
    def warnings(self) -> list[Violation]:
        """The warnings, which block until accepted with a reason."""
        return [v for v in self.violations if not v.is_error]

    @property
    def codes(self) -> list[str]:
        """The violation codes, in order."""
        return [v.code for v in self.violations]


@dataclass(frozen=True)
class Applied:
    """The result of an apply: the change id, the units changed and the effective date."""

    change_id: str
    sor_codes: tuple[str, ...]
    effective_date: dt.date | None


def new_change_id(now: dt.datetime) -> str:
    """A readable, unique change id: date, time and a random suffix."""
    return f"{now:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def effective_date(change: Change, today: dt.date) -> dt.date | None:
    """The change's effective date, with the default of rules.md §3 when none was given."""
    if isinstance(change, CloseUnit):
        return change.last_day
    given = change.valid_from if isinstance(change, CreateUnit) else change.effective_from
    if given is not None:
        return given
    default = DATE_RULES[change.operation][0]
    return None if default is None else today + dt.timedelta(days=default)


def fingerprint(snap: Snapshot, codes: Sequence[str]) -> dict[str, Any]:
    """What the given units look like now, to detect a concurrent change on apply."""
    return {
        c: tuple(
            (v.valid_from, v.valid_to, v.set_fields, repr(v.state())) for v in snap.versions(c)
        )
        for c in codes
    }


def _events(
    change: Change,
    snap: Snapshot,
    eff: dt.date,
    new_code: str | None,
    change_id: str,
    now: dt.datetime,
) -> list[Event]:
    def ev(code: str, day: dt.date, kind: str, assignments: Mapping[str, Any]) -> Event:
        return Event(None, change_id, code, day, kind, dict(assignments), now, None)

    if isinstance(change, CreateUnit):
        assert new_code is not None
        return [ev(new_code, eff, "create", change.assignments(_create_level(change, snap, eff)))]
    if isinstance(change, EditUnit):
        return [ev(change.sor_code, eff, "edit", change.assignments())]
    if isinstance(change, MoveUnit):
        return [ev(change.sor_code, eff, "move", {"parent": change.new_parent})]
    if isinstance(change, SetLocationNumber):
        return [ev(change.sor_code, eff, "location_number", change.assignments())]
    close_from = eff + ONE_DAY
    codes = [change.sor_code]
    if change.cascade:
        codes += cascade_units(snap, change.sor_code, eff)
    return [ev(code, close_from, "close", {}) for code in codes]


def cascade_units(snap: Snapshot, code: str, last_day: dt.date) -> list[str]:
    """Units under ``code`` on ``last_day`` that are still open after it (closed with it)."""
    close_from = last_day + ONE_DAY
    out = []
    for d in snap.descendants(code, last_day):
        end = snap.end(d)
        if end is None or end > close_from:
            out.append(d)
    return out


def _create_level(change: CreateUnit, snap: Snapshot, day: dt.date) -> str:
    if change.level:
        return change.level
    if change.parent is None:
        return "IE"
    pv = snap.reference_version(change.parent, day)
    return "SI" if pv is not None and pv.level == "IE" else "OE"


def plan_change(
    reg: Register,
    change: Change,
    *,
    base: Snapshot | None = None,
    change_id: str | None = None,
    addresses: AddressRegister | None = None,
) -> Plan:
    """Plan ``change`` for ``reg``'s user on ``base`` (default: the register now).

    Returns:
        The :class:`Plan`; nothing is written.
    """
    snap = base if base is not None else reg.snapshot()
    today = reg.today
    now = reg.clock.now()
    change_id = change_id or new_change_id(now)
    eff = effective_date(change, today)
    new_code = None
    facts: dict[str, Any] = {"has_date": eff is not None}
    if isinstance(change, CreateUnit):
        new_code = make_sor_code(max(snap.max_serial(), 0) + 1)
        facts["level"] = _create_level(change, snap, eff or today)
    ctx = Context(
        change=change,
        before=snap,
        after=None,
        today=today,
        effective=eff or today,
        user=reg.user,
        role=reg.role,
        scopes=reg.scopes,
        new_code=new_code,
        addresses=addresses or AddressRegister.default(),
        extra=facts,
    )
    found = check(ctx, "pre")
    if any(v.is_error for v in found) or eff is None:
        return _plan(change, reg.user, found, eff, change_id, (), snap, {}, {})
    events = _events(change, snap, eff, new_code, change_id, now)
    touched = tuple(dict.fromkeys(e.sor_code for e in events))
    updates: dict[str, list[Version]] = {}
    try:
        for code in touched:
            existing = events_from_versions(snap.versions(code))
            own = [e for e in events if e.sor_code == code]
            updates[code] = project(code, existing + own, recorded_at=now)
    except TimelineError as exc:  # a pre rule should have caught it: refuse, never write it
        found.append(violation("REGISTER_GUARANTEE_BROKEN", touched[0], problem=str(exc)))
        return _plan(change, reg.user, found, eff, change_id, (), snap, {}, {})
    after = snap.overlay(updates)
    ctx = Context(
        change=change,
        before=snap,
        after=after,
        today=today,
        effective=eff,
        user=reg.user,
        role=reg.role,
        scopes=reg.scopes,
        touched=touched,
        new_code=new_code,
        addresses=ctx.addresses,
        extra={**facts, "cascade": touched[1:] if isinstance(change, CloseUnit) else ()},
    )
    found += check(ctx, "post")
    if not any(v.is_error for v in found):
        broken = problems(after, touched)
        if broken:  # a guarantee no rule caught: refuse rather than write it
            found.append(
                violation("REGISTER_GUARANTEE_BROKEN", touched[0], problem="; ".join(broken[:3]))
            )
    related = list(touched) + [
        c for c in (getattr(change, "new_parent", None), getattr(change, "parent", None)) if c
    ]
    plan = _plan(
        change,
        reg.user,
        found,
        eff,
        change_id,
        tuple(events),
        snap,
        updates,
        fingerprint(snap, related),
        after,
    )
    return plan


def _plan(
    change: Change,
    user: str,
    found: list[Violation],
    eff: dt.date | None,
    change_id: str,
    events: tuple[Event, ...],
    snap: Snapshot,
    updates: Mapping[str, list[Version]],
    prints: Mapping[str, Any],
    after: Snapshot | None = None,
) -> Plan:
    codes = tuple(updates) or tuple(c for c in [getattr(change, "sor_code", None)] if c)
    return Plan(
        change=change,
        user=user,
        violations=tuple(_dedupe(found)),
        effective_date=eff,
        preview=preview_frame(snap, updates),
        change_id=change_id,
        sor_codes=codes,
        events=events,
        generation=snap.generation,
        fingerprints=dict(prints),
        after=after,
    )


def _dedupe(found: list[Violation]) -> list[Violation]:
    seen: set[tuple[str, str | None, str]] = set()
    out = []
    for v in found:
        key = (v.code, v.sor_code, v.message)
        if key not in seen:
            seen.add(key)
            out.append(v)
    return out


PREVIEW_COLUMNS = ["action", "sor_code", "name", "valid_from", "valid_to", "parent", "changes"]


def preview_frame(snap: Snapshot, updates: Mapping[str, list[Version]]) -> pd.DataFrame:
    """The version rows an apply would write ("ny") and supersede ("erstattes")."""
    rows = []
    for code, new in updates.items():
        old = snap.versions(code)
        old_keys = {_key(v) for v in old}
        new_keys = {_key(v) for v in new}
        for v in old:
            if _key(v) not in new_keys:
                rows.append(("erstattes", code, v.name, v.valid_from, v.valid_to, v.parent, ""))
        for v in new:
            if _key(v) not in old_keys:
                before = snap.version_at(code, v.valid_from)
                rows.append(
                    (
                        "ny",
                        code,
                        v.name,
                        v.valid_from,
                        v.valid_to,
                        v.parent,
                        describe_changes(snap, before, v),
                    )
                )
    return pd.DataFrame.from_records(rows, columns=PREVIEW_COLUMNS)


def _key(v: Version) -> tuple[Any, ...]:
    return (v.valid_from, v.valid_to, v.set_fields, repr(v.state()))


def describe_changes(snap: Snapshot, before: Version | None, after: Version) -> str:
    """Readable "felt: gammel -> ny" lines between two versions ("oprettet" for a new unit)."""
    if before is None:
        return "oprettet"
    parts = []
    for name in STATE_FIELDS:
        old = show(snap, name, getattr(before, name), after.valid_from)
        new = show(snap, name, getattr(after, name), after.valid_from)
        if old != new:
            parts.append(f"{FIELD_LABELS.get(name, name)}: {old} -> {new}")
    return "; ".join(parts)


def apply_plan(
    reg: Register,
    plan: Plan,
    accept: Mapping[str, str] | None = None,
    reason: str | None = None,
    batch_id: str | None = None,
) -> Applied:
    """Write a planned change in one transaction.

    Args:
        reg: the register (its user must be the planning user, or the change is re-planned).
        plan: from :func:`plan_change`.
        accept: warning codes accepted, each with a reason.
        reason: why the change is made (goes into the audit).
        batch_id: the batch the change belongs to, if any.

    Raises:
        ChangeRejected: errors, warnings not accepted, or CONCURRENT_CHANGE.
    """
    accepted = {k: str(v).strip() for k, v in (accept or {}).items() if v and str(v).strip()}
    if plan.user != reg.user:
        plan = plan_change(reg, plan.change, change_id=plan.change_id)
    for _attempt in range(_MAX_RETRIES):
        blocking = [v for v in plan.violations if v.is_error or v.code not in accepted]
        if blocking:
            raise ChangeRejected(blocking)
        own = {v.code: accepted[v.code] for v in plan.warnings}
        params = change_parameters(plan.change)
        audit = [
            AuditRow(
                plan.change_id,
                code,
                plan.change.operation,
                plan.effective_date,
                params if i == 0 else {**params, "cascade_from": plan.sor_codes[0]},
                own,
                reason,
                batch_id,
            )
            for i, code in enumerate(plan.sor_codes)
        ]
        ws = WriteSet(
            expected_generation=plan.generation,
            user=reg.user,
            events=list(plan.events),
            audit=audit,
            touched=set(plan.sor_codes),
        )
        try:
            gen, updates = reg.store.write(ws, _project, reg.clock.now())
        except StaleSnapshot:
            fresh = reg.snapshot()
            if fingerprint(fresh, list(plan.fingerprints)) != dict(plan.fingerprints):
                unit = plan.sor_codes[0] if plan.sor_codes else None
                raise ChangeRejected([violation("CONCURRENT_CHANGE", unit, unit=unit)]) from None
            _backoff(_attempt)
            plan = plan_change(reg, plan.change, change_id=plan.change_id)
            continue
        reg._after_write(gen, updates)
        return Applied(plan.change_id, plan.sor_codes, plan.effective_date)
    raise ChangeRejected([violation("CONCURRENT_CHANGE", None, unit="registret")])


def _project(code: str, events: list[Event], now: dt.datetime) -> list[Version]:
    return project(code, events, recorded_at=now)


def cancel_change(reg: Register, change_id: str, reason: str | None = None) -> Applied:
    """Cancel a pending change before it takes effect (its events are superseded).

    Raises:
        ChangeRejected: CHANGE_NOT_FOUND, CANCEL_NOT_PENDING, PERMISSION_DENIED or
            CANCEL_BREAKS_TIMELINE.
    """
    from sorkit.permissions import may_change

    for _attempt in range(_MAX_RETRIES):
        snap = reg.snapshot()
        events = [e for e in reg.store.events_for_change(change_id)]
        if not events:
            raise ChangeRejected([violation("CHANGE_NOT_FOUND", None, change_id=change_id)])
        first = min(e.effective_from for e in events)
        shown = first - ONE_DAY if events[0].kind == "close" else first
        if first <= reg.today:
            raise ChangeRejected(
                [
                    violation(
                        "CANCEL_NOT_PENDING", events[0].sor_code, change_id=change_id, date=shown
                    )
                ]
            )
        codes = tuple(dict.fromkeys(e.sor_code for e in events))
        for code in codes:
            v = snap.reference_version(code, first)
            if v is None or not may_change(
                snap,
                reg.role,
                reg.scopes,
                code if events[0].kind != "create" else v.parent or code,
                first,
                v.level,
            ):
                raise ChangeRejected(
                    [
                        violation(
                            "PERMISSION_DENIED",
                            code,
                            user=reg.user,
                            unit=code,
                            date=first,
                            role=reg.role,
                        )
                    ]
                )
        updates: dict[str, list[Version]] = {}
        try:
            for code in codes:
                remaining = [e for e in reg.store.events_for([code]) if e.change_id != change_id]
                updates[code] = project(code, remaining) if remaining else []
        except TimelineError as exc:
            raise ChangeRejected(
                [
                    violation(
                        "CANCEL_BREAKS_TIMELINE", codes[0], change_id=change_id, problem=str(exc)
                    )
                ]
            ) from None
        broken = problems(snap.overlay(updates), codes)
        if broken:
            raise ChangeRejected(
                [
                    violation(
                        "CANCEL_BREAKS_TIMELINE",
                        codes[0],
                        change_id=change_id,
                        problem="; ".join(broken[:3]),
                    )
                ]
            )
        now = reg.clock.now()
        cancel_id = new_change_id(now)
        audit = [
            AuditRow(
                cancel_id, code, "cancel", shown, {"cancelled_change": change_id}, {}, reason, None
            )
            for code in codes
        ]
        ws = WriteSet(
            expected_generation=snap.generation,
            user=reg.user,
            cancel_change_ids=[change_id],
            cancelled_by=cancel_id,
            audit=audit,
            touched=set(codes),
        )
        try:
            gen, written = reg.store.write(ws, _project, now)
        except StaleSnapshot:
            _backoff(_attempt)
            continue
        reg._after_write(gen, written)
        return Applied(cancel_id, codes, shown)
    raise ChangeRejected([violation("CONCURRENT_CHANGE", None, unit="registret")])
