"""Who may change what (rules.md §2): readers nothing, stewards OEs in their scopes, admins all."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sorkit.snapshot import Snapshot


def in_scope(snap: Snapshot, scopes: Iterable[str], code: str, day: dt.date) -> bool:
    """True if ``code`` is one of ``scopes`` or lies under one of them on ``day``.

    A unit not valid on ``day`` (future or closed) is judged by its nearest version.
    """
    wanted = set(scopes)
    if not wanted:
        return False
    current: str | None = code
    seen: set[str] = set()
    while current is not None and current not in seen:
        if current in wanted:
            return True
        seen.add(current)
        v = snap.version_at(current, day) or snap.reference_version(current, day)
        current = v.parent if v is not None else None
    return False


def may_change(
    snap: Snapshot, role: str, scopes: Iterable[str], code: str, day: dt.date, level: str
) -> bool:
    """True if a user with ``role`` and ``scopes`` may change (or create) a unit of ``level``.

    Args:
        snap: the register.
        role: ``reader``, ``steward`` or ``sds_admin``.
        scopes: the steward's SOR codes.
        code: the unit (for a create: its parent).
        day: the effective date.
        level: the level of the unit being changed or created.
    """
    if role == "sds_admin":
        return True
    if role != "steward" or level != "OE":
        return False
    return in_scope(snap, scopes, code, day)


def scope_units(snap: Snapshot, scopes: Iterable[str], day: dt.date) -> set[str]:
    """Every unit in the user's scopes on ``day`` ("kun mine enheder")."""
    out: set[str] = set()
    for root in scopes:
        if snap.exists(root):
            out.add(root)
            out.update(snap.descendants(root, day))
    return out
