"""CSV export: one row per unit valid (or future, or closing) on a date, with SOR-like columns.

The shape follows the SOR2 ``SorEntity`` CSV (domain reference §2.2): semicolon-separated,
UTF-8 with BOM, SOR codes (and location numbers and ydernumre, which have leading zeros) written
as ``="..."`` so Excel keeps them as text, dates ``YYYY-MM-DD``, ``ToDate`` the inclusive last
day. Values are the unit's effective ones (inheritance resolved); ``Nedarvningsstatus`` says
whether the location number is the unit's own (``egen``) or inherited (``nedarvet``). The file
can be read back with :func:`sorkit.import_sor_csv`.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sorkit.exporters.common import UnitReader, exported_units, tree_order
from sorkit.model import Address, Unit

if TYPE_CHECKING:
    from sorkit.register import Register

_ADDRESS_PARTS = (
    ("StreetName", "street"),
    ("StreetBuildingId", "house_number"),
    ("FloorId", "floor"),
    ("SuiteId", "door"),
    ("PostCodeId", "postcode"),
    ("DistrictName", "city"),
)
_ADDRESSES = (
    ("PostalAddress", "postal_address"),
    ("VisitingAddress", "visiting_address"),
    ("ActivityAddress", "activity_address"),
)
_LN = (
    ("EanLocationCodeRegionCode", "region"),
    ("EanLocationCodeSystemType", "edb_system"),
    ("EanLocationCodeSystemSupplier", "system_supplier"),
    ("EanLocationCodeCommunicationSupplier", "net_operator"),
    ("EanLocationCodeEdiAdministrator", "administrator"),
    ("EanLocationCodeOnlyInternal", "only_internal"),
    ("EanLocationCodeNonActive", "inactive"),
    ("EanLocationCodeNote", "note"),
)

COLUMNS: list[str] = [
    "SorId",
    "ParentSorId",
    "SorType",
    "EntityName",
    "EntityTypeCode",
    "EntityTypeName",
    "FirstFromDate",
    "FromDate",
    "ToDate",
    *[f"{prefix}{part}" for prefix, _ in _ADDRESSES for part, _ in _ADDRESS_PARTS],
    "VirtualAddressTelephoneNumber",
    "VirtualAddressEmailAddress",
    "VirtualAddressWebsite",
    "VirtualAddressFaxNumber",
    "EanLocationCode",
    "Nedarvningsstatus",
    *[col for col, _ in _LN],
    "CvrNumberId",
    "PNumberId",
    "ShakId",
    "ProviderId",
    "PharmacyId",
    "LocalCode",
    *[f"LocalAttribute{i}" for i in range(1, 6)],
    *[f"PrioritizedEntitySpeciality{i}Code" for i in range(1, 9)],
]

_TEXT_IDS = ("SorId", "ParentSorId", "EanLocationCode", "ProviderId")


def _date(day: dt.date | None) -> str:
    return "" if day is None else day.isoformat()


def unit_row(u: Unit) -> dict[str, Any]:
    """One unit's CSV values (before ``="..."`` quoting)."""
    row: dict[str, Any] = {
        "SorId": u.sor_code,
        "ParentSorId": u.parent or "",
        "SorType": u.level,
        "EntityName": u.name,
        "EntityTypeCode": u.unit_type or "",
        "EntityTypeName": u.unit_type_name or "",
        "FirstFromDate": _date(u.valid_from),
        "FromDate": _date(u.version_from),
        "ToDate": _date(u.last_day),
        "VirtualAddressTelephoneNumber": u.phone or "",
        "VirtualAddressEmailAddress": u.email or "",
        "VirtualAddressWebsite": u.website or "",
        "VirtualAddressFaxNumber": u.fax or "",
        "CvrNumberId": u.cvr or "",
        "PNumberId": u.p_number or "",
        "ShakId": u.shak or "",
        "ProviderId": u.ydernummer or "",
        "PharmacyId": u.pharmacy_id or "",
        "LocalCode": u.local_code or "",
    }
    for prefix, field in _ADDRESSES:
        address: Address | None = getattr(u, field)
        for part, key in _ADDRESS_PARTS:
            row[prefix + part] = (getattr(address, key) or "") if address is not None else ""
    ln = u.location_number
    row["EanLocationCode"] = ln.gln if ln is not None else ""
    row["Nedarvningsstatus"] = (
        "" if ln is None else "nedarvet" if "location_number" in u.inherited else "egen"
    )
    for col, key in _LN:
        value = getattr(ln, key) if ln is not None else None
        row[col] = ("true" if value else "false") if isinstance(value, bool) else (value or "")
    for i in range(5):
        row[f"LocalAttribute{i + 1}"] = u.local_attributes[i] if i < len(u.local_attributes) else ""
    for i in range(8):
        row[f"PrioritizedEntitySpeciality{i + 1}Code"] = (
            u.specialities[i] if i < len(u.specialities) else ""
        )
    return row


def write_csv(
    reg: Register, path: str | Path, day: dt.date, *, include_closed: bool = False
) -> int:
    """Write the CSV export of ``reg`` on ``day`` to ``path``; return the number of rows."""
    snap = reg.snapshot()
    _chosen, kids = exported_units(snap, day, include_closed=include_closed)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    reader = UnitReader(snap)
    with open(target, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(COLUMNS)
        for code in tree_order(kids):
            row = unit_row(reader.unit(code, day))
            for col in _TEXT_IDS:
                if row[col]:
                    row[col] = f'="{row[col]}"'
            writer.writerow([row[c] for c in COLUMNS])
            count += 1
    return count
