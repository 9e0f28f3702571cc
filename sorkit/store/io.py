"""Bulk input and output of a register: one-transaction imports and Parquet dumps.

* :func:`bulk_import` writes pre-projected events, versions and audit rows of a whole import in
  one transaction (in chunks, so the Arrow tables stay small), after checking that nobody wrote
  since the import was planned.
* :func:`dump_parquet` copies every table of the register into a folder, one Parquet file per
  table, plus ``manifest.json`` (schema version, generation, row counts and sequence positions);
  :func:`load_parquet` loads such a folder into a new, empty register so that every table holds
  exactly the same rows.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import duckdb

from sorkit.errors import SchemaError, SorImportError, StaleSnapshot
from sorkit.model import Event, Version
from sorkit.store import AuditRow, Store, rows
from sorkit.store.schema import LATEST_VERSION

MANIFEST = "manifest.json"
FORMAT_ID = "sorkit-parquet"


def bulk_import(
    store: Store,
    chunks: Iterable[tuple[Sequence[Event], Sequence[Version], Sequence[AuditRow]]],
    user: str,
    now: dt.datetime,
    expected_generation: int,
    *,
    require_empty: bool = True,
) -> int:
    """Insert an import's events, versions and audit rows in one transaction.

    Args:
        store: the register's store.
        chunks: (events, versions, audit rows) parts, inserted in turn.
        user: who imports (recorded_by where the rows have none).
        now: transaction time.
        expected_generation: the generation the import was planned on.
        require_empty: refuse unless the register holds no units (a fresh import).

    Returns:
        The new generation.

    Raises:
        StaleSnapshot: someone wrote since the import was planned (nothing written).
    """
    with store.transaction("import") as con:
        gen = rows.generation(con)
        if gen != expected_generation:
            raise StaleSnapshot(expected_generation, gen)
        if require_empty:
            found = con.execute("SELECT count(*) FROM unit_versions").fetchall()[0][0]
            if found:
                raise StaleSnapshot(expected_generation, gen)
        new_gen = gen + 1
        for events, versions, audit in chunks:
            rows.insert_events(con, events, user, now, new_gen)
            rows.insert_versions(con, versions, user, now, new_gen)
            rows.insert_audit(con, audit, user, now)
        rows.set_generation(con, new_gen)
    return new_gen


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def base_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The register's tables (not views), by name."""
    return [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
            "AND table_type = 'BASE TABLE' ORDER BY table_name"
        ).fetchall()
    ]


def _sequences(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Each sequence's next value."""
    return {
        str(r[0]): int(r[2]) if r[1] is None else int(r[1]) + 1
        for r in con.execute(
            "SELECT sequence_name, last_value, start_value FROM duckdb_sequences() "
            "WHERE schema_name = 'main' ORDER BY sequence_name"
        ).fetchall()
    }


def table_names(store: Store) -> list[str]:
    """The register's tables (not views), by name."""
    if getattr(store, "url", None):  # PostgreSQL: the tables a dump holds
        from sorkit.store import pgio

        return list(pgio.DUMP_TABLES)
    with store.connect() as con:
        return base_tables(con)


def table_counts(store: Store) -> dict[str, int]:
    """Rows per table (a cheap fingerprint of a register's content)."""
    if getattr(store, "url", None):
        from sorkit.store import pgio

        return pgio.table_counts(store)  # type: ignore[arg-type]
    with store.connect() as con:
        return {
            t: int(con.execute(f"SELECT count(*) FROM {_ident(t)}").fetchall()[0][0])
            for t in base_tables(con)
        }


def table_rows(store: Store, table: str) -> list[tuple[Any, ...]]:
    """Every row of one table, sorted (for comparing two registers)."""
    if getattr(store, "url", None):  # as DuckDB's rows, so two engines compare equal
        from sorkit.store import pgio

        return pgio.table_rows(store, table)  # type: ignore[arg-type]
    with store.connect() as con:
        if table not in base_tables(con):
            raise KeyError(table)
        found = con.execute(f"SELECT * FROM {_ident(table)}").fetchall()
    return sorted(found, key=repr)


def dump_parquet(store: Store, folder: str | Path, *, sorkit_version: str = "") -> dict[str, Any]:
    """Copy every table into ``folder`` (one ``<table>.parquet`` each) plus ``manifest.json``.

    The copy is taken in one read transaction, so it is consistent even while others write.

    Returns:
        The manifest.
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    tables: dict[str, dict[str, Any]] = {}
    with store.connect() as con:
        # Rows may leave in any order (a table is a set; loading sorts what needs sorting):
        # DuckDB then streams the COPY instead of buffering it (300 MB less at 200,000 units).
        # Row groups of 20,000 rows instead of DuckDB's 122,880: each thread buffers one, and
        # at 200,000 units the dump's peak was 366 MB above the register's, now about 50 MB
        # (and the dump no slower).
        con.execute("SET preserve_insertion_order = false")
        con.begin()
        try:
            meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
            for table in base_tables(con):
                target = out / f"{table}.parquet"
                count = con.execute(f"SELECT count(*) FROM {_ident(table)}").fetchall()[0][0]
                con.execute(
                    f"COPY (SELECT * FROM {_ident(table)}) TO {_literal(target)} "
                    "(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 20000)"
                )
                tables[table] = {"file": target.name, "rows": int(count)}
            sequences = _sequences(con)
        finally:
            con.commit()
            con.execute("RESET preserve_insertion_order")
    manifest = {
        "format": FORMAT_ID,
        "sorkit_version": sorkit_version,
        "schema_version": int(meta.get("schema_version", "0")),
        "generation": int(meta.get("generation", "0")),
        "exported_at": dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(),
        "tables": tables,
        "sequences": sequences,  # name -> next value
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), "utf-8")
    return manifest


def read_manifest(folder: str | Path) -> dict[str, Any]:
    """Read and check a Parquet dump's manifest.

    Raises:
        SorImportError: no manifest, or not a sorkit dump.
        SchemaError: the dump was made by a newer sorkit.
    """
    path = Path(folder) / MANIFEST
    try:
        manifest = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise SorImportError(f"{folder} er ikke et sorkit Parquet-udtræk ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_ID:
        raise SorImportError(f"{folder} er ikke et sorkit Parquet-udtræk (forkert manifest)")
    if int(manifest.get("schema_version", 0)) > LATEST_VERSION:
        raise SchemaError(
            f"Udtrækket {folder} er lavet af en nyere sorkit (skemaversion "
            f"{manifest['schema_version']}; denne sorkit kender op til {LATEST_VERSION})."
        )
    return manifest


def load_parquet(store: Store, folder: str | Path) -> dict[str, Any]:
    """Load a Parquet dump into an empty register (one transaction).

    Rows are inserted by column name, so a dump from an older schema version loads into the
    current one (new columns stay empty). The write counter, users and sequences come from the
    dump; the schema version stays the register's own.

    Returns:
        The dump's manifest.

    Raises:
        SorImportError: the folder is not a dump, a file is missing or a count is off, or the
            register is not empty.
    """
    src = Path(folder)
    manifest = read_manifest(src)
    with store.transaction("parquet") as con:
        present = set(base_tables(con))
        for table in ("unit_versions", "unit_events", "audit", "users"):
            if table in present and con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]:
                raise SorImportError("Parquet-udtræk kan kun indlæses i et tomt register")
        own_version = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()[
            0
        ][0]
        for table, info in manifest["tables"].items():
            if table not in present:
                raise SorImportError(f"Tabellen {table} i udtrækket findes ikke i registret")
            path = src / str(info["file"])
            if not path.exists():
                raise SorImportError(f"Filen {path} mangler i udtrækket")
            con.execute(f"DELETE FROM {_ident(table)}")
            con.execute(
                f"INSERT INTO {_ident(table)} BY NAME SELECT * FROM read_parquet({_literal(path)})"
            )
            count = con.execute(f"SELECT count(*) FROM {_ident(table)}").fetchall()[0][0]
            if int(count) != int(info["rows"]):
                raise SorImportError(
                    f"Tabellen {table}: {count} rækker indlæst, manifestet siger {info['rows']}"
                )
        con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [own_version])
        for name, next_value in manifest.get("sequences", {}).items():
            con.execute(f"DROP SEQUENCE IF EXISTS {_ident(name)}")
            con.execute(f"CREATE SEQUENCE {_ident(name)} START {int(next_value)}")
    return manifest
