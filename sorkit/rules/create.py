"""Rules of creating (opret OE) and editing (rediger OE) a unit (rules.md §4 Create).

Field rules check only the fields a change names (a create names all of them), so an edit of
the name never fails on an old phone number. Rules that depend on inheritance run on
``ctx.after`` over the whole timeline from the effective date; the phone rule also runs for a
move, which re-resolves the inherited electronic block under the new parent.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from typing import Any

from sorkit import refdata
from sorkit.changes import CreateUnit, EditUnit, MoveUnit
from sorkit.ids import identifier_problems
from sorkit.inherit import resolve
from sorkit.model import Version, local_attribute_slots
from sorkit.rules import Context, rule
from sorkit.rules.codes import Violation, violation
from sorkit.rules.general import dates_of_unit, name_of, named_fields, unit_code
from sorkit.snapshot import Snapshot
from sorkit.texts import FIELD_LABELS

CREATE_EDIT = (CreateUnit, EditUnit)
MAX_NAME = 60
MAX_LOCAL_ATTRIBUTE = 20
MAX_LOCAL_ATTRIBUTES = 5
MAX_SPECIALITIES = 8
ELECTRONIC = ("phone", "email", "website", "fax")

PHONE_RE = re.compile(r"^\+?[0-9 ]{8,20}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
WEBSITE_RE = re.compile(r"^(https?://)?([A-Za-z0-9æøåÆØÅ-]+\.)+[A-Za-z]{2,}(:[0-9]+)?(/\S*)?$")
#: The levels a unit's parent may have, by the unit's level (rules.md §2).
ALLOWED_PARENT_LEVELS: dict[str, tuple[str | None, ...]] = {
    "IE": (None,),
    "SI": ("IE",),
    "OE": ("SI", "OE"),
}


def level_of(ctx: Context) -> str | None:
    """The level of the unit the change creates or edits."""
    if isinstance(ctx.change, CreateUnit):
        level = ctx.extra.get("level")
        return str(level) if level else None
    v = ctx.before.reference_version(ctx.change.sor_code, ctx.effective)
    return v.level if v is not None else None


def phone_problem(value: str) -> bool:
    """True if ``value`` is not 8-20 characters of digits and spaces with an optional leading +."""
    return not PHONE_RE.fullmatch(value.strip()) or sum(c.isdigit() for c in value) < 8


@rule(
    codes=("NAME_REQUIRED", "NAME_TOO_LONG", "UNIT_TYPE_REQUIRED", "UNIT_TYPE_UNKNOWN"),
    applies_to=CREATE_EDIT,
    stage="pre",
)
def name_and_type(ctx: Context) -> Iterator[Violation]:
    """A unit has a name of at most 60 characters and a unit type allowed on its level."""
    named = named_fields(ctx.change)
    code = unit_code(ctx) or None
    if "name" in named:
        name = (named["name"] or "").strip()
        if not name:
            yield violation("NAME_REQUIRED", code)
        elif len(name) > MAX_NAME:
            yield violation("NAME_TOO_LONG", code, length=len(name))
    if "unit_type" in named:
        unit_type = str(named["unit_type"] or "").strip()
        level = level_of(ctx)
        if not unit_type:
            yield violation("UNIT_TYPE_REQUIRED", code)
        elif level is not None and unit_type not in refdata.unit_types_for_level(level):
            yield violation("UNIT_TYPE_UNKNOWN", code, unit_type=unit_type, level=level)


@rule(
    codes=("PHONE_INVALID", "EMAIL_INVALID", "WEBSITE_INVALID", "PUBLIC_INFORMATION"),
    applies_to=CREATE_EDIT,
    stage="pre",
)
def electronic_addresses(ctx: Context) -> Iterator[Violation]:
    """Own phone, e-mail and website are well formed; setting them is published to citizens."""
    named = named_fields(ctx.change)
    if named.get("inherit_electronic"):
        return
    code = unit_code(ctx) or None
    checks = (
        ("phone", "PHONE_INVALID"),
        ("email", "EMAIL_INVALID"),
        ("website", "WEBSITE_INVALID"),
    )
    for name, err in checks:
        value = named.get(name)
        if value is None or str(value).strip() == "":
            continue
        text = str(value).strip()
        bad = (
            phone_problem(text)
            if name == "phone"
            else not (EMAIL_RE if name == "email" else WEBSITE_RE).fullmatch(text)
        )
        if bad:
            yield violation(err, code, value=text)
    if any(named.get(name) not in (None, "") for name in ELECTRONIC):
        yield violation("PUBLIC_INFORMATION", code)


@rule(
    codes=(
        "LOCAL_ATTRIBUTE_TOO_LONG",
        "LOCAL_ATTRIBUTES_TOO_MANY",
        "SPECIALITIES_TOO_MANY",
        "SPECIALITY_UNKNOWN",
        "IDENTIFIER_INVALID",
    ),
    applies_to=CREATE_EDIT,
    stage="pre",
)
def attributes_and_identifiers(ctx: Context) -> Iterator[Violation]:
    """At most 5 local attributes of at most 20 characters, 8 specialities, valid identifiers."""
    named = named_fields(ctx.change)
    code = unit_code(ctx) or None
    attributes = local_attribute_slots(named.get("local_attributes"))
    if len(attributes) > MAX_LOCAL_ATTRIBUTES:
        yield violation("LOCAL_ATTRIBUTES_TOO_MANY", code, count=len(attributes))
    for value in attributes:
        if len(str(value)) > MAX_LOCAL_ATTRIBUTE:
            yield violation("LOCAL_ATTRIBUTE_TOO_LONG", code, value=value, length=len(str(value)))
    specialities = tuple(named.get("specialities") or ())
    if len(specialities) > MAX_SPECIALITIES:
        yield violation("SPECIALITIES_TOO_MANY", code, count=len(specialities))
    known = refdata.specialities()
    for value in specialities:
        if str(value).strip() not in known:
            yield violation("SPECIALITY_UNKNOWN", code, value=value)
    given = {k: named[k] for k in ("shak", "ydernummer", "cvr", "p_number") if named.get(k)}
    for name, reason in identifier_problems(**given).items():
        yield violation(
            "IDENTIFIER_INVALID",
            code,
            field=FIELD_LABELS.get(name, name),
            value=given[name],
            reason=reason,
        )


@rule(codes=("PARENT_NOT_ACTIVE", "PARENT_LEVEL_INVALID"), applies_to=(CreateUnit,))
def parent_fits(ctx: Context) -> Iterator[Violation]:
    """The parent is valid from ``valid_from`` on and never closes (the new unit is open-ended)."""
    parent = ctx.change.parent
    level = ctx.extra.get("level") or "IE"
    yield from level_problems(ctx.before, ctx.new_code, level, parent, ctx.effective)
    if parent is None:
        return
    start, end = ctx.before.first_from(parent), ctx.before.end(parent)
    if start is None or start > ctx.effective or end is not None:
        yield violation(
            "PARENT_NOT_ACTIVE",
            parent,
            parent=name_of(ctx.before, parent, ctx.effective),
            date=ctx.effective,
        )


def level_problems(
    snap: Snapshot, code: str | None, level: str, parent: str | None, day: dt.date
) -> Iterator[Violation]:
    """PARENT_LEVEL_INVALID when a unit of ``level`` may not sit under ``parent``."""
    pv = None if parent is None else snap.reference_version(parent, day)
    parent_level = None if pv is None else pv.level
    if parent_level not in ALLOWED_PARENT_LEVELS.get(level, ()):
        yield violation(
            "PARENT_LEVEL_INVALID",
            code,
            level=level,
            parent=name_of(snap, parent, day),
            parent_level=parent_level or "ingen",
        )


@rule(codes=("PHONE_REQUIRED",), applies_to=(*CREATE_EDIT, MoveUnit))
def phone_after_inheritance(ctx: Context) -> Iterator[Violation]:
    """Every unit has a phone number after inheritance, on every date from the change on.

    A create checks the new unit; an edit checks the unit when it names electronic fields, and
    the units that inherit the block from it whenever the edit takes their phone away. A move
    checks the moved unit and the units that inherit the block through it: the new parent's
    ancestry must give them a phone wherever the old one did.
    """
    assert ctx.after is not None
    if isinstance(ctx.change, MoveUnit):
        yield from _move_takes_phone(ctx)
        return
    named = named_fields(ctx.change)
    code = unit_code(ctx)
    if isinstance(ctx.change, CreateUnit) or set(named) & {*ELECTRONIC, "inherit_electronic"}:
        missing = _missing_phone(ctx.after, code, ctx.effective)
        if missing is not None:
            yield violation(
                "PHONE_REQUIRED", code, unit=_unit_text(ctx, code, missing), date=missing
            )
        # Units that inherit the block from this one have its phone wherever it has one.
        if isinstance(ctx.change, CreateUnit) or missing is None:
            return
        for heir, d in _heirs(ctx, code):
            yield violation("PHONE_REQUIRED", heir, unit=name_of(ctx.after, heir, d), date=d)


def _unit_text(ctx: Context, code: str, day: dt.date) -> str:
    """How PHONE_REQUIRED names the unit; a new one is "Den nye enhed", never a code yet."""
    if isinstance(ctx.change, CreateUnit):
        name = (ctx.change.name or "").strip()
        return f"Den nye enhed {name}" if name else "Den nye enhed"
    assert ctx.after is not None
    return name_of(ctx.after, code, day)


def _missing_phone(snap: Snapshot, code: str, day: dt.date) -> dt.date | None:
    """The first date from ``day`` on which the unit has no phone after inheritance."""
    for d in dates_of_unit(snap, code, day):
        v = snap.version_at(code, d)
        if v is not None and not resolve(snap, v, d)[0]["phone"]:
            return d
    return None


def _heirs(ctx: Context, code: str) -> list[tuple[str, dt.date]]:
    """Units that inherit ``code``'s phone before the change and have none after it (first date)."""
    assert ctx.after is not None
    out: dict[str, dt.date] = {}
    for d in dates_of_unit(ctx.after, code, ctx.effective):
        for child in ctx.before.descendants(code, d):
            if child in out:
                continue
            old = ctx.before.version_at(child, d)
            new = ctx.after.version_at(child, d)
            if old is None or new is None or not old.inherit_electronic:
                continue
            values, inherited = resolve(ctx.before, old, d)
            if inherited.get("phone") == code and not resolve(ctx.after, new, d)[0]["phone"]:
                out[child] = d
    return list(out.items())


def _move_takes_phone(ctx: Context) -> Iterator[Violation]:
    """PHONE_REQUIRED for the moved unit and its heirs where the move takes their phone away."""
    assert ctx.after is not None
    code = ctx.change.sor_code
    lost = lost_periods(ctx, code, lambda values: bool(values["phone"]))
    if not lost:
        return
    first = lost[0][0]
    yield violation("PHONE_REQUIRED", code, unit=name_of(ctx.after, code, first), date=first)
    for heir, d in heirs_through(ctx.after, code, lost, _inherits_electronic).items():
        yield violation("PHONE_REQUIRED", heir, unit=name_of(ctx.after, heir, d), date=d)


def _inherits_electronic(v: Version) -> bool:
    return v.inherit_electronic


#: A period ``[start, end)`` of valid time (``end`` None: open-ended).
Period = tuple[dt.date, dt.date | None]


def lost_periods(ctx: Context, code: str, has: Callable[[dict[str, Any]], bool]) -> list[Period]:
    """Periods from the effective date on in which ``code`` loses a value through the change.

    ``has`` tests the unit's resolved values (see :func:`resolve`) before and after the change.

    The resolved values can only change on a date on which the unit or one of its ancestors
    (before or after the change) changes, so those dates are the only ones checked.
    """
    assert ctx.after is not None
    day = ctx.effective
    dates = sorted({*ctx.before.dates_from(code, day), *ctx.after.dates_from(code, day)})
    out: list[Period] = []
    for i, d in enumerate(dates):
        old, new = ctx.before.version_at(code, d), ctx.after.version_at(code, d)
        if old is None or new is None:
            continue
        if not _sound_chain(ctx.after, new, d):
            continue  # MOVE_TARGET_NOT_ACTIVE's or MOVE_INTO_OWN_SUBTREE's finding
        if has(resolve(ctx.before, old, d)[0]) and not has(resolve(ctx.after, new, d)[0]):
            end = dates[i + 1] if i + 1 < len(dates) else None
            if out and out[-1][1] == d:
                out[-1] = (out[-1][0], end)
            else:
                out.append((d, end))
    return out


def _sound_chain(snap: Snapshot, version: Version, day: dt.date) -> bool:
    """True if every ancestor is valid on ``day`` and the chain never comes back to the unit."""
    seen = {version.sor_code}
    parent = version.parent
    while parent is not None:
        if parent in seen:
            return False
        seen.add(parent)
        v = snap.version_at(parent, day)
        if v is None:
            return False
        parent = v.parent
    return True


def heirs_through(
    snap: Snapshot, code: str, periods: list[Period], inherits: Callable[[Version], bool]
) -> dict[str, dt.date]:
    """Units under ``code`` that take a value through it during ``periods``, with their first date.

    A unit takes the value through ``code`` while its parent does (or is ``code``) and its own
    version ``inherits``. The walk follows each version's parent over just the part of the
    periods it holds, and never descends below a unit with its own value, so a big subtree
    costs only its inheriting units. Each unit is walked once per new stretch of time, so a
    cycle in a would-be register (which other rules refuse) cannot make it run forever.
    """
    never = dt.date.max  # open-ended, inside the walk
    found: dict[str, dt.date] = {}
    covered: dict[str, list[tuple[dt.date, dt.date]]] = {}
    versions, candidates = snap.versions, snap.child_candidates
    start_spans = [(s, never if e is None else e) for s, e in periods]
    stack: list[tuple[str, list[tuple[dt.date, dt.date]]]] = [(code, start_spans)]
    while stack:
        current, spans = stack.pop()
        for child in candidates(current):
            if child == code:
                continue
            taken: list[tuple[dt.date, dt.date]] = []
            for v in versions(child):
                if v.parent != current or not inherits(v):
                    continue
                vf, vt = v.valid_from, never if v.valid_to is None else v.valid_to
                for start, end in spans:
                    lo = start if start > vf else vf
                    hi = end if end < vt else vt
                    if lo < hi:
                        taken.append((lo, hi))
            if not taken:
                continue
            seen = covered.get(child)
            if seen is not None:
                taken = _minus(taken, seen)
                if not taken:
                    continue
                covered[child] = _union(seen, taken)
            else:
                covered[child] = _union([], taken)
            first = min(lo for lo, _hi in taken)
            if child not in found or first < found[child]:
                found[child] = first
            stack.append((child, taken))
    return found


def _union(
    a: list[tuple[dt.date, dt.date]], b: list[tuple[dt.date, dt.date]]
) -> list[tuple[dt.date, dt.date]]:
    """The sorted, merged union of two lists of half-open periods."""
    out: list[tuple[dt.date, dt.date]] = []
    for lo, hi in sorted(a + b):
        if out and lo <= out[-1][1]:
            if hi > out[-1][1]:
                out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return out


def _minus(
    a: list[tuple[dt.date, dt.date]], b: list[tuple[dt.date, dt.date]]
) -> list[tuple[dt.date, dt.date]]:
    """The parts of the periods ``a`` outside the (sorted, merged) periods ``b``."""
    out: list[tuple[dt.date, dt.date]] = []
    for lo, hi in a:
        for blo, bhi in b:
            if bhi <= lo or blo >= hi:
                continue
            if blo > lo:
                out.append((lo, blo))
            lo = max(lo, bhi)
            if lo >= hi:
                break
        if lo < hi:
            out.append((lo, hi))
    return out
