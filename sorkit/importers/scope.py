"""Which part of the register an import covers: the file's institution owners, or everything.

Regions and municipalities work with extracts of their own part of SOR, so an import touches only
the institution owners (IEs) its file holds: units of other owners are never closed because they
are missing from the file. A complete national export, stated by the file (``<?sorkit
scope="complete"?>``, written by sorkit's own complete SOR XML export) or asked for with
``scope="complete"`` (CLI ``--complete``), closes what is missing everywhere, behind the closure
guard (``max_closures``) and the dry run as before.

A unit's owner is the IE at the top of its parent chain: in the file, or (for a unit whose
parent the file does not hold) in the register on the import's reference day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sorkit.importers.common import ParsedFile, UnitRecord
from sorkit.snapshot import Snapshot

__all__ = ["SCOPES", "covered_owners", "owner_in_register", "resolve_scope"]

#: ``owners``: only the file's institution owners; ``complete``: the whole register.
SCOPES = ("owners", "complete")


def resolve_scope(scope: str | None, parsed: ParsedFile) -> str:
    """The scope an import runs with: the one asked for, else what the file states.

    Raises:
        ValueError: an unknown scope.
    """
    if scope is None:
        return "complete" if parsed.complete else "owners"
    value = str(scope).strip().lower()
    if value not in SCOPES:
        raise ValueError(f"ukendt omfang '{scope}' (vælg {' eller '.join(SCOPES)})")
    return value


def owner_in_register(
    snap: Snapshot, code: str, day: dt.date, cache: dict[str, str | None] | None = None
) -> str | None:
    """The IE above ``code`` in the register on ``day`` (its last version if not alive then).

    ``cache`` (code -> owner) is filled for every unit on the way up and read first, so asking
    for every unit of a large register walks each branch once.
    """
    chain: list[str] = []
    found: str | None = None
    current: str | None = code
    while current is not None and current not in chain:
        if cache is not None and current in cache:
            found = cache[current]
            break
        chain.append(current)
        v = snap.reference_version(current, day)
        if v is None:
            versions = snap.versions(current)
            if not versions:
                break
            v = versions[-1]
        if v.level == "IE":
            found = current
            break
        current = v.parent
    if cache is not None:
        cache.update(dict.fromkeys(chain, found))
    return found


def covered_owners(records: Iterable[UnitRecord], snap: Snapshot, day: dt.date) -> dict[str, str]:
    """The institution owners a file covers: SOR code -> name, in file order.

    An IE in the file covers itself; a unit whose parent chain leaves the file covers the
    register's owner of that parent.
    """
    by_code = {r.sor_code: r for r in records}
    owners: dict[str, str] = {}
    memo: dict[str, str | None] = {}

    def owner(rec: UnitRecord) -> str | None:
        chain: list[str] = []
        found: str | None = None
        current: UnitRecord | None = rec
        while current is not None:
            if current.sor_code in memo:
                found = memo[current.sor_code]
                break
            chain.append(current.sor_code)
            if current.level == "IE":
                found = current.sor_code
                break
            parent = current.parent
            if parent is None:
                break
            if parent in by_code:
                current = by_code[parent]
                continue
            found = owner_in_register(snap, parent, day)
            break
        for code in chain:
            memo[code] = found
        return found

    for rec in by_code.values():
        code = owner(rec)
        if code is None or code in owners:
            continue
        if code in by_code:
            owners[code] = by_code[code].name
        else:
            v = snap.reference_version(code, day) or (snap.versions(code) or [None])[-1]
            owners[code] = v.name if v is not None else ""
    return owners
