"""Search units by name, identifiers and place in the tree, on any date, with no index lag.

:func:`search` is what :meth:`sorkit.Register.search` calls. It reads the register's current
snapshot (which reflects every apply at once) through the in-memory index in
:mod:`sorkit.search.index`; no SQL is involved, so ``%``, ``_``, quotes and backslashes in the
search text are ordinary characters.

Semantics, in the words of the SOR GUI guide ("Søg efter enheder i SOR"):

* Name/free text: ``*`` matches any run of characters, ``?`` exactly one. ``*blovstrød*`` finds
  names containing "blovstrød", ``Blovstrød*`` names starting with it, ``*skole`` names ending
  with "skole". Text without ``*`` or ``?`` matches as "contains". Case is ignored (Python's
  ``casefold``, so Æ/æ, Ø/ø, Å/å and ß/ss compare equal); ``?`` stands for one character of the
  casefolded name. Surrounding whitespace of the text is ignored.
* A unit matches by the name it has on ``as_of`` (for a future unit: its first name; for a
  closed unit: its last), so a renamed unit is found by its old name on an old date.
* Identifiers (SOR code, CVR, location number, ydernummer, SHAK) may be typed with spaces or
  dashes between digit groups. Like names, they match the value the unit holds on ``as_of``.
  ``gln`` finds the unit that holds the location number as its own, not the units under it
  that inherit it (find those with ``under=`` on the holder).
* ``under`` is the guide's hierarchical search: all units below that unit on ``as_of`` (not the
  unit itself). A unit that is not in force on ``as_of`` (future or closed) counts as being
  where its first (future) or last (closed) version places it, like :func:`sorkit.permissions.in_scope`.
* ``only_mine`` keeps the units in the user's scopes ("Kun mine enheder"); an sds_admin sees all.
* Results hold active, future and closing units; closed units only with ``include_closed``.
  They come in this order: names equal to the text, names starting with it, the rest; each
  group in tree order (by path: the names from the root, each level by name).
* All criteria must hold (AND). No criteria at all lists the register in tree order.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import numpy as np
import pandas as pd

from sorkit import refdata
from sorkit.errors import SearchError
from sorkit.ids import clean_digits, is_valid_shak, is_valid_sor_code, is_valid_ydernummer
from sorkit.search.index import (
    CLOSED,
    GONE,
    LEVEL_CODES,
    IntArray,
    SearchIndex,
    identifier_key,
    index_for,
)
from sorkit.search.match import Matcher, Pattern, entry_hits, glob_match, parse_pattern
from sorkit.search.resultframes import index_frame

__all__ = ["Pattern", "glob_match", "parse_pattern", "search"]

_DIGITS = re.compile(r"[0-9]+")
_RANK_BY_NAME = 4000  # up to this many matches, rank by testing their names one by one
_NONE: IntArray = np.zeros(0, dtype=np.int64)


# -- inputs --------------------------------------------------------------------------------


def _fail(field: str, value: Any, why: str) -> SearchError:
    shown = value if isinstance(value, str) else repr(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return SearchError(f"{field}: '{shown}' {why}")


def _text(text: Any) -> Pattern | None:
    if text is None:
        return None
    if not isinstance(text, str):
        raise _fail("Navn/fritekst", text, "er ikke tekst")
    return parse_pattern(text)


def _digits(field: str, value: Any, lengths: tuple[int, ...], what: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise _fail(field, value, f"er ikke {what}")
    cleaned = clean_digits(value)
    if not cleaned:
        return None
    if not _DIGITS.fullmatch(cleaned) or len(cleaned) not in lengths:
        raise _fail(field, value, f"er ikke {what}")
    return cleaned


def _sor_code(field: str, value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise _fail(field, value, "er ikke en gyldig SOR-kode")
    cleaned = clean_digits(value)
    if not cleaned:
        return None
    if not is_valid_sor_code(cleaned):
        raise _fail(field, value, "er ikke en gyldig SOR-kode (cifre med korrekt kontrolciffer)")
    return cleaned


def _ydernummer(value: Any) -> str | None:
    if value is None:
        return None
    cleaned = clean_digits(value) if isinstance(value, str | int) else None
    if cleaned == "":
        return None
    if isinstance(value, bool) or cleaned is None or not is_valid_ydernummer(cleaned):
        raise _fail("Ydernummer", value, "er ikke et ydernummer (1-9 cifre)")
    return cleaned


def _shak(value: Any) -> str | None:
    if value is None:
        return None
    cleaned = clean_digits(value) if isinstance(value, str | int) else None
    if cleaned == "":
        return None
    if isinstance(value, bool) or cleaned is None or not is_valid_shak(cleaned):
        raise _fail("SHAK-kode", value, "er ikke en SHAK-kode (4-7 bogstaver og cifre)")
    return identifier_key("shak", cleaned)


def _day(reg: Any, as_of: Any) -> dt.date:
    if as_of is None:
        day: dt.date = reg.today
        return day
    if isinstance(as_of, dt.datetime):
        return as_of.date()
    if isinstance(as_of, dt.date):
        return as_of
    if isinstance(as_of, str):
        try:
            return dt.date.fromisoformat(as_of.strip())
        except ValueError:
            pass
    raise _fail("Dato", as_of, "er ikke en dato (ÅÅÅÅ-MM-DD)")


def _level(level: Any) -> int | None:
    if level is None:
        return None
    if isinstance(level, str):
        code = LEVEL_CODES.get(level.strip().upper())
        if code is not None:
            return code
    raise _fail("Niveau", level, "er ikke et niveau (IE, SI eller OE)")


def _unit_type(index: SearchIndex, unit_type: Any) -> int | None:
    if unit_type is None:
        return None
    if isinstance(unit_type, bool) or not isinstance(unit_type, str | int):
        raise _fail("Enhedstype", unit_type, "er ikke en enhedstype (SNOMED CT-kode)")
    code = clean_digits(unit_type)
    if not _DIGITS.fullmatch(code):
        raise _fail("Enhedstype", unit_type, "er ikke en enhedstype (SNOMED CT-kode)")
    if code not in index.type_id and code not in refdata.unit_type_names():
        raise _fail("Enhedstype", unit_type, "er ikke en kendt enhedstype")
    return index.type_id.get(code, -2)


def _limit(limit: Any) -> int | None:
    if limit is None:
        return None
    if isinstance(limit, bool) or not isinstance(limit, int | np.integer) or limit < 0:
        raise _fail("Antal", limit, "er ikke et antal (et helt tal, 0 eller mere)")
    return int(limit)


# -- the search ----------------------------------------------------------------------------


def search(
    reg: Any,
    text: str | None = None,
    *,
    sor_code: Any = None,
    cvr: Any = None,
    gln: Any = None,
    ydernummer: Any = None,
    shak: Any = None,
    under: Any = None,
    unit_type: Any = None,
    level: Any = None,
    as_of: Any = None,
    include_closed: bool = False,
    only_mine: bool = False,
    limit: int | None = 200,
) -> pd.DataFrame:
    """Search the register's units; every given criterion must hold.

    Args:
        reg: the :class:`~sorkit.Register` (its current snapshot is searched).
        text: name with wildcards ``*`` (any run) and ``?`` (one character); text without
            wildcards matches as "contains"; case is ignored.
        sor_code: the unit's SOR code (spaces allowed).
        cvr: CVR number (8 digits) the unit holds.
        gln: location number (13 digits) the unit holds as its own.
        ydernummer: provider number (1-9 digits, leading zeros count).
        shak: SHAK code (4-7 letters and digits, case ignored).
        under: SOR code of a unit; only units below it on ``as_of`` (hierarchical search).
        unit_type: SNOMED CT code of the unit type (str or int).
        level: ``"IE"``, ``"SI"`` or ``"OE"``.
        as_of: the date searched (any past or future date; default the register's today).
        include_closed: also units closed on ``as_of``.
        only_mine: only units in the user's scopes (an sds_admin sees everything).
        limit: at most this many rows (None: all).

    Returns:
        DataFrame with the columns of :data:`sorkit.search.frames.UNIT_COLUMNS`: exact name matches
        first, then names starting with the text, then the rest, each in tree order.

    Raises:
        SearchError: an input that cannot be searched (Danish message naming field and value),
            e.g. an invalid SOR code, a CVR that is not 8 digits, an unknown ``under`` unit,
            an unknown level or unit type.
    """
    day = _day(reg, as_of)
    cap = _limit(limit)
    pattern = _text(text)
    code = _sor_code("SOR-kode", sor_code)
    under_code = _sor_code("Enheder under SOR-kode", under)
    idents = {
        "cvr": _digits("CVR-nummer", cvr, (8,), "et CVR-nummer (8 cifre)"),
        "gln": _digits("Lokationsnummer", gln, (13,), "et lokationsnummer (13 cifre)"),
        "ydernummer": _ydernummer(ydernummer),
        "shak": _shak(shak),
    }
    level_code = _level(level)
    snap = reg.snapshot()
    index = index_for(snap)
    with index.lock:
        type_code = _unit_type(index, unit_type)
        view = index.day(day)
        n = index.n_units
        top = None
        if under_code is not None:
            top = index.code_id.get(under_code)
            if top is None or view.status[top] == GONE:
                raise _fail("Enheder under SOR-kode", under, "findes ikke i registret")
        # Candidates, most selective criterion first (None: every unit).
        found: IntArray | None = None
        if code is not None:
            uid = index.code_id.get(code)
            found = _NONE if uid is None else np.array([uid], dtype=np.int64)
        for field, value in idents.items():
            if value is not None:
                found = _intersect(found, _holders(index, view.ref, field, value), n)
        hits: IntArray | None = None
        if pattern is not None:
            hits = entry_hits(index, pattern)
            found = _intersect(found, index.entry_unit[hits], n)
        if top is not None:
            if found is None:
                found = view.by_pos[view.pos[top] + 1 : view.last[top] + 1]
            else:
                p = view.pos[found]
                found = found[(p > view.pos[top]) & (p <= view.last[top])]
        if found is None:
            found = np.arange(n, dtype=np.int64)
        # Filters on the candidates.
        status = view.status[found]
        keep = status != GONE
        if not include_closed:
            keep &= status != CLOSED
        if level_code is not None:
            keep &= view.level[found] == level_code
        if type_code is not None:
            keep &= view.unit_type[found] == type_code
        if only_mine and reg.role != "sds_admin":
            mine = np.zeros(len(found), dtype=bool)
            p = view.pos[found]
            for scope in reg.scopes:
                uid = index.code_id.get(scope)
                if uid is not None and view.status[uid] != GONE:
                    mine |= (p >= view.pos[uid]) & (p <= view.last[uid])
            keep &= mine
        if hits is not None:  # the unit's name on the day (not another version's) matches
            entry_ok = np.zeros(len(index.entries), dtype=bool)
            entry_ok[hits] = True
            keep &= entry_ok[view.entry[found]]
        found = found[keep]
        rank: IntArray | None = None
        if pattern is not None and pattern.segments and len(found):
            rank = _rank(index, pattern, view.entry[found])
        return index_frame(index, view, _order(found, view.pos, rank, cap))


def _intersect(found: IntArray | None, units: IntArray, n: int) -> IntArray:
    """The units of ``units`` (may repeat) that are also in ``found`` (None: all), once each."""
    mark = np.zeros(n, dtype=bool)
    mark[units] = True
    if found is None:
        return np.flatnonzero(mark)
    return found[mark[found]]


def _holders(index: SearchIndex, ref: IntArray, field: str, value: str) -> IntArray:
    """Units whose version on the day holds ``value`` in ``field``."""
    vids = index.identifiers[field].get(value)
    if not vids:
        return _NONE
    v = np.array(vids, dtype=np.int64)
    units = index.v_unit[v]
    return units[ref[units] == v]


def _rank(index: SearchIndex, pattern: Pattern, entries: IntArray) -> IntArray:
    """0 for names equal to the text, 1 for names starting with it, 2 for the rest."""
    n_entries = len(index.entries)
    segs = pattern.segments
    if len(segs) == 1 and "?" not in segs[0] and len(entries) <= 8 * _RANK_BY_NAME:
        term = segs[0]  # a plain text: does the name start with it, is it as long?
        big = index.big
        starts = index.entry_start[entries].tolist()
        prefix = np.fromiter(
            (big.startswith(term, at) for at in starts), dtype=bool, count=len(starts)
        )
        exact = prefix & (index.entry_len[entries] == len(term))
        return 2 - prefix.astype(np.int64) - exact
    if len(entries) <= _RANK_BY_NAME:
        is_exact = Matcher(pattern.term(lead=False, trail=False))
        is_prefix = Matcher(pattern.term(lead=False, trail=True))
        names = index.entries
        return np.fromiter(
            (
                0 if is_exact(n) else 1 if is_prefix(n) else 2
                for n in (names[e] for e in entries.tolist())
            ),
            dtype=np.int64,
            count=len(entries),
        )
    rank = np.full(len(entries), 2, dtype=np.int64)
    if pattern.lead:
        prefix = np.zeros(n_entries, dtype=bool)
        prefix[entry_hits(index, pattern.term(lead=False, trail=True))] = True
        rank -= prefix[entries]
    else:
        rank -= 1  # every match already starts with the text
    if pattern.lead or pattern.trail:
        exact = np.zeros(n_entries, dtype=bool)
        exact[entry_hits(index, pattern.term(lead=False, trail=False))] = True
        rank -= exact[entries]
    else:
        rank -= 1
    return rank


def _order(found: IntArray, pos: IntArray, rank: IntArray | None, cap: int | None) -> IntArray:
    """The units in result order (rank, then tree position), at most ``cap`` of them."""
    if not len(found):
        return found
    key = pos[found] if rank is None else rank * (len(pos) + 1) + pos[found]
    if cap is not None and cap < len(found):
        if cap == 0:
            return found[:0]
        part = np.argpartition(key, cap - 1)[:cap]
        return found[part[np.argsort(key[part], kind="stable")]]
    return found[np.argsort(key, kind="stable")]
