"""Name patterns of search: parsing ``*`` / ``?`` text, finding and ranking matching names.

A pattern is matched against the casefolded names held by the search index
(:mod:`sorkit.search.index`): the rarest literal run of the pattern is found by scanning the
index's big string in C, and only the names holding it are tested piece by piece. See
:mod:`sorkit.search` for the semantics.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from sorkit.search.index import IntArray, SearchIndex, fold

__all__ = ["Matcher", "Pattern", "entry_hits", "glob_match", "parse_pattern"]


@dataclass(frozen=True)
class Pattern:
    """A parsed name pattern: the pieces between ``*`` (each may hold ``?``) and the ends.

    Attributes:
        segments: the casefolded pieces between stars, in order (no empty pieces).
        lead: the pattern starts with ``*`` (or is a plain "contains" text).
        trail: the pattern ends with ``*`` (or is a plain "contains" text).
    """

    segments: tuple[str, ...]
    lead: bool
    trail: bool

    @property
    def has_star(self) -> bool:
        """True if some run of characters is free (a ``*`` anywhere)."""
        return self.lead or self.trail or len(self.segments) > 1

    @property
    def min_length(self) -> int:
        """The shortest name the pattern can match."""
        return sum(len(s) for s in self.segments)

    def term(self, *, lead: bool, trail: bool) -> Pattern:
        """The same pieces with other ends (for ranking exact and prefix matches)."""
        return Pattern(self.segments, lead, trail)


def parse_pattern(text: str) -> Pattern | None:
    """Parse search text into a :class:`Pattern` (None for empty text).

    Args:
        text: what the user typed in "Navn/fritekst".

    Returns:
        The pattern; text without ``*`` or ``?`` becomes "contains".
    """
    folded = fold(text.strip())
    if not folded:
        return None
    if "*" not in folded and "?" not in folded:
        return Pattern((folded,), True, True)
    parts = folded.split("*")
    return Pattern(tuple(p for p in parts if p), folded.startswith("*"), folded.endswith("*"))


class _Segment:
    """One piece between stars; ``?`` matches any single character."""

    __slots__ = ("text", "regex")

    def __init__(self, text: str):
        self.text = text
        self.regex = (
            re.compile("".join("." if c == "?" else re.escape(c) for c in text), re.DOTALL)
            if "?" in text
            else None
        )

    def at(self, name: str, pos: int) -> bool:
        if self.regex is None:
            return name.startswith(self.text, pos)
        return self.regex.match(name, pos) is not None

    def find(self, name: str, pos: int) -> int:
        if self.regex is None:
            return name.find(self.text, pos)
        m = self.regex.search(name, pos)
        return -1 if m is None else m.start()


class Matcher:
    """Matches casefolded names against a pattern in linear-ish time (no backtracking)."""

    def __init__(self, pattern: Pattern):
        self.pattern = pattern
        self.segments = [_Segment(s) for s in pattern.segments]

    def __call__(self, name: str) -> bool:
        """True if the casefolded ``name`` matches the pattern."""
        p = self.pattern
        segs = self.segments
        if not segs:
            return p.has_star or name == ""
        if len(name) < p.min_length:
            return False
        pos = 0
        last = len(segs) - 1
        for k, seg in enumerate(segs):
            n = len(seg.text)
            if k == last and not p.trail:
                start = len(name) - n
                if start < pos or (k == 0 and not p.lead and start != 0):
                    return False
                return seg.at(name, start)
            if k == 0 and not p.lead:
                if not seg.at(name, 0):
                    return False
                pos = n
                continue
            i = seg.find(name, pos)
            if i < 0:
                return False
            pos = i + n
        return True


def glob_match(pattern: Pattern, name: str) -> bool:
    """True if ``name`` (any case) matches ``pattern``.

    Args:
        pattern: a parsed pattern (see :func:`parse_pattern`).
        name: a unit name as stored.
    """
    return Matcher(pattern)(fold(name))


def entry_hits(index: SearchIndex, pattern: Pattern) -> IntArray:
    """The entries (distinct names of units) that match ``pattern``, as sorted entry ids."""
    n_entries = len(index.entries)
    segs = pattern.segments
    if not segs:
        return np.arange(n_entries, dtype=np.int64) if pattern.has_star else _NONE
    if pattern.min_length > index.max_entry_len:
        return _NONE
    runs: list[tuple[int, str, bool, bool]] = []
    last = len(segs) - 1
    for k, seg in enumerate(segs):
        for m in re.finditer(r"[^?]+", seg):
            anchored_start = k == 0 and not pattern.lead and m.start() == 0
            anchored_end = k == last and not pattern.trail and m.end() == len(seg)
            score = len(m.group()) + anchored_start + anchored_end
            runs.append((score, m.group(), anchored_start, anchored_end))
    runs.sort(key=lambda r: -r[0])
    if len(runs) > 1 and runs[1][0] >= 3:  # several good runs: look for the rarest
        runs = sorted(runs[:3], key=lambda r: index.big.count(_needle(r[1], r[2], r[3])))
    best = runs[0] if runs else None
    if best is None:  # only '?' and '*': a question of length
        lengths = index.entry_len
        if pattern.has_star:
            return np.flatnonzero(lengths >= pattern.min_length)
        return np.flatnonzero(lengths == pattern.min_length)
    _, run, anchored_start, anchored_end = best
    found = _find(index, run, anchored_start, anchored_end)
    if not len(found):
        return _NONE
    whole = (
        len(segs) == 1
        and run == segs[0]
        and anchored_start == (not pattern.lead)
        and anchored_end == (not pattern.trail)
    )
    if whole:
        return found
    matcher = Matcher(pattern)
    names = index.entries
    return np.array([e for e in found.tolist() if matcher(names[e])], dtype=np.int64)


_NONE: IntArray = np.zeros(0, dtype=np.int64)


def _needle(run: str, at_start: bool, at_end: bool) -> str:
    """What to look for in the big string: line breaks mark the start and end of a name."""
    return ("\n" if at_start else "") + run + ("\n" if at_end else "")


def _find(index: SearchIndex, run: str, at_start: bool, at_end: bool) -> IntArray:
    """Entries holding ``run`` (at their start / end if asked), as sorted entry ids.

    Occurrences are found by scanning the big string in C; a very common short string by
    testing each entry, which is cheaper than visiting every occurrence.
    """
    needle = _needle(run, at_start, at_end)
    names = index.entries
    big = index.big
    positions: list[int] = []
    if at_start and at_end:  # a whole name: few hits, but they may overlap ("\nab\nab\n")
        i = big.find(needle)
        while i >= 0:
            positions.append(i)
            i = big.find(needle, i + 1)
    else:
        if len(run) <= 4 and big.count(needle) > len(names) // 2:
            # Hits in most names: testing each name is cheaper than visiting each hit.
            if at_start:
                hits = (name.startswith(run) for name in names)
            elif at_end:
                hits = (name.endswith(run) for name in names)
            else:
                hits = (run in name for name in names)
            return np.flatnonzero(np.fromiter(hits, dtype=bool, count=len(names)))
        positions = [m.start() for m in re.finditer(re.escape(needle), big)]
    if not positions:
        return _NONE
    entries = index.entries_at(np.asarray(positions, dtype=np.int64) + (1 if at_start else 0))
    return entries[np.r_[True, entries[1:] != entries[:-1]]]
