"""General rules of every operation (rules.md §4 General), run before planning goes further.

They decide whether the change can be planned at all: the unit (and the parent or target)
exists, is not closed, the date is allowed, and the user may change it. They also hold helpers
the other rule modules share.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from sorkit.changes import CloseUnit, CreateUnit, EditUnit, MoveUnit, SetLocationNumber
from sorkit.dates import ONE_DAY
from sorkit.permissions import may_change
from sorkit.rules import Context, rule
from sorkit.rules.codes import Violation, violation
from sorkit.snapshot import Snapshot

ALL = (CreateUnit, EditUnit, MoveUnit, CloseUnit, SetLocationNumber)
UNIT_CHANGES = (EditUnit, MoveUnit, CloseUnit, SetLocationNumber)

#: Days after today: (default, earliest) effective date per operation (rules.md §3).
DATE_RULES: dict[str, tuple[int | None, int]] = {
    "create": (7, 7),
    "edit": (1, 1),
    "move": (1, 1),
    "close": (None, 7),
    "location_number": (1, 1),
}
OPERATION_NAMES = {
    "create": "oprettelse",
    "edit": "ændring",
    "move": "flytning",
    "close": "lukning (sidste gyldige dag)",
    "location_number": "ændring af lokationsnummer",
}


def earliest_date(operation: str, today: dt.date) -> dt.date:
    """The earliest effective date an operation allows (for a close: its earliest last day)."""
    return today + dt.timedelta(days=DATE_RULES[operation][1])


def named_fields(change: Any) -> dict[str, Any]:
    """The fields a change sets, as the caller gave them (a create names all of them)."""
    if isinstance(change, CreateUnit):
        return {
            k: getattr(change, k)
            for k in change.__dataclass_fields__
            if k not in ("parent", "valid_from", "level")
        }
    if isinstance(change, EditUnit):
        return dict(change.fields)
    if isinstance(change, SetLocationNumber):
        return {
            "location_number": change.location_number,
            "inherit_location_number": bool(change.inherit and change.location_number is None),
        }
    return {}


def unit_code(ctx: Context) -> str:
    """The SOR code of the unit the change is about (the new code for a create)."""
    if isinstance(ctx.change, CreateUnit):
        return ctx.new_code or ""
    return str(ctx.change.sor_code)


def name_of(snap: Snapshot, code: str | None, day: dt.date) -> str:
    """'Name (SOR code)' of a unit for messages, or the bare code when unknown."""
    if code is None:
        return "-"
    v = snap.reference_version(code, day)
    return f"{v.name} ({code})" if v is not None else code


def dates_of_unit(snap: Snapshot, code: str, day: dt.date) -> Iterator[dt.date]:
    """``day`` and each later date the unit or an ancestor changes, while the unit is valid."""
    for d in snap.dates_from(code, day):
        if snap.version_at(code, d) is not None:
            yield d


@rule(codes=("UNIT_NOT_FOUND",), applies_to=ALL, stage="pre")
def unit_exists(ctx: Context) -> Iterator[Violation]:
    """The unit, and the parent of a create or the target of a move, must exist."""
    codes: list[str | None] = []
    if isinstance(ctx.change, CreateUnit):
        codes.append(ctx.change.parent)
    else:
        codes.append(ctx.change.sor_code)
    if isinstance(ctx.change, MoveUnit):
        codes.append(ctx.change.new_parent)
    for code in codes:
        if code is not None and not ctx.before.exists(code):
            yield violation("UNIT_NOT_FOUND", code or None, unit=code or "(tom)")


@rule(codes=("UNIT_CLOSED", "EFFECTIVE_AFTER_CLOSE"), applies_to=UNIT_CHANGES, stage="pre")
def unit_not_closed(ctx: Context) -> Iterator[Violation]:
    """A closed unit is never changed; a pending close bounds every later change."""
    code = ctx.change.sor_code
    end = ctx.before.end(code)
    if not ctx.before.exists(code) or not ctx.extra.get("has_date", True):
        return
    unit = name_of(ctx.before, code, ctx.effective)
    if end is not None and end <= ctx.today:
        yield violation("UNIT_CLOSED", code, unit=unit, date=end - ONE_DAY)
        return
    if end is not None and (isinstance(ctx.change, CloseUnit) or ctx.effective >= end):
        yield violation(
            "EFFECTIVE_AFTER_CLOSE",
            code,
            date=ctx.effective,
            last_day=end - ONE_DAY,
            reason=(
                "enheden har allerede en planlagt lukning; annuller den først"
                if isinstance(ctx.change, CloseUnit)
                else "ændringen ville først gælde, når enheden er lukket"
            ),
        )
        return
    if isinstance(ctx.change, CloseUnit):
        yield from _close_before_pending(ctx)


def _close_before_pending(ctx: Context) -> Iterator[Violation]:
    """A close may not come before changes already planned for the units it closes."""
    close_from = ctx.effective + ONE_DAY
    units = [ctx.change.sor_code]
    if ctx.change.cascade:
        units += ctx.before.descendants(ctx.change.sor_code, ctx.effective)
    for code in units:
        later = [v.valid_from for v in ctx.before.versions(code) if v.valid_from >= close_from]
        end = ctx.before.end(code)
        if code != ctx.change.sor_code and end is not None:
            if end <= close_from:
                continue  # closes before the cascade anyway
            later.append(end)
        if later:
            yield violation(
                "EFFECTIVE_AFTER_CLOSE",
                code,
                date=min(later),
                last_day=ctx.effective,
                reason="der er planlagt ændringer (eller en lukning) efter lukningen; "
                "annuller dem først",
            )


@rule(codes=("DATE_TOO_EARLY",), applies_to=ALL, stage="pre")
def date_allowed(ctx: Context) -> Iterator[Violation]:
    """The effective date respects rules.md §3 and the unit's own first day."""
    op = ctx.change.operation
    earliest = earliest_date(op, ctx.today)
    code = None if isinstance(ctx.change, CreateUnit) else ctx.change.sor_code
    if code is not None:
        start = ctx.before.first_from(code)
        if start is not None and start > earliest:
            earliest = start
    if not ctx.extra.get("has_date", True):
        yield violation(
            "DATE_TOO_EARLY",
            code,
            date="(ingen dato)",
            operation=OPERATION_NAMES[op],
            earliest=earliest,
        )
    elif ctx.effective < earliest:
        yield violation(
            "DATE_TOO_EARLY",
            code,
            date=ctx.effective,
            operation=OPERATION_NAMES[op],
            earliest=earliest,
        )


@rule(codes=("PERMISSION_DENIED",), applies_to=ALL, stage="pre")
def permitted(ctx: Context) -> Iterator[Violation]:
    """Readers change nothing; stewards only OEs inside their scopes; admins everything."""
    if isinstance(ctx.change, CreateUnit):
        code = ctx.change.parent
        level = ctx.extra.get("level") or "IE"
        shown = (
            name_of(ctx.before, ctx.change.parent, ctx.effective) if ctx.change.parent else "(rod)"
        )
    else:
        code = ctx.change.sor_code
        v = ctx.before.reference_version(code, ctx.effective)
        if v is None:
            return
        level, shown = v.level, name_of(ctx.before, code, ctx.effective)
    if code is not None and not ctx.before.exists(code):
        return
    allowed = (
        ctx.role == "sds_admin"
        if code is None
        else may_change(ctx.before, ctx.role, ctx.scopes, code, ctx.effective, level)
    )
    if not allowed:
        yield violation(
            "PERMISSION_DENIED",
            code,
            user=ctx.user,
            unit=shown,
            date=ctx.effective,
        )


@rule(codes=("CLOSE_NOT_CONFIRMED",), applies_to=(CloseUnit,), stage="pre")
def close_confirmed(ctx: Context) -> Iterator[Violation]:
    """A close needs ``confirm=True`` (the guide's OK dialog: closed units never reopen)."""
    if ctx.change.confirm is not True:
        code = ctx.change.sor_code
        yield violation("CLOSE_NOT_CONFIRMED", code, unit=name_of(ctx.before, code, ctx.today))
