"""New location numbers from the register's GS1 number range (guide p.19).

"Ved indtastning af lokationsnummeroplysninger oprettes nyt lokationsnummer automatisk, så snart
enheden gemmes": a change that gives a unit ``LocationNumber(gln=None, ...)`` gets the next free
number of the register's GS1 range, with its check digit.

The range is a setting stored in the register (table ``settings``, keys ``gln_range_first``,
``gln_range_last`` and ``gln_next``: the 12-digit numbers without check digit), set by an
``sds_admin`` with :func:`set_gln_range`. Planning picks the first number from ``gln_next`` on
that no unit holds in any version (so a number that was ever in use is never given again by
allocation; it can still be typed in by hand once it is free); applying takes it inside the
write transaction by moving ``gln_next`` past it, compare-and-set: if another writer took a
number in between, the write is stale and the change is planned again with the next number.
A number once given is never given again, even if its change is cancelled before it takes
effect (it may have been passed on to MedCom already).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sorkit.changes import Change, CreateUnit, EditUnit, SetLocationNumber
from sorkit.ids import is_valid_gln, make_gln
from sorkit.model import LocationNumber

if TYPE_CHECKING:
    from sorkit.register import Register
    from sorkit.snapshot import Snapshot

__all__ = [
    "Allocation",
    "GlnRange",
    "allocate",
    "gln_range",
    "requested",
    "set_gln_range",
    "with_number",
]

FIRST, LAST, NEXT = "gln_range_first", "gln_range_last", "gln_next"


@dataclass(frozen=True)
class GlnRange:
    """A GS1 range of location numbers: 12-digit bases ``first``..``last`` (inclusive).

    Attributes:
        first: the first number without its check digit.
        last: the last number without its check digit.
        next: where the next allocation starts looking (numbers before it were given).
    """

    first: str
    last: str
    next: str

    @property
    def first_gln(self) -> str:
        """The first number of the range, with its check digit."""
        return make_gln(self.first)

    @property
    def last_gln(self) -> str:
        """The last number of the range, with its check digit."""
        return make_gln(self.last)

    @property
    def size(self) -> int:
        """How many numbers the range holds."""
        return int(self.last) - int(self.first) + 1

    def text(self) -> str:
        """The range as a steward reads it: ``first - last``."""
        return f"{self.first_gln} - {self.last_gln}"


@dataclass(frozen=True)
class Allocation:
    """The number a planned change will give, and how the apply takes it.

    Attributes:
        gln: the new number (None: there is no free number, or no range is set).
        range: the register's range (None if none is set).
        seen_next: ``gln_next`` as planning read it.
        new_next: ``gln_next`` after the apply (just past ``gln``).
    """

    gln: str | None
    range: GlnRange | None
    seen_next: str | None = None
    new_next: str | None = None

    @property
    def take_setting(self) -> tuple[str, str, str] | None:
        """The compare-and-set the write does inside its transaction."""
        if self.gln is None or self.seen_next is None or self.new_next is None:
            return None
        return (NEXT, self.seen_next, self.new_next)


def _base(value: Any, what: str) -> str:
    """A 12-digit base from a 12-digit base or a valid 13-digit GLN (int or str)."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise TypeError(f"{what}: et lokationsnummer som tekst eller heltal, ikke {value!r}")
    text = str(value).strip().replace(" ", "")
    if len(text) == 13 and is_valid_gln(text):
        return text[:12]
    if len(text) == 12 and text.isdigit():
        return text
    raise ValueError(
        f"{what}: '{value}' er hverken 12 cifre eller et gyldigt lokationsnummer (13 cifre)"
    )


def range_from_settings(settings: Mapping[str, str]) -> GlnRange | None:
    """The range held in the register's settings, if one is set."""
    first, last = settings.get(FIRST), settings.get(LAST)
    if not first or not last:
        return None
    return GlnRange(first, last, settings.get(NEXT) or first)


def gln_range(reg: Register) -> GlnRange | None:
    """The register's GS1 range for new location numbers (None if none is set)."""
    return range_from_settings(reg.store.settings())


def set_gln_range(reg: Register, first: Any, last: Any) -> GlnRange:
    """Set the register's GS1 range (only an ``sds_admin`` may).

    Args:
        reg: the register, opened as an sds_admin.
        first: the first number: 12 digits, or 13 with a valid check digit (int or str).
        last: the last number, the same way; not before ``first``.

    Returns:
        The range as stored. Allocation goes on where it was if that lies inside the new
        range, else it starts at ``first``.

    Raises:
        PermissionError: the user is not an sds_admin.
        ValueError: a number is malformed, or ``last`` comes before ``first``.
    """
    if reg.role != "sds_admin":
        raise PermissionError(
            f"{reg.user} må ikke sætte nummerområdet for lokationsnumre (kræver rollen sds_admin)"
        )
    lo, hi = _base(first, "første nummer"), _base(last, "sidste nummer")
    if int(hi) < int(lo):
        raise ValueError(f"nummerområdet er tomt: {make_gln(hi)} kommer før {make_gln(lo)}")
    old = gln_range(reg)
    start = old.next if old is not None and int(lo) <= int(old.next) <= int(hi) + 1 else lo
    reg.store.set_settings({FIRST: lo, LAST: hi, NEXT: start}, reg.user, reg.clock.now())
    reg.refresh()
    return GlnRange(lo, hi, start)


def requested(change: Change) -> LocationNumber | None:
    """The location number of a change that asks for a new number (``gln=None``), if any."""
    number: Any = None
    if isinstance(change, (CreateUnit, SetLocationNumber)):
        number = change.location_number
    elif isinstance(change, EditUnit):
        number = change.fields.get("location_number")
    if isinstance(number, LocationNumber) and number.gln is None:
        return number
    return None


def with_number(change: Change, gln: str) -> Change:
    """The change with the new number filled in (the change value itself is not altered)."""
    number = requested(change)
    if number is None:
        return change
    filled = dataclasses.replace(number, gln=gln)
    if isinstance(change, EditUnit):
        return EditUnit(
            change.sor_code,
            change.effective_from,
            **{**change.fields, "location_number": filled},
        )
    if isinstance(change, (CreateUnit, SetLocationNumber)):
        return dataclasses.replace(change, location_number=filled)
    return change


def allocate(reg: Register, snap: Snapshot) -> Allocation:
    """The next free number of the register's range on ``snap`` (planning; writes nothing)."""
    rng = gln_range(reg)
    if rng is None:
        return Allocation(None, None)
    n, last = int(rng.next), int(rng.last)
    while n <= last:
        gln = make_gln(f"{n:012d}")
        if not snap.holders("gln", gln):
            return Allocation(gln, rng, rng.next, f"{n + 1:012d}")
        n += 1
    return Allocation(None, rng)
