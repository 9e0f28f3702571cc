"""Backup and restore of a register file (``sorkit backup OUT`` / ``sorkit restore DIR TARGET``).

A backup is a folder: one Parquet file per table (written by :func:`sorkit.store.io.dump_parquet`
in one read transaction, so it is consistent while others work), the dump's ``manifest.json``
(schema version, generation, row counts, sequence positions) and ``backup.json`` with the
SHA-256 checksum of every file. :func:`restore` verifies every checksum before it touches
anything, builds the register in a temporary file next to the target, checks it, and only then
moves it into place; an existing register is replaced only with ``force=True``.

Usage::

    from sorkit.backup import backup, restore
    info = backup(reg, "backups/2026-12-01")
    restore("backups/2026-12-01", "restored.duckdb")
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sorkit.errors import SorkitError
from sorkit.store import Store, release_all
from sorkit.store import io as store_io
from sorkit.store.backup_sql import hold_file, remove_register_files

__all__ = ["BackupError", "BackupInfo", "backup", "restore", "verify"]

BACKUP_FORMAT = "sorkit-backup/1"
BACKUP_FILE = "backup.json"
_CHUNK = 1 << 20


class BackupError(SorkitError):
    """A backup could not be written, or a backup folder is damaged or not a backup."""


@dataclass(frozen=True)
class BackupInfo:
    """What a backup holds.

    Attributes:
        folder: the backup folder.
        schema_version: the register's schema version.
        generation: the register's write counter when the backup was taken.
        tables: rows per table.
        checksums: SHA-256 per file name.
    """

    folder: Path
    schema_version: int
    generation: int
    tables: dict[str, int]
    checksums: dict[str, str]


def sha256(path: Path) -> str:
    """The SHA-256 hex digest of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _store_of(reg_or_path: Any) -> Store:
    store = getattr(reg_or_path, "store", None)
    if isinstance(store, Store):
        return store
    if isinstance(reg_or_path, Store):
        return reg_or_path
    if isinstance(reg_or_path, (str, os.PathLike)):
        if not os.path.exists(reg_or_path):
            raise BackupError(f"Registret {reg_or_path} findes ikke")
        return Store(reg_or_path)
    raise TypeError(f"backup: ventede et Register eller en sti, fik {type(reg_or_path).__name__}")


def backup(reg_or_path: Any, out_dir: str | os.PathLike[str]) -> BackupInfo:
    """Copy every table of a register into ``out_dir`` with checksums and the schema version.

    Args:
        reg_or_path: a :class:`~sorkit.register.Register` (also in-memory), a store, or the path
            of a register file.
        out_dir: the backup folder; it must not exist yet or be empty.

    Returns:
        The :class:`BackupInfo`.

    Raises:
        BackupError: ``out_dir`` already holds files, or the register does not exist.
        RegisterBusy: another process held the register for too long.
    """
    from sorkit.version import __version__

    out = Path(out_dir)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise BackupError(f"Backup-mappen {out} findes allerede og er ikke tom; vælg en ny mappe")
    store = _store_of(reg_or_path)
    out.mkdir(parents=True, exist_ok=True)
    manifest = store.dump_parquet(out, sorkit_version=__version__)
    files = [str(info["file"]) for info in manifest["tables"].values()] + [store_io.MANIFEST]
    checksums = {name: sha256(out / name) for name in sorted(files)}
    record = {
        "format": BACKUP_FORMAT,
        "sorkit_version": __version__,
        "schema_version": int(manifest["schema_version"]),
        "generation": int(manifest["generation"]),
        "source": None if store.path is None else str(store.path),
        "created_at": dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(),
        "tables": {t: int(info["rows"]) for t, info in manifest["tables"].items()},
        "checksums": checksums,
    }
    tmp = out / (BACKUP_FILE + ".tmp")
    tmp.write_text(json.dumps(record, indent=2, ensure_ascii=False), "utf-8")
    os.replace(tmp, out / BACKUP_FILE)  # the backup counts only once this file is in place
    return _info(out, record)


def _info(folder: Path, record: dict[str, Any]) -> BackupInfo:
    return BackupInfo(
        folder=folder,
        schema_version=int(record["schema_version"]),
        generation=int(record["generation"]),
        tables={str(k): int(v) for k, v in record["tables"].items()},
        checksums={str(k): str(v) for k, v in record["checksums"].items()},
    )


def verify(backup_dir: str | os.PathLike[str]) -> BackupInfo:
    """Check that a backup folder is complete and that every file has its recorded checksum.

    Raises:
        BackupError: not a backup, a file missing, or a checksum mismatch (naming the file).
    """
    folder = Path(backup_dir)
    try:
        record = json.loads((folder / BACKUP_FILE).read_text("utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{folder} er ikke en sorkit-backup ({BACKUP_FILE} mangler)") from None
    except (OSError, ValueError) as exc:
        raise BackupError(f"{folder / BACKUP_FILE} kan ikke læses: {exc}") from None
    if not isinstance(record, dict) or record.get("format") != BACKUP_FORMAT:
        raise BackupError(f"{folder / BACKUP_FILE} er ikke en sorkit-backup (ukendt format)")
    checksums = record.get("checksums")
    if not isinstance(checksums, dict) or store_io.MANIFEST not in checksums:
        raise BackupError(f"{folder / BACKUP_FILE} mangler kontrolsummer")
    for name, expected in sorted(checksums.items()):
        path = folder / str(name)
        if Path(str(name)).name != str(name):
            raise BackupError(f"{folder / BACKUP_FILE} nævner en fil uden for mappen: {name}")
        if not path.is_file():
            raise BackupError(f"Backup-filen {path} mangler")
        if sha256(path) != expected:
            raise BackupError(
                f"Backup-filen {path} er beskadiget eller ændret (kontrolsummen passer ikke)"
            )
    return _info(folder, record)


def restore(
    backup_dir: str | os.PathLike[str],
    target_path: str | os.PathLike[str],
    *,
    force: bool = False,
    busy_timeout: float = 60.0,
) -> BackupInfo:
    """Rebuild a register file from a backup folder.

    Every checksum is verified first; the register is built in a temporary file next to the
    target and moved into place only when every table holds the backed-up rows and the
    integrity check passes.

    Args:
        backup_dir: a folder written by :func:`backup`.
        target_path: the register file to create.
        force: replace an existing register at ``target_path`` (waits until nobody uses it).
        busy_timeout: seconds to wait for other processes holding the target.

    Returns:
        The :class:`BackupInfo` of the restored backup.

    Raises:
        BackupError: a damaged backup, the target exists without ``force``, or the restored
            register fails the integrity check (the target is then left untouched).
        SchemaError: the backup was made by a newer sorkit.
    """
    from sorkit.integrity import check

    info = verify(backup_dir)
    source = Path(backup_dir)
    store_io.read_manifest(source)  # SchemaError for a backup from a newer sorkit
    target = Path(target_path)
    if (target.exists() or Path(str(target) + ".wal").exists()) and not force:
        raise BackupError(
            f"{target} findes allerede; gendan til en ny fil, eller brug force=True "
            "(--force) for at erstatte den"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.restore-{os.getpid()}")
    remove_register_files(tmp)
    try:
        store = Store(tmp, busy_timeout=busy_timeout)
        try:
            store.load_parquet(source)
        except SorkitError as exc:
            raise BackupError(f"Backuppen {source} kan ikke indlæses: {exc}") from exc
        report = check(store)
        if not report.ok:
            raise BackupError(
                f"Den gendannede kopi består ikke integritetstjekket; {target} er ikke rørt:\n"
                + "\n".join(report.problems[:10])
            )
        store.checkpoint()
        release_all()  # this process's own lingering handles must not count as busy
        with hold_file(target, busy_timeout):
            Path(str(target) + ".wal").unlink(missing_ok=True)  # the old file's, not the new
            os.replace(tmp, target)
    finally:
        remove_register_files(tmp)
    return info
