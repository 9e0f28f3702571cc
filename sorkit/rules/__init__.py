"""The rule registry: rules are pure functions over a :class:`Context`, registered by decorator.

To add a rule: write a function ``(ctx) -> Iterable[Violation]`` in the module of its
operation, decorate it with ``@rule(codes=(...), applies_to=(...))``, put its code in
:mod:`sorkit.rules.codes`, and add rows to the rule's table test. Rules never touch DuckDB,
never import ipywidgets and never call ``date.today()``: ``ctx.today`` is the clock's date.

Stage ``"pre"`` rules run on the register as it is (``ctx.after`` is None) and can stop planning
(unknown unit, closed unit, dates). Stage ``"post"`` rules also see ``ctx.after``, the register
as it would be with the change, and run only when no pre rule found an error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sorkit.addresses import AddressRegister
from sorkit.rules.codes import CATALOGUE, ERROR, WARNING, Violation, violation
from sorkit.snapshot import Snapshot

RuleFn = Callable[["Context"], Iterable[Violation]]


@dataclass(frozen=True)
class Context:
    """Everything a rule may look at.

    Attributes:
        change: the change value being planned.
        before: the register as it is.
        after: the register as it would be (None in the pre stage).
        today: the register clock's date.
        effective: the change's effective date after defaults (for a close: its last day,
            the day before the first closed day).
        user, role, scopes: who asks.
        touched: units whose versions the change writes (for a create, the new code).
        new_code: the SOR code a create would get.
        addresses: the address register to validate against.
        extra: facts the engine worked out: ``has_date`` (False for a close without a last
            day), ``level`` (of a unit being created), ``cascade`` (units a cascade closes).
    """

    change: Any
    before: Snapshot
    after: Snapshot | None
    today: dt.date
    effective: dt.date
    user: str
    role: str
    scopes: tuple[str, ...]
    touched: tuple[str, ...] = ()
    new_code: str | None = None
    addresses: AddressRegister | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Rule:
    """A registered rule."""

    name: str
    fn: RuleFn
    codes: tuple[str, ...]
    applies_to: tuple[type, ...]
    stage: str


REGISTRY: dict[str, Rule] = {}


def rule(
    *, codes: tuple[str, ...], applies_to: tuple[type, ...], stage: str = "post"
) -> Callable[[RuleFn], RuleFn]:
    """Register a rule function for the given change types.

    Raises:
        KeyError: a code is not in the catalogue.
    """
    for code in codes:
        if code not in CATALOGUE:
            raise KeyError(f"rule code {code} is not in the catalogue")

    def register(fn: RuleFn) -> RuleFn:
        name = f"{fn.__module__}.{fn.__name__}"
        REGISTRY[name] = Rule(name, fn, codes, applies_to, stage)
        return fn

    return register


def _load_rule_modules() -> None:
    from sorkit.rules import (  # noqa: F401  (modules register their rules on import)
        addresses,
        close,
        create,
        general,
        location,
        locationnumbers,
        move,
        text,
    )


def check(ctx: Context, stage: str) -> list[Violation]:
    """Run every registered rule of ``stage`` that applies to the change's type."""
    _load_rule_modules()
    out: list[Violation] = []
    for r in REGISTRY.values():
        if r.stage == stage and isinstance(ctx.change, r.applies_to):
            out.extend(r.fn(ctx))
    return out


__all__ = [
    "CATALOGUE",
    "Context",
    "ERROR",
    "REGISTRY",
    "Rule",
    "Violation",
    "WARNING",
    "check",
    "rule",
    "violation",
]
