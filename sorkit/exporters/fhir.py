"""FHIR R4 export: a Bundle (type ``collection``) of Organization resources, one per unit.

Identifiers use the DK Core systems (domain reference §3, hl7dk/dk-core):

* SOR code: ``urn:oid:1.2.208.176.1.1``, with ``period`` = the unit's validity (start =
  first day, end = last day when closing or closed);
* location number (GLN): ``https://www.gs1.org/gln``, the system DK Core's ``GLNIdentifier``
  uses (the issue text wrote ``http://www.gs1.org/gln``; DK Core is authoritative) - only the
  unit's *own* number, never an inherited one;
* CVR: ``http://cvr.dk``; ydernummer: ``urn:oid:1.2.208.176.1.4``.

Location numbers as SOR handles them (issue #17): a number marked "ikke aktivt" (inactive) is
left out; a number marked "kun internt brug" (only internal) keeps its DK Core
``GLNIdentifier`` (``Organization.identifier``: ``use`` = official, ``system``, ``value``
unchanged, so it still conforms) and that identifier carries the inline security label of HL7's
Data Segmentation for Privacy IG (extension
``http://hl7.org/fhir/uv/security-label-ds4p/StructureDefinition/extension-inline-sec-label``,
``valueCoding`` = ``http://terminology.hl7.org/CodeSystem/v3-Confidentiality#R`` "restricted"):
not to be passed on to other parties. The resource then also has the label
``v3-ObservationValue#PROCESSINLINELABEL`` in ``meta.security``, which tells a consumer to look
for inline labels (DK Core defines no element of its own for this). A number is gone after its
unit's last day (the unit is read without it).

``partOf`` refers to the parent's ``fullUrl`` within the bundle (``urn:uuid:`` + a UUID derived
from the SOR code, so the same unit always gets the same one); ``active`` is true for units in
force on the export date (false for future ones); ``type`` is the SNOMED CT unit type;
``address`` is the effective postal address; ``telecom`` the effective phone, e-mail, website
and fax. The bundle is written entry by entry, so memory stays flat for 100,000+ units.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sorkit.exporters.common import UnitReader, exported_units, tree_order
from sorkit.model import Unit

if TYPE_CHECKING:
    from sorkit.register import Register

SOR_SYSTEM = "urn:oid:1.2.208.176.1.1"
GLN_SYSTEM = "https://www.gs1.org/gln"
CVR_SYSTEM = "http://cvr.dk"
YDERNUMMER_SYSTEM = "urn:oid:1.2.208.176.1.4"
SNOMED_SYSTEM = "http://snomed.info/sct"
#: The inline security label that marks an internal-only location number (see the module text).
INLINE_LABEL_URL = (
    "http://hl7.org/fhir/uv/security-label-ds4p/StructureDefinition/extension-inline-sec-label"
)
RESTRICTED = {
    "system": "http://terminology.hl7.org/CodeSystem/v3-Confidentiality",
    "code": "R",
    "display": "restricted",
}
PROCESS_INLINE_LABEL = {
    "system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue",
    "code": "PROCESSINLINELABEL",
    "display": "process inline security label",
}
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:oid:1.2.208.176.1.1")


def full_url(sor_code: str) -> str:
    """The bundle's fullUrl of a unit: a UUID derived from its SOR code."""
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, sor_code)}"


def organization(u: Unit, parent_url: str | None) -> dict[str, Any]:
    """The Organization resource of one unit."""
    period: dict[str, str] = {"start": u.valid_from.isoformat()}
    if u.last_day is not None:
        period["end"] = u.last_day.isoformat()
    identifiers: list[dict[str, Any]] = [
        {"use": "official", "system": SOR_SYSTEM, "value": u.sor_code, "period": period}
    ]
    ln = u.location_number
    restricted = False
    if ln is not None and "location_number" not in u.inherited and not ln.inactive:
        gln: dict[str, Any] = {"system": GLN_SYSTEM, "value": ln.gln}
        if ln.only_internal:
            gln["extension"] = [{"url": INLINE_LABEL_URL, "valueCoding": dict(RESTRICTED)}]
            restricted = True
        identifiers.append(gln)
    if u.cvr:
        identifiers.append({"system": CVR_SYSTEM, "value": u.cvr})
    if u.ydernummer:
        identifiers.append({"system": YDERNUMMER_SYSTEM, "value": u.ydernummer})
    resource: dict[str, Any] = {"resourceType": "Organization", "id": u.sor_code}
    if restricted:
        resource["meta"] = {"security": [dict(PROCESS_INLINE_LABEL)]}
    resource["identifier"] = identifiers
    resource["active"] = u.status in ("active", "closing")
    if u.unit_type:
        coding: dict[str, str] = {"system": SNOMED_SYSTEM, "code": u.unit_type}
        if u.unit_type_name:
            coding["display"] = u.unit_type_name
        resource["type"] = [{"coding": [coding]}]
    resource["name"] = u.name
    telecom = [
        {"system": system, "value": value, "use": "work"}
        for system, value in (
            ("phone", u.phone),
            ("email", u.email),
            ("url", u.website),
            ("fax", u.fax),
        )
        if value
    ]
    if telecom:
        resource["telecom"] = telecom
    a = u.postal_address
    if a is not None:
        line = " ".join(p for p in (a.street, a.house_number) if p)
        if a.floor:
            line += f", {a.floor}." + (f" {a.door}" if a.door else "")
        address: dict[str, Any] = {"use": "work", "type": "postal"}
        if line:
            address["line"] = [line]
        if a.city:
            address["city"] = a.city
        if a.postcode:
            address["postalCode"] = a.postcode
        address["country"] = "DK"
        resource["address"] = [address]
    if parent_url is not None:
        resource["partOf"] = {"reference": parent_url}
    return resource


def write_bundle(
    reg: Register,
    path: str | Path,
    day: dt.date,
    *,
    include_closed: bool = False,
    now: dt.datetime | None = None,
) -> int:
    """Write the FHIR Bundle of ``reg`` on ``day`` to ``path``; return the number of entries."""
    snap = reg.snapshot()
    chosen, kids = exported_units(snap, day, include_closed=include_closed)
    stamp = (now or reg.clock.now()).replace(microsecond=0)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    reader = UnitReader(snap)
    with open(target, "w", encoding="utf-8") as fh:
        head = {
            "resourceType": "Bundle",
            "type": "collection",
            "timestamp": stamp.isoformat() + "+00:00",
        }
        fh.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "entry": [\n')
        for code in tree_order(kids):
            u = reader.unit(code, day)
            parent = u.parent if u.parent in chosen else None
            entry = {
                "fullUrl": full_url(code),
                "resource": organization(u, None if parent is None else full_url(parent)),
            }
            if count:
                fh.write(",\n")
            fh.write(json.dumps(entry, ensure_ascii=False, separators=(",", ":")))
            count += 1
        fh.write("\n]}\n")
    return count
