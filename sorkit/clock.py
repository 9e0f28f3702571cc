"""The register's clock: the only place sorkit asks the system for today's date or the time."""

from __future__ import annotations

import datetime as dt


class Clock:
    """Today and now, fixed for tests and for planning ("what if today were ...") or real."""

    def __init__(self, today: dt.date | None = None, now: dt.datetime | None = None):
        """Fix ``today`` (and optionally the transaction time ``now``); None means real time."""
        self._today = today
        self._now = now
        self._last: dt.datetime | None = None

    @property
    def fixed(self) -> bool:
        """True when today is fixed."""
        return self._today is not None

    def today(self) -> dt.date:
        """The register's today."""
        return self._today if self._today is not None else dt.date.today()

    def now(self) -> dt.datetime:
        """Transaction time (UTC, naive), strictly increasing within this clock."""
        now = self._now if self._now is not None else dt.datetime.now(dt.UTC).replace(tzinfo=None)
        if self._last is not None and now <= self._last:
            now = self._last + dt.timedelta(microseconds=1)
        self._last = now
        return now
