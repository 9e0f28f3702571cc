"""Reference data as code tables: unit types, specialities, regions, municipalities, postcodes.

The CSV files live in ``data_dir() / "reference"`` (see ``data/README.md``). ``data_dir()`` is the
environment variable ``SORKIT_DATA`` when set, else the ``data`` folder of the repository. Files
are read once per path and cached; every public function returns a fresh copy, so callers may
modify what they get.
"""

from __future__ import annotations

import csv
import os
from functools import lru_cache
from pathlib import Path

import pandas as pd

__all__ = [
    "LEVELS",
    "clear_cache",
    "danish_sort_key",
    "data_dir",
    "edb_systems",
    "edi_administrators",
    "geographical_parent_relations",
    "medcom_edi_types",
    "municipalities",
    "net_operators",
    "postcodes",
    "reference_dir",
    "region_name",
    "regions",
    "specialities",
    "system_suppliers",
    "unit_type_name",
    "unit_type_names",
    "unit_types",
    "unit_types_for_level",
]

LEVELS = ("IE", "SI", "OE")
"""The three SOR levels, top down."""

_OBSERVED_LEVEL = {"owner_type(IE)": "IE", "institution_type(SI)": "SI", "unit_type(OE)": "OE"}
# Danish alphabet order: æ, ø, å come after z (German/Swedish variants sort with them).
_DANISH_ORDER = str.maketrans({"æ": "{", "ä": "{", "ø": "|", "ö": "|", "å": "}"})


def data_dir() -> Path:
    """Return the data folder: ``$SORKIT_DATA`` if set, else ``<repository root>/data``."""
    env = os.environ.get("SORKIT_DATA")
    if env:
        return Path(env)
    return _repository_data()


@lru_cache(maxsize=1)
def _repository_data() -> Path:
    # Cached: resolving the path took a third of a millisecond, on every rule check.
    return Path(__file__).resolve().parent.parent / "data"


def reference_dir() -> Path:
    """Return the folder with the shipped reference files (``data_dir() / "reference"``)."""
    return data_dir() / "reference"


def danish_sort_key(text: str) -> str:
    """Return a sort key that orders text case-insensitively in Danish order (… z, æ, ø, å).

    Args:
        text: The text to sort.

    Returns:
        A key for ``sorted(..., key=danish_sort_key)``.
    """
    return text.casefold().translate(_DANISH_ORDER)


@lru_cache(maxsize=32)
def _rows(path: Path, delimiter: str = ",") -> tuple[dict[str, str], ...]:
    """Read a CSV file (UTF-8, optional BOM) into stripped row dicts, cached per path."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle, delimiter=delimiter)
        return tuple(
            {key.strip(): (value or "").strip() for key, value in row.items() if key}
            for row in reader
        )


def clear_cache() -> None:
    """Forget the cached files (after editing a reference file in place)."""
    _rows.cache_clear()
    _unit_types.cache_clear()
    _unit_type_names.cache_clear()
    _unit_types_for_level.cache_clear()


def _read(name: str, delimiter: str = ",") -> tuple[dict[str, str], ...]:
    return _rows(reference_dir() / name, delimiter)


def _levels(observed: str) -> tuple[str, ...]:
    """Map the ``observed_as`` column to levels; types never observed count as SI and OE."""
    found = {_OBSERVED_LEVEL[part.strip()] for part in observed.split(";") if part.strip()}
    if not found:
        found = {"SI", "OE"}
    return tuple(level for level in LEVELS if level in found)


@lru_cache(maxsize=4)
def _unit_types(path: Path) -> pd.DataFrame:
    rows = _rows(path)
    return pd.DataFrame(
        {
            "code": [row["snomed_code"] for row in rows],
            "name": [row["dansk_navn"] for row in rows],
            "name_en": [row["english_display"] for row in rows],
            "levels": [_levels(row["observed_as"]) for row in rows],
        }
    )


def unit_types() -> pd.DataFrame:
    """Return the owner/institution/unit types (SNOMED CT codes) that SOR uses.

    Returns:
        DataFrame with columns ``code`` (str), ``name`` (Danish), ``name_en`` (English, may be
        ``""``) and ``levels`` (tuple of ``"IE"``/``"SI"``/``"OE"``: where the type may be used).
        Types never observed in SOR data (the newer Danish types) are allowed on SI and OE.
    """
    return _unit_types(reference_dir() / "sor_enhedstyper.csv").copy()


def unit_types_for_level(level: str) -> dict[str, str]:
    """Return ``{code: Danish name}`` of the types allowed on a level, sorted by name.

    Args:
        level: ``"IE"``, ``"SI"`` or ``"OE"``.

    Returns:
        The types, in Danish alphabetical order of their names.

    Raises:
        ValueError: If ``level`` is not one of the three levels.
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, got {level!r}")
    return dict(_unit_types_for_level(reference_dir() / "sor_enhedstyper.csv", level))


@lru_cache(maxsize=16)
def _unit_types_for_level(path: Path, level: str) -> tuple[tuple[str, str], ...]:
    # Cached: the rules ask for every planned create (4 ms each from the DataFrame).
    table = _unit_types(path)
    pairs = [
        (code, name)
        for code, name, levels in zip(table["code"], table["name"], table["levels"], strict=True)
        if level in levels
    ]
    return tuple(sorted(pairs, key=lambda pair: danish_sort_key(pair[1])))


def unit_type_names() -> dict[str, str]:
    """Return ``{code: Danish name}`` for every unit type, whatever its level."""
    return dict(_unit_type_names(reference_dir() / "sor_enhedstyper.csv"))


@lru_cache(maxsize=4)
def _unit_type_names(path: Path) -> tuple[tuple[str, str], ...]:
    # Cached: the rules ask for every planned change (a 5,000-row batch asked 15,000 times).
    table = _unit_types(path)
    return tuple(zip(table["code"], table["name"], strict=True))


def unit_type_name(code: str | int) -> str | None:
    """Return the Danish name of a unit type code, or None if the code is unknown."""
    return unit_type_names().get(str(code).strip())


def specialities() -> dict[str, str]:
    """Return the clinical specialities as ``{SNOMED CT code: Danish name}``, sorted by name."""
    pairs = [(row["snomed_code"], row["dansk_navn"]) for row in _read("sor_specialer.csv")]
    return dict(sorted(pairs, key=lambda pair: danish_sort_key(pair[1])))


def regions() -> pd.DataFrame:
    """Return the five regions: columns ``code`` (1081-1085), ``name``, ``short_name``, ``iso``."""
    rows = _read("regioner.csv")
    return pd.DataFrame(
        {
            "code": [row["regionskode"] for row in rows],
            "name": [row["navn"] for row in rows],
            "short_name": [row["kortnavn"] for row in rows],
            "iso": [row["iso_3166_2"] for row in rows],
        }
    )


def region_name(code: str | int) -> str | None:
    """Return a region's name (``"1084"`` -> ``"Region Hovedstaden"``), or None if unknown."""
    names = {row["regionskode"]: row["navn"] for row in _read("regioner.csv")}
    return names.get(str(code).strip())


def municipalities() -> pd.DataFrame:
    """Return the 98 municipalities plus 0411 Ertholmene (which belongs to no region).

    Returns:
        DataFrame with columns ``code`` (4-digit str with leading zero), ``name``,
        ``region_code`` and ``region_name`` (both ``""`` for Ertholmene).
    """
    rows = _read("kommuner.csv")
    return pd.DataFrame(
        {
            "code": [row["kommunekode"].zfill(4) for row in rows],
            "name": [row["navn"] for row in rows],
            "region_code": [row["regionskode"] for row in rows],
            "region_name": [row["regionsnavn"] for row in rows],
        }
    )


def postcodes() -> dict[str, str]:
    """Return all Danish postcodes as ``{4-digit postcode: city}`` (``"0800"`` included)."""
    return {
        row["postnr"].zfill(4): row["navn"] for row in _read("dawa_postnumre.csv", delimiter=";")
    }


def _code_list(prefix: str) -> dict[str, str]:
    """Return ``{code: meaning}`` for one list in sor_edi_og_diverse_koder.csv."""
    return {
        row["kode"]: row["betydning"]
        for row in _read("sor_edi_og_diverse_koder.csv")
        if row["kodeliste"].startswith(prefix)
    }


def net_operators() -> dict[str, str]:
    """Return the net operators (CommunicationSupplier) as ``{code: name}``."""
    return _code_list("CommunicationSupplier")


def system_suppliers() -> dict[str, str]:
    """Return the known system suppliers (SystemSupplier) as ``{code: name or note}``."""
    return _code_list("SystemSupplier")


def edb_systems() -> dict[str, str]:
    """Return the known EDB systems (SystemType) as ``{code: name or note}``."""
    return _code_list("SystemType")


def edi_administrators() -> dict[str, str]:
    """Return the known EDI administrators (EdiAdministrator) as ``{code: name or note}``."""
    return _code_list("EdiAdministrator")


def geographical_parent_relations() -> dict[str, str]:
    """Return GeographicalParentRelation codes 1-5 as ``{code: Danish meaning}``."""
    return _code_list("GeographicalParentRelation")


def medcom_edi_types() -> dict[str, str]:
    """Return the MedCom message types assignable to a location number as ``{code: name}``."""
    return {row["code"]: row["navn"] for row in _read("medcom_edi_types.csv")}
