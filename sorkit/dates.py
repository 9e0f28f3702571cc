"""One interval convention for all of sorkit: valid time is half-open ``[valid_from, valid_to)``.

``valid_to`` is ``None`` for an open end. Stewards see SOR's inclusive form ("gældende til og
med", the last valid day), which is ``valid_to - 1 day``; the conversion happens only through
:func:`last_day_to_valid_to` and :func:`valid_to_to_last_day`, at the UI and import/export edges.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

ONE_DAY = _dt.timedelta(days=1)
#: A date later than any real one, used where an open end must be compared.
END_OF_TIME = _dt.date(9999, 12, 31)


@dataclass(frozen=True, order=True)
class Validity:
    """A half-open interval of valid time ``[start, end)``; ``end=None`` is open-ended.

    Raises:
        ValueError: if ``end`` is not after ``start``.
    """

    start: _dt.date
    end: _dt.date | None = None

    def __post_init__(self) -> None:
        if self.end is not None and self.end <= self.start:
            raise ValueError(f"valid_to {self.end} must be after valid_from {self.start}")

    def contains(self, day: _dt.date) -> bool:
        """Return True if ``day`` lies inside the interval."""
        return self.start <= day and (self.end is None or day < self.end)

    def overlaps(self, other: Validity) -> bool:
        """Return True if the two intervals share at least one day."""
        return overlaps(self.start, self.end, other.start, other.end)

    @property
    def last_day(self) -> _dt.date | None:
        """The inclusive last valid day (SOR ``ToDate``), or None when open-ended."""
        return valid_to_to_last_day(self.end)


def contains(start: _dt.date, end: _dt.date | None, day: _dt.date) -> bool:
    """Return True if ``day`` lies in ``[start, end)``."""
    return start <= day and (end is None or day < end)


def overlaps(
    a_start: _dt.date, a_end: _dt.date | None, b_start: _dt.date, b_end: _dt.date | None
) -> bool:
    """Return True if ``[a_start, a_end)`` and ``[b_start, b_end)`` share a day."""
    return (a_end is None or b_start < a_end) and (b_end is None or a_start < b_end)


def clip(
    start: _dt.date, end: _dt.date | None, lo: _dt.date, hi: _dt.date | None
) -> tuple[_dt.date, _dt.date | None] | None:
    """Intersect ``[start, end)`` with ``[lo, hi)``; None if they do not meet."""
    new_start = max(start, lo)
    if end is None:
        new_end = hi
    elif hi is None:
        new_end = end
    else:
        new_end = min(end, hi)
    if new_end is not None and new_end <= new_start:
        return None
    return new_start, new_end


def last_day_to_valid_to(last_day: _dt.date | None) -> _dt.date | None:
    """Convert SOR's inclusive last day ("til og med") to the exclusive ``valid_to``."""
    return None if last_day is None else last_day + ONE_DAY


def valid_to_to_last_day(valid_to: _dt.date | None) -> _dt.date | None:
    """Convert the exclusive ``valid_to`` to SOR's inclusive last day ("til og med")."""
    return None if valid_to is None else valid_to - ONE_DAY


def end_key(end: _dt.date | None) -> _dt.date:
    """Sort key for an interval end where None (open) sorts last."""
    return END_OF_TIME if end is None else end


def parse_date(value: object, *, field: str = "dato") -> _dt.date:
    """Parse a date given as ``date``, ``datetime``, ISO text or SOR's ``YYYYMMDD[ hh:mm:ss]``.

    Args:
        value: the value to parse.
        field: the field name used in the error message.

    Raises:
        ValueError: naming the field and the value when it is not a date.
    """
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    text = str(value).strip()
    try:
        if len(text) >= 8 and text[:8].isdigit():
            return _dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
        return _dt.date.fromisoformat(text[:10])
    except ValueError:
        raise ValueError(f"{field}: '{value}' er ikke en gyldig dato (ÅÅÅÅ-MM-DD)") from None


def format_da(day: _dt.date | None) -> str:
    """Format a date the Danish way (``dd-mm-åååå``); empty text for None."""
    return "" if day is None else day.strftime("%d-%m-%Y")
