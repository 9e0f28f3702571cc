"""``sorkit migrate SOURCE TARGET``: copy a register between engines with everything it holds.

The register goes through its Parquet dump (:func:`sorkit.store.io.dump_parquet`, the same
format on both engines): every version, event, audit record, batch and user, the write counter
and the id sequences, so history, audit trail and roles are the same afterwards. The target must
be new or empty (a DuckDB file that does not exist yet, or a PostgreSQL database without a
register or with an empty one). Afterwards both are compared table by table.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sorkit.errors import SorImportError
from sorkit.store.engines import is_url


@dataclass(frozen=True)
class Migrated:
    """What ``migrate`` copied: rows per table and the write counter."""

    source: str
    target: str
    tables: dict[str, int]
    generation: int


def migrate(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> Migrated:
    """Copy the register at ``source`` to ``target`` (files or ``postgresql://`` URLs).

    Raises:
        SorImportError: the target is not empty, or the copy does not match the source.
        FileNotFoundError: the source file does not exist.
    """
    from sorkit.exporters import load_parquet
    from sorkit.register import open_register
    from sorkit.store import io

    if not is_url(source) and not Path(source).exists():
        raise FileNotFoundError(f"Registret {source} findes ikke")
    if str(source) == str(target):
        raise SorImportError("Kilde og mål er det samme register")
    src = open_register(source, user="sorkit-migrate")
    with tempfile.TemporaryDirectory(prefix="sorkit-migrate-") as folder:
        manifest = src.store.dump_parquet(folder)
        dst = load_parquet(folder, target, user="sorkit-migrate")
    try:
        a: Any = src.store
        b: Any = dst.store
        differ = [
            table
            for table in io.table_names(a)
            if io.table_rows(a, table) != io.table_rows(b, table)
        ]
        if differ:
            raise SorImportError(f"Kopien afviger fra kilden i tabellerne {', '.join(differ)}")
        counts = io.table_counts(b)
        labels = (src.label, dst.label)
    finally:
        _close(src)
        _close(dst)
    # Named as a person may see them: a server without user or password.
    return Migrated(labels[0], labels[1], counts, int(manifest["generation"]))


def _close(reg: Any) -> None:
    reg.store.close()
