"""The export formats, one registry entry each: ``sorkit.export`` and ``sorkit export`` read it.

Add a format with :func:`export_format` on a function ``write(reg, path, day, include_closed)``
that writes the file and returns what it counts; the CLI's help and the error for an unknown
format list the registry, so nothing else changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sorkit.register import Register

#: ``write(reg, path, day, include_closed) -> count``; ``day`` is None for undated formats.
Writer = Callable[["Register", Path, "dt.date | None", bool], int]


@dataclass(frozen=True)
class ExportFormat:
    """One export format.

    Attributes:
        name: what ``format=`` / ``--format`` takes.
        label: one line for people (Danish), shown in the CLI's help.
        target: ``"mappe"`` (a folder) or ``"fil"`` (a file).
        dated: whether it exports the register on one date (``as_of``).
        write: writes the export and returns the units (or rows) written.
        aliases: other names that pick it.
        include_closed: the default of ``include_closed``: True for complete exports (SOR XML,
            Parquet), False for what is in force (CSV, FHIR).
    """

    name: str
    label: str
    target: str
    dated: bool
    write: Writer
    aliases: tuple[str, ...] = ()
    include_closed: bool = False


EXPORT_FORMATS: dict[str, ExportFormat] = {}


def export_format(
    name: str,
    label: str,
    *,
    target: str = "fil",
    dated: bool = True,
    aliases: tuple[str, ...] = (),
    include_closed: bool = False,
) -> Callable[[Writer], Writer]:
    """Register ``write`` as the export format ``name`` (a decorator)."""

    def register(write: Writer) -> Writer:
        EXPORT_FORMATS[name] = ExportFormat(
            name, label, target, dated, write, aliases, include_closed
        )
        return write

    return register


def find_export_format(name: str | None) -> ExportFormat:
    """The format called ``name`` (or one of its aliases; case and spaces ignored).

    Raises:
        ValueError: no such format (the message lists the formats).
    """
    wanted = (name or "").strip().lower()
    for fmt in EXPORT_FORMATS.values():
        if wanted == fmt.name or wanted in fmt.aliases:
            return fmt
    raise ValueError(f"ukendt eksportformat '{name}' (vælg en af {', '.join(EXPORT_FORMATS)})")


def _dated(day: dt.date | None) -> dt.date:
    if day is None:
        raise ValueError("dette eksportformat kræver en dato (as_of)")
    return day


@export_format(
    "parquet",
    "alle tabeller som Parquet (til backup og analyse)",
    target="mappe",
    dated=False,
    include_closed=True,
)
def _parquet(reg: Register, path: Path, day: dt.date | None, include_closed: bool) -> int:
    from sorkit.version import __version__

    if not include_closed:
        raise ValueError(
            "Parquet-eksporten rummer hele registret med historik; "
            "lukkede enheder kan ikke udelades (brug csv eller fhir)"
        )

    manifest = reg.store.dump_parquet(path, sorkit_version=__version__)
    return int(manifest["tables"].get("unit_versions", {}).get("rows", 0))


@export_format("csv", "én række pr. enhed på datoen (SOR-lignende kolonner)")
def _csv(reg: Register, path: Path, day: dt.date | None, include_closed: bool) -> int:
    from sorkit.exporters.tables import write_csv

    return write_csv(reg, path, _dated(day), include_closed=include_closed)


@export_format("fhir", "FHIR R4 Bundle af Organization-ressourcer (JSON)", aliases=("json",))
def _fhir(reg: Register, path: Path, day: dt.date | None, include_closed: bool) -> int:
    from sorkit.exporters.fhir import write_bundle

    return write_bundle(reg, path, _dated(day), include_closed=include_closed)


@export_format(
    "xml",
    "SOR XML komplet udtræk, gyldigt efter SOR XML v1.0.0-skemaet (kan importeres igen)",
    include_closed=True,
)
def _xml(reg: Register, path: Path, day: dt.date | None, include_closed: bool) -> int:
    from sorkit.exporters.sorxml import write_sor_xml

    return write_sor_xml(reg, path, _dated(day), include_closed=include_closed)
