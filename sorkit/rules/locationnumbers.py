"""Rules of new location numbers, municipal stewards and code values (rules.md §4, issue #17).

- GLN_RANGE_EXHAUSTED: a new number is asked for (``gln=None``) and none can be given.
- GLN_MUNICIPAL_CONTACT_MEDCOM: a steward whose scopes lie in a municipality creates or changes
  a location number (guide p.19); accepting it takes the MedCom agreement as the reason.
- GLN_CODE_UNKNOWN: an EDI attribute code that no shipped source knows (a warning, not a
  refusal; see :mod:`sorkit.gln.codes`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sorkit.changes import CreateUnit, EditUnit, SetLocationNumber
from sorkit.gln import codes as codevalues
from sorkit.model import LOCATION_CODE_FIELDS
from sorkit.rules import Context, rule
from sorkit.rules.codes import Violation, violation
from sorkit.rules.general import unit_code
from sorkit.rules.location import WITH_LOCATION, given_number
from sorkit.snapshot import Snapshot
from sorkit.texts import LOCATION_NUMBER_LABELS, LOCATION_NUMBER_TEXTS

#: The SNOMED CT owner type of a municipality (IE "kommune").
MUNICIPALITY_TYPE = "547211000005108"


@rule(codes=("GLN_RANGE_EXHAUSTED",), applies_to=WITH_LOCATION, stage="pre")
def new_number_available(ctx: Context) -> Iterator[Violation]:
    """A change asking for a new number needs a free number in the register's range."""
    allocation: Any = ctx.extra.get("gln_allocation")
    if allocation is None or allocation.gln is not None:
        return
    if allocation.range is None:
        problem = LOCATION_NUMBER_TEXTS["no_range"]
    else:
        problem = LOCATION_NUMBER_TEXTS["range_full"].format(range=allocation.range.text())
    yield violation("GLN_RANGE_EXHAUSTED", unit_code(ctx) or None, problem=problem)


def changes_location_number(change: Any) -> bool:
    """True if the change creates, changes or removes a unit's location number."""
    if isinstance(change, SetLocationNumber):
        return True
    if isinstance(change, EditUnit):
        return "location_number" in change.fields or "inherit_location_number" in change.fields
    if isinstance(change, CreateUnit):
        return change.location_number is not None
    return False


def municipal_scopes(snap: Snapshot, scopes: tuple[str, ...], day: Any) -> list[str]:
    """Names of the municipalities (IEs of type "kommune") that the scopes lie in on ``day``."""
    out: list[str] = []
    for scope in scopes:
        code: str | None = scope
        seen: set[str] = set()
        top = None
        while code is not None and code not in seen:
            seen.add(code)
            v = snap.reference_version(code, day)
            if v is None:
                break
            top, code = v, v.parent
        if top is not None and top.unit_type == MUNICIPALITY_TYPE and top.name not in out:
            out.append(top.name)
    return out


@rule(codes=("GLN_MUNICIPAL_CONTACT_MEDCOM",), applies_to=WITH_LOCATION, stage="pre")
def municipal_steward_contacts_medcom(ctx: Context) -> Iterator[Violation]:
    """Guide p.19: "Kommunale brugere skal altid kontakte Medcom" about location numbers."""
    if ctx.role != "steward" or not changes_location_number(ctx.change):
        return
    municipalities = municipal_scopes(ctx.before, ctx.scopes, ctx.effective)
    if municipalities:
        yield violation(
            "GLN_MUNICIPAL_CONTACT_MEDCOM",
            unit_code(ctx) or None,
            mailbox=LOCATION_NUMBER_TEXTS["medcom_mailbox"],
            municipalities=", ".join(municipalities),
        )


@rule(codes=("GLN_CODE_UNKNOWN",), applies_to=WITH_LOCATION, stage="pre")
def codes_known(ctx: Context) -> Iterator[Violation]:
    """Each EDI attribute code is one the shipped sources know (else a warning)."""
    number = given_number(ctx)
    if number is None:
        return
    code = unit_code(ctx) or None
    for name in LOCATION_CODE_FIELDS:
        value = getattr(number, name)
        if value and not codevalues.is_known(name, value):
            yield violation(
                "GLN_CODE_UNKNOWN",
                code,
                field=LOCATION_NUMBER_LABELS[name],
                field_name=name,
                value=value,
            )
