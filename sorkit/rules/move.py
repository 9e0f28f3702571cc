"""Rules of moving a unit under a new parent (flyt OE, rules.md §4 Move).

A move takes the unit's whole subtree along. It is checked on every date from its effective
date on: the target may not be under the unit on any of them, and must stay open as long as the
unit stays under it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from sorkit.changes import MoveUnit
from sorkit.permissions import in_scope
from sorkit.rules import Context, rule
from sorkit.rules.codes import Violation, violation
from sorkit.rules.create import level_problems
from sorkit.rules.general import name_of
from sorkit.snapshot import Snapshot


def root_of(snap: Snapshot, code: str, day: dt.date) -> str:
    """The unit's institution owner (the root of its tree) on ``day``."""
    chain = snap.ancestors(code, day)
    return chain[-1].sor_code if chain else code


@rule(
    codes=("MOVE_SAME_PARENT", "MOVE_INTO_OWN_SUBTREE", "PARENT_LEVEL_INVALID"),
    applies_to=(MoveUnit,),
)
def target_fits(ctx: Context) -> Iterator[Violation]:
    """The target is a new parent of the right level and never under the unit itself."""
    assert ctx.after is not None
    code, target, day = ctx.change.sor_code, ctx.change.new_parent, ctx.effective
    unit, shown = name_of(ctx.before, code, day), name_of(ctx.before, target, day)
    if ctx.before.parent_at(code, day) == target:
        yield violation("MOVE_SAME_PARENT", code, parent=shown, date=day)
        return
    if target == code:
        yield violation("MOVE_INTO_OWN_SUBTREE", code, unit=unit, parent=shown, date=day)
        return
    for d in ctx.after.dates_from(target, day):
        if any(a.sor_code == code for a in ctx.after.ancestors(target, d)):
            yield violation("MOVE_INTO_OWN_SUBTREE", code, unit=unit, parent=shown, date=d)
            return
    v = ctx.before.reference_version(code, day)
    if v is not None:
        yield from level_problems(ctx.before, code, v.level, target, day)


@rule(codes=("MOVE_BACK_TO_FORMER_PARENT",), applies_to=(MoveUnit,))
def not_back_again(ctx: Context) -> Iterator[Violation]:
    """A unit is never moved back under a parent it had before (the guide's OBS)."""
    code, target = ctx.change.sor_code, ctx.change.new_parent
    earlier = [
        v for v in ctx.before.versions(code) if v.valid_from < ctx.effective and v.parent == target
    ]
    current = ctx.before.parent_at(code, ctx.effective)
    if earlier and current != target:
        yield violation(
            "MOVE_BACK_TO_FORMER_PARENT",
            code,
            unit=name_of(ctx.before, code, ctx.effective),
            parent=name_of(ctx.before, target, ctx.effective),
            until=earlier[-1].valid_to,
        )


@rule(codes=("MOVE_TARGET_NOT_ACTIVE",), applies_to=(MoveUnit,))
def target_active(ctx: Context) -> Iterator[Violation]:
    """The target is valid on the effective date and as long as the unit stays under it."""
    assert ctx.after is not None
    code, target = ctx.change.sor_code, ctx.change.new_parent
    start, end = ctx.after.first_from(target), ctx.after.end(target)
    for v in ctx.after.versions(code):
        if v.parent != target or (v.valid_to is not None and v.valid_to <= ctx.effective):
            continue
        begins = max(v.valid_from, ctx.effective)
        too_late = start is None or start > begins
        closes = end is not None and (v.valid_to is None or v.valid_to > end)
        if too_late or closes:
            yield violation(
                "MOVE_TARGET_NOT_ACTIVE",
                code,
                parent=name_of(ctx.before, target, ctx.effective),
                date=begins,
                target_end=end,
            )
            return


@rule(codes=("MOVE_OUTSIDE_OWN_ORGANISATION",), applies_to=(MoveUnit,))
def inside_own_organisation(ctx: Context) -> Iterator[Violation]:
    """Moving out of the unit's institution owner or the user's scopes is possible but suspect."""
    code, target, day = ctx.change.sor_code, ctx.change.new_parent, ctx.effective
    now = ctx.today if ctx.before.version_at(code, ctx.today) is not None else day
    own_root = root_of(ctx.before, code, now)
    target_root = root_of(ctx.before, target, day)
    if target_root != own_root:
        yield violation(
            "MOVE_OUTSIDE_OWN_ORGANISATION",
            code,
            parent=name_of(ctx.before, target, day),
            organisation=name_of(ctx.before, own_root, day),
        )
    elif ctx.role != "sds_admin" and not in_scope(ctx.before, ctx.scopes, target, day):
        yield violation(
            "MOVE_OUTSIDE_OWN_ORGANISATION",
            code,
            parent=name_of(ctx.before, target, day),
            organisation="dine enheder",
        )
