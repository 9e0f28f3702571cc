"""Which unit fields the SOR XML v1.0.0 schema has a place for, per level.

The schema (``data/reference/sor_xsd/``) gives each level its own element list:

* ``InstitutionOwner`` (IE): SOR code, name, owner type, location number, postal address,
  electronic addresses (telephone required), status. No SHAK, local code, ydernummer, pharmacy
  number, visiting or activity address, specialities, local attributes or replacements.
* ``HealthInstitution`` (SI): adds pharmacy number, SHAK, inherited location number, visiting
  address, inherited electronic addresses and the replacement collections. No local code,
  ydernummer, activity address, specialities or local attributes.
* ``OrganizationalUnit`` (OE): everything sorkit keeps except CVR and P-number.

CVR and P-number have no place on any level. The SOR XML writer leaves out what the level has
no place for, and an XML import leaves those fields as the register holds them (they stay in the
Parquet, CSV and FHIR exports).
"""

from __future__ import annotations

from sorkit.model import STATE_FIELDS

__all__ = ["NOT_IN_XML", "XML_FIELDS"]

_NEVER = frozenset({"cvr", "p_number"})
_NOT_ON_SI = frozenset(
    {"local_code", "ydernummer", "activity_address", "specialities", "local_attributes"}
)
_NOT_ON_IE = _NOT_ON_SI | {
    "shak",
    "pharmacy_id",
    "visiting_address",
    "replaces",
    "replaced_by",
}

#: The state fields a SOR XML v1.0.0 unit element carries, per level.
XML_FIELDS: dict[str, frozenset[str]] = {
    "IE": frozenset(STATE_FIELDS) - _NEVER - _NOT_ON_IE,
    "SI": frozenset(STATE_FIELDS) - _NEVER - _NOT_ON_SI,
    "OE": frozenset(STATE_FIELDS) - _NEVER,
}

#: The state fields the schema has no place for, per level (left out of the XML export).
NOT_IN_XML: dict[str, frozenset[str]] = {
    level: frozenset(STATE_FIELDS) - fields for level, fields in XML_FIELDS.items()
}
