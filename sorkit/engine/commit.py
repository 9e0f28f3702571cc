"""The one write path: every change reaches the register's store through this module.

:func:`commit` writes a :class:`~sorkit.store.WriteSet` (events, cancellations, audit rows, a
batch record) in one transaction and then brings the register up to date: its snapshot takes
the touched units' new versions at the new generation; the search index and the change log are
kept per snapshot and catch up with it on their next read (the change log reads only the units
written since the generation it holds). :func:`audit_rows` builds the audit records of a planned change; :func:`bulk_import`
and :func:`bulk_load` are the two whole-register writes (an import into an empty register, the
demo builder). The engine, cancel, batch apply, the importers and the demo builder call these;
nothing else calls the store's write methods or the register's private members.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sorkit.model import Event, Version
from sorkit.store import AuditRow, WriteSet
from sorkit.store.interface import ImportChunk, Projector
from sorkit.timeline import project

if TYPE_CHECKING:
    import pyarrow as pa

    from sorkit.register import Register

__all__ = ["audit_rows", "bulk_import", "bulk_load", "commit", "load_dump", "project_events"]


def project_events(code: str, events: list[Event], now: dt.datetime) -> list[Version]:
    """A unit's versions from its current events, recorded at ``now`` (the usual projector)."""
    return project(code, events, recorded_at=now)


def audit_rows(
    change_id: str,
    sor_codes: Sequence[str],
    operation: str,
    effective_from: dt.date | None,
    parameters: Mapping[str, Any],
    accepted: Mapping[str, str],
    reason: str | None,
    batch_id: str | None = None,
) -> list[AuditRow]:
    """One audit record per changed unit; the units after the first name it as ``cascade_from``.

    Args:
        change_id: the change.
        sor_codes: the changed units, the one the change names first.
        operation: create, edit, move, close or location_number.
        effective_from: the change's effective date.
        parameters: the change's parameters (as :func:`sorkit.changes.change_parameters`).
        accepted: the accepted warning codes with their reasons.
        reason: why the change is made.
        batch_id: the batch the change belongs to.
    """
    return [
        AuditRow(
            change_id,
            code,
            operation,
            effective_from,
            parameters if i == 0 else {**parameters, "cascade_from": sor_codes[0]},
            accepted,
            reason,
            batch_id,
        )
        for i, code in enumerate(sor_codes)
    ]


def commit(
    reg: Register,
    ws: WriteSet,
    *,
    now: dt.datetime | None = None,
    project: Projector = project_events,
) -> int:
    """Write ``ws`` in one transaction and bring the register's snapshot up to date.

    Args:
        reg: the register written to.
        ws: what to write; ``ws.expected_generation`` is the generation it was planned on.
        now: the transaction time stamped on every row (default the register's clock).
        project: folds a unit's current events into its versions.

    Returns:
        The register's new generation.

    Raises:
        StaleSnapshot: someone else wrote since ``ws.expected_generation``; nothing written.
    """
    at = reg.clock.now() if now is None else now
    generation, updates = reg.store.write(ws, project, at)
    reg._after_write(generation, updates)
    return generation


def bulk_import(
    reg: Register,
    chunks: Iterable[ImportChunk],
    user: str,
    now: dt.datetime,
    expected_generation: int,
) -> int:
    """Insert an import into an empty register in one transaction, then re-read it.

    Raises:
        StaleSnapshot: someone wrote since the import was planned (nothing written).
    """
    generation = reg.store.bulk_import(chunks, user, now, expected_generation)
    reg.refresh()
    return generation


def bulk_load(
    reg: Register,
    events: Sequence[Event],
    versions: Sequence[Version] | pa.Table,
    audit: Sequence[AuditRow],
    user: str,
    now: dt.datetime,
) -> int:
    """Insert pre-projected events and versions (one transaction), then re-read the register."""
    generation = reg.store.bulk_load(events, versions, audit, user, now)
    reg.refresh()
    return generation


def load_dump(reg: Register, folder: str | Path) -> dict[str, Any]:
    """Fill the (empty) register from a Parquet dump in one transaction, then re-read it.

    Returns:
        The dump's manifest.
    """
    manifest = reg.store.load_parquet(folder)
    reg.refresh()
    return manifest
