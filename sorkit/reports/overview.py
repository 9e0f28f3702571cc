"""Overview tables for analysts: counts per level, unit type and region on a date.

A unit's region is found from its institution owner (the IE at the top of its branch): a region
IE is its own region; a municipality IE lies in its region (the municipality list); a private IE
lies where its postal address is (the road register gives the municipality of a street).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pandas as pd

from sorkit import refdata
from sorkit.addresses import AddressRegister
from sorkit.texts import LEVEL_LABELS, STATUS_LABELS

if TYPE_CHECKING:
    from sorkit.register import Register

UNKNOWN_REGION = "Ukendt region"


def _region_by_root(reg: Register, day: dt.date) -> dict[str, str]:
    snap = reg.snapshot()
    regions = refdata.regions()
    region_names = set(regions["name"])
    municipalities = refdata.municipalities()
    by_municipality = {}
    for name, region in zip(municipalities["name"], municipalities["region_name"], strict=True):
        by_municipality[f"{name} Kommune"] = region
        by_municipality[f"{name}s Kommune"] = region
        by_municipality[f"{name}s Regionskommune"] = region
    by_kommunekode = dict(zip(municipalities["code"], municipalities["region_name"], strict=True))
    addresses = AddressRegister.default()
    out: dict[str, str] = {}
    for code in snap.codes():
        v = snap.reference_version(code, day)
        if v is None or v.parent is not None:
            continue
        if v.name in region_names:
            out[code] = v.name
        elif v.name in by_municipality:
            out[code] = by_municipality[v.name]
        else:
            region = UNKNOWN_REGION
            addr = v.postal_address
            if addr:
                ranges = addresses.ranges(addr["street"], addr["postcode"])
                if ranges:
                    region = by_kommunekode.get(ranges[0].kommunekode.zfill(4), UNKNOWN_REGION)
            out[code] = region
    return out


def unit_overview(reg: Register, as_of: dt.date | None = None) -> pd.DataFrame:
    """One row per unit that is not closed on ``as_of``: level, type, status and region."""
    day = reg.today if as_of is None else as_of
    snap = reg.snapshot()
    root_region = _region_by_root(reg, day)
    type_names = refdata.unit_type_names()
    rows = []
    for code in snap.codes():
        status = snap.status(code, day)
        if status == "closed":
            continue
        v = snap.reference_version(code, day)
        if v is None:
            continue
        chain = snap.ancestors(code, max(day, v.valid_from))
        root = chain[-1].sor_code if chain else code
        rows.append(
            (
                code,
                v.name,
                v.level,
                v.unit_type,
                type_names.get(v.unit_type or ""),
                status,
                root_region.get(root, UNKNOWN_REGION),
            )
        )
    return pd.DataFrame.from_records(
        rows,
        columns=["sor_code", "name", "level", "unit_type", "unit_type_name", "status", "region"],
    )


def counts_by_level_and_region(reg: Register, as_of: dt.date | None = None) -> pd.DataFrame:
    """Units per region (rows) and level (columns: IE, SI, OE), with totals."""
    units = unit_overview(reg, as_of)
    table = pd.crosstab(units["region"], units["level"], margins=True, margins_name="I alt")
    table = table.reindex(columns=[c for c in ("IE", "SI", "OE", "I alt") if c in table.columns])
    return table.rename(columns=LEVEL_LABELS)


def counts_by_type(reg: Register, as_of: dt.date | None = None) -> pd.DataFrame:
    """Units per unit type (with the Danish type name), most common first."""
    units = unit_overview(reg, as_of)
    units["unit_type_name"] = units["unit_type_name"].fillna("(ingen enhedstype)")
    return (
        units.groupby(["level", "unit_type_name"])
        .size()
        .rename("antal")
        .reset_index()
        .sort_values("antal", ascending=False, ignore_index=True)
    )


def counts_by_status(reg: Register, as_of: dt.date | None = None) -> pd.Series:
    """Units per status on the date (aktiv, fremtidig, lukker)."""
    units = unit_overview(reg, as_of)
    return units["status"].map(STATUS_LABELS).value_counts()
