"""Rules of closing a unit (luk OE, rules.md §4 Close).

``last_day`` is the last valid day (SOR ToDate); the unit is closed from the day after. With
``cascade=True`` the engine closes the whole subtree on the same day, one event per unit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from sorkit.changes import CloseUnit
from sorkit.dates import ONE_DAY
from sorkit.inherit import inheritors_of_location_number
from sorkit.rules import Context, rule
from sorkit.rules.codes import Violation, violation
from sorkit.rules.general import name_of
from sorkit.snapshot import Snapshot


def closing_units(ctx: Context) -> list[str]:
    """The units the close ends: the unit and, with cascade, its subtree on the last day."""
    return [ctx.change.sor_code, *ctx.extra.get("cascade", ())]


def open_children(after: Snapshot, closed: list[str], close_from: dt.date) -> list[str]:
    """Units that have one of ``closed`` as parent on some date from ``close_from`` on."""
    shut = set(closed)
    out: set[str] = set()
    for code in closed:
        for child in after.child_candidates(code):
            if child in shut:
                continue
            for v in after.versions(child):
                if v.parent == code and (v.valid_to is None or v.valid_to > close_from):
                    out.add(child)
    return sorted(out)


@rule(codes=("CLOSE_HAS_OPEN_CHILDREN",), applies_to=(CloseUnit,))
def no_open_children(ctx: Context) -> Iterator[Violation]:
    """No unit is under the closed unit(s) after the last day, on any date."""
    assert ctx.after is not None
    code, last_day = ctx.change.sor_code, ctx.effective
    children = open_children(ctx.after, closing_units(ctx), last_day + ONE_DAY)
    if children:
        names = [name_of(ctx.before, c, last_day) for c in children]
        yield violation(
            "CLOSE_HAS_OPEN_CHILDREN",
            code,
            unit=name_of(ctx.before, code, last_day),
            count=len(children),
            last_day=last_day,
            children=", ".join(names),
            open_children=children,
        )


@rule(
    codes=("CLOSE_ENDS_LOCATION_NUMBER", "CLOSE_ENDS_INHERITED_LOCATION_NUMBER"),
    applies_to=(CloseUnit,),
)
def location_numbers_end(ctx: Context) -> Iterator[Violation]:
    """Own location numbers close with their units; units inheriting them lose them."""
    last_day = ctx.effective
    for code in closing_units(ctx):
        v = ctx.before.version_at(code, last_day)
        if v is None or v.location_number is None:
            continue
        gln = v.location_number.get("gln")
        unit = name_of(ctx.before, code, last_day)
        yield violation("CLOSE_ENDS_LOCATION_NUMBER", code, gln=gln, unit=unit, last_day=last_day)
        heirs = inheritors_of_location_number(ctx.before, code, last_day)
        if heirs:
            yield violation(
                "CLOSE_ENDS_INHERITED_LOCATION_NUMBER",
                code,
                gln=gln,
                count=len(heirs),
                units=", ".join(name_of(ctx.before, h, last_day) for h in heirs),
                heirs=heirs,
            )
