"""Validate SOR XML against the shipped SOR XML v1.0.0 schema (lxml, network off)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree

from sorkit.importers.xmlfields import NOT_IN_XML
from sorkit.model import Version

XSD = Path(__file__).resolve().parents[1] / "data" / "reference" / "sor_xsd" / "SorTree.xsd"


@cache
def schema() -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.parse(str(XSD), parser))


def schema_errors(path: str | Path) -> list[str]:
    """Every schema error of the file (empty: valid)."""
    parser = etree.XMLParser(no_network=True, resolve_entities=False, huge_tree=True)
    doc = etree.parse(str(path), parser)
    s = schema()
    s.validate(doc)
    return [f"line {e.line}: {e.message}" for e in s.error_log]


def xml_state(v: Version) -> dict[str, Any]:
    """The state of a version as far as SOR XML v1.0.0 carries it.

    Left out: the fields the unit's level has no element for (``NOT_IN_XML``: CVR and P-number
    everywhere, ...), a location number's EDI message types and an address's "skip validation".
    """
    state = {k: val for k, val in v.state().items() if k not in NOT_IN_XML[v.level]}
    if state.get("location_number") is not None:
        state["location_number"] = {**state["location_number"], "edi_types": ()}
    for name in ("postal_address", "visiting_address", "activity_address"):
        if state.get(name) is not None:
            state[name] = {**state[name], "skip_validation": False}
    return state
