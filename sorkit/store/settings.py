"""SQL of the register's settings table (key -> text), e.g. the GS1 range of location numbers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import duckdb

from sorkit.errors import StaleSnapshot


def read_settings(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Every setting as ``{key: value}``."""
    return dict(con.execute("SELECT key, value FROM settings").fetchall())


def write_settings(
    con: duckdb.DuckDBPyConnection, values: Mapping[str, str], user: str, now: dt.datetime
) -> None:
    """Set (insert or replace) the given settings."""
    for key, value in values.items():
        con.execute("DELETE FROM settings WHERE key = ?", [key])
        con.execute("INSERT INTO settings VALUES (?, ?, ?, ?)", [key, value, user, now])


def compare_and_set(
    con: duckdb.DuckDBPyConnection,
    key: str,
    expected: str,
    new: str,
    user: str,
    now: dt.datetime,
    generation: int,
) -> None:
    """Set ``key`` to ``new`` if it still holds ``expected`` (inside the caller's transaction).

    Raises:
        StaleSnapshot: the setting holds another value (someone else took it first).
    """
    found = con.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchall()
    if not found or found[0][0] != expected:
        raise StaleSnapshot(generation, generation + 1)
    con.execute(
        "UPDATE settings SET value = ?, set_by = ?, set_at = ? WHERE key = ?",
        [new, user, now, key],
    )
