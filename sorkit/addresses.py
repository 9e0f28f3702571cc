"""Offline address register: street names and house-number ranges per postcode.

Reads the CPR road register format (DAWA's ``cpr_vej.csv``/``cpr_postnr.csv``, ``;``-separated,
backslash-escaped quotes): house-number ranges per street side (``L`` lige = even, ``U`` ulige =
odd) are PostgreSQL ranges of the composite ``(number, letter)``, either bound possibly open. Rows
whose ``virkning`` ended (finite, exclusive upper bound) are former names and are ignored. The
shipped subset has about 230 streets; the national files have the same format.
"""

from __future__ import annotations

import csv
import difflib
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from sorkit import refdata

POSTCODE_UNKNOWN = "ADDRESS_POSTCODE_UNKNOWN"
STREET_UNKNOWN = "ADDRESS_STREET_UNKNOWN"
HOUSE_NUMBER_OUT_OF_RANGE = "ADDRESS_HOUSE_NUMBER_OUT_OF_RANGE"
REGISTER_NO_COVERAGE = "ADDRESS_REGISTER_NO_COVERAGE"

_HOUSE_NUMBER_RE = re.compile(r"^\s*([1-9][0-9]{0,3})\s*([A-Za-zÆØÅæøå]?)\s*$")
_PUNCTUATION_RE = re.compile(r"[.,\-'’/]+")
_SIDE_NAMES = {"L": "lige", "U": "ulige"}


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


def _norm(text: object) -> str:
    """Normalise a street name for matching: case, punctuation and spacing are ignored."""
    return " ".join(_PUNCTUATION_RE.sub(" ", str(text or "")).casefold().split())


def _norm_postcode(postcode: object) -> str:
    text = str(postcode if postcode is not None else "").strip()
    return text.zfill(4) if text.isdigit() and len(text) == 3 else text


def _split(text: str) -> list[str | None]:
    """Split a PostgreSQL range/composite body on commas (quoted items may hold commas)."""
    return [item.strip() or None for item in next(csv.reader([text], escapechar="\\"))]


def _parse_range(text: str) -> tuple[str | None, str | None, bool, bool] | None:
    """Parse ``[lo,hi]``/``(lo,hi)``/``(,hi]``... into bounds; None for an empty range."""
    text = text.strip()
    if text.lower() == "empty":
        return None
    items = _split(text[1:-1]) if text[:1] in ("[", "(") and text[-1:] in ("]", ")") else []
    if len(items) != 2:
        raise ValueError(f"not a range with two bounds: {text!r}")
    return items[0], items[1], text[0] == "[", text[-1] == "]"


def _parse_husnr(text: str | None) -> HouseNumber | None:
    """Parse the composite ``(998,"")`` / ``(2,A)`` into a HouseNumber (None = open bound)."""
    if text is None:
        return None
    number, letter = _split(text.strip()[1:-1])
    return HouseNumber(int(number or 0), (letter or "").strip().upper())


def _read(path: Path) -> list[dict[str, str]]:
    with Path(path).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";", escapechar="\\"))


def _ended(virkning: str | None) -> bool:
    bounds = _parse_range(virkning) if virkning else None
    return bounds is not None and bounds[1] is not None and not bounds[3]


_Index = dict[str, dict[str, list[HouseNumberRange]]]
_Aliases = dict[str, dict[str, str]]


class AddressRegister:
    """Streets per postcode: index[postcode][street] = ranges, aliases[postcode][alias] = street."""

    def __init__(self, index: _Index, postcodes: dict[str, str], aliases: _Aliases) -> None:
        self._index = index
        self._postcodes = postcodes
        self._lookup = {
            pc: {**aliases.get(pc, {}), **{_norm(name): name for name in streets}}
            for pc, streets in index.items()
        }
        self._all_names = sorted(
            {n for s in index.values() for n in s}, key=refdata.danish_sort_key
        )

    @classmethod
    def load(
        cls, vej_path: str | Path, postnr_path: str | Path, postcodes: dict[str, str]
    ) -> AddressRegister:
        """Build the register from CPR road-register files (the shipped subset or national files).

        Args:
            vej_path: ``cpr_vej.csv`` (kommunekode;vejkode;navn;adresseringsnavn;virkning).
            postnr_path: ``cpr_postnr.csv`` (kommunekode;vejkode;husnrinterval;side;nr;navn;...).
            postcodes: All Danish postcodes, ``{4-digit postcode: city}``; postcodes found only in
                the road register are added with their city.
        """
        names: dict[tuple[str, str], tuple[str, str]] = {}
        for row in _read(Path(vej_path)):
            key = (row["kommunekode"].strip().zfill(4), row["vejkode"].strip().zfill(4))
            if key not in names or not _ended(row.get("virkning")):
                names[key] = (row["navn"].strip(), (row.get("adresseringsnavn") or "").strip())
        index: _Index = defaultdict(dict)
        aliases: _Aliases = defaultdict(dict)
        cities = dict(postcodes)
        for row in _read(Path(postnr_path)):
            key = (row["kommunekode"].strip().zfill(4), row["vejkode"].strip().zfill(4))
            bounds = _parse_range(row["husnrinterval"])
            if key not in names or bounds is None or _ended(row.get("virkning")):
                continue
            postcode = row["nr"].strip().zfill(4)
            cities.setdefault(postcode, (row.get("navn") or "").strip())
            name, short_name = names[key]
            lo, hi = _parse_husnr(bounds[0]), _parse_husnr(bounds[1])
            rng = HouseNumberRange(row["side"].strip().upper(), lo, hi, *bounds[2:], *key)
            index[postcode].setdefault(name, []).append(rng)
            if short_name:
                aliases[postcode][_norm(short_name)] = name
        return cls(dict(index), cities, dict(aliases))

    @classmethod
    def default(cls) -> AddressRegister:
        """Return the register built from the shipped subset (cached)."""
        folder = refdata.reference_dir() / "addresses"
        return _load_cached(folder / "cpr_vej.csv", folder / "cpr_postnr.csv")

    def postcode_known(self, postcode: object) -> bool:
        """Tell whether the postcode is in the Danish postcode list."""
        return _norm_postcode(postcode) in self._postcodes

    def has_coverage(self, postcode: object) -> bool:
        """Tell whether the register has streets for the postcode."""
        return bool(self._index.get(_norm_postcode(postcode)))

    def city(self, postcode: object) -> str | None:
        """Return the city (postdistrikt) of a postcode, or None if unknown."""
        return self._postcodes.get(_norm_postcode(postcode))

    def streets(self, postcode: object) -> list[str]:
        """Return the street names in a postcode, in Danish alphabetical order."""
        return sorted(self._index.get(_norm_postcode(postcode), {}), key=refdata.danish_sort_key)

    def ranges(self, street: str, postcode: object) -> list[HouseNumberRange]:
        """Return the house-number ranges of a street in a postcode ([] if unknown)."""
        postcode = _norm_postcode(postcode)
        name = self._lookup.get(postcode, {}).get(_norm(street))
        return list(self._index[postcode][name]) if name else []

    def suggest(self, prefix: str, postcode: object = None, limit: int = 10) -> list[str]:
        """Suggest ``limit`` streets in ``postcode`` (None: all): prefix matches, then contains."""
        names = self._all_names if postcode is None else self.streets(postcode)
        query = _norm(prefix)
        starts = [name for name in names if _norm(name).startswith(query)]
        contains = [n for n in names if query in _norm(n) and not _norm(n).startswith(query)]
        return (starts + contains)[:limit]

    def check(
        self, street: str | None, house_number: object, postcode: object
    ) -> list[AddressProblem]:
        """Validate an address against the postcode list and the road register.

        Args:
            street: Street name (case, punctuation and spacing are ignored).
            house_number: "12", "12B" or "12 B"; its parity must match the range's side.
            postcode: 4-digit postcode.

        Returns:
            An empty list if the address is fine, else one AddressProblem.
        """
        code = _norm_postcode(postcode)
        if code not in self._postcodes:
            return [AddressProblem(POSTCODE_UNKNOWN, {"postcode": code})]
        if not self.has_coverage(code):
            return [AddressProblem(REGISTER_NO_COVERAGE, {"postcode": code})]
        name = self._lookup[code].get(_norm(street))
        if name is None:
            keys = difflib.get_close_matches(_norm(street), self._lookup[code], n=8, cutoff=0.6)
            close = list(dict.fromkeys(self._lookup[code][key] for key in keys))[:5]
            details = {"street": street, "postcode": code, "suggestions": close}
            return [AddressProblem(STREET_UNKNOWN, details)]
        number = HouseNumber.parse(house_number)
        ranges = self._index[code][name]
        if number is None or not any(rng.contains(number) for rng in ranges):
            given = "" if house_number is None else str(house_number)
            details = {"street": name, "house_number": given, "postcode": code}
            details["ranges"] = [rng.describe() for rng in ranges]
            return [AddressProblem(HOUSE_NUMBER_OUT_OF_RANGE, details)]
        return []

    def _all_ranges(self) -> Iterator[tuple[str, str, HouseNumberRange]]:
        for postcode, streets in self._index.items():
            for name, ranges in streets.items():
                yield from ((postcode, name, rng) for rng in ranges)

    def municipalities_with_streets(self) -> list[str]:
        """Return the kommunekoder (4 digits) that have streets in the register."""
        return sorted({rng.kommunekode for _, _, rng in self._all_ranges()})

    def sample_addresses(self, kommunekode: str | None = None) -> list[tuple[str, str, str, str]]:
        """Return valid ``(street, house_number, postcode, city)`` tuples in a stable order.

        One per range (its lowest number), in ``kommunekode`` ("101" or "0101") or everywhere.
        """
        wanted = kommunekode.strip().zfill(4) if kommunekode is not None else None
        found = {
            (rng.kommunekode, name, postcode, first)
            for postcode, name, rng in self._all_ranges()
            if wanted in (None, rng.kommunekode) and (first := rng.first()) is not None
        }
        ordered = sorted(found, key=lambda t: (t[0], refdata.danish_sort_key(t[1]), t[2], t[3]))
        return [(name, str(hn), pc, self.city(pc) or "") for _, name, pc, hn in ordered]


@lru_cache(maxsize=4)
def _load_cached(vej_path: Path, postnr_path: Path) -> AddressRegister:
    return AddressRegister.load(vej_path, postnr_path, refdata.postcodes())


def sample_addresses(kommunekode: str | None = None) -> list[tuple[str, str, str, str]]:
    """Return valid addresses from the shipped register (see AddressRegister.sample_addresses)."""
    return AddressRegister.default().sample_addresses(kommunekode)


def municipalities_with_streets() -> list[str]:
    """Return the kommunekoder that have streets in the shipped register."""
    return AddressRegister.default().municipalities_with_streets()
