"""An example plan for the demo register (the batch notebook's default, and the tutorial's).

The demo's SOR codes and dates depend on the day it was built, so the example is written for
the register at hand: its units are found by name, its dates follow the register's today.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sorkit.register import Register

__all__ = ["example_plan", "reorganisation_date"]

_COLUMNS = [
    "operation",
    "ref",
    "sor_code",
    "parent",
    "new_parent",
    "date",
    "name",
    "unit_type",
    "phone",
    "inherit_electronic",
    "inherit_location_number",
    "confirm",
    "comment",
]


def reorganisation_date(today: dt.date) -> dt.date:
    """The first day of a month late enough for every operation (a close's last day included)."""
    day = today + dt.timedelta(days=9)
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def example_plan(reg: Register, path: str | Path) -> Path:
    """Write a small reorganisation of Allerød Kommune's health administration as a CSV plan.

    A new staff unit is created, two administrative units move under it, one home-care district
    is renamed and another closed, and a dental clinic gets a new phone number a month later.

    Raises:
        LookupError: the register is not the demo register (a unit the example needs is missing).
    """
    snap = reg.snapshot()
    day = reg.today
    by_name: dict[str, list[str]] = {}
    for code in snap.codes():
        v = snap.reference_version(code, day)
        if v is not None and snap.status(code, day) != "closed":
            by_name.setdefault(v.name, []).append(code)

    def one(name: str) -> str:
        found = by_name.get(name, [])
        if len(found) != 1:
            raise LookupError(f"eksemplet kræver demo-registret: enheden '{name}' findes ikke")
        return found[0]

    care = one("Hjemmeplejen Allerød")
    districts = sorted(
        (v for v in snap.children(care, day) if snap.status(v.sor_code, day) == "active"),
        key=lambda v: v.name,
    )
    if len(districts) < 2:
        raise LookupError("eksemplet kræver mindst to distrikter under Hjemmeplejen Allerød")
    keep, gone = districts[0], districts[-1]
    when = reorganisation_date(day)
    later = dt.date(when.year + when.month // 12, when.month % 12 + 1, 1)
    last = when - dt.timedelta(days=1)
    rows = [
        ["create", "NYT1", "", one("Sundhed og Omsorg, Allerød"), "", when,
         "Stab og Administration, Allerød", "550811000005108", "", "ja", "ja", "", "Ny stab"],
        ["move", "", one("Sekretariatet, Allerød"), "", "@NYT1", when,
         "Sekretariatet, Allerød", "", "", "", "", "", "Flyttes under den nye stab"],
        ["move", "", one("Økonomi og Styring, Allerød"), "", "@NYT1", when,
         "Økonomi og Styring, Allerød", "", "", "", "", "", ""],
        ["edit", "", keep.sor_code, "", "", when,
         f"{keep.name} og {gone.name.split()[-1]}", "", "", "", "", "", "Overtager distriktet"],
        ["close", "", gone.sor_code, "", "", last, gone.name, "", "", "", "", "ja",
         f"Sidste dag {last:%d-%m-%Y}"],
        ["edit", "", one("Tandplejen Engholmskolen"), "", "", later, "", "", "48101010", "", "",
         "", "Nyt direkte nummer"],
    ]  # fmt: skip
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(_COLUMNS)
        for row in rows:
            writer.writerow([v.isoformat() if isinstance(v, dt.date) else v for v in row])
    return out
