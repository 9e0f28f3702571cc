"""Import the real SOR exports: the XML complete export and the SOR CSV files.

Both importers work the same way:

1. Parse the whole file (the XML streams) and validate every unit: SOR codes with their Verhoeff
   digit, dates, required fields, identifiers, parents and levels. Any problem rejects the whole
   file with :class:`~sorkit.importers.common.ImportRejected` (a
   :class:`~sorkit.errors.SorImportError`) naming every bad row; nothing is written.
2. Into an **empty** register the units are written as ``import`` events (plus ``close`` and
   ``location_number`` events where the file says so), projected with
   :func:`sorkit.timeline.project` and bulk-loaded in one transaction, with one audit row per
   unit (operation ``import``).
3. Into a register that already holds units, the file is compared with the register
   (:mod:`sorkit.importers.diff`) and the difference is applied as effective-dated ``create``,
   ``edit``, ``move`` and ``close`` events in one transaction (``Store.write``), one audit row
   per unit changed. ``dry_run=True`` only reports; more than ``max_closures`` closures are
   refused unless ``force=True``. An update touches only the institution owners the file holds
   unless the file is a complete export (``scope="complete"``; :mod:`sorkit.importers.scope`).

Either way the register's guarantees (rules.md §5) are checked on the result before anything is
written. Importing needs the ``sds_admin`` role (everyone has it in an unmanaged register).
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sorkit.engine.commit import bulk_import, commit
from sorkit.errors import SorImportError, StaleSnapshot
from sorkit.importers.addresscheck import address_findings
from sorkit.importers.common import (
    ImportRejected,
    ImportReport,
    ParsedFile,
    Problem,
    UnitRecord,
    summary_frame,
)
from sorkit.importers.diff import (
    fit_to_parents,
    order_top_down,
    plan_update,
    project_updates,
    unit_events,
)
from sorkit.importers.scope import covered_owners, resolve_scope
from sorkit.invariants import problems as guarantee_problems
from sorkit.model import Version
from sorkit.snapshot import Snapshot
from sorkit.store import AuditRow, WriteSet
from sorkit.timeline import project

if TYPE_CHECKING:
    from sorkit.register import Register

__all__ = [
    "ImportRejected",
    "ImportReport",
    "import_sor_csv",
    "import_sor_xml",
    "import_parsed",
]

DEFAULT_MAX_CLOSURES = 50
DEFAULT_REASON = "Import af SOR-udtræk"


def import_sor_xml(
    reg: Register,
    path: str | os.PathLike[str],
    *,
    dry_run: bool = False,
    max_closures: int = DEFAULT_MAX_CLOSURES,
    force: bool = False,
    close_missing: bool = True,
    reason: str | None = None,
    chunk: int = 50_000,
    scope: str | None = None,
) -> ImportReport:
    """Import a SOR XML complete export (namespace ``urn:oio:sundhedsstyrelsen:organisation:1.0.0``).

    Args:
        reg: the register (empty: a fresh import; holding units: bring it in step).
        path: the XML file (streamed; any size).
        dry_run: only report what would be added, changed, moved and closed.
        max_closures: an update closing more units than this is refused unless ``force``.
        force: allow more closures than ``max_closures``.
        close_missing: on an update, close open units the file does not hold (from the
            export's SnapshotDate, else from today), within the scope.
        scope: ``"owners"``: the import touches only the institution owners (IEs) the file
            holds, and units of other owners are never closed; ``"complete"``: the file is all
            of SOR, so open units missing from it are closed everywhere (behind
            ``max_closures`` and ``dry_run``). Default: ``complete`` if the file states it
            (``<?sorkit scope="complete"?>``), else ``owners``. See :mod:`sorkit.importers.scope`.
        reason: the reason recorded in the audit (default "Import af SOR-udtræk").
        chunk: units per insert on a fresh import (all in one transaction).

    Returns:
        The :class:`ImportReport` (``summary`` lists every unit added, changed, moved, closed;
        ``owners`` the institution owners the file covers; ``scope`` the scope used).

    Raises:
        ValueError: an unknown ``scope``.
        SorImportError: the file is malformed or invalid (every bad row is named), the update
            closes too many units, the user may not import, or the register changed meanwhile.
            Nothing is written.
    """
    from sorkit.importers.xml import parse_sor_xml

    parsed = parse_sor_xml(path)
    return import_parsed(
        reg,
        parsed,
        dry_run=dry_run,
        max_closures=max_closures,
        force=force,
        close_missing=close_missing,
        reason=reason,
        chunk=chunk,
        scope=scope,
    )


def import_sor_csv(
    reg: Register,
    path: str | os.PathLike[str],
    *,
    dry_run: bool = False,
    max_closures: int = DEFAULT_MAX_CLOSURES,
    force: bool = False,
    close_missing: bool = True,
    reason: str | None = None,
    chunk: int = 50_000,
    encoding: str | None = None,
    scope: str | None = None,
) -> ImportReport:
    """Import a SOR CSV export: the SOR2 ``SorEntity`` CSV or the ``CodeSOR;ParentCodeSOR;...`` dump.

    The shape is recognised from the header. Arguments, result and errors as
    :func:`import_sor_xml`; ``encoding`` overrides the default (UTF-8 with or without BOM,
    falling back to ISO-8859-1 for the old exports).
    """
    from sorkit.importers.csv import parse_sor_csv

    parsed = parse_sor_csv(path, encoding=encoding)
    return import_parsed(
        reg,
        parsed,
        dry_run=dry_run,
        max_closures=max_closures,
        force=force,
        close_missing=close_missing,
        reason=reason,
        chunk=chunk,
        scope=scope,
    )


def _change_id(now: dt.datetime) -> str:
    return f"import-{now:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def import_parsed(
    reg: Register,
    parsed: ParsedFile,
    *,
    dry_run: bool = False,
    max_closures: int = DEFAULT_MAX_CLOSURES,
    force: bool = False,
    close_missing: bool = True,
    reason: str | None = None,
    chunk: int = 50_000,
    scope: str | None = None,
) -> ImportReport:
    """Validate and import a parsed export (see :func:`import_sor_xml`)."""
    scope = resolve_scope(scope, parsed)
    if parsed.problems:
        raise ImportRejected(parsed.source, parsed.problems)
    if reg.role != "sds_admin":
        raise SorImportError(f"{reg.user} må ikke importere SOR-udtræk (kræver rollen sds_admin)")
    snap = reg.snapshot()
    problems: list[Problem] = []
    adjustments: list[str] = []
    records = order_top_down(parsed.records, snap, problems)
    fit_to_parents(records, snap, problems, adjustments)
    if problems:
        raise ImportRejected(parsed.source, problems)
    now = reg.clock.now()
    change_id = _change_id(now)
    owners = covered_owners(records, snap, parsed.snapshot_date or reg.today)
    if len(snap) == 0:
        report = _fresh(
            reg, parsed, records, snap, adjustments, change_id, now, dry_run, reason, chunk
        )
    else:
        report = _update(
            reg,
            parsed,
            records,
            snap,
            adjustments,
            change_id,
            now,
            dry_run=dry_run,
            max_closures=max_closures,
            force=force,
            close_missing=close_missing,
            reason=reason,
            owners=None if scope == "complete" else set(owners),
        )
    report.scope = scope
    report.owners = owners
    return report


def _parameters(parsed: ParsedFile, rec: UnitRecord | None, **more: Any) -> dict[str, Any]:
    params: dict[str, Any] = {"file": parsed.source, "format": parsed.format}
    if parsed.snapshot_date is not None:
        params["snapshot_date"] = parsed.snapshot_date
    if rec is not None:
        params["from_date"] = rec.from_date
        if rec.extra:
            params["extra"] = rec.extra
    params.update(more)
    return params


def _fresh(
    reg: Register,
    parsed: ParsedFile,
    records: list[UnitRecord],
    snap: Snapshot,
    adjustments: list[str],
    change_id: str,
    now: dt.datetime,
    dry_run: bool,
    reason: str | None,
    chunk: int,
) -> ImportReport:
    user = reg.user
    parts: list[tuple[list[Any], list[Version], list[AuditRow]]] = []
    all_versions: list[Version] = []
    rows = []
    for i in range(0, len(records), max(chunk, 1)):
        events, versions, audit = [], [], []
        for rec in records[i : i + chunk]:
            evs = unit_events(rec, change_id, now, user)
            events += evs
            vs = project(rec.sor_code, evs, recorded_at=now, recorded_by=user)
            versions += vs
            audit.append(
                AuditRow(
                    change_id,
                    rec.sor_code,
                    "import",
                    rec.first_from,
                    _parameters(parsed, rec),
                    {},
                    reason or DEFAULT_REASON,
                    None,
                )
            )
            note = "oprettet" + (f"; lukket efter {rec.last_day}" if rec.last_day else "")
            rows.append(("added", rec.sor_code, rec.name, rec.level, rec.first_from, note))
        parts.append((events, versions, audit))
        all_versions += versions
    broken = guarantee_problems(Snapshot(all_versions))
    if broken:
        raise ImportRejected(parsed.source, broken)
    report = ImportReport(
        source=parsed.source,
        format=parsed.format,
        mode="new",
        dry_run=dry_run,
        written=False,
        change_id=None,
        summary=summary_frame(rows),
        adjustments=adjustments,
        units=len(records),
        snapshot_date=parsed.snapshot_date,
        address_problems=address_findings(records),
    )
    if dry_run:
        return report
    try:
        bulk_import(reg, parts, user, now, snap.generation)
    except StaleSnapshot:
        raise SorImportError(
            "Registret blev ændret, mens importen blev forberedt; intet er skrevet. Prøv igen."
        ) from None
    report.written = True
    report.change_id = change_id
    return report


def _update(
    reg: Register,
    parsed: ParsedFile,
    records: list[UnitRecord],
    snap: Snapshot,
    adjustments: list[str],
    change_id: str,
    now: dt.datetime,
    *,
    dry_run: bool,
    max_closures: int,
    force: bool,
    close_missing: bool,
    reason: str | None,
    owners: set[str] | None,
) -> ImportReport:
    ref_day = parsed.snapshot_date or reg.today
    plan = plan_update(
        records,
        snap,
        ref_day,
        change_id,
        now,
        reg.user,
        close_missing=close_missing,
        owners=owners,
    )
    updates, broken = project_updates(snap, plan.events, now)
    if not broken:
        broken = guarantee_problems(snap.overlay(updates), list(updates))
    if broken:
        raise ImportRejected(
            parsed.source,
            broken,
            head=f"Ændringerne fra {parsed.source} ville bryde registrets garantier",
        )
    report = ImportReport(
        source=parsed.source,
        format=parsed.format,
        mode="update",
        dry_run=dry_run,
        written=False,
        change_id=None,
        summary=summary_frame(plan.rows),
        adjustments=adjustments,
        conflicts=plan.conflicts,
        units=len(records),
        snapshot_date=parsed.snapshot_date,
        address_problems=address_findings(records),
    )
    if plan.closures > max_closures and not force:
        if dry_run:
            report.conflicts.append(
                f"Importen lukker {plan.closures} enheder (mere end max_closures={max_closures}); "
                "kræver force=True"
            )
            return report
        raise SorImportError(
            f"Importen af {parsed.source} ville lukke {plan.closures} enheder, mere end "
            f"max_closures={max_closures}. Kontrollér med dry_run=True, og brug force=True, "
            "hvis lukningerne er rigtige. Intet er skrevet."
        )
    if dry_run or not plan.events:
        return report
    by_code = {r.sor_code: r for r in records}
    audit = [
        AuditRow(
            change_id,
            code,
            "import",
            plan.dates.get(code),
            _parameters(parsed, by_code.get(code), action=action),
            {},
            reason or DEFAULT_REASON,
            None,
        )
        for code, action in plan.actions.items()
    ]
    ws = WriteSet(
        expected_generation=snap.generation,
        user=reg.user,
        events=plan.events,
        audit=audit,
        touched=set(plan.actions),
    )
    try:
        commit(reg, ws, now=now, project=lambda code, evs, at: project(code, evs, recorded_at=at))
    except StaleSnapshot:
        raise SorImportError(
            "Registret blev ændret, mens importen blev forberedt; intet er skrevet. Prøv igen."
        ) from None
    report.written = True
    report.change_id = change_id
    return report


def source_name(path: str | os.PathLike[str]) -> str:
    """The name an import file is known by in messages and the audit."""
    return Path(path).name
