"""The import formats, one registry entry each: ``sorkit import`` picks one by the file's suffix.

Add a format with an :class:`ImportFormat` in :data:`IMPORT_FORMATS` (name, Danish label, the
suffixes it claims, the function that imports it); the CLI's help lists the registry.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sorkit.importers import ImportReport, import_sor_csv, import_sor_xml

#: ``read(reg, path, dry_run=..., force=..., reason=..., ...) -> ImportReport``.
Reader = Callable[..., ImportReport]


@dataclass(frozen=True)
class ImportFormat:
    """One import format.

    Attributes:
        name: its short name.
        label: one line for people (Danish), shown in the CLI's help.
        suffixes: the file suffixes it claims (lower case, with the dot).
        read: imports a file of this format into a register.
    """

    name: str
    label: str
    suffixes: tuple[str, ...]
    read: Reader


IMPORT_FORMATS: dict[str, ImportFormat] = {
    "xml": ImportFormat("xml", "SOR XML (komplet udtræk)", (".xml",), import_sor_xml),
    "csv": ImportFormat("csv", "CSV (SOR2- eller SOR-udtræk)", (".csv",), import_sor_csv),
}
#: The format of a file whose suffix no format claims.
FALLBACK = "csv"


def import_format_for(path: str | os.PathLike[str]) -> ImportFormat:
    """The format a file is imported as: the one claiming its suffix, else :data:`FALLBACK`."""
    suffix = Path(path).suffix.lower()
    for fmt in IMPORT_FORMATS.values():
        if suffix in fmt.suffixes:
            return fmt
    return IMPORT_FORMATS[FALLBACK]


def import_file(reg: Any, path: str | os.PathLike[str], **options: Any) -> ImportReport:
    """Import ``path`` into ``reg`` in the format its suffix names (see :func:`import_format_for`)."""
    return import_format_for(path).read(reg, path, **options)
