"""Helpers of the rule, engine and scenario tests: demo units by name, dates, sample values."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import sorkit
from sorkit.addresses import sample_addresses
from sorkit.ids import make_gln
from sorkit.model import Address, LocationNumber
from tests.helpers import TODAY

OE_TYPE = "550691000005104"  # the type of "Allerød Kommunes Tandpleje" (allowed on OE)
ADMIN_TYPE = "550811000005108"  # administrativ enhed


def day(n: int) -> dt.date:
    """``TODAY + n`` days."""
    return TODAY + dt.timedelta(days=n)


def copy_demo(template: Path, folder: Path, user: str = "admin", today: dt.date = TODAY) -> Any:
    """A private copy of the demo register file, opened as ``user``."""
    path = folder / "demo.duckdb"
    shutil.copy(template, path)
    return sorkit.open_register(path, user=user, today=today)


class Units:
    """Demo units by name: ``u["Allerød Kommunes Tandpleje"]`` is its SOR code."""

    def __init__(self, reg: Any):
        snap = reg.snapshot()
        self.snap = snap
        self.by_name: dict[str, list[str]] = {}
        for code in snap.codes():
            self.by_name.setdefault(snap.versions(code)[0].name, []).append(code)

    def __getitem__(self, name: str) -> str:
        codes = self.by_name[name]
        assert len(codes) == 1, f"{name} is ambiguous: {codes}"
        return codes[0]

    def under(self, name: str, parent: str) -> str:
        """The unit called ``name`` whose first parent is ``parent`` (a name or a SOR code)."""
        parent_code = parent if parent.isdigit() else self[parent]
        found = [c for c in self.by_name[name] if self.snap.versions(c)[0].parent == parent_code]
        assert len(found) == 1, (name, parent, found)
        return found[0]

    def sengeafsnit(self) -> str:
        """Rigshospitalet > Kardiologisk Afdeling > Kardiologisk Afdeling, Sengeafsnit."""
        afdeling = self.under("Kardiologisk Afdeling", "Rigshospitalet")
        return self.under("Kardiologisk Afdeling, Sengeafsnit", afdeling)

    def closed(self) -> str:
        """Some OE that closed before today."""
        for code in sorted(self.snap.codes()):
            end = self.snap.end(code)
            if end is not None and end <= TODAY and self.snap.versions(code)[-1].level == "OE":
                return code
        raise LookupError("no closed unit in the demo")


def address(n: int = 0, **changes: Any) -> Address:
    """A real address from the shipped address register (n-th sample), optionally changed."""
    street, number, postcode, city = sample_addresses()[n]
    values = {"street": street, "house_number": number, "postcode": postcode, "city": city}
    values.update(changes)
    return Address(**values)


def location_number(gln: str | None = None, **changes: Any) -> LocationNumber:
    """A complete, valid, unused Danish location number (change any field by keyword)."""
    values: dict[str, Any] = {
        "gln": gln or make_gln("579000012345"),
        "region": "1084",
        "edb_system": "EDB",
        "system_supplier": "Leverandør",
        "net_operator": "Netoperatør",
        "administrator": "Administrator",
        "edi_types": ("FDIS20",),
    }
    values.update(changes)
    return LocationNumber(**values)


#: A table row: (row id, code, user, change factory over the demo's units, code expected?).
#: One row of a rule table: (scenario, code, user, change maker, whether the code is expected).
Row = tuple[str, str, str, Callable[[Units], Any], bool]


def named_rows(rows: list[Row]) -> list[Any]:
    """The table's rows as pytest parameters, each named by its scenario (``-k "parent closed"``)."""
    names = [row[0] for row in rows]
    assert len(set(names)) == len(names), "two rows of a rule table have the same scenario"
    return [pytest.param(row, id=row[0]) for row in rows]


def run_row(reg: Any, units: Units, row: Row) -> list[str]:
    """Plan the row's change as its user; return the violation codes."""
    _id, _code, user, make, _expected = row
    return reg.as_user(user).plan(make(units)).codes
