"""The register's guarantees (rules.md §5), checked on every date.

Used by the integrity check (``sorkit check``), by the property tests, and by the engine as a
last line of defence before it writes.
"""

from __future__ import annotations

from collections.abc import Iterable

from sorkit.model import Version
from sorkit.snapshot import Snapshot

_MAX_DEPTH = 256


def problems(
    snap: Snapshot, codes: Iterable[str] | None = None, before: Snapshot | None = None
) -> list[str]:
    """Describe every broken guarantee (empty when the register is sound).

    Args:
        snap: the register state.
        codes: restrict the check to these units and their children (default: all units).
        before: the state ``snap`` was made from by changing ``codes`` (a planned change). The
            cycle check, the costly one, is left out when no unit in ``codes`` has another
            parent on any date than it had there: a tree without cycles keeps none then.
    """
    units = list(snap.codes()) if codes is None else sorted(set(codes))
    touched = set(units)
    cycles = before is None or codes is None or _parents_changed(before, snap, touched)
    if codes is not None:
        extra: set[str] = set()
        for code in units:
            extra |= snap.child_candidates(code)
        units = sorted(set(units) | extra)
    out: list[str] = []
    for code in units:
        vs = snap.versions(code)
        if not vs:
            continue
        for a, b in zip(vs, vs[1:], strict=False):
            if a.valid_to is None or a.valid_to > b.valid_from:
                out.append(f"{code}: versions overlap at {b.valid_from}")
            elif a.valid_to < b.valid_from:
                out.append(f"{code}: gap from {a.valid_to} to {b.valid_from}")
        for v in vs:
            if v.valid_to is not None and v.valid_to <= v.valid_from:
                out.append(f"{code}: empty version at {v.valid_from}")
            if v.parent is None:
                if v.level != "IE":
                    out.append(f"{code}: {v.level} without parent from {v.valid_from}")
                continue
            start, end = snap.first_from(v.parent), snap.end(v.parent)
            if start is None:
                out.append(f"{code}: parent {v.parent} does not exist")
                continue
            if start > v.valid_from or (
                end is not None and (v.valid_to is None or v.valid_to > end)
            ):
                out.append(
                    f"{code}: parent {v.parent} not valid throughout "
                    f"[{v.valid_from}, {v.valid_to}) (orphan)"
                )
        if cycles:
            out += _cycles(snap, code, vs, deep=codes is not None and code in touched)
    out += gln_problems(snap, None if codes is None else units)
    return out


def _parents_changed(before: Snapshot, after: Snapshot, codes: Iterable[str]) -> bool:
    """True if any of the units has another parent (or exists) on some date in ``after``."""
    return any(_parent_spans(before.versions(c)) != _parent_spans(after.versions(c)) for c in codes)


def _parent_spans(vs: Iterable[Version]) -> list[tuple[object, object, str | None]]:
    """A unit's parent over time: ``[valid_from, valid_to)`` spans, equal neighbours joined."""
    spans: list[tuple[object, object, str | None]] = []
    for v in vs:
        if spans and spans[-1][1] == v.valid_from and spans[-1][2] == v.parent:
            spans[-1] = (spans[-1][0], v.valid_to, v.parent)
        else:
            spans.append((v.valid_from, v.valid_to, v.parent))
    return spans


def _cycles(snap: Snapshot, code: str, vs: tuple[Version, ...], deep: bool) -> list[str]:
    """Cycles through ``code`` on each day one of its versions starts.

    With ``deep`` also on every day one of its ancestors changes: a restricted check cannot rely
    on the ancestors' own version starts being looked at.
    """
    days = {v.valid_from for v in vs}
    if deep:
        days.update(snap.dates_from(code, vs[0].valid_from))
    for day in sorted(days):
        seen = {code}
        current = snap.parent_at(code, day)
        for _ in range(_MAX_DEPTH):
            if current is None:
                break
            if current in seen:
                return [f"{code}: cycle through {current} on {day}"]
            seen.add(current)
            current = snap.parent_at(current, day)
    return []


def gln_problems(snap: Snapshot, codes: Iterable[str] | None = None) -> list[str]:
    """Location numbers held by more than one unit on the same day."""
    if codes is not None:
        wanted = set(codes)
        glns = {(v.location_number or {}).get("gln") for c in wanted for v in snap.versions(c)}
        glns.discard(None)
    else:
        glns = set(snap.index("gln"))
    out = []
    for gln in sorted(g for g in glns if g):
        periods = sorted(snap.gln_holders(gln), key=lambda p: p[1])
        for (c1, _s1, e1), (c2, s2, _e2) in zip(periods, periods[1:], strict=False):
            if c1 != c2 and (e1 is None or e1 > s2):
                out.append(f"location number {gln} held by {c1} and {c2} on {s2}")
    return out
