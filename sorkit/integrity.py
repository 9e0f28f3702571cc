"""The full integrity check of a register file (``sorkit check``).

It reads the whole register in one transaction and reports every broken promise of rules.md §5:

- the guarantees on every date (:func:`sorkit.invariants.problems` over all units: no overlaps or
  gaps, no orphans, no cycles, one holder per location number);
- the stored versions are exactly the projection of the current events (nothing half-written);
- audit completeness: every current event has an audit record for its change and unit, every
  cancellation has one for each unit it touched, and no change is recorded twice for one unit;
- every current version is traceable to a current event of its unit that starts it;
- every batch has its audit rows, and every audit row's batch is recorded;
- no row carries a generation above the register's write counter.

Usage::

    from sorkit.integrity import check
    report = check(reg)          # or check("register.duckdb")
    assert report.ok, report.problems
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sorkit.invariants import problems as guarantee_problems
from sorkit.model import Event
from sorkit.snapshot import Snapshot
from sorkit.store import Store, rows
from sorkit.timeline import TimelineError, project

__all__ = ["IntegrityReport", "check"]

_SHOWN = 20


@dataclass(frozen=True)
class IntegrityReport:
    """The result of an integrity check.

    Attributes:
        problems: one Danish line per broken promise (empty when the register is sound).
        generation: the write counter the check read at.
        counts: rows per table.
        units: units in the register.
    """

    problems: list[str] = field(default_factory=list)
    generation: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    units: int = 0

    @property
    def ok(self) -> bool:
        """True when nothing is broken."""
        return not self.problems

    def summary(self) -> str:
        """A short Danish text for the command line."""
        head = (
            f"Registret er i orden: {self.units} enheder, generation {self.generation}, "
            + ", ".join(f"{t}: {n}" for t, n in sorted(self.counts.items()))
            + "."
        )
        if self.ok:
            return head
        lines = [f"Registret har {len(self.problems)} fejl:"]
        lines += [f"- {p}" for p in self.problems[:_SHOWN]]
        if len(self.problems) > _SHOWN:
            lines.append(f"... og {len(self.problems) - _SHOWN} mere")
        return "\n".join(lines)


def _store_of(reg_or_path: Any) -> Store:
    store = getattr(reg_or_path, "store", None)
    if isinstance(store, Store):
        return store
    if isinstance(reg_or_path, Store):
        return reg_or_path
    if isinstance(reg_or_path, (str, os.PathLike)):
        if not os.path.exists(reg_or_path):
            raise FileNotFoundError(f"Registret {reg_or_path} findes ikke")
        return Store(reg_or_path)
    raise TypeError(f"check: ventede et Register eller en sti, fik {type(reg_or_path).__name__}")


def check(reg_or_path: Any) -> IntegrityReport:
    """Check the whole register (all units, all dates, the audit) and report what is broken.

    Args:
        reg_or_path: a :class:`~sorkit.register.Register`, a :class:`~sorkit.store.Store` or the
            path of a register file.

    Returns:
        The :class:`IntegrityReport`; ``report.ok`` is True when the register is sound.

    Raises:
        FileNotFoundError: the path does not exist.
        SchemaError: the file is not a sorkit register.
        RegisterBusy: another process held the file for too long.
    """
    contents = _store_of(reg_or_path).contents()
    found: list[str] = []
    snap = Snapshot(contents.versions, contents.generation)
    found += [f"Garanti brudt: {p}" for p in guarantee_problems(snap)]
    found += _projection_problems(contents.versions, contents.events)
    found += [
        f"Ændring {change_id} for {code} mangler sin audit-post"
        for change_id, code in contents.event_without_audit
    ]
    found += [
        f"Annullering {change_id} for {code} mangler sin audit-post"
        for change_id, code in contents.cancel_without_audit
    ]
    found += [
        f"Version af {code} fra {day} (ændring {change_id}) kan ikke føres tilbage til en hændelse"
        for code, day, change_id in contents.version_without_event
    ]
    found += [
        f"Ændring {change_id} for {code} har {n} audit-poster (skal være én)"
        for change_id, code, n in contents.duplicate_audit
    ]
    found += [
        f"Tabellen {table} har rækker fra generation {top}, men registret er på generation "
        f"{contents.generation}"
        for table, top in contents.future_rows
    ]
    found += [
        f"Batch {batch_id} har ingen audit-poster"
        if what == "no_audit"
        else f"Audit-poster nævner batch {batch_id}, som ikke er registreret"
        for batch_id, what in contents.batch_problems
    ]
    return IntegrityReport(
        problems=found,
        generation=contents.generation,
        counts=contents.counts,
        units=len(snap),
    )


def _projection_problems(versions: list[Any], events: list[Event]) -> list[str]:
    """Units whose stored versions are not the projection of their current events."""
    by_unit: dict[str, list[Event]] = defaultdict(list)
    for e in events:
        by_unit[e.sor_code].append(e)
    stored: dict[str, list[Any]] = defaultdict(list)
    for v in versions:
        stored[v.sor_code].append(v)
    out = []
    for code in sorted(set(by_unit) | set(stored)):
        try:
            projected = project(code, by_unit.get(code, []))
        except TimelineError as exc:
            out.append(f"{code}: hændelserne danner ingen gyldig tidslinje ({exc})")
            continue
        want = sorted(repr(rows.content_key(v)) for v in projected)
        have = sorted(repr(rows.content_key(v)) for v in stored.get(code, []))
        if want != have:
            out.append(
                f"{code}: de gemte versioner ({len(have)}) svarer ikke til hændelserne "
                f"({len(want)} versioner)"
            )
    return out
