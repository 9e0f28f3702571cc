"""Export a register: Parquet (every table), CSV (SOR-like, on a date), FHIR R4, SOR XML.

* ``parquet``: a folder with one Parquet file per table and ``manifest.json`` (schema version,
  generation, row counts); :func:`load_parquet` turns it back into an identical register.
  ``as_of`` does not apply (the whole bitemporal register is exported).
* ``csv``: one row per unit valid, future or closing on ``as_of`` (default today), with the
  columns of :data:`sorkit.exporters.tables.COLUMNS` (see :mod:`sorkit.exporters.tables`).
* ``fhir``: a FHIR R4 Bundle (collection) of Organization resources with DK Core identifiers
  (see :mod:`sorkit.exporters.fhir`).
* ``xml``: a SOR XML complete export valid against the SOR XML v1.0.0 schema (see
  :mod:`sorkit.exporters.sorxml`, which also lists what the schema has no place for), readable
  by :func:`sorkit.import_sor_xml`.

Closed units: ``include_closed`` defaults to True for the complete exports (SOR XML, Parquet)
and to False for what is in force (CSV, FHIR); see :data:`INCLUDE_CLOSED`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sorkit.errors import SorImportError
from sorkit.exporters.common import export_day
from sorkit.exporters.formats import EXPORT_FORMATS, find_export_format

if TYPE_CHECKING:
    from sorkit.register import Register

__all__ = ["FORMATS", "INCLUDE_CLOSED", "ExportResult", "export", "load_parquet", "write_sor_xml"]

#: The export formats' names (the registry is :data:`sorkit.exporters.formats.EXPORT_FORMATS`).
FORMATS = tuple(EXPORT_FORMATS)

#: ``include_closed`` when not given: complete exports hold closed units, the others do not.
INCLUDE_CLOSED = {name: f.include_closed for name, f in EXPORT_FORMATS.items()}


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote: the format, the path, the date and the number of units or rows."""

    format: str
    path: str
    as_of: Any
    count: int

    def __str__(self) -> str:
        return f"{self.format}: {self.count} -> {self.path}"


def export(
    reg: Register,
    path: str | os.PathLike[str],
    format: str = "parquet",
    as_of: Any = None,
    *,
    include_closed: bool | None = None,
) -> ExportResult:
    """Export the register to ``path``.

    Args:
        reg: the register.
        path: a folder for ``parquet``; a file for ``csv``, ``fhir`` (JSON) and ``xml``.
        format: a name in :data:`sorkit.exporters.formats.EXPORT_FORMATS` (``parquet``,
            ``csv``, ``fhir`` or ``xml``; ``json`` means ``fhir``).
        as_of: the date for csv/fhir/xml (date or ISO text; default today); not used by parquet.
        include_closed: also units closed before ``as_of``. Default (None): True for
            ``xml`` and ``parquet`` (complete exports), False for ``csv`` and ``fhir`` (what is
            in force). Parquet always holds the whole register, so False is refused there.

    Returns:
        An :class:`ExportResult` (``count`` = units written; for parquet the unit versions).

    Raises:
        ValueError: unknown format, or ``include_closed=False`` for parquet.
        SorExportError: a unit cannot be written validly in SOR XML (every one is named).
    """
    fmt = find_export_format(format)
    if include_closed is None:
        include_closed = fmt.include_closed
    day = export_day(reg, as_of) if fmt.dated else None
    count = fmt.write(reg, Path(path), day, include_closed)
    return ExportResult(fmt.name, str(Path(path)), day, count)


def write_sor_xml(
    reg: Register,
    path: str | os.PathLike[str],
    as_of: Any = None,
    *,
    include_closed: bool = True,
) -> int:
    """Write the register as a SOR XML complete export on ``as_of``; return the unit count.

    Closed units are included unless ``include_closed=False`` (see :func:`export`).
    """
    from sorkit.exporters.sorxml import write_sor_xml as _write

    return _write(reg, Path(path), export_day(reg, as_of), include_closed=include_closed)


def load_parquet(
    path: str | os.PathLike[str],
    target_path: str | os.PathLike[str] | None,
    *,
    user: str | None = None,
    today: Any = None,
) -> Register:
    """Load a Parquet export (a folder from ``export(..., format="parquet")``) into a new register.

    Args:
        path: the export folder.
        target_path: the new register file (must not exist or be empty); None = in-memory.
        user: who opens the new register.
        today: its today (default the real date).

    Returns:
        The new register, holding exactly the exported rows of every table.

    Raises:
        SorImportError: not a sorkit Parquet export, or the target register is not empty.
        SchemaError: the export was made by a newer sorkit.
    """
    from sorkit.engine.commit import load_dump
    from sorkit.register import open_register
    from sorkit.store.engines import is_url

    if is_url(target_path) or (
        target_path is not None and Path(target_path).exists() and Path(target_path).stat().st_size
    ):
        probe = open_register(target_path, user=user, today=today)
        if len(probe.snapshot()):
            raise SorImportError(f"{target_path} er ikke tomt; vælg en ny registerfil")
        probe.store.close()
    reg = open_register(target_path, user=user, today=today)
    load_dump(reg, Path(path))
    return reg
