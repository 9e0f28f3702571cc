"""Code values of a location number's EDI attributes, with their names where any is known.

A location number carries five codes (SOR XML ``EanLocationCodeEntity``): region
(``RegionCode``), EDB-system (``SystemType``), system supplier (``SystemSupplier``), net operator
(``CommunicationSupplier``) and administrator (``EdiAdministrator``), plus its EDI message types.
Any well-formed code is accepted; the known ones are suggested with their names, and a code not
among them draws the warning GLN_CODE_UNKNOWN (never a refusal: SOR has codes no public list
names).

The known codes are gathered from every real source shipped in ``data/reference``:

- ``regioner.csv``: the five region codes with their names;
- ``sor_netoperatoerer.csv``: the real net operators with their names (MedCom EER);
- ``sor_edi_og_diverse_koder.csv``: net operators, and the system supplier, EDB-system and
  administrator codes seen in SOR data (for these no public source gives a name);
- ``sor_xml_samples/*.xml``: every code in the real SOR XML samples' location numbers;
- ``medcom_edi_types.csv``: MedCom's message types (for ``edi_types``).

Where no name is known the code is shown as "ukendt kode", never with a note inside the value.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from defusedxml import ElementTree

from sorkit import refdata
from sorkit.model import LOCATION_CODE_FIELDS

__all__ = [
    "CODE_FIELDS",
    "UNKNOWN_NAME",
    "code_label",
    "code_name",
    "is_known",
    "known_codes",
    "suggestions",
]

#: The coded fields of a location number, plus its EDI message types.
CODE_FIELDS = (*LOCATION_CODE_FIELDS, "edi_types")

#: Shown for a code whose name no source gives.
UNKNOWN_NAME = "ukendt kode"

#: The SOR XML element of each coded field (inside ``EanLocationCodeEntity``).
XML_ELEMENTS = {
    "region": "RegionCode",
    "edb_system": "SystemType",
    "system_supplier": "SystemSupplier",
    "net_operator": "CommunicationSupplier",
    "administrator": "EdiAdministrator",
}

#: The list name of each field in ``sor_edi_og_diverse_koder.csv`` (column ``kodeliste``).
CSV_LISTS = {
    "region": "RegionCode",
    "edb_system": "SystemType",
    "system_supplier": "SystemSupplier",
    "net_operator": "CommunicationSupplier",
    "administrator": "EdiAdministrator",
}


def _name(text: str) -> str | None:
    """A name from a source, None where the source only notes that the name is unknown."""
    text = text.strip()
    return None if not text or text.startswith("(") else text


def _add(out: dict[str, str | None], code: str, name: str | None) -> None:
    code = code.strip()
    if code and (out.get(code) is None):
        out[code] = name


@lru_cache(maxsize=8)
def _gathered(reference: Path) -> dict[str, tuple[tuple[str, str | None], ...]]:
    found: dict[str, dict[str, str | None]] = {f: {} for f in CODE_FIELDS}
    regions = refdata.regions()
    for code, name in zip(regions["code"], regions["name"], strict=True):
        _add(found["region"], code, name)
    with (reference / "sor_netoperatoerer.csv").open(encoding="utf-8-sig") as handle:
        for line in handle.read().splitlines()[1:]:
            parts = line.split(";")
            if len(parts) >= 2:
                _add(found["net_operator"], parts[0], _name(parts[1]))
    for field, prefix in CSV_LISTS.items():
        for code, name in refdata._code_list(prefix).items():
            _add(found[field], code, _name(name))
    for path in sorted((reference / "sor_xml_samples").glob("*.xml")):
        for element in ElementTree.parse(path).iter():
            if not element.tag.endswith("EanLocationCodeEntity"):
                continue
            for child in element:
                local = child.tag.rsplit("}", 1)[-1]
                for field, tag in XML_ELEMENTS.items():
                    if local == tag and child.text:
                        _add(found[field], child.text, None)
    for code, name in refdata.medcom_edi_types().items():
        _add(found["edi_types"], code, name)
    return {f: tuple(values.items()) for f, values in found.items()}


def known_codes(field: str) -> dict[str, str | None]:
    """The known codes of ``field`` as ``{code: name or None}``.

    Args:
        field: ``region``, ``edb_system``, ``system_supplier``, ``net_operator``,
            ``administrator`` or ``edi_types``.

    Raises:
        KeyError: not a coded field of a location number.
    """
    if field not in CODE_FIELDS:
        raise KeyError(f"{field} er ikke et kodefelt i et lokationsnummer")
    return dict(_gathered(refdata.reference_dir())[field])


def is_known(field: str, code: object) -> bool:
    """True if ``code`` is among the known codes of ``field``."""
    return str(code).strip() in known_codes(field)


def code_name(field: str, code: object) -> str:
    """The name of a code, or "ukendt kode" where no source names it (or it is not listed)."""
    return known_codes(field).get(str(code).strip()) or UNKNOWN_NAME


def code_label(field: str, code: object) -> str:
    """A code as a steward reads it: ``"41000035001 (KMD)"``, ``"116 (ukendt kode)"``."""
    text = str(code).strip()
    return f"{text} ({code_name(field, text)})"


def suggestions(field: str) -> list[tuple[str, str]]:
    """The known codes as ``(label, code)`` pairs, named ones first by name, then by code."""
    codes = known_codes(field)
    named = sorted(
        ((n, c) for c, n in codes.items() if n), key=lambda p: refdata.danish_sort_key(p[0])
    )
    unnamed = sorted(c for c, n in codes.items() if not n)
    return [(f"{n} ({c})", c) for n, c in named] + [(f"{c} ({UNKNOWN_NAME})", c) for c in unnamed]
