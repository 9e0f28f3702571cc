"""Reading the parts of a SOR XML unit: SorStatus dates, location number, addresses, codes.

Each reader collects problems instead of raising; :func:`sorkit.importers.xmlunit.convert_unit`
puts the parts together into a record.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sorkit.ids import is_valid_gln, is_valid_sor_code
from sorkit.importers.common import Problem, parse_bool, parse_iso_date
from sorkit.importers.xmlnodes import Node, at_node, child, descendants, node_text

__all__ = ["address_of", "location_number_of", "sor_codes_of", "status_dates"]

_ADDRESS_PARTS = {
    "StreetName": "street",
    "StreetBuildingIdentifier": "house_number",
    "FloorIdentifier": "floor",
    "SuiteIdentifier": "door",
    "PostCodeIdentifier": "postcode",
    "DistrictName": "city",
}
_ADDRESS_EXTRA = {
    "StreetNameForAddressingName": "street_for_addressing",
    "DistrictSubdivisionIdentifier": "district_subdivision",
    "MailDeliverySublocationIdentifier": "mail_delivery_sublocation",
    "PostOfficeBoxIdentifier": "po_box",
    "CountryIdentificationCode": "country",
}
_LN_CODES = {
    "SystemSupplier": "system_supplier",
    "SystemType": "edb_system",
    "CommunicationSupplier": "net_operator",
    "RegionCode": "region",
    "EdiAdministrator": "administrator",
}


def status_dates(
    status: Node | None,
    where: str,
    problems: list[Problem],
    *,
    required: bool,
    node: Node,
) -> tuple[dt.date, dt.date, dt.date | None, dt.date | None] | None:
    """Read a SorStatus: (first_from, from_date, last_day, updated_at), None if unusable.

    Args:
        status: the SorStatus element, or None when the unit has none.
        where: ``linje N (path)``, for messages.
        problems: where problems are collected.
        required: a missing SorStatus is a problem.
        node: the element holding the SorStatus (for the line of a missing one).
    """
    if status is None:
        if required:
            problems.append(Problem(at_node(where, node), "SorStatus", "", "SorStatus mangler"))
        return None
    values: dict[str, dt.date | None] = {}
    ok = True
    for element in ("FirstFromDate", "FromDate", "ToDate", "UpdatedAt"):
        n = child(status, element)
        text = node_text(n)
        if n is None or not text:
            values[element] = None
            continue
        day = parse_iso_date(text)
        if day is None:
            problems.append(
                Problem(at_node(where, n), element, text, "ugyldig dato (forventet ÅÅÅÅ-MM-DD)")
            )
            ok = False
        values[element] = day
    first = values["FirstFromDate"] or values["FromDate"]
    if ok and first is None:
        problems.append(Problem(at_node(where, status), "FirstFromDate", "", "startdato mangler"))
        return None
    if not ok or first is None:
        return None
    from_date = values["FromDate"] or first
    last = values["ToDate"]
    if from_date < first:
        from_date = first
    if last is not None and last < first:
        problems.append(
            Problem(
                at_node(where, child(status, "ToDate")),
                "ToDate",
                last.isoformat(),
                f"slutdatoen ligger før startdatoen {first.isoformat()}",
            )
        )
        return None
    return first, from_date, last, values["UpdatedAt"]


def location_number_of(
    node: Node, where: str, problems: list[Problem]
) -> tuple[dict[str, Any] | None, tuple[dt.date, dt.date, dt.date | None, dt.date | None] | None]:
    """Read an EanLocationCodeEntity: the location number (storage form) and its own dates."""
    gln_node = child(node, "EanLocationCode")
    gln = node_text(gln_node)
    if not gln:
        problems.append(
            Problem(at_node(where, node), "EanLocationCode", "", "lokationsnummer mangler")
        )
        return None, None
    if not is_valid_gln(gln):
        problems.append(
            Problem(
                at_node(where, gln_node),
                "EanLocationCode",
                gln,
                "ugyldigt lokationsnummer (13 cifre, GS1-kontrolciffer)",
            )
        )
    data: dict[str, Any] = {"gln": gln}
    for element, key in _LN_CODES.items():
        data[key] = node_text(child(node, element)) or None
    for element, key in (
        ("OnlyInternalIndicator", "only_internal"),
        ("NonActiveIndicator", "inactive"),
    ):
        n = child(node, element)
        value = parse_bool(node_text(n)) if n is not None else False
        if value is None:
            problems.append(
                Problem(at_node(where, n), element, node_text(n), "skal være true/false")
            )
            value = False
        data[key] = value
    data["edi_types"] = ()
    data["note"] = node_text(child(node, "SorNote")) or None
    status = child(node, "SorStatus")
    dates = None
    if status is not None:
        dates = status_dates(status, where, problems, required=False, node=node)
    return data, dates


def address_of(block: Node, field: str, extra: dict[str, Any]) -> dict[str, Any]:
    """Read an address block (storage form); parts the register has no field for go to ``extra``."""
    postal = child(block, "AddressPostal")
    data: dict[str, Any] = {key: None for key in _ADDRESS_PARTS.values()}
    data["skip_validation"] = False
    more: dict[str, str] = {}
    for part in postal[2] if postal is not None else []:
        value = node_text(part)
        if not value:
            continue
        if part[0] in _ADDRESS_PARTS:
            data[_ADDRESS_PARTS[part[0]]] = value
        elif part[0] in _ADDRESS_EXTRA:
            more[_ADDRESS_EXTRA[part[0]]] = value
    stairway = node_text(child(block, "Stairway"))
    if stairway:
        more["stairway"] = stairway
    if more:
        extra.setdefault("address_parts", {})[field] = more
    return data


def sor_codes_of(node: Node | None, where: str, problems: list[Problem]) -> tuple[str, ...]:
    """The valid SOR codes listed under ``node`` (Replaces/ReplacedBy); bad ones are problems."""
    if node is None:
        return ()
    out = []
    for n in descendants(node, "SorIdentifier"):
        value = node_text(n)
        if not is_valid_sor_code(value):
            problems.append(
                Problem(at_node(where, n), f"{node[0]}/SorIdentifier", value, "ugyldig SOR-kode")
            )
        else:
            out.append(value)
    return tuple(out)
