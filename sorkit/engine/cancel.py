"""Cancel a pending change: supersede its events and re-project the units it touched.

A change can be cancelled until the day it takes effect (for a close: until its last day has
passed). The cancellation is itself recorded: one audit record per unit, with the reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sorkit.dates import ONE_DAY
from sorkit.engine.commit import commit
from sorkit.engine.plan import MAX_RETRIES, Applied, backoff, new_change_id
from sorkit.errors import ChangeRejected, StaleSnapshot
from sorkit.invariants import problems
from sorkit.model import Version
from sorkit.permissions import may_change
from sorkit.rules.codes import violation
from sorkit.store import AuditRow, WriteSet
from sorkit.timeline import TimelineError, project

if TYPE_CHECKING:
    from sorkit.register import Register


def cancel(reg: Register, change_id: str, reason: str | None = None) -> Applied:
    """Cancel a pending change before it takes effect (its events are superseded).

    Raises:
        ChangeRejected: CHANGE_NOT_FOUND, CANCEL_NOT_PENDING, PERMISSION_DENIED or
            CANCEL_BREAKS_TIMELINE.
    """
    for _attempt in range(MAX_RETRIES):
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
            commit(reg, ws, now=now)
        except StaleSnapshot:
            backoff(_attempt)
            continue
        return Applied(cancel_id, codes, shown)
    raise ChangeRejected([violation("CONCURRENT_CHANGE", None, unit="registret")])
