"""Tables of units as pandas DataFrames: the shape search, children, subtree and roots return."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pandas as pd

from sorkit import refdata
from sorkit.dates import valid_to_to_last_day
from sorkit.snapshot import Snapshot

UNIT_COLUMNS = [
    "sor_code",
    "name",
    "level",
    "unit_type",
    "unit_type_name",
    "parent_sor_code",
    "parent_name",
    "path",
    "valid_from",
    "last_day",
    "status",
]

PATH_SEPARATOR = " / "


class PathCache:
    """Memoised paths (names from the root to the unit, inclusive) on one date."""

    def __init__(self, snap: Snapshot, day: dt.date):
        """Cache paths of ``snap`` on ``day``."""
        self.snap = snap
        self.day = day
        self._paths: dict[str, str] = {}

    def path(self, code: str) -> str:
        """The unit's path on the cache's date (its reference version if not valid then)."""
        cached = self._paths.get(code)
        if cached is not None:
            return cached
        chain = []
        current: str | None = code
        seen: set[str] = set()
        while current is not None and current not in seen:
            if current in self._paths:
                break
            seen.add(current)
            v = (
                self.snap.reference_version(current, self.day)
                if current == code
                else self.snap.version_at(current, self.day)
            )
            if v is None:
                v = self.snap.reference_version(current, self.day)
            if v is None:
                break
            chain.append((current, v.name, v.parent))
            current = v.parent
        prefix = self._paths.get(current, "") if current is not None else ""
        for code_i, name, _parent in reversed(chain):
            prefix = f"{prefix}{PATH_SEPARATOR}{name}" if prefix else name
            self._paths[code_i] = prefix
        return self._paths.get(code, "")


def unit_frame(
    snap: Snapshot, codes: Iterable[str], day: dt.date, paths: PathCache | None = None
) -> pd.DataFrame:
    """One row per unit in ``codes`` (in that order), described as on ``day``."""
    paths = paths or PathCache(snap, day)
    type_names = refdata.unit_type_names()
    rows = []
    for code in codes:
        v = snap.reference_version(code, day)
        if v is None:
            continue
        parent_name = None
        if v.parent is not None:
            pv = snap.reference_version(v.parent, day)
            parent_name = pv.name if pv is not None else None
        end = snap.end(code)
        rows.append(
            (
                code,
                v.name,
                v.level,
                v.unit_type,
                type_names.get(v.unit_type) if v.unit_type else None,
                v.parent,
                parent_name,
                paths.path(code),
                snap.first_from(code),
                valid_to_to_last_day(end),
                snap.status(code, day),
            )
        )
    frame = pd.DataFrame.from_records(rows, columns=UNIT_COLUMNS)
    return frame
