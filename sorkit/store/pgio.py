"""Parquet dumps of a PostgreSQL register, in the very format of the DuckDB ones.

A dump holds the same tables with the same Arrow types whichever engine wrote it (the column
types are taken from the DuckDB schema itself: an in-memory DuckDB register), so a folder
dumped from one engine loads into the other (``sorkit migrate``) and two dumps of the same
register compare equal table by table. PostgreSQL's own additions stay out of the dump: the
``units`` table (rebuilt from the versions and events on load) and the generated ``valid``
range.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from psycopg import sql
from psycopg.types.json import Jsonb

from sorkit.errors import SorImportError
from sorkit.store.io import FORMAT_ID, MANIFEST, read_manifest
from sorkit.store.pg import PgStore, _tell_siblings
from sorkit.store.pgrows import CHANNEL

#: The tables a dump holds (the DuckDB register's tables).
DUMP_TABLES = ("audit", "batches", "meta", "settings", "unit_events", "unit_versions", "users")
_SEQUENCES = ("audit_ids", "event_ids", "version_ids")


@cache
def arrow_schemas() -> dict[str, pa.Schema]:
    """Each dumped table's Arrow schema, as DuckDB writes it."""
    from sorkit.store import Store

    store = Store(None)
    with store.connect() as con:
        return {
            t: con.sql(f'SELECT * FROM "{t}" LIMIT 0').to_arrow_table().schema for t in DUMP_TABLES
        }


def dump_parquet(store: PgStore, folder: str | Path, *, sorkit_version: str = "") -> dict[str, Any]:
    """Copy every table into ``folder`` (one ``<table>.parquet`` each) plus ``manifest.json``.

    Read in one REPEATABLE READ transaction: consistent while others write.
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    schemas = arrow_schemas()
    tables: dict[str, dict[str, Any]] = {}
    with store.connect() as con:
        con.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
            for table, schema in schemas.items():
                columns = sql.SQL(", ").join(sql.Identifier(n) for n in schema.names)
                query = sql.SQL("SELECT {} FROM {}").format(columns, sql.Identifier(table))
                writer = pq.ParquetWriter(out / f"{table}.parquet", schema, compression="zstd")
                count = 0
                with con.cursor(name=f"dump_{table}") as cur:
                    cur.itersize = 20_000
                    cur.execute(query)
                    while batch := cur.fetchmany(20_000):
                        records = [dict(zip(schema.names, r, strict=True)) for r in batch]
                        writer.write_table(pa.Table.from_pylist(records, schema=schema))
                        count += len(batch)
                writer.close()
                tables[table] = {"file": f"{table}.parquet", "rows": count}
            sequences = {
                name: int(con.execute(_next_value(name)).fetchone()[0])  # type: ignore[index]
                for name in _SEQUENCES
            }
        finally:
            con.execute("COMMIT")
    manifest = {
        "format": FORMAT_ID,
        "sorkit_version": sorkit_version,
        "schema_version": int(meta.get("schema_version", "0")),
        "generation": int(meta.get("generation", "0")),
        "exported_at": dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(),
        "tables": tables,
        "sequences": sequences,
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), "utf-8")
    return manifest


def _arrow_rows(store: PgStore, table: str) -> pa.Table:
    schema = arrow_schemas()[table]
    columns = sql.SQL(", ").join(sql.Identifier(n) for n in schema.names)
    with store.connect() as con:
        found = con.execute(
            sql.SQL("SELECT {} FROM {}").format(columns, sql.Identifier(table))
        ).fetchall()
    return pa.Table.from_pylist(
        [dict(zip(schema.names, r, strict=True)) for r in found], schema=schema
    )


def table_rows(store: PgStore, table: str) -> list[tuple[Any, ...]]:
    """Every row of one table as DuckDB would return it, sorted (to compare two registers)."""
    if table not in DUMP_TABLES:
        raise KeyError(table)
    got = _arrow_rows(store, table)
    rows = [tuple(r.values()) for r in got.to_pylist()]
    return sorted(rows, key=repr)


def table_counts(store: PgStore) -> dict[str, int]:
    """Rows per dumped table."""
    with store.connect() as con:
        return {
            t: int(
                con.execute(  # type: ignore[index]
                    sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(t))
                ).fetchone()[0]
            )
            for t in DUMP_TABLES
        }


def _next_value(name: str) -> sql.Composed:
    """The sequence's next value without taking it."""
    return sql.SQL(
        "SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END FROM {}"
    ).format(sql.Identifier(name))


def load_parquet(store: PgStore, folder: str | Path) -> dict[str, Any]:
    """Load a Parquet dump (of either engine) into an empty register, in one transaction.

    Raises:
        SorImportError: not a dump, a file missing, a count off, or the register not empty.
    """
    src = Path(folder)
    manifest = read_manifest(src)
    with store.transaction() as con:
        for table in ("unit_versions", "unit_events", "audit", "users"):
            found = con.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
            ).fetchone()
            if found and found[0]:
                raise SorImportError("Parquet-udtræk kan kun indlæses i et tomt register")
        row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        own_version = row[0] if row else "0"
        files = {}
        for table, info in manifest["tables"].items():
            if table not in DUMP_TABLES:
                raise SorImportError(f"Tabellen {table} i udtrækket findes ikke i registret")
            path = src / str(info["file"])
            if not path.exists():
                raise SorImportError(f"Filen {path} mangler i udtrækket")
            files[table] = (path, int(info["rows"]))
        # Units first (the versions and events refer to them), each with its last generation.
        codes: dict[str, int] = {}
        for table in ("unit_versions", "unit_events"):
            if table in files:
                got = pq.read_table(files[table][0], columns=["sor_code", "gen"]).to_pydict()
                for code, gen in zip(got["sor_code"], got["gen"], strict=True):
                    codes[code] = max(codes.get(code, 0), int(gen))
        if "unit_versions" in files:
            got = pq.read_table(
                files["unit_versions"][0], columns=["sor_code", "superseded_gen"]
            ).to_pydict()
            for code, gen in zip(got["sor_code"], got["superseded_gen"], strict=True):
                if gen is not None:
                    codes[code] = max(codes.get(code, 0), int(gen))
        with con.cursor().copy("COPY units (sor_code, gen) FROM STDIN") as copy:
            for item in sorted(codes.items()):
                copy.write_row(item)
        for table, (path, rows) in files.items():
            con.execute(sql.SQL("DELETE FROM {}").format(sql.Identifier(table)))
            count = _copy_in(con, table, path)
            if count != rows:
                raise SorImportError(
                    f"Tabellen {table}: {count} rækker indlæst, manifestet siger {rows}"
                )
        con.execute("UPDATE meta SET value = %s WHERE key = 'schema_version'", [own_version])
        for name, next_value in manifest.get("sequences", {}).items():
            con.execute("SELECT setval(%s, %s, false)", [name, int(next_value)])
        con.execute("SELECT pg_notify(%s, 'load')", [CHANNEL])
    store.analyze()
    _tell_siblings(store.url)
    return manifest


def _copy_in(con: Any, table: str, path: Path) -> int:
    """COPY one Parquet file into its table (structs as jsonb); the rows copied."""
    parquet = pq.ParquetFile(path)
    names = parquet.schema_arrow.names
    kinds = [_kind(parquet.schema_arrow.field(n).type) for n in names]
    columns = sql.SQL(", ").join(sql.Identifier(n) for n in names)
    count = 0
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(table), columns)
    with con.cursor().copy(statement) as copy:
        for batch in parquet.iter_batches(batch_size=20_000):
            for record in batch.to_pylist():
                copy.write_row(
                    [
                        Jsonb(v) if kind == "json" and v is not None else v
                        for v, kind in zip((record[n] for n in names), kinds, strict=True)
                    ]
                )
                count += 1
    return count


def _kind(typ: pa.DataType) -> str:
    return "json" if pa.types.is_struct(typ) else "plain"


def read_contents(store: PgStore) -> Any:
    """What the integrity check reads (:func:`sorkit.store.backup_sql.read_contents`), here."""
    from sorkit.store import backup_sql as q
    from sorkit.store.pgrows import _events_for, _generation, _select_versions

    with store.connect() as con:
        con.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            gen = _generation(con)
            versions = _select_versions(con, "superseded_at IS NULL", [])
            codes = {v.sor_code for v in versions}
            codes |= {r[0] for r in con.execute("SELECT DISTINCT sor_code FROM unit_events")}
            counts = {
                t: int(
                    con.execute(  # type: ignore[index]
                        sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(t))
                    ).fetchone()[0]
                )
                for t in DUMP_TABLES
            }
            future = [
                (table, top)
                for table, top in con.execute(q._FUTURE_ROWS).fetchall()  # type: ignore[arg-type]
                if top is not None and int(top) > gen
            ]

            def rows(query: str) -> list[tuple[Any, ...]]:
                return [tuple(r) for r in con.execute(query).fetchall()]  # type: ignore[arg-type]

            return q.RegisterContents(
                generation=gen,
                versions=versions,
                events=_events_for(con, codes),
                event_without_audit=rows(q._EVENT_WITHOUT_AUDIT),
                cancel_without_audit=rows(q._CANCEL_WITHOUT_AUDIT),
                version_without_event=rows(q._VERSION_WITHOUT_EVENT),
                duplicate_audit=rows(q._DUPLICATE_AUDIT),
                future_rows=future,
                counts=counts,
                batch_problems=rows(q._BATCH_PROBLEMS),
            )
        finally:
            con.execute("COMMIT")
