"""Rules of creating (opret OE) and editing (rediger OE) a unit (rules.md §4 Create).

Field rules check only the fields a change names (a create names all of them), so an edit of
the name never fails on an old phone number. Rules that depend on inheritance run on
``ctx.after`` over the whole timeline from the effective date.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from sorkit import refdata
from sorkit.changes import CreateUnit, EditUnit
from sorkit.ids import identifier_problems
from sorkit.inherit import resolve
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
        "IDENTIFIER_INVALID",
    ),
    applies_to=CREATE_EDIT,
    stage="pre",
)
def attributes_and_identifiers(ctx: Context) -> Iterator[Violation]:
    """At most 5 local attributes of at most 20 characters, 8 specialities, valid identifiers."""
    named = named_fields(ctx.change)
    code = unit_code(ctx) or None
    attributes = tuple(named.get("local_attributes") or ())
    if len(attributes) > MAX_LOCAL_ATTRIBUTES:
        yield violation("LOCAL_ATTRIBUTES_TOO_MANY", code, count=len(attributes))
    for value in attributes:
        if len(str(value)) > MAX_LOCAL_ATTRIBUTE:
            yield violation("LOCAL_ATTRIBUTE_TOO_LONG", code, value=value, length=len(str(value)))
    specialities = tuple(named.get("specialities") or ())
    if len(specialities) > MAX_SPECIALITIES:
        yield violation("SPECIALITIES_TOO_MANY", code, count=len(specialities))
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


@rule(codes=("PHONE_REQUIRED",), applies_to=CREATE_EDIT)
def phone_after_inheritance(ctx: Context) -> Iterator[Violation]:
    """Every unit has a phone number after inheritance, on every date from the change on.

    A create checks the new unit; an edit checks the unit when it names electronic fields, and
    the units that inherit the block from it whenever the edit takes their phone away.
    """
    assert ctx.after is not None
    named = named_fields(ctx.change)
    code = unit_code(ctx)
    if isinstance(ctx.change, CreateUnit) or set(named) & {*ELECTRONIC, "inherit_electronic"}:
        if _missing_phone(ctx.after, code, ctx.effective):
            yield violation("PHONE_REQUIRED", code)
        if isinstance(ctx.change, CreateUnit):
            return
        for heir in _heirs(ctx, code):
            yield violation("PHONE_REQUIRED", heir)


def _missing_phone(snap: Snapshot, code: str, day: dt.date) -> bool:
    for d in dates_of_unit(snap, code, day):
        v = snap.version_at(code, d)
        if v is not None and not resolve(snap, v, d)[0]["phone"]:
            return True
    return False


def _heirs(ctx: Context, code: str) -> list[str]:
    """Units that inherit ``code``'s phone before the change and have none after it."""
    assert ctx.after is not None
    out: list[str] = []
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
                out.append(child)
    return out
