"""The batch's own checks of its rows, besides each operation's rules.

References to units created earlier in the plan (``@ref``), a stated unit name that does not
match the SOR code (both BATCH_ROW_INVALID) and rows that conflict with an earlier row
(BATCH_DUPLICATE_ROW).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from sorkit.changes import (
    Change,
    CloseUnit,
    EditUnit,
    MoveUnit,
    SetLocationNumber,
    change_parameters,
)
from sorkit.engine import Plan
from sorkit.rules.codes import CATALOGUE, Violation, message, violation
from sorkit.snapshot import Snapshot

__all__ = ["Conflicts", "check_stated_name", "resolve_refs"]

_UNIT_KEYS = ("sor_code", "parent", "new_parent")


def resolve_refs(
    change: Any, resolved: Mapping[str, str], failed: Mapping[str, int], number: int
) -> tuple[Any, Violation | None]:
    """Replace ``@ref`` unit references by the SOR codes created earlier in the plan.

    Args:
        change: the change as read (may refer to earlier create rows as ``@name``).
        resolved: ref name -> SOR code of the unit an earlier row created.
        failed: ref name -> row number of an earlier create row that cannot be carried out.
        number: the plan-file row number, for messages.

    Returns:
        The change with its references resolved, and None; or the change as given and a
        BATCH_ROW_INVALID violation.
    """
    if not dataclasses.is_dataclass(change) or not hasattr(change, "operation"):
        return change, violation(
            "BATCH_ROW_INVALID", None, row=number, problem=f"{change!r} er ikke en ændring"
        )
    updates: dict[str, str] = {}
    for key in _UNIT_KEYS:
        value = getattr(change, key, None)
        if isinstance(value, str) and value.startswith("@"):
            name = value[1:]
            if name in resolved:
                updates[key] = resolved[name]
                continue
            if name in failed:
                problem = (
                    f"{key}={value} henviser til række {failed[name]}, som ikke kan gennemføres"
                )
            else:
                problem = f"{key}={value} henviser ikke til en tidligere opret-række med ref={name}"
            return change, violation("BATCH_ROW_INVALID", None, row=number, problem=problem)
    if not updates:
        return change, None
    if isinstance(change, EditUnit):
        return EditUnit(
            updates.get("sor_code", change.sor_code), change.effective_from, **change.fields
        ), None
    return dataclasses.replace(change, **updates), None  # type: ignore[type-var]


def check_stated_name(
    snap: Snapshot, code: str, stated: str, number: int, day: dt.date
) -> list[Violation]:
    """A BATCH_ROW_INVALID finding when the row's stated name is not unit ``code``'s name.

    The name a move/close/location_number row states catches a mistyped SOR code.
    """
    v = snap.reference_version(code, day)
    if v is None or v.name.strip().casefold() == stated.strip().casefold():
        return []
    return [
        violation(
            "BATCH_ROW_INVALID",
            code,
            row=number,
            problem=f"navnet '{stated}' passer ikke til enhed {code} ('{v.name}'). Tjek SOR-koden.",
        )
    ]


class Conflicts:
    """Which unit each good row changed, to find rows that conflict (BATCH_DUPLICATE_ROW)."""

    def __init__(self) -> None:
        self.closed: dict[str, int] = {}
        self.moved: dict[str, int] = {}
        self.fields: dict[tuple[str, dt.date | None, str], tuple[int, Any]] = {}
        self.identical: dict[str, int] = {}

    def check(self, change: Change, number: int, eff: dt.date | None) -> Violation | None:
        """A BATCH_DUPLICATE_ROW finding when ``change`` conflicts with a recorded row."""
        code = getattr(change, "sor_code", None)
        key = json.dumps(change_parameters(change), sort_keys=True, default=str)
        if key in self.identical:
            return _duplicate(number, code or "", self.identical[key])
        if code is None:
            return None
        if code in self.closed:
            return _duplicate(number, code, self.closed[code])
        if isinstance(change, MoveUnit) and code in self.moved:
            return _duplicate(number, code, self.moved[code])
        for name, value in _assigned(change).items():
            other = self.fields.get((code, eff, name))
            if other is not None and other[1] != value:
                return _duplicate(number, code, other[0])
        return None

    def record(self, change: Change, number: int, eff: dt.date | None, plan: Plan) -> None:
        """Remember what a good row changed (row ``number``, planned as ``plan``)."""
        self.identical[json.dumps(change_parameters(change), sort_keys=True, default=str)] = number
        if isinstance(change, CloseUnit):
            for closed in plan.sor_codes:
                self.closed.setdefault(closed, number)
            return
        code = getattr(change, "sor_code", None)
        if not isinstance(code, str):
            return
        if isinstance(change, MoveUnit):
            self.moved[code] = number
        for name, value in _assigned(change).items():
            self.fields.setdefault((code, eff, name), (number, value))


def _assigned(change: Change) -> dict[str, Any]:
    if isinstance(change, EditUnit):
        return {k: repr(v) for k, v in change.assignments().items()}
    if isinstance(change, SetLocationNumber):
        return {k: repr(v) for k, v in change.assignments().items()}
    return {}


def _duplicate(number: int, code: str, other: int) -> Violation:
    details = {"row": number, "sor_code": code, "other_row": other}
    info = CATALOGUE["BATCH_DUPLICATE_ROW"]
    return Violation(info.code, info.severity, message(info.code, details), code, details)
