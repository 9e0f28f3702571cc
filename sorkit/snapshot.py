"""An in-memory, indexed view of every unit's current versions: what reads and rules work on.

The register keeps one :class:`Snapshot` per generation of the file; reading never touches the
database. Planning works on an :meth:`Snapshot.overlay`, a cheap copy-on-write view holding the
would-be versions of the units a change touches, so rules see the register as it would be.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from sorkit.model import Version

_EMPTY: tuple[Version, ...] = ()


class Snapshot:
    """Current versions of all units, indexed by unit and by parent."""

    def __init__(self, versions: Iterable[Version] = (), generation: int = 0):
        """Index ``versions`` (any order) read at ``generation``."""
        self.generation = generation
        self._base: Snapshot | None = None
        self._by_code: dict[str, tuple[Version, ...]] = {}
        self._children: dict[str, set[str]] = {}
        self._indexes: dict[str, dict[str, set[str]]] = {}
        self._max_serial: int | None = None
        self._own_indexes: dict[str, dict[Any, set[str]]] = {}
        self._tree: Any = None  # Arrow table of TREE_COLUMNS, made on first use
        self._stale: set[str] = set()  # units whose rows in _tree are out of date
        by_code = getattr(versions, "by_code", None)
        children = getattr(versions, "children", None)
        if by_code is not None and children is not None:
            # Loaded by the store: already sorted, grouped and indexed by parent.
            self._by_code = by_code
            self._children = children
            self._tree = getattr(versions, "tree", None)
            return
        grouped: dict[str, list[Version]] = {}
        for v in versions:
            grouped.setdefault(v.sor_code, []).append(v)
        for code, vs in grouped.items():
            vs.sort(key=lambda v: v.valid_from)
            self._by_code[code] = tuple(vs)
            for v in vs:
                if v.parent is not None:
                    self._children.setdefault(v.parent, set()).add(code)

    # -- change --------------------------------------------------------------------------

    def overlay(self, updates: Mapping[str, Iterable[Version]]) -> Snapshot:
        """A view of this snapshot in which the given units have the given versions."""
        view = Snapshot.__new__(Snapshot)
        view.generation = self.generation
        view._base = self
        view._by_code = {}
        view._children = {}
        view._indexes = {}
        view._max_serial = None
        view._tree = None
        view._stale = set()
        view._own_indexes = {}
        view._set(updates)
        return view

    def max_serial(self) -> int:
        """The highest running number among the SOR codes (for allocating the next code)."""
        if self._max_serial is not None:
            return self._max_serial
        best = self._base.max_serial() if self._base is not None else 0
        own = self._by_code if self._base is not None else self.codes()
        best = max(best, _max_serial(own))
        self._max_serial = best
        return best

    def replace_units(self, updates: Mapping[str, Iterable[Version]], generation: int) -> None:
        """Replace the versions of some units in place (after a write by this process)."""
        self._set(updates)
        if self._max_serial is not None:
            # Units are never deleted, so the highest serial only grows: look at the new ones
            # (recomputing over every code took a second per write at national scale).
            self._max_serial = max(self._max_serial, _max_serial(updates))
        self.generation = generation

    def _set(self, updates: Mapping[str, Iterable[Version]]) -> None:
        if self._tree is not None:
            self._stale.update(updates)
        # Identifier indexes are patched, not dropped: a batch replaces units row after row,
        # and rebuilding an index over a million versions after every write would dominate.
        indexes = [*self._indexes.items(), *self._own_indexes.items()]
        for code, versions in updates.items():
            vs = tuple(sorted(versions, key=lambda v: v.valid_from))
            if indexes:
                old = self.versions(code)
                for field, index in indexes:
                    for v in old:
                        value = _field_value(v, field)
                        if value and (holders := index.get(value)) is not None:
                            holders.discard(code)
                    for v in vs:
                        value = _field_value(v, field)
                        if value:
                            index.setdefault(value, set()).add(code)
            self._by_code[code] = vs
            for v in vs:
                if v.parent is not None:
                    self._children.setdefault(v.parent, set()).add(code)

    def tree_table(self) -> Any:
        """Every current version's tree columns (``TREE_COLUMNS``) as one Arrow table.

        Made from the versions on first use (the load keeps no second, columnar copy of the
        register) and patched for units replaced since (cheap); an overlay makes its own each
        time. For analysts who want the tree as columns (Arrow compute, DuckDB); sorkit's own
        whole-register reads use the search index instead (:mod:`sorkit.search.resultframes`).
        """
        import pyarrow as pa
        import pyarrow.compute as pc

        from sorkit.store.rows import tree_table

        if self._base is not None:
            return tree_table(list(self.all_versions()))
        if self._tree is None:
            self._tree = tree_table(list(self.all_versions()))
            self._stale = set()
        elif self._stale:
            stale = pa.array(sorted(self._stale), pa.string())
            keep = self._tree.filter(pc.invert(pc.is_in(self._tree.column("sor_code"), stale)))
            fresh = tree_table([v for c in sorted(self._stale) for v in self.versions(c)])
            self._tree = pa.concat_tables([keep, fresh.cast(keep.schema)]).combine_chunks()
            self._stale = set()
        return self._tree

    # -- units ---------------------------------------------------------------------------

    def versions(self, code: str) -> tuple[Version, ...]:
        """All current versions of a unit, oldest first (empty if unknown)."""
        vs = self._by_code.get(code)
        if vs is not None:
            return vs
        if self._base is not None:
            return self._base.versions(code)
        return _EMPTY

    def exists(self, code: str) -> bool:
        """True if the unit exists on some date."""
        return bool(self.versions(code))

    def codes(self) -> Iterator[str]:
        """Every unit's SOR code."""
        if self._base is None:
            yield from (c for c, vs in self._by_code.items() if vs)
            return
        for code in self._base.codes():
            if code not in self._by_code:
                yield code
        yield from (c for c, vs in self._by_code.items() if vs)

    def all_versions(self) -> Iterator[Version]:
        """Every current version of every unit."""
        for code in self.codes():
            yield from self.versions(code)

    def __len__(self) -> int:
        return sum(1 for _ in self.codes())

    def version_at(self, code: str, day: dt.date) -> Version | None:
        """The version of the unit valid on ``day``, or None."""
        vs = self.versions(code)
        if len(vs) <= 12:  # the usual few versions: scanning back from today's end is cheapest
            for v in reversed(vs):
                if v.valid_from <= day:
                    return v if v.valid_to is None or day < v.valid_to else None
            return None
        i = bisect_right(vs, day, key=lambda v: v.valid_from) - 1
        if i < 0:
            return None
        v = vs[i]
        return v if v.valid_to is None or day < v.valid_to else None

    def first_from(self, code: str) -> dt.date | None:
        """The first day the unit is valid (SOR FirstFromDate)."""
        vs = self.versions(code)
        return vs[0].valid_from if vs else None

    def end(self, code: str) -> dt.date | None:
        """The first day the unit is closed (exclusive end of its life), None while open."""
        vs = self.versions(code)
        return vs[-1].valid_to if vs else None

    def status(self, code: str, day: dt.date) -> str:
        """``active``, ``future``, ``closing`` (close date set, not reached) or ``closed``."""
        start, end = self.first_from(code), self.end(code)
        if start is None:
            raise KeyError(code)
        if day < start:
            return "future"
        if end is not None and day >= end:
            return "closed"
        return "closing" if end is not None else "active"

    def reference_version(self, code: str, day: dt.date) -> Version | None:
        """The version on ``day``; for a future unit its first, for a closed one its last."""
        v = self.version_at(code, day)
        if v is not None:
            return v
        vs = self.versions(code)
        if not vs:
            return None
        return vs[0] if day < vs[0].valid_from else vs[-1]

    # -- tree ----------------------------------------------------------------------------

    def child_candidates(self, code: str) -> set[str]:
        """Units that have ``code`` as parent in at least one version (any date)."""
        own = self._children.get(code)
        if self._base is None:
            return set() if own is None else own
        below = self._base.child_candidates(code)
        return below if not own else own | below

    def parent_at(self, code: str, day: dt.date) -> str | None:
        """The unit's parent on ``day`` (None for an IE or if not valid then)."""
        v = self.version_at(code, day)
        return None if v is None else v.parent

    def children(self, code: str, day: dt.date) -> list[Version]:
        """Versions valid on ``day`` of the units whose parent on ``day`` is ``code``."""
        out = []
        for child in self.child_candidates(code):
            v = self.version_at(child, day)
            if v is not None and v.parent == code:
                out.append(v)
        return out

    def ancestors(self, code: str, day: dt.date) -> list[Version]:
        """The versions on ``day`` of the unit's parent, grandparent, ... up to the root."""
        out: list[Version] = []
        seen = {code}
        parent = self.parent_at(code, day)
        while parent is not None and parent not in seen:
            v = self.version_at(parent, day)
            if v is None:
                break
            out.append(v)
            seen.add(parent)
            parent = v.parent
        return out

    def descendants(self, code: str, day: dt.date) -> list[str]:
        """SOR codes of all units under ``code`` on ``day`` (depth first, not the unit itself)."""
        out: list[str] = []
        stack = [code]
        seen = {code}
        while stack:
            current = stack.pop()
            for child in self.children(current, day):
                if child.sor_code not in seen:
                    seen.add(child.sor_code)
                    out.append(child.sor_code)
                    stack.append(child.sor_code)
        return out

    def ever_descendants(self, code: str) -> set[str]:
        """Units that are under ``code`` on at least one date (for checks over a whole timeline)."""
        out: set[str] = set()
        stack = [code]
        while stack:
            current = stack.pop()
            for child in self.child_candidates(current):
                if child not in out and child != code:
                    out.add(child)
                    stack.append(child)
        return out

    # -- identifiers ---------------------------------------------------------------------

    def index(self, field: str) -> dict[str, set[str]]:
        """Value -> units that hold it in any version, for an identifier field.

        ``field`` is a state field (``cvr``, ``shak``, ``ydernummer``, ...) or ``gln`` (the
        unit's own location number).
        """
        cached = self._indexes.get(field)
        if cached is not None:
            return cached
        out: dict[str, set[str]] = {}
        for v in self.all_versions():
            value = _field_value(v, field)
            if value:
                out.setdefault(value, set()).add(v.sor_code)
        self._indexes[field] = out
        return out

    def holders(self, field: str, value: str) -> set[str]:
        """Units that hold ``value`` in ``field`` in any version (cheap on overlays too)."""
        if self._base is None:
            return set(self.index(field).get(value, ()))
        out = {c for c in self._base.holders(field, value) if c not in self._by_code}
        # The overlay's own units, indexed once per field (a batch plans row after row on a
        # growing overlay: scanning all its units for every lookup made planning quadratic).
        own = self._own_indexes.get(field)
        if own is None:
            own = {}
            for code, vs in self._by_code.items():
                for v in vs:
                    found = _field_value(v, field)
                    if found:
                        own.setdefault(found, set()).add(code)
            self._own_indexes[field] = own
        out |= own.get(value, set())
        return out

    def gln_holders(self, gln: str) -> list[tuple[str, dt.date, dt.date | None]]:
        """Every (unit, from, to) period in which a unit holds ``gln`` as its own number."""
        out = []
        for code in sorted(self.holders("gln", gln)):
            for v in self.versions(code):
                if _field_value(v, "gln") == gln:
                    out.append((code, v.valid_from, v.valid_to))
        return out

    def dates_from(self, code: str, day: dt.date) -> list[dt.date]:
        """``day`` and every later date on which the unit or one of its ancestors changes."""
        dates = {day}
        stack = [code]
        seen: set[str] = set()
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            for v in self.versions(current):
                if v.valid_from > day:
                    dates.add(v.valid_from)
                if v.valid_to is not None and v.valid_to > day:
                    dates.add(v.valid_to)
                if v.parent is not None and (v.valid_to is None or v.valid_to > day):
                    stack.append(v.parent)
        return sorted(dates)


def _max_serial(codes: Iterable[str]) -> int:
    """The highest serial among the valid SOR codes (0 if none).

    The serial is the code minus its fixed tail; only the top candidates need the check-digit
    validation, not all of them.
    """
    from sorkit.ids import SOR_NAMESPACE, SOR_PARTITION, sor_serial

    cut = len(SOR_NAMESPACE) + len(SOR_PARTITION) + 1
    candidates = [
        (int(head), code)
        for code in codes
        if len(code) > cut and (head := code[:-cut]).isdigit() and head.isascii()
    ]
    candidates.sort(reverse=True)
    for serial, code in candidates:
        try:
            if sor_serial(code) == serial:
                return serial
        except ValueError:
            continue
    return 0


def _field_value(v: Version, field: str) -> Any:
    if field == "gln":
        return v.location_number.get("gln") if v.location_number else None
    return getattr(v, field)
