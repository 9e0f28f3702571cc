"""Write a register in the shape of the SOR XML complete export (v1.0.0 namespace).

Each exported unit is written with its *own* stored values on the export date (the version in
force then), so inheritance survives the round trip: no postal address block = inherit, no
``VirtualAddressInformation`` on an SI/OE = inherited electronic addresses,
``EntityInheritedIndicator`` for an inherited location number. ``SorStatus`` gets FirstFromDate
= the unit's first day, FromDate = the first day of the version written, ToDate = the last day
when the unit closes; a location number's own SorStatus covers the period in which the unit holds
that number. The file can be read back with :func:`sorkit.import_sor_xml`.

Beyond the v1.0.0 schema (the reader ignores unknown elements, as SOR's consumers must): CVR and
P-number are written as ``CvrNumberIdentifier``/``ProductionUnitIdentifier``, and identifiers
the schema only allows on some levels (e.g. a local code on an SI) are written wherever sorkit
holds them. EDI message types are not part of the XML export. ``GeographicalParent`` (not kept
by sorkit) is written as relation 1 on an SI and 2 ("den organisatoriske mor") on an OE.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from sorkit.exporters.common import exported_units
from sorkit.importers.xml import SOR_NS
from sorkit.model import Version
from sorkit.snapshot import Snapshot

if TYPE_CHECKING:
    from sorkit.register import Register

_ROOT = (
    '<SorTree xmlns:itst="http://rep.oio.dk/itst.dk/xml/schemas/2005/01/10/" '
    'xmlns:xkom-1="http://rep.oio.dk/xkom.dk/xml/schemas/2006/01/06/" '
    'xmlns:dkcc="http://rep.oio.dk/ebxml/xml/schemas/dkcc/2003/02/13/" '
    'xmlns:dkcc2005-2="http://rep.oio.dk/ebxml/xml/schemas/dkcc/2005/05/13/" '
    'xmlns:dkcc2005="http://rep.oio.dk/ebxml/xml/schemas/dkcc/2005/03/15/" '
    'xmlns:cpr="http://rep.oio.dk/cpr.dk/xml/schemas/core/2005/03/18/" '
    'xmlns:xkom="http://rep.oio.dk/xkom.dk/xml/schemas/2005/03/15/" '
    f'xmlns="{SOR_NS}">'
)
_ENTITY = {"IE": "InstitutionOwner", "SI": "HealthInstitution", "OE": "OrganizationalUnit"}
_TYPE = {"IE": "OwnerType", "SI": "InstitutionType", "OE": "UnitType"}
_ADDRESS = (
    ("dkcc2005:StreetName", "street"),
    ("dkcc:StreetBuildingIdentifier", "house_number"),
    ("dkcc:FloorIdentifier", "floor"),
    ("dkcc:SuiteIdentifier", "door"),
    ("dkcc2005:PostCodeIdentifier", "postcode"),
    ("dkcc2005:DistrictName", "city"),
)


def _el(name: str, value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        value = "true" if value else "false"
    return f"<{name}>{escape(str(value))}</{name}>"


def _status(first: dt.date, from_date: dt.date, last_day: dt.date | None) -> str:
    to = _el("ToDate", last_day.isoformat()) if last_day is not None else ""
    return (
        f"<SorStatus>{_el('FromDate', from_date.isoformat())}{to}"
        f"{_el('FirstFromDate', first.isoformat())}</SorStatus>"
    )


def _address(element: str, a: Mapping[str, Any] | None) -> str:
    if a is None:
        return ""
    parts = "".join(_el(tag, a.get(key)) for tag, key in _ADDRESS)
    country = '<dkcc:CountryIdentificationCode scheme="iso3166-alpha2">DK</dkcc:CountryIdentificationCode>'
    return f"<{element}><xkom-1:AddressPostal>{parts}{country}</xkom-1:AddressPostal></{element}>"


def _ln_period(snap: Snapshot, v: Version) -> tuple[dt.date, dt.date | None]:
    """The period in which the unit holds the number of version ``v`` (contiguous versions)."""
    gln = (v.location_number or {}).get("gln")
    vs = snap.versions(v.sor_code)
    i = vs.index(v)
    start_i = i
    while (
        start_i > 0
        and (vs[start_i - 1].location_number or {}).get("gln") == gln
        and vs[start_i - 1].valid_to == vs[start_i].valid_from
    ):
        start_i -= 1
    end_i = i
    while (
        end_i + 1 < len(vs)
        and (vs[end_i + 1].location_number or {}).get("gln") == gln
        and vs[end_i].valid_to == vs[end_i + 1].valid_from
    ):
        end_i += 1
    end = vs[end_i].valid_to
    return vs[start_i].valid_from, None if end is None else end - dt.timedelta(days=1)


def _location_number(snap: Snapshot, v: Version) -> str:
    ln = v.location_number
    if ln is None:
        return ""
    first, last = _ln_period(snap, v)
    unit_end = snap.end(v.sor_code)
    if unit_end is not None and last is not None and last >= unit_end - dt.timedelta(days=1):
        last = unit_end - dt.timedelta(days=1)
    body = (
        _el("EanLocationCode", ln.get("gln"))
        + _el("OnlyInternalIndicator", bool(ln.get("only_internal")))
        + _el("NonActiveIndicator", bool(ln.get("inactive")))
        + _el("SystemSupplier", ln.get("system_supplier"))
        + _el("SystemType", ln.get("edb_system"))
        + _el("CommunicationSupplier", ln.get("net_operator"))
        + _el("RegionCode", ln.get("region"))
        + _el("EdiAdministrator", ln.get("administrator"))
        + _el("SorNote", ln.get("note"))
        + _status(first, first, last)
    )
    return f"<EanLocationCodeEntity>{body}</EanLocationCodeEntity>"


def _codes(element: str, codes: tuple[str, ...]) -> str:
    if not codes:
        return ""
    inner = "".join(_el("SorIdentifier", c) for c in codes)
    return f"<{element}>{inner}</{element}>"


def unit_element(snap: Snapshot, v: Version) -> str:
    """The unit element (``InstitutionOwner``, ``HealthInstitution``, ``OrganizationalUnit``)."""
    level = v.level
    out = [
        f"<{_ENTITY[level]}>",
        _el("SorIdentifier", v.sor_code),
        _el("EntityName", v.name),
        _el(_TYPE[level], v.unit_type),
        _el("LocalCode", v.local_code),
        _el("PharmacyIdentifier", v.pharmacy_id),
        _el("ShakIdentifier", v.shak),
        _el("ProviderIdentifier", v.ydernummer),
    ]
    if level == "IE":
        out.append(_location_number(snap, v))
    else:
        own = _location_number(snap, v)
        choice = own or _el("EntityInheritedIndicator", bool(v.inherit_location_number))
        out.append(f"<OptionalEanLocationCode>{choice}</OptionalEanLocationCode>")
        relation = "1" if level == "SI" else "2"
        out.append(
            f"<GeographicalParent><GeographicalParentRelation>{relation}"
            "</GeographicalParentRelation></GeographicalParent>"
        )
    out.append(_address("PostalAddressInformation", v.postal_address))
    out.append(_address("VisitingAddressInformation", v.visiting_address))
    out.append(_address("ActivityAddressInformation", v.activity_address))
    if level == "IE" or not v.inherit_electronic:
        out.append(
            "<VirtualAddressInformation>"
            + _el("xkom:EmailAddressIdentifier", v.email)
            + _el("Website", v.website)
            + _el("TelephoneNumberIdentifier", v.phone)
            + _el("FaxNumberIdentifier", v.fax)
            + "</VirtualAddressInformation>"
        )
    if v.specialities:
        specs = "".join(
            f"<ClinicalSpeciality>{_el('SpecialityCode', s)}</ClinicalSpeciality>"
            for s in v.specialities
        )
        out.append(f"<ClinicalSpecialityCollection>{specs}</ClinicalSpecialityCollection>")
    first = snap.first_from(v.sor_code) or v.valid_from
    end = snap.end(v.sor_code)
    out.append(_status(first, v.valid_from, None if end is None else end - dt.timedelta(days=1)))
    out.append(_codes("ReplacesEntityCollection", v.replaces))
    out.append(_codes("ReplacedByEntityCollection", v.replaced_by))
    if v.local_attributes:
        attrs = "".join(
            _el(f"LocalAttribute{i + 1}", a) for i, a in enumerate(v.local_attributes[:5])
        )
        out.append(f"<LocalAttributeCollection>{attrs}</LocalAttributeCollection>")
    out.append(_el("CvrNumberIdentifier", v.cvr))
    out.append(_el("ProductionUnitIdentifier", v.p_number))
    out.append(f"</{_ENTITY[level]}>")
    return "".join(out)


def write_sor_xml(
    reg: Register,
    path: str | Path,
    day: dt.date,
    *,
    include_closed: bool = False,
) -> int:
    """Write ``reg`` as a SOR XML complete export on ``day``; return the number of units."""
    snap = reg.snapshot()
    chosen, kids = exported_units(snap, day, include_closed=include_closed)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    now = reg.clock.now().replace(microsecond=0)
    count = 0
    with open(target, "w", encoding="utf-8", newline="\n") as fh:
        fh.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        fh.write(_ROOT + "\n")
        fh.write(f"<CreatedAtTime>{now.isoformat()}Z</CreatedAtTime>\n")
        fh.write(f"<SnapshotDate>{day.isoformat()}</SnapshotDate>\n")
        for root in kids.get(None, []):
            count += _write_tree(fh, snap, chosen, kids, root)
        fh.write("</SorTree>\n")
    return count


def _write_tree(
    fh: IO[str],
    snap: Snapshot,
    chosen: dict[str, Version],
    kids: dict[str | None, list[str]],
    root: str,
) -> int:
    count = 0
    # Depth-first with an explicit stack: ("open", code) writes the unit and pushes its
    # children; ("close", wrapper) ends its *Entity wrapper.
    stack: list[tuple[str, str]] = [("open", root)]
    while stack:
        action, value = stack.pop()
        if action == "close":
            fh.write(f"</{value}>\n")
            continue
        v = chosen[value]
        wrapper = _ENTITY[v.level] + "Entity"
        fh.write(f"<{wrapper}>")
        fh.write(unit_element(snap, v))
        fh.write("\n")
        count += 1
        stack.append(("close", wrapper))
        for child in reversed(kids.get(value, [])):
            stack.append(("open", child))
    return count
