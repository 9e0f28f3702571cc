"""Write a register as a SOR XML complete export, valid against the SOR XML v1.0.0 schema.

The writer follows the schema in ``data/reference/sor_xsd/`` element by element (``SorTree.xsd``:
order, required children, namespaces); the tests validate its output with lxml. Each exported
unit is written with its *own* stored values on the export date (the version in force then), so
inheritance survives the round trip: no postal address block on an SI/OE = inherit from the
parent, no ``VirtualAddressInformation`` on an SI/OE = inherited electronic addresses,
``EntityInheritedIndicator`` true = inherited location number. ``SorStatus`` gets FirstFromDate =
the unit's first day, FromDate = the first day of the version written, ToDate = the last day when
the unit closes; a location number's own SorStatus covers the period in which the unit holds that
number, and its ``OnlyInternalIndicator``/``NonActiveIndicator`` are written as SOR does.
Local attributes keep their slots: an OE holding only its third attribute gets
``LocalAttribute3``. The file can be read back with :func:`sorkit.import_sor_xml`.

What the v1.0.0 schema has no place for is left out (it stays in the Parquet, CSV and FHIR
exports, and an XML import leaves it as the register holds it; see
:mod:`sorkit.importers.xmlfields`):

* CVR and P-number (no element on any level);
* on an IE: SHAK, local code, ydernummer, pharmacy number, visiting and activity address,
  specialities, local attributes, replacement codes;
* on an SI: local code, ydernummer, activity address, specialities, local attributes;
* a location number's EDI message types; an address's "udelad adressevalidering" flag.

An export with closed units (the default) holds the whole register and says so before the root
element with ``<?sorkit scope="complete"?>`` (a processing instruction, outside the schema's
reach): importing it closes units missing from it everywhere (:mod:`sorkit.importers.scope`).
Without closed units, or from SOR itself, an import covers only the file's institution owners.

Values sorkit does not keep are written as follows: ``SpecialityType`` is 51000095001 (the only
value seen in SOR's exports; sorkit keeps the speciality codes only), ``GeographicalParent`` is
relation 1 on an SI and 2 ("den organisatoriske mor") on an OE, ``OrganizationalUnitInformation``
is not written. A unit that cannot be written validly (an IE without a postal address or
telephone number, a location number without its EDI codes, a value too long for its element)
stops the export with :class:`~sorkit.errors.SorExportError` naming every such unit, field and
value; nothing is written.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from sorkit.errors import SorExportError
from sorkit.exporters.common import exported_units
from sorkit.importers.xml import SOR_NS
from sorkit.model import Version
from sorkit.snapshot import Snapshot

if TYPE_CHECKING:
    from sorkit.register import Register

__all__ = ["SPECIALITY_TYPE", "unit_element", "write_sor_xml"]

#: ``SpecialityType`` written with every speciality (the only value seen in SOR's exports).
SPECIALITY_TYPE = "51000095001"

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
#: Text elements with a length limit in the schema: (min, max).
_LENGTHS = {
    "EntityName": (1, 60),
    "LocalCode": (1, 20),
    "PharmacyIdentifier": (1, 20),
    "ShakIdentifier": (4, 7),
    "ProviderIdentifier": (1, 9),
    "TelephoneNumberIdentifier": (8, 20),
    "FaxNumberIdentifier": (8, 20),
    "Website": (1, 254),
    "SorNote": (0, 254),
    "LocalAttribute": (1, 20),
}
#: Elements of type ``xs:long``.
_LONGS = {
    "SorIdentifier",
    "OwnerType",
    "InstitutionType",
    "UnitType",
    "EanLocationCode",
    "SystemSupplier",
    "SystemType",
    "CommunicationSupplier",
    "RegionCode",
    "EdiAdministrator",
    "SpecialityCode",
}
#: A location number's EDI codes, all required by ``EanLocationCodeEntity``, in schema order.
_EDI = (
    ("SystemSupplier", "system_supplier"),
    ("SystemType", "edb_system"),
    ("CommunicationSupplier", "net_operator"),
    ("RegionCode", "region"),
    ("EdiAdministrator", "administrator"),
)


@cache
def _checks(name: str) -> tuple[tuple[int, int] | None, bool]:
    """The schema's length limits of an element and whether it is an ``xs:long``."""
    local = name.rsplit(":", 1)[-1]
    key = "LocalAttribute" if local.startswith("LocalAttribute") else local
    return _LENGTHS.get(key), local in _LONGS


class _Writer:
    """Builds unit elements and collects every value the schema would refuse."""

    def __init__(self, snap: Snapshot):
        self.snap = snap
        self.problems: list[str] = []
        self.code = ""

    def bad(self, element: str, value: Any, message: str) -> None:
        self.problems.append(f"{self.code}: {element} = {value!r}: {message}")

    def el(self, name: str, value: Any, *, required: bool = False) -> str:
        """``<name>value</name>``; nothing for None/"" unless ``required`` (then a problem)."""
        if value is None or value == "":
            if required:
                self.bad(name, value, "mangler (kræves af SOR XML-skemaet)")
            return ""
        if value is True or value is False:
            value = "true" if value else "false"
        text = str(value)
        limits, number = _checks(name)
        if limits is not None and not limits[0] <= len(text) <= limits[1]:
            self.bad(name, text, f"skal være {limits[0]}-{limits[1]} tegn")
        if number and not (text.isdigit() and len(text) <= 18):
            self.bad(name, text, "skal være et tal")
        return f"<{name}>{escape(text)}</{name}>"

    def status(self, first: dt.date, from_date: dt.date, last_day: dt.date | None) -> str:
        to = self.el("ToDate", last_day.isoformat()) if last_day is not None else ""
        return (
            f"<SorStatus>{self.el('FromDate', from_date.isoformat())}{to}"
            f"{self.el('FirstFromDate', first.isoformat())}</SorStatus>"
        )

    def address(self, element: str, a: Mapping[str, Any] | None) -> str:
        if a is None:
            return ""
        parts = "".join(self.el(tag, a.get(key)) for tag, key in _ADDRESS)
        country = (
            '<dkcc:CountryIdentificationCode scheme="iso3166-alpha2">DK'
            "</dkcc:CountryIdentificationCode>"
        )
        return (
            f"<{element}><xkom-1:AddressPostal>{parts}{country}</xkom-1:AddressPostal></{element}>"
        )

    def location_number(self, v: Version) -> str:
        ln = v.location_number
        if ln is None:
            return ""
        first, last = _ln_period(self.snap, v)
        unit_end = self.snap.end(v.sor_code)
        if unit_end is not None and last is not None and last >= unit_end - dt.timedelta(days=1):
            last = unit_end - dt.timedelta(days=1)
        body = (
            self.el("EanLocationCode", ln.get("gln"), required=True)
            + self.el("OnlyInternalIndicator", bool(ln.get("only_internal")))
            + self.el("NonActiveIndicator", bool(ln.get("inactive")))
            + "".join(self.el(tag, ln.get(key), required=True) for tag, key in _EDI)
            + self.el("SorNote", ln.get("note"))
            + self.status(first, first, last)
        )
        return f"<EanLocationCodeEntity>{body}</EanLocationCodeEntity>"

    def virtual(self, v: Version) -> str:
        if v.level != "IE" and v.inherit_electronic:
            return ""
        return (
            "<VirtualAddressInformation>"
            + self.el("xkom:EmailAddressIdentifier", v.email)
            + self.el("Website", v.website)
            + self.el("TelephoneNumberIdentifier", v.phone, required=True)
            + self.el("FaxNumberIdentifier", v.fax)
            + "</VirtualAddressInformation>"
        )

    def codes(self, element: str, codes: tuple[str, ...]) -> str:
        if not codes:
            return ""
        inner = "".join(self.el("SorIdentifier", c) for c in codes)
        return f"<{element}>{inner}</{element}>"

    def optional_location_number(self, v: Version) -> str:
        own = self.location_number(v)
        choice = own or self.el("EntityInheritedIndicator", bool(v.inherit_location_number))
        return f"<OptionalEanLocationCode>{choice}</OptionalEanLocationCode>"

    def sor_status(self, v: Version) -> str:
        first = self.snap.first_from(v.sor_code) or v.valid_from
        end = self.snap.end(v.sor_code)
        return self.status(first, v.valid_from, None if end is None else end - dt.timedelta(days=1))

    def unit(self, v: Version) -> str:
        self.code = v.sor_code
        head = self.el("SorIdentifier", v.sor_code) + self.el("EntityName", v.name, required=True)
        if v.level == "IE":
            if v.postal_address is None:
                self.bad(
                    "PostalAddressInformation", None, "mangler (en institutionsejer skal have en)"
                )
            body = (
                head
                + self.el("OwnerType", v.unit_type, required=True)
                + self.location_number(v)
                + self.address("PostalAddressInformation", v.postal_address)
                + self.virtual(v)
                + self.sor_status(v)
            )
        elif v.level == "SI":
            body = (
                head
                + self.el("InstitutionType", v.unit_type, required=True)
                + self.el("PharmacyIdentifier", v.pharmacy_id)
                + self.el("ShakIdentifier", v.shak)
                + self.optional_location_number(v)
                + _GEO_PARENT.format(relation=1)
                + self.address("PostalAddressInformation", v.postal_address)
                + self.address("VisitingAddressInformation", v.visiting_address)
                + self.virtual(v)
                + self.sor_status(v)
                + self.codes("ReplacesEntityCollection", v.replaces)
                + self.codes("ReplacedByEntityCollection", v.replaced_by)
            )
        else:
            body = (
                head
                + self.el("UnitType", v.unit_type)
                + self.el("LocalCode", v.local_code)
                + self.el("PharmacyIdentifier", v.pharmacy_id)
                + self.el("ShakIdentifier", v.shak)
                + self.el("ProviderIdentifier", v.ydernummer)
                + self.optional_location_number(v)
                + _GEO_PARENT.format(relation=2)
                + self.address("PostalAddressInformation", v.postal_address)
                + self.address("VisitingAddressInformation", v.visiting_address)
                + self.address("ActivityAddressInformation", v.activity_address)
                + self.virtual(v)
                + self.specialities(v.specialities)
                + self.sor_status(v)
                + self.codes("ReplacesEntityCollection", v.replaces)
                + self.codes("ReplacedByEntityCollection", v.replaced_by)
                + self.local_attributes(v.local_attributes)
            )
        return f"<{_ENTITY[v.level]}>{body}</{_ENTITY[v.level]}>"

    def specialities(self, codes: tuple[str, ...]) -> str:
        if not codes:
            return ""
        if len(codes) > 8:
            self.bad("ClinicalSpecialityCollection", len(codes), "højst 8 specialer")
        inner = "".join(
            f"<ClinicalSpeciality>{self.el('SpecialityCode', c)}"
            f"<SpecialityType>{SPECIALITY_TYPE}</SpecialityType></ClinicalSpeciality>"
            for c in codes
        )
        return f"<ClinicalSpecialityCollection>{inner}</ClinicalSpecialityCollection>"

    def local_attributes(self, values: tuple[str, ...]) -> str:
        if not any(values):
            return ""
        if len(values) > 5:
            self.bad("LocalAttributeCollection", len(values), "højst 5 lokale attributter")
        inner = "".join(
            self.el(f"LocalAttribute{i}", value) for i, value in enumerate(values[:5], start=1)
        )
        return f"<LocalAttributeCollection>{inner}</LocalAttributeCollection>"


_GEO_PARENT = (
    "<GeographicalParent><GeographicalParentRelation>{relation}"
    "</GeographicalParentRelation></GeographicalParent>"
)


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


def unit_element(snap: Snapshot, v: Version) -> str:
    """The unit element (``InstitutionOwner``, ``HealthInstitution``, ``OrganizationalUnit``).

    Raises:
        SorExportError: the unit cannot be written validly (every problem is named).
    """
    writer = _Writer(snap)
    text = writer.unit(v)
    if writer.problems:
        raise SorExportError(_message(writer.problems))
    return text


def _message(problems: list[str]) -> str:
    shown = "\n".join(f"- {p}" for p in problems[:50])
    more = f"\n... og {len(problems) - 50} mere" if len(problems) > 50 else ""
    return (
        f"{len(problems)} værdier kan ikke skrives gyldigt i SOR XML (v1.0.0); "
        f"intet er skrevet:\n{shown}{more}"
    )


def write_sor_xml(
    reg: Register,
    path: str | Path,
    day: dt.date,
    *,
    include_closed: bool = True,
) -> int:
    """Write ``reg`` as a SOR XML complete export on ``day``; return the number of units.

    Args:
        reg: the register.
        path: the XML file (written to a temporary file beside it, then renamed).
        day: the export's SnapshotDate; each unit is written as it stands on that day.
        include_closed: also units closed before ``day`` (their last state with ToDate).

    Raises:
        SorExportError: some unit cannot be written validly (every one is named); the target
            file is left as it was.
    """
    snap = reg.snapshot()
    chosen, kids = exported_units(snap, day, include_closed=include_closed)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    now = reg.clock.now().replace(microsecond=0)
    writer = _Writer(snap)
    count = 0
    try:
        with open(temp, "w", encoding="utf-8", newline="\n") as fh:
            fh.write('<?xml version="1.0" encoding="UTF-8"?>\n')
            if include_closed:  # every unit, closed ones too: a complete export
                fh.write('<?sorkit scope="complete"?>\n')
            fh.write(_ROOT + "\n")
            fh.write(f"<CreatedAtTime>{now.isoformat()}Z</CreatedAtTime>\n")
            fh.write(f"<SnapshotDate>{day.isoformat()}</SnapshotDate>\n")
            for root in kids.get(None, []):
                count += _write_tree(fh, writer, chosen, kids, root)
            fh.write("</SorTree>\n")
        if writer.problems:
            raise SorExportError(_message(writer.problems))
        if count == 0 or any(chosen[c].level != "IE" for c in kids.get(None, [])):
            raise SorExportError(
                "SOR XML kræver mindst én institutionsejer (IE) øverst i træet; intet er skrevet"
            )
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)
    return count


def _write_tree(
    fh: IO[str],
    writer: _Writer,
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
        fh.write(writer.unit(v))
        fh.write("\n")
        count += 1
        stack.append(("close", wrapper))
        for child in reversed(kids.get(value, [])):
            stack.append(("open", child))
    return count
