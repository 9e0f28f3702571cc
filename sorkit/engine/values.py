"""The values the change engine hands out: a :class:`Plan` and the :class:`Applied` result."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sorkit.changes import Change, CloseUnit, CreateUnit
from sorkit.model import Event
from sorkit.rules.codes import Violation
from sorkit.rules.general import DATE_RULES
from sorkit.snapshot import Snapshot


@dataclass(frozen=True)
class Plan:
    """A planned change: what it would write and what the rules say about it.

    Attributes:
        change: the change value.
        user: who planned it.
        violations: every finding (errors block; warnings block until accepted).
        effective_date: the date the change takes effect (for a close, its last day).
        preview: the version rows the apply would write (a DataFrame).
        change_id: the id the change will be recorded under.
        sor_codes: the units it changes (for a create, the new unit's code first).
    """

    change: Any
    user: str
    violations: tuple[Violation, ...]
    effective_date: dt.date | None
    preview: pd.DataFrame
    change_id: str
    sor_codes: tuple[str, ...]
    events: tuple[Event, ...] = ()
    generation: int = 0
    fingerprints: Mapping[str, Any] = field(default_factory=dict)
    after: Snapshot | None = None

    @property
    def ok(self) -> bool:
        """True when no error blocks the change (warnings may still need accepting)."""
        return not any(v.is_error for v in self.violations)

    @property
    def errors(self) -> list[Violation]:
        """The blocking errors."""
        return [v for v in self.violations if v.is_error]

    @property
    def warnings(self) -> list[Violation]:
        """The warnings, which block until accepted with a reason."""
        return [v for v in self.violations if not v.is_error]

    @property
    def codes(self) -> list[str]:
        """The violation codes, in order."""
        return [v.code for v in self.violations]


@dataclass(frozen=True)
class Applied:
    """The result of an apply: the change id, the units changed and the effective date."""

    change_id: str
    sor_codes: tuple[str, ...]
    effective_date: dt.date | None


def new_change_id(now: dt.datetime) -> str:
    """A readable, unique change id: date, time and a random suffix."""
    return f"{now:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def effective_date(change: Change, today: dt.date) -> dt.date | None:
    """The change's effective date, with the default of rules.md §3 when none was given."""
    if isinstance(change, CloseUnit):
        return change.last_day
    given = change.valid_from if isinstance(change, CreateUnit) else change.effective_from
    if given is not None:
        return given
    default = DATE_RULES[change.operation][0]
    return None if default is None else today + dt.timedelta(days=default)
