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
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

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
from sorkit.ids import make_sor_code
from sorkit.invariants import problems
from sorkit.model import Event, Version
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
    "PREVIEW_COLUMNS",
    "describe_changes",
    "preview_frame",
]
from sorkit.engine.commit import audit_rows, commit
from sorkit.engine.preview import PREVIEW_COLUMNS, describe_changes, preview_frame
from sorkit.engine.values import Applied, Plan, effective_date, new_change_id
from sorkit.snapshot import Snapshot
from sorkit.store import WriteSet
from sorkit.timeline import TimelineError, events_from_versions, project

if TYPE_CHECKING:
    from sorkit.register import Register

#: Attempts of an apply that keeps meeting other writers (of other units) before it gives up.
MAX_RETRIES = 40


def backoff(attempt: int) -> None:
    """Wait a random, growing while after a lost race, so that writers do not collide again."""
    time.sleep(random.uniform(0, min(0.02 * 2**attempt, 0.5)))


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


#: Pre-stage codes after which the change cannot be projected meaningfully.
_STOP_CODES = frozenset(
    {"UNIT_NOT_FOUND", "UNIT_CLOSED", "EFFECTIVE_AFTER_CLOSE", "TEXT_INVALID_CHARACTERS"}
)


def plan_change(
    reg: Register,
    change: Change,
    *,
    base: Snapshot | None = None,
    change_id: str | None = None,
    addresses: AddressRegister | None = None,
    preview: bool = True,
) -> Plan:
    """Plan ``change`` for ``reg``'s user on ``base`` (default: the register now).

    ``preview=False`` leaves ``Plan.preview`` empty (a batch of thousands of rows builds its
    own preview; the DataFrame per row was half the planning time).

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
    # Only findings that make the would-be register meaningless stop planning here; a too-early
    # date, a missing permission or confirmation still lets the post rules list everything else
    # at once (the form shows the whole list). Errors among them keep the plan from applying.
    if eff is None or any(v.is_error and v.code in _STOP_CODES for v in found):
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
        if not any(v.is_error for v in found):  # e.g. an edit dated before the unit starts
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
        broken = problems(after, touched, before=snap)
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
        preview,
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
    preview: bool = True,
) -> Plan:
    codes = tuple(updates) or tuple(c for c in [getattr(change, "sor_code", None)] if c)
    return Plan(
        change=change,
        user=user,
        violations=tuple(_dedupe(found)),
        effective_date=eff,
        preview=preview_frame(snap, updates) if preview else _empty_preview(snap),
        change_id=change_id,
        sor_codes=codes,
        events=events,
        generation=snap.generation,
        fingerprints=dict(prints),
        after=after,
    )


_EMPTY_PREVIEW: dict[str, Any] = {}


def _empty_preview(snap: Snapshot) -> Any:
    """One shared, read-only empty preview for plans made with ``preview=False``."""
    if "frame" not in _EMPTY_PREVIEW:
        _EMPTY_PREVIEW["frame"] = preview_frame(snap, {})
    return _EMPTY_PREVIEW["frame"]


def _dedupe(found: list[Violation]) -> list[Violation]:
    seen: set[tuple[str, str | None, str]] = set()
    out = []
    for v in found:
        key = (v.code, v.sor_code, v.message)
        if key not in seen:
            seen.add(key)
            out.append(v)
    return out


def planned_versions(
    reg: Register, generation: int, codes: Iterable[str], events: Iterable[Event]
) -> dict[str, tuple[Version, ...]] | None:
    """The register's versions of the units a write touches, if still those of ``generation``.

    The write checks the generation, so while the snapshot is at the plan's generation its
    versions are the stored ones and the write need not read them again (``WriteSet.current``).
    """
    snap = reg.snapshot()
    if snap.generation != generation:
        return None
    return {c: snap.versions(c) for c in {*codes, *(e.sor_code for e in events)}}


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
    # What the units looked like when the caller planned: every retry is judged against this,
    # never against a re-plan (which would hide a change made in between).
    original = dict(plan.fingerprints)
    for _attempt in range(MAX_RETRIES):
        blocking = [v for v in plan.violations if v.is_error or v.code not in accepted]
        if blocking:
            raise ChangeRejected(blocking)
        own = {v.code: accepted[v.code] for v in plan.warnings}
        params = change_parameters(plan.change)
        audit = audit_rows(
            plan.change_id,
            plan.sor_codes,
            plan.change.operation,
            plan.effective_date,
            params,
            own,
            reason,
            batch_id,
        )
        ws = WriteSet(
            expected_generation=plan.generation,
            user=reg.user,
            events=list(plan.events),
            audit=audit,
            touched=set(plan.sor_codes),
            current=planned_versions(reg, plan.generation, plan.sor_codes, plan.events),
        )
        try:
            commit(reg, ws)
        except StaleSnapshot:
            fresh = _fresh_snapshot(reg, plan.generation)
            if fingerprint(fresh, list(original)) != original:
                unit = plan.sor_codes[0] if plan.sor_codes else None
                raise ChangeRejected([violation("CONCURRENT_CHANGE", unit, unit=unit)]) from None
            backoff(_attempt)
            plan = plan_change(reg, plan.change, base=fresh, change_id=plan.change_id)
            continue
        return Applied(plan.change_id, plan.sor_codes, plan.effective_date)
    raise ChangeRejected([violation("CONCURRENT_CHANGE", None, unit="registret")])


def _fresh_snapshot(reg: Register, seen: int, attempts: int = 8) -> Snapshot:
    """The register after a lost race, once it is newer than generation ``seen``.

    The other writer may still be committing (an in-process write conflict is reported before
    its commit is visible), and the file's stat may lag: re-read, waiting a little, until the
    generation moves; if it never does (the other write was rolled back), the register as is.
    """
    fresh = reg.snapshot()
    for attempt in range(attempts):
        if fresh.generation > seen:
            break
        reg.recheck()  # force the incremental re-read
        backoff(attempt)
        fresh = reg.snapshot()
    return fresh


def cancel_change(reg: Register, change_id: str, reason: str | None = None) -> Applied:
    """Cancel a pending change before it takes effect (see :func:`sorkit.engine.cancel.cancel`).

    Raises:
        ChangeRejected: CHANGE_NOT_FOUND, CANCEL_NOT_PENDING, PERMISSION_DENIED or
            CANCEL_BREAKS_TIMELINE.
    """
    from sorkit.engine.cancel import cancel

    return cancel(reg, change_id, reason)
