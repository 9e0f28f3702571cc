"""Offline address register: street names and house-number ranges per postcode.

The default register is the national CPR postcode register shipped in ``data/`` (or a newer
official file loaded with ``sorkit addresses load``, see :mod:`sorkit.addresses.files`); it is read
on the first address check, not on ``import sorkit``. Streets are kept as sorted columns (numpy):
one row per street and postcode, keyed by the postcode and the normalised name in Danish order,
so a lookup and a prefix suggestion are binary searches. House numbers on each side of a street
(``L`` lige = even, ``U`` ulige = odd) are inclusive ranges of ``number * 32 + letter`` codes.

Names match ignoring case, punctuation and spacing, with "aa" = "å", "é" = "e", "ä" = "æ" and
"ö" = "ø"; a full name also matches its abbreviated 20-character addressing form ("Borgmester
Christiansens Gade" = "Borgm Christiansensg": each word of the short form is the start of a word
of the full name, words may be run together, and a 20-character form may be cut off).
"""

from __future__ import annotations

import bisect
import difflib
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from sorkit import refdata
from sorkit.addresses.files import RegisterInfo, active_path, read_active, shipped_path
from sorkit.addresses.formats import (
    CODE_MAX,
    CODE_MIN,
    LETTER_SLOTS,
    LETTERS,
    SIDE_LETTERS,
    RoadTable,
    house_code,
    parse_range,
    read_dawa_cpr_tables,
)
from sorkit.model import Address

POSTCODE_UNKNOWN = "ADDRESS_POSTCODE_UNKNOWN"
STREET_UNKNOWN = "ADDRESS_STREET_UNKNOWN"
HOUSE_NUMBER_OUT_OF_RANGE = "ADDRESS_HOUSE_NUMBER_OUT_OF_RANGE"
REGISTER_NO_COVERAGE = "ADDRESS_REGISTER_NO_COVERAGE"

_HOUSE_NUMBER_RE = re.compile(r"^\s*([1-9][0-9]{0,3})\s*([A-Za-zÆØÅæøå]?)\s*$")
_SIDE_NAMES = {"L": "lige", "U": "ulige"}
_FOLD = {"é": "e", "è": "e", "ä": "æ", "ö": "ø", "ü": "y"}
_PUNCTUATION = ".,-'’/()"
# The key: folded letters, punctuation as spaces, and æ, ø, å after z (Danish order).
_KEY = str.maketrans(
    {**_FOLD, **dict.fromkeys(_PUNCTUATION, " "), "æ": "{", "ø": "|", "å": "}", "ä": "{", "ö": "|"}
)
#: Re-exported for tests of the DAWA table format.
_parse_range = parse_range


@dataclass(frozen=True, order=True)
class HouseNumber:
    """A house number: a positive number and an optional capital letter ("12B")."""

    number: int
    letter: str = ""

    @classmethod
    def parse(cls, text: object) -> HouseNumber | None:
        """Parse "12", "12B", "12 b"; return None if the text is not a house number."""
        match = _HOUSE_NUMBER_RE.match("" if text is None else str(text))
        return cls(int(match.group(1)), match.group(2).upper()) if match else None

    def __str__(self) -> str:
        return f"{self.number}{self.letter}"


@dataclass(frozen=True)
class HouseNumberRange:
    """The house numbers on one side of a street that belong to one postcode."""

    side: str
    lo: HouseNumber | None
    hi: HouseNumber | None
    lo_inclusive: bool = True
    hi_inclusive: bool = True
    kommunekode: str = ""
    vejkode: str = ""

    def _parity_ok(self, number: int) -> bool:
        return self.side not in _SIDE_NAMES or (number % 2 == 0) == (self.side == "L")

    def contains(self, house_number: HouseNumber) -> bool:
        """Tell whether the number lies in the range and on the range's side."""
        lo, hi = self.lo, self.hi
        return (
            self._parity_ok(house_number.number)
            and (lo is None or house_number > lo or (self.lo_inclusive and house_number == lo))
            and (hi is None or house_number < hi or (self.hi_inclusive and house_number == hi))
        )

    def first(self) -> HouseNumber | None:
        """Return the lowest house number in the range (None if it holds none)."""
        if self.lo is not None and self.lo_inclusive and self._parity_ok(self.lo.number):
            candidate = self.lo
        else:
            start = 1 if self.lo is None else self.lo.number + 1
            candidate = HouseNumber(start if self._parity_ok(start) else start + 1)
        return candidate if self.contains(candidate) else None

    def describe(self) -> str:
        """Describe the range in Danish, e.g. "1-999 (ulige)"."""
        span = f"{self.lo or ''}-{self.hi or ''}" if self.lo or self.hi else "alle numre"
        return f"{span} ({_SIDE_NAMES.get(self.side, self.side)})"


@dataclass(frozen=True)
class AddressProblem:
    """A finding of AddressRegister.check: stable code + details (rules make the message)."""

    code: str
    details: dict[str, Any] = field(default_factory=dict)


def _key(text: object) -> str:
    """The matching key of a street name: case, punctuation, spacing, aa/å, é/e are ignored.

    Keys sort in Danish order (æ, ø, å after z).
    """
    return " ".join(str(text or "").casefold().translate(_KEY).replace("aa", "}").split())


_RUNS_OF_SPACES = re.compile(r"  +")
_EDGE_SPACES = re.compile(r" \n |\n | \n")
_KEY_PAIRS = [(chr(c), t) for c, t in _KEY.items() if isinstance(t, str) and t != chr(c)]


def _keys(names: list[str]) -> list[str]:
    """:func:`_key` of many names at once (a few passes over the joined text)."""
    text = "\n".join(names).casefold().replace("\t", " ")
    for source, target in _KEY_PAIRS:  # str.translate is slow on non-ASCII text
        text = text.replace(source, target)
    text = text.translate(_KEY).replace("aa", "}")
    text = _EDGE_SPACES.sub("\n", _RUNS_OF_SPACES.sub(" ", text))
    return text.strip(" ").split("\n")


def _norm_postcode(postcode: object) -> str:
    text = str(postcode if postcode is not None else "").strip()
    return text.zfill(4) if text.isdigit() and len(text) == 3 else text


def _house(code: int, low: bool) -> HouseNumber | None:
    if code == (CODE_MIN if low else CODE_MAX):
        return None
    letter = code % LETTER_SLOTS
    return HouseNumber(code // LETTER_SLOTS, LETTERS[letter - 1] if letter else "")


def abbreviates(short: str, full: str, cut: bool = False) -> bool:
    """Tell whether the key ``short`` is an abbreviation of the key ``full``.

    Each word of ``short`` starts like a word of ``full`` and keeps the rest of its letters in
    order ("borgm" = "borgmester", "blvd" = "boulevard"), in order and none skipped; words may
    be run together ("christiansensg" = "christiansens gade"); with ``cut`` (a 20-character
    name) the end of ``full`` may be missing.
    """
    words = full.split()
    size = len(short)

    @cache
    def match(i: int, j: int, p: int) -> bool:
        # i: position in short; j: word of full; p: letters of word j already passed.
        if i == size:
            return p > 0 and (j == len(words) - 1 or cut)
        if j == len(words):
            return False
        if short[i] == " ":
            return p > 0 and match(i + 1, j + 1, 0)
        word = words[j]
        if p == 0:
            return word[0] == short[i] and match(i + 1, j, 1)
        if any(match(i + 1, j, q + 1) for q in range(p, len(word)) if word[q] == short[i]):
            return True
        return match(i, j + 1, 0)  # the next word runs on without a space

    return bool(words) and match(0, 0, 0)


class AddressRegister:
    """Streets per postcode with their house-number ranges, as sorted columns.

    Attributes:
        info: Which register this is (format, extract date, source file).
    """

    def __init__(
        self, table: RoadTable, postcodes: dict[str, str], info: RegisterInfo | None = None
    ) -> None:
        self.info = info or RegisterInfo(table.fmt, table.date, table.source)
        self._postcodes = {**postcodes, **table.districts}
        unique = list(set(table.names))
        by_name = dict(zip(unique, _keys(unique), strict=True))
        road_keys = [by_name[name] for name in table.names]
        self._keys = sorted(set(road_keys))
        rank = {key: i for i, key in enumerate(self._keys)}
        self._rank = rank
        self._width = len(self._keys) + 1
        road_rank = np.array([rank[key] for key in road_keys], dtype=np.int64)
        pair = table.postcode.astype(np.int64) * self._width + road_rank[table.road]
        self._pairs, first, street_of = np.unique(pair, return_index=True, return_inverse=True)
        order = np.argsort(street_of, kind="stable")
        self._starts = np.searchsorted(street_of[order], np.arange(len(self._pairs) + 1))
        self._side = table.side[order]
        self._lo = table.lo[order]
        self._hi = table.hi[order]
        self._kom = table.kom[table.road[order]]
        self._vej = table.vej[table.road[order]]
        self._range_postcode = table.postcode[order]
        names = table.names
        first_road = table.road[first].tolist()
        self._names = [names[r] for r in first_road]
        self._aliases: dict[tuple[int, str], int] = {}
        if any(table.short_names):
            streets = street_of.tolist()
            for i, (road, pc) in enumerate(
                zip(table.road.tolist(), table.postcode.tolist(), strict=True)
            ):
                short = table.short_names[road]
                if short:
                    self._aliases.setdefault((pc, _key(short)), streets[i])
        self._all: list[tuple[str, str]] | None = None
        self._samples: dict[str | None, list[tuple[str, str, str, str]]] = {}

    # -- building ------------------------------------------------------------------------------

    @classmethod
    def load(
        cls, vej_path: str | Path, postnr_path: str | Path, postcodes: dict[str, str]
    ) -> AddressRegister:
        """Build the register from DAWA's CPR road-register tables (the old shipped subset).

        Args:
            vej_path: ``cpr_vej.csv`` (kommunekode;vejkode;navn;adresseringsnavn;virkning).
            postnr_path: ``cpr_postnr.csv`` (kommunekode;vejkode;husnrinterval;side;nr;navn;...).
            postcodes: All Danish postcodes, ``{4-digit postcode: city}``.
        """
        return cls(read_dawa_cpr_tables(vej_path, postnr_path), postcodes)

    @classmethod
    def from_file(cls, path: str | Path) -> AddressRegister:
        """Build the register from an official file or a loaded ``vejregister.npz``."""
        table, info = read_active(Path(path))
        return cls(table, refdata.postcodes(), info)

    @classmethod
    def default(cls) -> AddressRegister:
        """The register in use: the loaded one (``sorkit addresses load``) or the shipped one.

        Read once per process and file version (cached; a newly loaded register is noticed).
        """
        path = active_path()
        try:
            stat = os.stat(path)
        except FileNotFoundError:
            path, stat = shipped_path(), os.stat(shipped_path())
        return _load_cached(path, stat.st_mtime_ns, stat.st_size)

    @classmethod
    def shipped(cls) -> AddressRegister:
        """The shipped national register (CPR 370712 of 02-02-2015), whatever is loaded."""
        path = shipped_path()
        stat = os.stat(path)
        return _load_cached(path, stat.st_mtime_ns, stat.st_size)

    # -- lookups -------------------------------------------------------------------------------

    @property
    def street_count(self) -> int:
        """The number of streets (one per name and postcode)."""
        return len(self._names)

    def postcode_known(self, postcode: object) -> bool:
        """Tell whether the postcode is in the Danish postcode list."""
        return _norm_postcode(postcode) in self._postcodes

    def _span(self, postcode: object) -> tuple[int, int]:
        code = _norm_postcode(postcode)
        if not (code.isdigit() and len(code) == 4):
            return 0, 0
        base = int(code) * self._width
        pairs = self._pairs
        return int(np.searchsorted(pairs, base)), int(np.searchsorted(pairs, base + self._width))

    def has_coverage(self, postcode: object) -> bool:
        """Tell whether the register has streets for the postcode."""
        lo, hi = self._span(postcode)
        return hi > lo

    def city(self, postcode: object) -> str | None:
        """Return the city (postdistrikt) of a postcode, or None if unknown."""
        return self._postcodes.get(_norm_postcode(postcode))

    def streets(self, postcode: object) -> list[str]:
        """Return the street names in a postcode, in Danish alphabetical order."""
        lo, hi = self._span(postcode)
        return self._names[lo:hi]

    def _find(self, street: object, postcode: object) -> int | None:
        """The street's row in a postcode: exact key, addressing-name alias or abbreviation."""
        code = _norm_postcode(postcode)
        if not (code.isdigit() and len(code) == 4):
            return None
        key = _key(street)
        if not key:
            return None
        rank = self._rank.get(key)
        if rank is not None:
            pair = int(code) * self._width + rank
            index = int(np.searchsorted(self._pairs, pair))
            if index < len(self._pairs) and self._pairs[index] == pair:
                return index
        alias = self._aliases.get((int(code), key))
        if alias is not None:
            return alias
        return self._abbreviated(key, code)

    def _abbreviated(self, key: str, postcode: str) -> int | None:
        """A street whose (shorter) register name abbreviates the typed full name."""
        base = int(postcode) * self._width
        first = bisect.bisect_left(self._keys, key[0])
        last = bisect.bisect_left(self._keys, key[0] + "\uffff")
        lo = int(np.searchsorted(self._pairs, base + first))
        hi = int(np.searchsorted(self._pairs, base + last))
        for index in range(lo, hi):
            short = self._keys[int(self._pairs[index]) - base]
            if len(short) < len(key) and abbreviates(short, key, len(self._names[index]) >= 19):
                return index
        return None

    def _ranges_at(self, index: int) -> Iterator[tuple[int, int, int, int]]:
        start, end = int(self._starts[index]), int(self._starts[index + 1])
        yield from zip(
            self._side[start:end].tolist(),
            self._lo[start:end].tolist(),
            self._hi[start:end].tolist(),
            range(start, end),
            strict=True,
        )

    def _range(self, row: int) -> HouseNumberRange:
        return HouseNumberRange(
            SIDE_LETTERS[int(self._side[row])],
            _house(int(self._lo[row]), True),
            _house(int(self._hi[row]), False),
            kommunekode=f"{int(self._kom[row]):04d}",
            vejkode=f"{int(self._vej[row]):04d}",
        )

    def canonical(self, street: object, postcode: object) -> str | None:
        """The register's name of a street in a postcode (None if unknown)."""
        index = self._find(street, postcode)
        return None if index is None else self._names[index]

    def ranges(self, street: str, postcode: object) -> list[HouseNumberRange]:
        """Return the house-number ranges of a street in a postcode ([] if unknown)."""
        index = self._find(street, postcode)
        if index is None:
            return []
        return [self._range(row) for *_, row in self._ranges_at(index)]

    def house_numbers(self, street: str, postcode: object, limit: int = 200) -> list[str]:
        """Suggest house numbers of a street (plain numbers of its ranges, in order, ``limit``)."""
        index = self._find(street, postcode)
        if index is None:
            return []
        numbers: set[int] = set()
        for side, lo, hi, _ in self._ranges_at(index):
            first = max(1, -(-lo // LETTER_SLOTS))
            last = min(hi // LETTER_SLOTS, first + 2 * limit)
            step = 1 if side == 0 else 2
            if side and (first % 2 == 0) != (side == 1):  # side 1 = even, 2 = odd
                first += 1
            numbers.update(range(first, last + 1, step))
        return [str(n) for n in sorted(numbers)[:limit]]

    def suggest(self, prefix: str, postcode: object = None, limit: int = 10) -> list[str]:
        """Suggest ``limit`` streets in ``postcode`` (None: all): prefix matches, then contains.

        Both in Danish alphabetical order; a binary search for the prefix, a scan of the
        postcode's streets for "contains" only when the prefix gives fewer than ``limit``.
        """
        query = _key(prefix)
        if postcode is None:
            return self._suggest_all(query, limit)
        lo, hi = self._span(postcode)
        if hi == lo:
            return []
        base = int(_norm_postcode(postcode)) * self._width
        first = bisect.bisect_left(self._keys, query)
        last = bisect.bisect_left(self._keys, query + "\uffff")
        start = int(np.searchsorted(self._pairs, base + first))
        end = int(np.searchsorted(self._pairs, base + last))
        found = self._names[start : min(end, start + limit)]
        if len(found) < limit and query:
            keys, pairs = self._keys, self._pairs[lo:hi].tolist()
            for offset, pair in enumerate(pairs):
                text = keys[pair - base]
                if query in text and not text.startswith(query):
                    found.append(self._names[lo + offset])
                    if len(found) == limit:
                        break
        return found

    def _suggest_all(self, query: str, limit: int) -> list[str]:
        if self._all is None:
            shown: dict[str, str] = {}
            for pair, name in zip(self._pairs.tolist(), self._names, strict=True):
                shown.setdefault(self._keys[pair % self._width], name)
            self._all = sorted(shown.items())
        keys = [key for key, _ in self._all]
        start = bisect.bisect_left(keys, query)
        found = [name for key, name in self._all[start : start + limit] if key.startswith(query)]
        if len(found) < limit and query:
            for key, name in self._all:
                if query in key and not key.startswith(query):
                    found.append(name)
                    if len(found) == limit:
                        break
        return found

    def check(
        self,
        street: str | None,
        house_number: object,
        postcode: object,
        suggestions: bool = True,
    ) -> list[AddressProblem]:
        """Validate an address against the postcode list and the street register.

        Args:
            street: Street name (case, punctuation and spacing are ignored; a full name matches
                its abbreviated addressing form).
            house_number: "12", "12B" or "12 B"; its parity must match the range's side.
            postcode: 4-digit postcode.
            suggestions: Look for similar street names when the street is unknown.

        Returns:
            An empty list if the address is fine, else one AddressProblem.
        """
        code = _norm_postcode(postcode)
        if code not in self._postcodes:
            return [AddressProblem(POSTCODE_UNKNOWN, {"postcode": code})]
        if not self.has_coverage(code):
            return [AddressProblem(REGISTER_NO_COVERAGE, {"postcode": code})]
        index = self._find(street, code)
        if index is None:
            close = self._close(street, code) if suggestions else []
            details = {"street": street, "postcode": code, "suggestions": close}
            return [AddressProblem(STREET_UNKNOWN, details)]
        number = HouseNumber.parse(house_number)
        if number is not None:
            wanted = house_code(number.number, number.letter)
            side = 1 if number.number % 2 == 0 else 2
            for range_side, lo, hi, _ in self._ranges_at(index):
                if lo <= wanted <= hi and range_side in (0, side):
                    return []
        given = "" if house_number is None else str(house_number)
        details = {"street": self._names[index], "house_number": given, "postcode": code}
        details["ranges"] = [self._range(row).describe() for *_, row in self._ranges_at(index)]
        return [AddressProblem(HOUSE_NUMBER_OUT_OF_RANGE, details)]

    def _close(self, street: object, postcode: str) -> list[str]:
        lo, hi = self._span(postcode)
        base = int(postcode) * self._width
        keys = {self._keys[int(pair) - base]: i for i, pair in enumerate(self._pairs[lo:hi])}
        found = difflib.get_close_matches(_key(street), list(keys), n=5, cutoff=0.6)
        return [self._names[lo + keys[key]] for key in found]

    # -- coverage and samples ------------------------------------------------------------------

    def municipalities_with_streets(self) -> list[str]:
        """Return the kommunekoder (4 digits) that have streets in the register."""
        return [f"{int(k):04d}" for k in np.unique(self._kom)]

    def sample_addresses(self, kommunekode: str | None = None) -> list[tuple[str, str, str, str]]:
        """Return valid ``(street, house_number, postcode, city)`` tuples in a stable order.

        One per range (its lowest number), in ``kommunekode`` ("101" or "0101") or everywhere.
        """
        wanted = kommunekode.strip().zfill(4) if kommunekode is not None else None
        if wanted not in self._samples:
            self._samples[wanted] = self._make_samples(wanted)
        return list(self._samples[wanted])

    def _make_samples(self, wanted: str | None) -> list[tuple[str, str, str, str]]:
        rows = np.arange(len(self._lo))
        if wanted is not None:
            rows = rows[self._kom == int(wanted)] if wanted.isdigit() else rows[:0]
        street_of = np.searchsorted(self._starts, rows, side="right") - 1
        found = set()
        for row, index in zip(rows.tolist(), street_of.tolist(), strict=True):
            first = self._range(row).first()
            if first is not None:
                pc = f"{int(self._range_postcode[row]):04d}"
                found.add((int(self._kom[row]), self._names[index], pc, first))
        ordered = sorted(found, key=lambda t: (t[0], _key(t[1]), t[2], t[3]))
        return [(name, str(hn), pc, self.city(pc) or "") for _, name, pc, hn in ordered]

    def status_text(self) -> str:
        """The register and its date in Danish, e.g. "Vejregister pr. 02-02-2015"."""
        from sorkit.dates import format_da
        from sorkit.texts import ADDRESS_TEXTS

        if self.info.date is None:
            return ADDRESS_TEXTS["status_undated"].format(source=self.info.source)
        return ADDRESS_TEXTS["status"].format(date=format_da(self.info.date))

    def stale_warning(self, today: Any) -> str | None:
        """A Danish warning when the register is older than a year on ``today``, else None."""
        from sorkit.texts import ADDRESS_TEXTS

        if not self.info.is_stale(today):
            return None
        return ADDRESS_TEXTS["stale"].format(status=self.status_text())


@lru_cache(maxsize=2)
def _load_cached(path: Path, mtime_ns: int, size: int) -> AddressRegister:
    return AddressRegister.from_file(path)


def sample_addresses(kommunekode: str | None = None) -> list[tuple[str, str, str, str]]:
    """Return valid addresses from the register in use (see AddressRegister.sample_addresses)."""
    return AddressRegister.default().sample_addresses(kommunekode)


def municipalities_with_streets() -> list[str]:
    """Return the kommunekoder that have streets in the register in use."""
    return AddressRegister.default().municipalities_with_streets()


def city_of(postcode: object) -> str | None:
    """The city (postdistrikt) of a postcode from the register in use and the postcode list."""
    return AddressRegister.default().city(postcode)


ADDRESS_FIELDS = ("postal_address", "visiting_address", "activity_address")


def with_city(value: Any, register: AddressRegister | None = None) -> Any:
    """An address (Address or storage dict) with its city from the postcode when it has none.

    Anything else (None, "same as" sentinels, an address with a city or an unknown postcode)
    is returned unchanged.
    """
    if isinstance(value, Address):
        if value.city or not value.postcode:
            return value
        city = (register or AddressRegister.default()).city(value.postcode)
        return replace(value, city=city) if city else value
    if isinstance(value, Mapping) and "postcode" in value and not value.get("city"):
        city = (register or AddressRegister.default()).city(value.get("postcode"))
        return {**value, "city": city} if city else value
    return value


def fill_cities(assignments: Mapping[str, Any]) -> dict[str, Any]:
    """The assignments with each address given its city (postdistrikt) from the register."""
    out = dict(assignments)
    for name in ADDRESS_FIELDS:
        if out.get(name) is not None:
            out[name] = with_city(out[name])
    return out
