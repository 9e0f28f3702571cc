"""The demo register's builder: units, their history and pending changes, as change events.

Everything is derived from a seeded random generator and the register's today, so the same seed
and today always give the same register. Dates before today are history; dates after are pending.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from sorkit import refdata
from sorkit.addresses import AddressRegister
from sorkit.demo import data as D
from sorkit.demo.plan import add_history, add_pending, build_base, region_of, scale_up
from sorkit.engine.commit import bulk_load
from sorkit.ids import make_gln, make_sor_code
from sorkit.model import Event, Version
from sorkit.store import AuditRow
from sorkit.store.rows import versions_table
from sorkit.timeline import project

if TYPE_CHECKING:
    from sorkit.register import Register

START = dt.date(2007, 1, 1)  # the regions and today's municipalities began on 1 January 2007
_FIRST_SERIAL = 160000  # above every real SOR serial seen (about 155,500 in 2025)


@dataclass
class _Unit:
    code: str
    level: str
    start: dt.date
    state: dict[str, Any]
    children: list[str] = field(default_factory=list)
    kommune: str | None = None


class DemoBuilder:
    """Builds the demo register's events (see :func:`sorkit.demo.build`)."""

    def __init__(self, today: dt.date, seed: int, history: float):
        """Anchor dates on ``today``; ``history`` is the mean number of past edits per unit."""
        self.today = today
        self.rng = random.Random(seed)
        self.history = history
        self.serial = _FIRST_SERIAL
        self.gln_counter = 9_000_000
        self.phone_counter = 0
        self.units: dict[str, _Unit] = {}
        self.events: list[Event] = []
        self.change_counter = 0
        self.named: dict[str, str] = {}
        self.closed: set[str] = set()
        self.regions: dict[str, str] = {}
        self.municipalities: dict[str, str] = {}
        self.code_lists = {
            "edi": sorted(refdata.medcom_edi_types()),
            "edb": sorted(refdata.edb_systems()),
            "supplier": sorted(refdata.system_suppliers()),
            "net": sorted(refdata.net_operators()),
            "admin": sorted(refdata.edi_administrators()),
        }
        self.addresses = AddressRegister.default()
        covered = [k.zfill(4) for k in self.addresses.municipalities_with_streets()]
        self.covered = {
            k: self.addresses.sample_addresses(k.lstrip("0")) or self.addresses.sample_addresses(k)
            for k in covered
        }
        self.covered = {k: v for k, v in self.covered.items() if v}

    # -- primitives ------------------------------------------------------------------------

    def _code(self) -> str:
        self.serial += 1
        return make_sor_code(self.serial)

    def _gln(self) -> str:
        self.gln_counter += 1
        return make_gln(f"57900{self.gln_counter:07d}")

    def _phone(self) -> str:
        self.phone_counter += 1
        return f"{self.rng.choice('3456789')}{self.rng.randrange(1_000_000, 9_999_999)}"

    def _change_id(self) -> str:
        self.change_counter += 1
        return f"demo-{self.change_counter:07d}"

    def _date_between(self, lo: dt.date, hi: dt.date) -> dt.date:
        if hi <= lo:
            return lo
        return lo + dt.timedelta(days=self.rng.randrange((hi - lo).days + 1))

    def _address(self, kommune: str | None) -> dict[str, Any]:
        pool = self.covered.get(kommune or "")
        if not pool:
            region = region_of(kommune)
            same = [k for k in sorted(self.covered) if region_of(k) == region]
            pool = self.covered[self.rng.choice(same or sorted(self.covered))]
        street, number, postcode, city = self.rng.choice(pool)
        return {
            "street": street,
            "house_number": number,
            "postcode": postcode,
            "city": city,
            "floor": None,
            "door": None,
            "skip_validation": False,
        }

    def _location_number(self, region: str, edi: bool = True) -> dict[str, Any]:
        lists = self.code_lists
        types = tuple(sorted(self.rng.sample(lists["edi"], 3))) if edi else ()
        return {
            "gln": self._gln(),
            "region": region,
            "edb_system": self.rng.choice(lists["edb"]),
            "system_supplier": self.rng.choice(lists["supplier"]),
            "net_operator": self.rng.choice(lists["net"]),
            "administrator": self.rng.choice(lists["admin"]),
            "only_internal": False,
            "inactive": False,
            "edi_types": types,
            "note": None,
        }

    def add(
        self,
        parent: str | None,
        name: str,
        unit_type: str,
        *,
        level: str | None = None,
        start: dt.date | None = None,
        code: str | None = None,
        kommune: str | None = None,
        **fields: Any,
    ) -> str:
        """Add a unit (created at ``start``) and return its SOR code."""
        code = code or self._code()
        if parent is None:
            level = level or "IE"
        else:
            level = level or ("SI" if self.units[parent].level == "IE" else "OE")
        if start is None:
            lo = self.units[parent].start if parent else START
            start = self._date_between(lo, self.today - dt.timedelta(days=400))
        kommune = kommune or (self.units[parent].kommune if parent else None)
        state: dict[str, Any] = {
            "level": level,
            "parent": parent,
            "name": name,
            "unit_type": unit_type,
            "inherit_electronic": True,
            "inherit_location_number": True,
        }
        state.update(fields)
        if level == "IE":
            state.setdefault("postal_address", self._address(kommune))
            state["inherit_electronic"] = False
            state["inherit_location_number"] = False
            state.setdefault("phone", self._phone())
        self.units[code] = _Unit(code, level, start, state, kommune=kommune)
        if parent:
            self.units[parent].children.append(code)
        self.named.setdefault(name, code)
        return code

    # -- the register ----------------------------------------------------------------------

    def build(self, units: int | None = None) -> dict[str, Any]:
        """Lay out every unit and change; return facts about the result."""
        build_base(self)
        if units is not None and units > len(self.units):
            scale_up(self, units)
        for u in self.units.values():
            self._emit(u.code, u.start, "create", u.state)
        add_history(self)
        pending = add_pending(self)
        versions = self._project()
        return {
            "units": len(self.units),
            "versions": versions,
            "pending": pending,
            "events": len(self.events),
            "named": dict(self.named),
        }

    def _emit(
        self,
        code: str,
        day: dt.date,
        kind: str,
        assignments: dict[str, Any],
        recorded: dt.datetime | None = None,
        by: str = "admin",
    ) -> str:
        change_id = self._change_id()
        if recorded is None:
            base = day if day <= self.today else self.today - dt.timedelta(days=1)
            recorded = dt.datetime.combine(base, dt.time(9)) - dt.timedelta(days=3)
        recorded += dt.timedelta(microseconds=self.change_counter)
        self.events.append(Event(None, change_id, code, day, kind, dict(assignments), recorded, by))
        return change_id

    def _project(self, chunk: int = 50_000) -> int:
        """Project every unit's events into versions, kept as compact Arrow tables per chunk.

        Holding millions of versions as Python objects would take gigabytes at national scale;
        a chunk of units is projected, converted to columns and dropped. Returns the count.
        """
        now = dt.datetime.combine(self.today, dt.time(8))
        by_code: dict[str, list[Event]] = {}
        for e in self.events:
            by_code.setdefault(e.sor_code, []).append(e)
        recorded_of = {e.change_id: e.recorded_at for e in self.events}
        self._events_by = by_code
        self._version_chunks: list[tuple[list[str], pa.Table]] = []
        codes = list(by_code)
        count = 0
        for i in range(0, len(codes), chunk):
            part = codes[i : i + chunk]
            versions: list[Version] = []
            for code in part:
                versions += project(code, by_code[code])
            table = versions_table(versions, "admin", now)
            recorded = [recorded_of.get(v.change_id or "") or now for v in versions]
            table = table.set_column(
                table.schema.get_field_index("recorded_at"),
                "recorded_at",
                pa.array(recorded, pa.timestamp("us")),
            )
            self._version_chunks.append((part, table))
            count += len(versions)
        return count

    def write(self, reg: Register, progress: bool = False) -> None:
        """Write events, versions and audit rows into ``reg`` in chunks (one transaction each)."""
        from tqdm.auto import tqdm

        now = dt.datetime.combine(self.today, dt.time(8))
        bar = tqdm(total=len(self.units), desc="demo", disable=not progress, unit="enheder")
        for part, versions in self._version_chunks:
            events = [e for c in part for e in self._events_by[c]]
            audit = [
                AuditRow(
                    e.change_id,
                    e.sor_code,
                    e.kind,
                    e.effective_from,
                    {"kilde": "demo"},
                    {},
                    "Demo-registret",
                    None,
                )
                for e in events
            ]
            bulk_load(reg, events, versions, audit, "admin", now)
            bar.update(len(part))
        bar.close()

    def users(self) -> list[tuple[str, str, tuple[str, ...], str]]:
        """The demo users with their scopes resolved to SOR codes."""
        out = []
        for name, role, scopes, display in D.USERS:
            codes = []
            for scope in scopes:
                kind, key = scope.split(":")
                codes.append(
                    self.municipalities[key] if kind == "municipality" else self.regions[key]
                )
            out.append((name, role, tuple(codes), display))
        return out


__all__ = ["DemoBuilder", "START"]
