"""Rules of location numbers (lokationsnumre, GLN; rules.md §4 Location numbers).

A location number is set with a create, an edit or :class:`~sorkit.changes.SetLocationNumber`.
Its format and EDI attributes are checked as given; uniqueness and "same as parent" are checked
on the register as it would be, over the whole timeline from the effective date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from sorkit import refdata
from sorkit.changes import CreateUnit, EditUnit, MoveUnit, SetLocationNumber
from sorkit.dates import ONE_DAY, format_da
from sorkit.ids import is_danish_gln, is_valid_gln
from sorkit.inherit import inheritors_of_location_number, resolve
from sorkit.model import LocationNumber, Version
from sorkit.rules import Context, rule
from sorkit.rules.codes import Violation, violation
from sorkit.rules.create import heirs_through, lost_periods
from sorkit.rules.general import dates_of_unit, name_of, named_fields, unit_code
from sorkit.texts import LOCATION_NUMBER_LABELS, LOCATION_NUMBER_TEXTS

T_NEW_NUMBER = LOCATION_NUMBER_TEXTS["new_number"]

WITH_LOCATION = (CreateUnit, EditUnit, SetLocationNumber)
EDI_FIELDS = ("region", "edb_system", "system_supplier", "net_operator", "administrator")


def given_number(ctx: Context) -> LocationNumber | None:
    """The location number the change sets, if any."""
    value: Any = named_fields(ctx.change).get("location_number")
    if isinstance(value, LocationNumber):
        return value
    if isinstance(value, dict):
        return LocationNumber.from_dict(value)
    return None


@rule(
    codes=(
        "GLN_INVALID",
        "GLN_NOT_DANISH",
        "GLN_EDI_FIELDS_REQUIRED",
        "GLN_NO_EDI_TYPES",
        "GLN_EDI_TYPE_UNKNOWN",
        "GLN_INACTIVE",
    ),
    applies_to=WITH_LOCATION,
    stage="pre",
)
def number_well_formed(ctx: Context) -> Iterator[Violation]:
    """A valid Danish GLN with its EDI attributes and EDI message types."""
    number = given_number(ctx)
    if number is None:
        return
    code = unit_code(ctx) or None
    gln = number.gln or T_NEW_NUMBER  # None: a new number none could be given (see glnalloc)
    if number.gln is None:
        pass  # GLN_RANGE_EXHAUSTED (rules/locationnumbers.py) says why
    elif not is_valid_gln(gln):
        yield violation("GLN_INVALID", code, gln=gln)
    elif not is_danish_gln(gln):
        yield violation("GLN_NOT_DANISH", code, gln=gln)
    missing = [f for f in EDI_FIELDS if not (getattr(number, f) or "").strip()]
    if missing:
        labels = ", ".join(LOCATION_NUMBER_LABELS[f] for f in missing)
        yield violation("GLN_EDI_FIELDS_REQUIRED", code, missing=labels, fields=missing)
    if not number.edi_types:
        yield violation("GLN_NO_EDI_TYPES", code, gln=gln)
    known = refdata.medcom_edi_types()
    for edi_type in number.edi_types:
        if edi_type not in known:
            yield violation("GLN_EDI_TYPE_UNKNOWN", code, gln=gln, edi_type=edi_type)
    if number.inactive:
        yield violation("GLN_INACTIVE", code, gln=gln)


@rule(codes=("GLN_IN_USE",), applies_to=WITH_LOCATION)
def number_free(ctx: Context) -> Iterator[Violation]:
    """No other unit holds the number in a period where this unit would hold it."""
    assert ctx.after is not None
    number = given_number(ctx)
    if number is None or not number.gln:
        return
    code = unit_code(ctx)
    periods = ctx.after.gln_holders(number.gln)
    own = [(s, e) for c, s, e in periods if c == code and (e is None or e > ctx.effective)]
    for other, start, end in periods:
        if other == code:
            continue
        for s, e in own:
            if (end is None or end > s) and (e is None or start < e):
                yield violation(
                    "GLN_IN_USE",
                    code,
                    gln=number.gln,
                    holder=name_of(ctx.before, other, start),
                    period=f"{format_da(start)} - {format_da(end - ONE_DAY) if end else 'fremover'}",
                    holder_code=other,
                )
                return


@rule(codes=("GLN_INHERIT_WITHOUT_PARENT_GLN",), applies_to=(*WITH_LOCATION, MoveUnit))
def parent_has_number(ctx: Context) -> Iterator[Violation]:
    """'Same as parent' needs a parent with a location number, on every date it inherits.

    A change that chooses "same as parent" checks the unit; a change that takes the unit's
    number away checks the units that inherit it. A move checks the moved unit and the units
    that inherit the number through it: they must keep a number wherever they had one.
    """
    assert ctx.after is not None
    if isinstance(ctx.change, MoveUnit):
        yield from _move_takes_number(ctx)
        return
    named = named_fields(ctx.change)
    code = unit_code(ctx)
    if named.get("inherit_location_number"):
        for d in dates_of_unit(ctx.after, code, ctx.effective):
            v = ctx.after.version_at(code, d)
            if v is None or not v.inherit_location_number or v.parent is None:
                continue
            pv = ctx.after.version_at(v.parent, d)
            if pv is None or resolve(ctx.after, pv, d)[0]["location_number"] is None:
                yield violation(
                    "GLN_INHERIT_WITHOUT_PARENT_GLN",
                    code,
                    unit=name_of(ctx.after, code, d),
                    parent=name_of(ctx.after, v.parent, d),
                    date=d,
                )
                return
    if "location_number" in named and not isinstance(ctx.change, CreateUnit):
        yield from _heirs_lose_number(ctx, code)


def _heirs_lose_number(ctx: Context, code: str) -> Iterator[Violation]:
    """Units inheriting ``code``'s number that would be left without one."""
    assert ctx.after is not None
    seen: set[str] = set()
    for d in dates_of_unit(ctx.after, code, ctx.effective):
        for heir in inheritors_of_location_number(ctx.before, code, d):
            old, new = ctx.before.version_at(heir, d), ctx.after.version_at(heir, d)
            if heir in seen or old is None or new is None:
                continue
            had = resolve(ctx.before, old, d)[0]["location_number"]
            if had is not None and resolve(ctx.after, new, d)[0]["location_number"] is None:
                seen.add(heir)
                yield violation(
                    "GLN_INHERIT_WITHOUT_PARENT_GLN",
                    heir,
                    unit=name_of(ctx.after, heir, d),
                    parent=name_of(ctx.after, code, d),
                    date=d,
                )


def _move_takes_number(ctx: Context) -> Iterator[Violation]:
    """The moved unit and its heirs where the new parent gives no number but the old one did."""
    assert ctx.after is not None
    code, target = ctx.change.sor_code, ctx.change.new_parent
    lost = lost_periods(ctx, code, lambda values: values["location_number"] is not None)
    if not lost:
        return
    heirs = heirs_through(ctx.after, code, lost, _inherits_number)
    parents: dict[dt.date, str] = {}
    for unit, d in [(code, lost[0][0]), *heirs.items()]:
        if d not in parents:
            parents[d] = name_of(ctx.after, target, d)
        yield violation(
            "GLN_INHERIT_WITHOUT_PARENT_GLN",
            unit,
            unit=name_of(ctx.after, unit, d),
            parent=parents[d],
            date=d,
        )


def _inherits_number(v: Version) -> bool:
    """True if the version takes its parent's location number ("same as parent")."""
    return v.location_number is None and v.inherit_location_number
