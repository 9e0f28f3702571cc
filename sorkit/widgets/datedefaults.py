"""The date a form starts with: the earliest its operation allows for that unit.

rules.md §3 gives each operation its earliest date (create and close today + 7, the others
tomorrow). A unit that starts later (created for next week) can only be changed from its start,
so its forms start there instead; a close's last day is at least its first day.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sorkit.ids import is_valid_sor_code

if TYPE_CHECKING:
    from sorkit.register import Register


def unit_start(reg: Register, sor_code: str | None) -> dt.date | None:
    """The first day ``sor_code`` is valid (None when unknown)."""
    if not sor_code or not is_valid_sor_code(sor_code):
        return None
    start: dt.date | None = reg.snapshot().first_from(sor_code)
    return start


def default_date(reg: Register, operation: str, sor_code: str | None) -> dt.date:
    """The earliest date ``operation`` allows on ``sor_code`` (for a close: its last day)."""
    earliest = reg.earliest_date(operation)
    start = unit_start(reg, sor_code)
    if start is not None and start > earliest:
        return start
    return earliest
