"""Form state as plain, frozen dataclasses: field values and findings, no ipywidgets.

Widgets write into these values (``replace_at`` gives a new value, nothing is mutated in place)
and the forms turn them into change values (:mod:`sorkit.changes`) for ``reg.plan``. Tests can
build and inspect the same values without any widget.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, is_dataclass, replace
from typing import Any

from sorkit.rules.codes import Violation
from sorkit.widgets.fields import (
    INHERIT,
    LOCAL_ATTRIBUTE_SLOTS,
    NEW,
    NONE,
    OWN,
    SAME,
    AddressFields,
    LocationFields,
    UnitFields,
    changed_fields,
    create_change,
    edit_change,
)

__all__ = [
    "INHERIT",
    "LOCAL_ATTRIBUTE_SLOTS",
    "NEW",
    "NONE",
    "OWN",
    "SAME",
    "AddressFields",
    "CloseValues",
    "CreateValues",
    "EditValues",
    "FormState",
    "LocationFields",
    "LocationValues",
    "MoveValues",
    "UnitFields",
    "changed_fields",
    "create_change",
    "edit_change",
    "get_at",
    "replace_at",
    "set_item",
]


@dataclass(frozen=True)
class CreateValues:
    """Opret OE: the parent, the first valid day and the unit's fields."""

    parent: str = ""
    valid_from: dt.date | None = None
    fields: UnitFields = UnitFields()
    reason: str = ""


@dataclass(frozen=True)
class EditValues:
    """Rediger OE: the unit, the date, its own values as loaded, and the edited values."""

    sor_code: str = ""
    effective_from: dt.date | None = None
    original: UnitFields = UnitFields()
    fields: UnitFields = UnitFields()
    reason: str = ""


@dataclass(frozen=True)
class MoveValues:
    """Flyt OE: the unit, the new parent (typed or picked in the tree) and the date."""

    sor_code: str = ""
    new_parent: str = ""
    effective_from: dt.date | None = None
    picking: bool = False
    reason: str = ""


@dataclass(frozen=True)
class CloseValues:
    """Luk OE: the unit, its last valid day ("gældende til og med") and the cascade choice."""

    sor_code: str = ""
    last_day: dt.date | None = None
    cascade: bool = False
    confirming: bool = False
    reason: str = ""


@dataclass(frozen=True)
class LocationValues:
    """Lokationsnummer: own number with EDI fields, inherit, or none, from a date."""

    sor_code: str = ""
    effective_from: dt.date | None = None
    location: LocationFields = LocationFields(mode=OWN)
    reason: str = ""


@dataclass(frozen=True)
class FormState:
    """What a form knows besides its field values: the current plan and its findings.

    Attributes:
        violations: the findings of the last plan (errors, warnings and notices).
        accepted: warning codes ticked "Accepter".
        reasons: the reason typed for each warning code.
        problem: an input problem that stops planning (no unit chosen, bad SOR code...).
        message: the result of the last apply (or why it was rejected).
        applied: the change id of the last successful apply.
        plan: the last plan (a :class:`sorkit.Plan`), None when none could be made.
    """

    violations: tuple[Violation, ...] = ()
    accepted: frozenset[str] = frozenset()
    reasons: Mapping[str, str] = field(default_factory=dict)
    problem: str = ""
    message: str = ""
    applied: str | None = None
    plan: Any = None

    @property
    def codes(self) -> list[str]:
        """The violation codes, in order."""
        return [v.code for v in self.violations]

    @property
    def errors(self) -> list[Violation]:
        """The blocking errors."""
        return [v for v in self.violations if v.is_error]

    @property
    def warnings(self) -> list[Violation]:
        """The warnings (each must be accepted with a reason)."""
        return [v for v in self.violations if v.is_warning]

    @property
    def notices(self) -> list[Violation]:
        """The notices (the guide's "OBS"): shown beside the save button, nothing to accept."""
        return [v for v in self.violations if v.is_notice]

    @property
    def accept(self) -> dict[str, str]:
        """The ``accept=`` argument for ``reg.apply``: accepted codes with their reasons."""
        return {
            code: self.reasons[code].strip()
            for code in sorted(self.accepted)
            if self.reasons.get(code, "").strip()
        }

    @property
    def can_apply(self) -> bool:
        """True when a plan exists, no error remains and every warning is accepted."""
        if self.plan is None or self.problem or self.errors:
            return False
        return all(w.code in self.accept for w in self.warnings)


def get_at(obj: Any, path: str) -> Any:
    """Read a dotted path (``"fields.postal.street"``) from nested dataclasses."""
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def replace_at(obj: Any, path: str, value: Any) -> Any:
    """A copy of nested frozen dataclasses with the dotted ``path`` set to ``value``."""
    head, _, rest = path.partition(".")
    if not is_dataclass(obj) or head not in {f.name for f in fields(obj)}:
        raise AttributeError(f"{type(obj).__name__} has no field {head!r}")
    new = replace_at(getattr(obj, head), rest, value) if rest else value
    return replace(obj, **{head: new})  # type: ignore[type-var]


def set_item(values: tuple[str, ...], index: int, value: str) -> tuple[str, ...]:
    """A copy of ``values`` with one item replaced."""
    items = list(values)
    items[index] = value
    return tuple(items)
