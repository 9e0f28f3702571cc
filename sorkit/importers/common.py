"""What every SOR importer shares: parsed unit records, problems and the import report.

A parser (XML or CSV) turns a file into :class:`UnitRecord` values, one per unit, each holding
the unit's state in storage form (the :data:`sorkit.model.STATE_FIELDS`), its SOR dates and the
values the register has no field for (``extra``, kept in the audit parameters). Problems found
while parsing are collected, never raised one at a time: a file with any problem is rejected
whole with :class:`ImportRejected`, which names every bad row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sorkit.errors import SorImportError
from sorkit.model import LOCATION_NUMBER_KEYS

#: The most problems quoted in an error message (all are kept in ``ImportRejected.problems``).
MESSAGE_LIMIT = 500

#: Location-number attributes a SOR XML export carries (not the EDI message types).
LN_CARRIED = frozenset(k for k in LOCATION_NUMBER_KEYS if k != "edi_types")

#: Columns of :attr:`ImportReport.summary`.
SUMMARY_COLUMNS = ["action", "sor_code", "name", "level", "date", "changes"]


@dataclass(frozen=True)
class Problem:
    """One bad value in an import file.

    Attributes:
        where: the place in the file ("linje 12, .../OrganizationalUnit" or "række 5").
        field: the element or column.
        value: the offending value as found (may be empty).
        message: what is wrong (Danish).
    """

    where: str
    field: str
    value: str
    message: str

    def __str__(self) -> str:
        shown = self.value if len(self.value) <= 80 else self.value[:77] + "..."
        return f"{self.where}: {self.field} = '{shown}': {self.message}"


class ImportRejected(SorImportError):
    """The file was refused; ``problems`` lists every bad row (nothing was written)."""

    def __init__(self, source: str, problems: Sequence[Problem] | Sequence[str], head: str = ""):
        """Build the error for ``source`` from its problems (Problem values or plain text)."""
        self.source = source
        self.problems = list(problems)
        first = head or f"Filen {source} kan ikke importeres ({len(self.problems)} fejl)"
        lines = [str(p) for p in self.problems[:MESSAGE_LIMIT]]
        if len(self.problems) > MESSAGE_LIMIT:
            lines.append(f"... og {len(self.problems) - MESSAGE_LIMIT} fejl mere")
        super().__init__(first + ":\n" + "\n".join(lines) + "\nIntet er skrevet til registret.")


@dataclass
class UnitRecord:
    """One unit as a SOR export states it.

    Attributes:
        sor_code: the unit's SOR code.
        level: ``IE``, ``SI`` or ``OE``.
        parent: the parent's SOR code (None for an IE).
        state: the unit's state in storage form (every field the format carries).
        first_from: SOR FirstFromDate, the unit's first valid day.
        from_date: SOR FromDate, the first day of the state given.
        last_day: SOR ToDate, the last valid day (inclusive), None while open.
        ln_first_from: first day of the unit's own location number (its own SorStatus).
        ln_last_day: last day of the unit's own location number, None while open.
        extra: values the register has no field for (kept in the audit parameters).
        where: the place in the file, for messages.
        carried: the state fields the source format carries (others keep the register's value).
        ln_carried: the location-number attributes the format carries (the others, and always
            the EDI message types, keep the register's values while the number is the same).
        effective: for formats that show effective values (CSV), those values; an update then
            leaves a unit alone whose effective addresses, electronic addresses and location
            number already match, whether they are its own or inherited.
    """

    sor_code: str
    level: str
    parent: str | None
    state: dict[str, Any]
    first_from: dt.date
    from_date: dt.date
    last_day: dt.date | None
    ln_first_from: dt.date | None = None
    ln_last_day: dt.date | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    where: str = ""
    carried: frozenset[str] = frozenset()
    ln_carried: frozenset[str] = LN_CARRIED
    effective: dict[str, Any] | None = None

    @property
    def end(self) -> dt.date | None:
        """The first closed day (``last_day + 1``), None while open."""
        return None if self.last_day is None else self.last_day + dt.timedelta(days=1)

    @property
    def name(self) -> str:
        """The unit's name."""
        return str(self.state.get("name") or "")


@dataclass
class ParsedFile:
    """The result of parsing one export: its units, problems and header facts."""

    source: str
    format: str
    records: list[UnitRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    snapshot_date: dt.date | None = None
    created_at: str | None = None
    complete: bool = False  # the file states it is a complete export (all of SOR)


@dataclass
class ImportReport:
    """What an import did (or, on a dry run, would do).

    Attributes:
        source: the file imported.
        format: ``sor-xml``, ``sor2-csv`` or ``sor-hierarchy-csv``.
        mode: ``new`` (an empty register was filled) or ``update`` (a newer export was merged).
        dry_run: True if nothing was written.
        written: True if the register was changed.
        change_id: the change id the import was recorded under (None on a dry run).
        summary: one row per unit added, changed, moved, closed or in conflict (DataFrame
            with columns action, sor_code, name, level, date, changes); ``date`` is the day
            the change takes effect, for ``closed`` rows the unit's last day (SOR ToDate).
        adjustments: dates sorkit had to adjust to keep the register's guarantees (e.g. a
            unit starting a day before its parent), one line each.
        conflicts: differences sorkit cannot apply (e.g. a closed unit open again in the file).
        units: the number of units in the file.
        snapshot_date: the export's snapshot date (XML), if given.
        address_problems: own addresses in the file that the street register does not know,
            one Danish line each; they are imported as they are (SOR's data wins).
        scope: ``owners`` (only the file's institution owners were brought in step) or
            ``complete`` (units missing anywhere were closed); see :mod:`sorkit.importers.scope`.
        owners: the institution owners the file covers, SOR code -> name.
    """

    source: str
    format: str
    mode: str
    dry_run: bool
    written: bool
    change_id: str | None
    summary: pd.DataFrame
    adjustments: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    units: int = 0
    snapshot_date: dt.date | None = None
    address_problems: list[str] = field(default_factory=list)
    scope: str = "owners"
    owners: dict[str, str] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        """Rows per action (added, changed, moved, closed, conflict)."""
        if self.summary.empty:
            return {}
        return {str(k): int(v) for k, v in self.summary["action"].value_counts().items()}

    @property
    def added(self) -> int:
        """Units added."""
        return self.counts().get("added", 0)

    @property
    def changed(self) -> int:
        """Units whose fields changed (moves counted separately)."""
        return self.counts().get("changed", 0)

    @property
    def moved(self) -> int:
        """Units moved to another parent."""
        return self.counts().get("moved", 0)

    @property
    def closed(self) -> int:
        """Units closed."""
        return self.counts().get("closed", 0)

    def __str__(self) -> str:
        what = "Tørkørsel" if self.dry_run else "Import"
        counts = ", ".join(f"{k}: {v}" for k, v in sorted(self.counts().items())) or "ingen"
        owners = ", ".join(f"{name} ({code})" for code, name in self.owners.items())
        cover = "hele registret" if self.scope == "complete" else "kun filens institutionsejere"
        return (
            f"{what} af {self.source} ({self.format}, {self.mode}): {self.units} enheder; {counts}"
            f"\nOmfang: {cover}. Institutionsejere i filen ({len(self.owners)}): {owners or 'ingen'}"
        )


def summary_frame(rows: Iterable[Sequence[Any]]) -> pd.DataFrame:
    """Build the summary DataFrame from (action, sor_code, name, level, date, changes) rows."""
    return pd.DataFrame.from_records([tuple(r) for r in rows], columns=SUMMARY_COLUMNS)


def parse_bool(text: str) -> bool | None:
    """``true``/``false`` (also ``1``/``0``) as XML Schema booleans; None if neither."""
    value = text.strip().lower()
    if value in ("true", "1"):
        return True
    if value in ("false", "0"):
        return False
    return None


def parse_iso_date(text: str) -> dt.date | None:
    """An ``xs:date`` (``YYYY-MM-DD``, an optional time zone is ignored); None if invalid."""
    value = text.strip()
    if len(value) < 10:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None
