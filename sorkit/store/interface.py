"""The store interface: every method the rest of sorkit calls on a register's store.

This is the seam a second storage engine implements. :class:`sorkit.store.Store` (DuckDB, one
file or in memory) is the one implementation today; :func:`sorkit.store.open_store` picks it.
Everything outside :mod:`sorkit.store` holds a store as :class:`RegisterStore` and never sees
SQL, a connection or an engine type; mypy checks that it calls nothing else.

The contract every implementation keeps:

* **Transactions.** Each write method is one transaction: all of it or nothing.
* **Generation.** A counter that grows by one with every committed write (also a user change).
  :meth:`RegisterStore.write` and :meth:`RegisterStore.bulk_import` first check it against the
  caller's and raise :class:`~sorkit.errors.StaleSnapshot` when another writer came first,
  having written nothing.
* **Bitemporal rows.** Rows are never deleted or updated in place except to stamp
  ``superseded_at`` (a version or a cancelled event); every row carries ``recorded_at`` and
  ``recorded_by``.
* **Busy.** A store that cannot get at the register within ``busy_timeout`` seconds raises
  :class:`~sorkit.errors.RegisterBusy`.
* **Values.** Reads return :class:`~sorkit.model.Version` and :class:`~sorkit.model.Event`
  values (or plain rows/DataFrames where a method says so), never engine objects.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from sorkit.model import Event, Version

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from sorkit.store import AuditRow, WriteSet
    from sorkit.store.backup_sql import RegisterContents
    from sorkit.store.reads import AuditGaps

#: Folds a unit's current events into its versions, stamped with the transaction time.
Projector = Callable[[str, list[Event], dt.datetime], list[Version]]
#: One part of a bulk import: its events, versions and audit rows.
ImportChunk = tuple[Sequence[Event], Sequence[Version], Sequence["AuditRow"]]


class RegisterStore(Protocol):
    """What sorkit needs from a register's storage (see the module docstring for the contract).

    Attributes:
        path: the register file (None: in memory, or not a file).
        busy_timeout: seconds to wait for a register another process holds.
        written: (generation, file fingerprint) of this store's last write, or ``(-1, None)``;
            the register uses it to skip re-reading what it wrote itself.
    """

    path: Path | None
    busy_timeout: float
    written: tuple[int, tuple[int, ...] | None]

    # -- change detection and housekeeping ----------------------------------------------------

    def stat_key(self) -> tuple[int, ...] | None:
        """A cheap fingerprint that changes whenever anyone writes (None: not available)."""
        ...

    def generation(self) -> int:
        """The write counter."""
        ...

    def schema_version(self) -> int:
        """The register's schema version."""
        ...

    def release(self) -> None:
        """Let go of the register now if this process is not using it."""
        ...

    def checkpoint(self) -> None:
        """Make every committed write durable in the register itself (before copying it)."""
        ...

    # -- versions and events ------------------------------------------------------------------

    def load_current(self) -> tuple[int, list[Version]]:
        """Every current-knowledge version, with the generation read at."""
        ...

    def load_changed_since(self, gen: int) -> tuple[int, set[str], list[Version]]:
        """Units written after ``gen``: (new generation, their codes, their current versions)."""
        ...

    def versions_known_at(self, sor_code: str, known_at: dt.datetime) -> list[Version]:
        """The unit's versions as they were known at ``known_at`` (transaction time)."""
        ...

    def events_for(self, codes: Iterable[str], *, include_cancelled: bool = False) -> list[Event]:
        """The change events of the given units (cancelled ones only on request)."""
        ...

    def events_for_change(self, change_id: str) -> list[Event]:
        """The current (not cancelled) events of one change."""
        ...

    def event_log(self) -> tuple[int, int, pa.Table, pa.Table]:
        """(generation, highest audit id, every event, every audit record) as Arrow tables.

        The tables' columns are those of :mod:`sorkit.store.logrows`.
        """
        ...

    def event_log_since(
        self, generation: int, audit_id: int
    ) -> tuple[int, int, set[str], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        """(generation, highest audit id, units, their event rows, their audit rows) since then."""
        ...

    # -- history, reports, checks -------------------------------------------------------------

    def pending_events(self, after: dt.date) -> list[tuple[Any, ...]]:
        """Events taking effect after ``after`` (rows of ``reads.EVENT_ROW_COLUMNS``)."""
        ...

    def period_events(self, first: dt.date, last: dt.date, by: str) -> list[tuple[Any, ...]]:
        """Events in ``[first, last]`` by ``"effective"`` or ``"recorded"`` date, with batch."""
        ...

    def audit_records(
        self,
        start: dt.date | None = None,
        end: dt.date | None = None,
        sor_code: str | None = None,
    ) -> pd.DataFrame:
        """Audit records recorded in ``[start, end]``, newest first."""
        ...

    def audit_gaps(self) -> AuditGaps:
        """Writes without their audit record; batches without their record or rows."""
        ...

    def contents(self) -> RegisterContents:
        """Everything the integrity check looks at, read in one transaction."""
        ...

    def batch_with_hash(self, plan_hash: str) -> tuple[Any, ...] | None:
        """(batch id, applied by, applied at) of the batch applied with this plan hash."""
        ...

    # -- users --------------------------------------------------------------------------------

    def users(self) -> dict[str, tuple[str, tuple[str, ...], str | None]]:
        """All users: name -> (role, scopes, display name)."""
        ...

    def set_user(
        self, name: str, role: str, scopes: Iterable[str] = (), display_name: str | None = None
    ) -> None:
        """Create or replace a user (a write: the generation grows)."""
        ...

    # -- writes (called only by sorkit.engine.commit) -----------------------------------------

    def write(
        self, ws: WriteSet, project: Projector, now: dt.datetime
    ) -> tuple[int, dict[str, list[Version]]]:
        """Write events, cancellations, audit rows and a batch record; re-project the units.

        Returns the new generation and, per touched unit, its current versions afterwards.
        """
        ...

    def bulk_load(
        self,
        events: Sequence[Event],
        versions: Sequence[Version] | pa.Table,
        audit: Sequence[AuditRow],
        user: str,
        now: dt.datetime,
    ) -> int:
        """Insert pre-projected events and versions (the demo builder); the new generation."""
        ...

    def bulk_import(
        self,
        chunks: Iterable[ImportChunk],
        user: str,
        now: dt.datetime,
        expected_generation: int,
        *,
        require_empty: bool = True,
    ) -> int:
        """Insert an import's parts in one transaction; the new generation."""
        ...

    # -- whole-register copies ----------------------------------------------------------------

    def dump_parquet(self, folder: str | Path, *, sorkit_version: str = "") -> dict[str, Any]:
        """Every table as Parquet in ``folder`` with a manifest; returns the manifest."""
        ...

    def load_parquet(self, folder: str | Path) -> dict[str, Any]:
        """Fill this (empty) register from a Parquet dump; returns the manifest."""
        ...
