"""The :class:`Register`: one SOR register file, read through an in-memory snapshot.

Reads answer from a :class:`~sorkit.snapshot.Snapshot` that is refreshed whenever the file has
changed (another notebook, a batch or a report may share it), so they never hold a lock. Writes
go through :mod:`sorkit.engine` (plan, then apply in one short transaction).
"""

from __future__ import annotations

import datetime as dt
import gc
import getpass
import os
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sorkit.clock import Clock
from sorkit.errors import UnitNotFound
from sorkit.ids import clean_digits, sor_serial
from sorkit.model import Unit, Version
from sorkit.search.frames import PathCache, unit_frame
from sorkit.search.index import CLOSED, GONE, IntArray, SearchIndex, cached_index
from sorkit.search.resultframes import index_frame
from sorkit.snapshot import Snapshot
from sorkit.store import open_store
from sorkit.store.interface import RegisterStore
from sorkit.units import read_unit

if TYPE_CHECKING:
    from sorkit.batch import BatchApplied, BatchPlan
    from sorkit.changes import Change
    from sorkit.engine.values import Applied, Plan

ROLES = ("reader", "steward", "sds_admin")


def default_user() -> str:
    """The user a register opens as: $SORKIT_USER, then $JUPYTERHUB_USER, then the OS user."""
    for var in ("SORKIT_USER", "JUPYTERHUB_USER"):
        if os.environ.get(var):
            return os.environ[var]
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user database in some containers
        return "ukendt"


class _Shared:
    """What all users' views of one register share: the store, clock and snapshot cache."""

    def __init__(self, store: RegisterStore, clock: Clock):
        self.store = store
        self.clock = clock
        self.lock = threading.RLock()
        self.snapshot: Snapshot | None = None
        self.stat: tuple[int, ...] | None = None
        self.users: dict[str, tuple[str, tuple[str, ...], str | None]] | None = None


class Register:
    """A SOR register as one user sees it: reads, search, plan and apply.

    Create one with :func:`open_register` or :func:`sorkit.demo_register`.
    """

    def __init__(self, shared: _Shared, user: str):
        """Use :func:`open_register`; this constructor is internal."""
        self._shared = shared
        self.user = user

    # -- identity and clock --------------------------------------------------------------

    @property
    def store(self) -> RegisterStore:
        """The storage behind this register (see :mod:`sorkit.store.interface`)."""
        return self._shared.store

    @property
    def path(self) -> str | None:
        """The register file (None for an in-memory register)."""
        p = self._shared.store.path
        return None if p is None else str(p)

    @property
    def clock(self) -> Clock:
        """The register's clock."""
        return self._shared.clock

    @property
    def today(self) -> dt.date:
        """The clock's date."""
        return self._shared.clock.today()

    def as_user(self, user: str) -> Register:
        """The same register, seen and changed as another user."""
        return Register(self._shared, user)

    def _users(self) -> dict[str, tuple[str, tuple[str, ...], str | None]]:
        self.snapshot()  # refreshes the user table too when the file changed
        if self._shared.users is None:
            self._shared.users = self.store.users()
        return self._shared.users

    @property
    def role(self) -> str:
        """The user's role: ``reader``, ``steward`` or ``sds_admin``.

        A register with no users at all is unmanaged: whoever opens it is ``sds_admin``. In a
        managed register an unknown user is a ``reader``.
        """
        users = self._users()
        if not users:
            return "sds_admin"
        return users.get(self.user, ("reader", (), None))[0]

    @property
    def scopes(self) -> tuple[str, ...]:
        """SOR codes of the subtrees a steward may change."""
        return self._users().get(self.user, ("reader", (), None))[1]

    def add_user(
        self, name: str, role: str, scopes: Iterable[str] = (), display_name: str | None = None
    ) -> None:
        """Create or replace a user (only an sds_admin may, or anyone while unmanaged).

        Raises:
            PermissionError: the current user is not an sds_admin.
            ValueError: unknown role or an invalid SOR code among the scopes.
        """
        if self.role != "sds_admin":
            raise PermissionError(f"{self.user} må ikke oprette brugere (kræver rollen sds_admin)")
        if role not in ROLES:
            raise ValueError(f"rolle: '{role}' er ikke en af {', '.join(ROLES)}")
        scopes = tuple(clean_digits(s) for s in scopes)
        for s in scopes:
            sor_serial(s)
        self.store.set_user(name, role, scopes, display_name)
        self._shared.users = None
        self._shared.stat = None

    # -- snapshot ------------------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        """The current snapshot, re-read if anyone wrote to the file since it was read."""
        sh = self._shared
        with sh.lock:
            stat = sh.store.stat_key()
            if sh.snapshot is not None and (stat is None or stat == sh.stat):
                return sh.snapshot
            if sh.snapshot is None:
                gen, versions = sh.store.load_current()
                sh.snapshot = Snapshot(versions, gen)
                # Millions of long-lived objects: keep the cyclic collector from walking them
                # on every full collection (each walk took seconds at 200,000 units).
                gc.freeze()
            else:
                gen, codes, versions = sh.store.load_changed_since(sh.snapshot.generation)
                if gen != sh.snapshot.generation:
                    grouped: dict[str, list[Version]] = {c: [] for c in codes}
                    for v in versions:
                        grouped[v.sor_code].append(v)
                    sh.snapshot.replace_units(grouped, gen)
            sh.users = None
            # The stat taken before reading: a write during the read makes the next call look.
            sh.stat = stat
            return sh.snapshot

    def _after_write(self, generation: int, updates: dict[str, list[Version]]) -> None:
        sh = self._shared
        with sh.lock:
            snap = sh.snapshot
            if snap is not None and snap.generation == generation - 1:
                snap.replace_units(updates, generation)
                # The file's stat as this write left it, if the store could take it before
                # anyone else could write; never the stat now (another process may have
                # written since).
                written_gen, stat = sh.store.written
                sh.stat = stat if written_gen == generation else None
            else:
                sh.snapshot = None
                sh.stat = None

    def recheck(self) -> None:
        """Make the next :meth:`snapshot` ask the store for writes even if the file looks unchanged.

        Cheaper than :meth:`refresh`: only the units written since are read again.
        """
        with self._shared.lock:
            self._shared.stat = None

    def refresh(self) -> None:
        """Drop the cached snapshot; the next read loads the register from the file."""
        with self._shared.lock:
            self._shared.snapshot = None
            self._shared.stat = None
            self._shared.users = None

    def max_sor_serial(self) -> int:
        """The highest running number among the SOR codes in the register (0 if none)."""
        return self.snapshot().max_serial()

    # -- reads ---------------------------------------------------------------------------

    def _day(self, as_of: dt.date | None) -> dt.date:
        return self.today if as_of is None else as_of

    def _code(self, sor_code: Any) -> str:
        return clean_digits(sor_code)

    def unit(
        self, sor_code: Any, as_of: dt.date | None = None, known_at: dt.datetime | None = None
    ) -> Unit:
        """The unit on ``as_of`` (default today) as known at ``known_at`` (default now).

        A future unit is shown as it will start; a closed one as it was last.

        Raises:
            UnitNotFound: no unit has this SOR code (or it was unknown at ``known_at``).
        """
        code = self._code(sor_code)
        day = self._day(as_of)
        snap = self.snapshot()
        if known_at is not None:
            snap = snap.overlay({code: self.store.versions_known_at(code, known_at)})
        return read_unit(snap, code, day)

    def _require(self, snap: Snapshot, code: str) -> None:
        if not snap.exists(code):
            raise UnitNotFound(code)

    def children(
        self, sor_code: Any, as_of: dt.date | None = None, include_closed: bool = False
    ) -> pd.DataFrame:
        """One row per direct child on ``as_of``, by name (columns as :meth:`search`)."""
        code, day, snap = self._code(sor_code), self._day(as_of), self.snapshot()
        self._require(snap, code)
        kids = sorted(snap.children(code, day), key=lambda v: (v.name.casefold(), v.sor_code))
        codes = [v.sor_code for v in kids]
        candidates = sorted(snap.child_candidates(code))
        if include_closed:
            # Units that were children before they closed (their last parent is this unit).
            for child in candidates:
                vs = snap.versions(child)
                if vs and vs[-1].parent == code and snap.status(child, day) == "closed":
                    codes.append(child)
        listed = set(codes)
        future = [
            c
            for c in candidates
            if c not in listed
            and snap.status(c, day) == "future"
            and snap.versions(c)[0].parent == code
        ]
        return unit_frame(snap, codes + future, day)

    def ancestors(self, sor_code: Any, as_of: dt.date | None = None) -> pd.DataFrame:
        """The unit's ancestors on ``as_of``, root first (columns as :meth:`search`)."""
        code, day, snap = self._code(sor_code), self._day(as_of), self.snapshot()
        self._require(snap, code)
        chain = [v.sor_code for v in snap.ancestors(code, day)]
        return unit_frame(snap, list(reversed(chain)), day)

    def subtree(
        self,
        sor_code: Any,
        as_of: dt.date | None = None,
        unit_type: Any = None,
        include_closed: bool = False,
    ) -> pd.DataFrame:
        """The unit and every unit under it on ``as_of``, in tree order.

        Tree order: each unit followed by the units under it, siblings by name (case ignored),
        then SOR code; the units closed before ``as_of`` (``include_closed``) come last, by SOR
        code.

        Args:
            sor_code: the top of the subtree.
            as_of: the date (default today).
            unit_type: keep only units of this type (SNOMED CT code).
            include_closed: also units under it that closed before ``as_of``.
        """
        code, day, snap = self._code(sor_code), self._day(as_of), self.snapshot()
        self._require(snap, code)
        wanted = None if unit_type is None else str(unit_type)
        index = cached_index(snap)
        if index is not None:  # the search index knows the tree on the day: one range
            with index.lock:
                return self._subtree_from_index(index, code, day, wanted, include_closed)
        order = []
        stack = [code]
        seen = {code}
        while stack:
            current = stack.pop()
            order.append(current)
            kids = sorted(
                snap.children(current, day),
                key=lambda v: (v.name.casefold(), v.sor_code),
                reverse=True,
            )
            stack.extend(v.sor_code for v in kids if v.sor_code not in seen)
            seen.update(v.sor_code for v in kids)
        if include_closed:
            order += self._closed_below(snap, code, day, set(order))
        if wanted is not None:
            order = [
                c for c in order if (snap.reference_version(c, day) or _NO).unit_type == wanted
            ]
        return unit_frame(snap, order, day, PathCache(snap, day))

    def _closed_below(self, snap: Snapshot, code: str, day: dt.date, listed: set[str]) -> list[str]:
        """Units ever under ``code`` that are closed on ``day`` and not listed, by SOR code."""
        return [
            c
            for c in sorted(snap.ever_descendants(code))
            if c not in listed and snap.status(c, day) == "closed"
        ]

    def _subtree_from_index(
        self,
        index: SearchIndex,
        code: str,
        day: dt.date,
        wanted: str | None,
        include_closed: bool,
    ) -> pd.DataFrame:
        """:meth:`subtree` from the index's view of the day (the caller holds its lock)."""
        view = index.day(day)
        top = index.code_id[code]
        below = view.by_pos[view.pos[top] : view.last[top] + 1]  # top first, in tree order
        keep = view.valid[below]
        keep[0] = True
        uids = below[keep]
        if include_closed:
            listed = {index.codes[u] for u in uids.tolist()}
            closed = self._closed_below(index.snap, code, day, listed)
            uids = np.concatenate([uids, np.array([index.code_id[c] for c in closed], np.int64)])
        if wanted is not None:
            uids = uids[view.unit_type[uids] == index.type_id.get(wanted, -2)]
        return index_frame(index, view, uids)

    def roots(self, as_of: dt.date | None = None, only_mine: bool = False) -> pd.DataFrame:
        """The IEs on ``as_of`` by name, or with ``only_mine`` the user's scope roots."""
        day, snap = self._day(as_of), self.snapshot()
        if only_mine and self.role != "sds_admin":
            frame = unit_frame(snap, [c for c in self.scopes if snap.exists(c)], day)
        elif (index := cached_index(snap)) is not None:  # it knows every unit on the day
            with index.lock:
                frame = index_frame(index, index.day(day), _root_ids(index, day))
        else:
            codes = [
                c
                for c in snap.codes()
                if (v := snap.reference_version(c, day)) is not None
                and v.parent is None
                and snap.status(c, day) != "closed"
            ]
            frame = unit_frame(snap, codes, day)
        return (
            frame.sort_values("name", key=lambda s: s.str.casefold(), ignore_index=True)
            if len(frame)
            else frame
        )

    def history(self, sor_code: Any, include_cancelled: bool = False) -> pd.DataFrame:
        """One row per change of the unit: what changed, from when, who, when and why."""
        from sorkit.history import history

        return history(self, self._code(sor_code), include_cancelled)

    def pending(self, as_of: dt.date | None = None, under: Any = None) -> pd.DataFrame:
        """Changes not yet in effect on ``as_of`` (default today), optionally under a unit."""
        from sorkit.history import pending

        return pending(self, as_of, None if under is None else self._code(under))

    def audit(
        self, start: dt.date | None = None, end: dt.date | None = None, sor_code: Any = None
    ) -> pd.DataFrame:
        """The audit records of a period (recorded dates inclusive), newest first."""
        from sorkit.history import audit_trail

        return audit_trail(self, start, end, None if sor_code is None else self._code(sor_code))

    # -- search --------------------------------------------------------------------------

    def search(self, text: str | None = None, **criteria: Any) -> pd.DataFrame:
        """Search units by name (wildcards ``*`` and ``?``), identifiers and place in the tree.

        See :func:`sorkit.search.search` for the criteria.
        """
        from sorkit.search import search

        return search(self, text, **criteria)

    # -- changes -------------------------------------------------------------------------

    def earliest_date(self, operation: str) -> dt.date:
        """The earliest effective date ``operation`` allows today (for a close: its last day).

        ``operation`` is ``create``, ``edit``, ``move``, ``close`` or ``location_number``
        (rules.md §3); the forms start their date fields here.
        """
        from sorkit.rules.general import earliest_date

        return earliest_date(operation, self.today)

    def plan(self, change: Change) -> Plan:
        """Plan a change: violations, effective date and preview; writes nothing."""
        from sorkit.engine import plan_change

        return plan_change(self, change)

    def apply(
        self, plan: Plan, accept: dict[str, str] | None = None, reason: str | None = None
    ) -> Applied:
        """Apply a plan in one transaction (accepting the named warnings, each with a reason).

        Raises:
            ChangeRejected: errors, warnings not accepted, or a concurrent change.
        """
        from sorkit.engine import apply_plan

        return apply_plan(self, plan, accept, reason)

    def cancel(self, change_id: str, reason: str | None = None) -> Applied:
        """Cancel a pending change before it takes effect.

        Raises:
            ChangeRejected: the change is unknown, already in effect, or not the user's to cancel.
        """
        from sorkit.engine import cancel_change

        return cancel_change(self, change_id, reason)

    def plan_batch(self, batch: Any, **options: Any) -> BatchPlan:
        """Plan a whole batch against the register as it will be, row after row."""
        from sorkit.batch import plan_batch

        return plan_batch(self, batch, **options)

    def apply_batch(
        self, report: BatchPlan, accept: dict[str, str] | None = None, reason: str | None = None
    ) -> BatchApplied:
        """Apply a planned batch: all rows in one transaction, or nothing."""
        from sorkit.batch import apply_batch

        return apply_batch(self, report, accept=accept, reason=reason)

    def __repr__(self) -> str:
        return f"<Register {self.path or ':memory:'} user={self.user} today={self.today}>"


def _root_ids(index: SearchIndex, day: dt.date) -> IntArray:
    """Units with no parent on ``day`` (by their reference version), not closed nor gone."""
    view = index.day(day)
    parent_less = index.v_parent[view.ref] < 0
    if index.missing_parent:  # a parent that is no unit is still a parent
        parent_less &= ~np.isin(view.ref, np.fromiter(index.missing_parent, np.int64))
    return np.flatnonzero(parent_less & (view.status != CLOSED) & (view.status != GONE))


class _NoVersion:
    unit_type = None


_NO: Any = _NoVersion()


def open_register(
    path: str | os.PathLike[str] | None = None,
    *,
    user: str | None = None,
    today: dt.date | None = None,
    busy_timeout: float = 60.0,
) -> Register:
    """Open or create a register (a DuckDB file; None = in-memory).

    Args:
        path: the register file; created if missing, upgraded if made by an older sorkit.
        user: who works on it (default $SORKIT_USER, then $JUPYTERHUB_USER, then the OS user).
        today: fix the register's today (tests, planning); default the real date.
        busy_timeout: seconds to wait for another process that holds the file.

    Raises:
        SchemaError: the file is not a sorkit register or was made by a newer sorkit.
    """
    store = open_store(path, busy_timeout=busy_timeout)
    return Register(_Shared(store, Clock(today)), user or default_user())
