"""The peer baseline: the same register's current versions in SQLite, queried the plain way.

What a careful engineer would build without sorkit: one table of current versions (copied once
from the DuckDB file), indexes on (sor_code, valid_from), (parent, valid_from), lower(name) and
each identifier, recursive CTEs for tree queries, LIKE for name search. Every query returns a
pandas DataFrame (sorkit's reads do), so both sides pay for building the result.

Dates are ISO text (they compare correctly as strings); ``valid_to`` NULL is open-ended.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import sqlite3
import time
from pathlib import Path
from typing import Any, NamedTuple

import duckdb
import pandas as pd

COLUMNS = (
    "sor_code TEXT NOT NULL, valid_from TEXT NOT NULL, valid_to TEXT, level TEXT NOT NULL, "
    "parent TEXT, name TEXT NOT NULL, unit_type TEXT, gln TEXT, cvr TEXT, shak TEXT, "
    "ydernummer TEXT, phone TEXT, email TEXT, change_id TEXT, recorded_at TEXT, recorded_by TEXT"
)

INDEXES = [
    "CREATE INDEX v_code ON versions (sor_code, valid_from)",
    "CREATE INDEX v_parent ON versions (parent, valid_from)",
    "CREATE INDEX v_lname ON versions (lower(name))",
    "CREATE INDEX v_gln ON versions (gln)",
    "CREATE INDEX v_cvr ON versions (cvr)",
    "CREATE INDEX v_shak ON versions (shak)",
    "CREATE INDEX v_type ON versions (unit_type)",
]

# A unit's version on :day is the one with valid_from <= :day < coalesce(valid_to, 'max').
_ON_DAY = "valid_from <= :day AND (valid_to IS NULL OR valid_to > :day)"


def build(duckdb_path: str | Path, sqlite_path: str | Path) -> float:
    """Copy the current versions into a new SQLite file with indexes; return seconds taken."""
    import time

    start = time.perf_counter()
    sqlite_path = Path(sqlite_path)
    tmp = sqlite_path.with_suffix(".building")
    tmp.unlink(missing_ok=True)
    src = duckdb.connect(str(duckdb_path), read_only=True)
    try:
        frame = src.execute(
            "SELECT sor_code, strftime(valid_from, '%Y-%m-%d') AS valid_from, "
            "strftime(valid_to, '%Y-%m-%d') AS valid_to, level, parent, name, unit_type, "
            "location_number.gln AS gln, cvr, shak, ydernummer, phone, email, change_id, "
            "strftime(recorded_at, '%Y-%m-%d %H:%M:%S.%f') AS recorded_at, recorded_by "
            "FROM unit_versions WHERE superseded_at IS NULL ORDER BY sor_code, valid_from"
        ).df()
    finally:
        src.close()
    con = sqlite3.connect(tmp)
    try:
        con.execute(f"CREATE TABLE versions ({COLUMNS})")
        rows = frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None)
        con.executemany(f"INSERT INTO versions VALUES ({', '.join('?' * 16)})", rows)
        for sql in INDEXES:
            con.execute(sql)
        con.execute("ANALYZE")
        con.commit()
    finally:
        con.close()
    tmp.replace(sqlite_path)
    return time.perf_counter() - start


class Baseline:
    """The baseline's queries on one SQLite file (one connection, as an app would keep)."""

    def __init__(self, path: str | Path):
        """Open the file (no query yet)."""
        self.con = sqlite3.connect(path, check_same_thread=False)
        self.con.execute("PRAGMA cache_size = -200000")  # 200 MB page cache, a fair setting

    def close(self) -> None:
        """Close the connection."""
        self.con.close()

    def _df(self, sql: str, params: dict[str, object]) -> pd.DataFrame:
        return pd.read_sql_query(sql, self.con, params=params)

    @staticmethod
    def open_and_first_query(path: str | Path, code: str, day: dt.date) -> pd.DataFrame:
        """The baseline's "open": connect and answer a first query."""
        b = Baseline(path)
        try:
            return b.unit(code, day)
        finally:
            b.close()

    def unit(self, code: str, day: dt.date) -> pd.DataFrame:
        """One unit's version on ``day``."""
        return self._df(
            f"SELECT * FROM versions WHERE sor_code = :code AND {_ON_DAY}",
            {"code": code, "day": day.isoformat()},
        )

    def children(self, code: str, day: dt.date) -> pd.DataFrame:
        """Direct children on ``day`` by name, with the parent's name (as sorkit returns)."""
        return self._df(
            """SELECT c.sor_code, c.name, c.level, c.unit_type, c.parent AS parent_sor_code,
                      p.name AS parent_name, c.valid_from, c.valid_to
               FROM versions c JOIN versions p
                 ON p.sor_code = c.parent AND p.valid_from <= :day
                AND (p.valid_to IS NULL OR p.valid_to > :day)
               WHERE c.parent = :code AND c.valid_from <= :day
                 AND (c.valid_to IS NULL OR c.valid_to > :day)
               ORDER BY lower(c.name), c.sor_code""",
            {"code": code, "day": day.isoformat()},
        )

    def ancestors(self, code: str, day: dt.date) -> pd.DataFrame:
        """Parent, grandparent, ... on ``day``, root first (recursive CTE)."""
        return self._df(
            f"""WITH RECURSIVE up(sor_code, depth) AS (
                    SELECT parent, 1 FROM versions WHERE sor_code = :code AND {_ON_DAY}
                    UNION ALL
                    SELECT v.parent, up.depth + 1 FROM up JOIN versions v
                      ON v.sor_code = up.sor_code AND v.valid_from <= :day
                     AND (v.valid_to IS NULL OR v.valid_to > :day)
                    WHERE up.sor_code IS NOT NULL AND up.depth < 64)
                SELECT v.sor_code, v.name, v.level, v.unit_type, v.parent AS parent_sor_code
                FROM up JOIN versions v ON v.sor_code = up.sor_code
                 AND v.valid_from <= :day AND (v.valid_to IS NULL OR v.valid_to > :day)
                ORDER BY up.depth DESC""",
            {"code": code, "day": day.isoformat()},
        )

    def subtree(self, code: str, day: dt.date, unit_type: str | None = None) -> pd.DataFrame:
        """The unit and everything under it on ``day`` with paths, optionally one type."""
        where = "WHERE t.unit_type = :unit_type" if unit_type is not None else ""
        return self._df(
            f"""WITH RECURSIVE t(sor_code, name, level, unit_type, parent, path, valid_from,
                                 valid_to) AS (
                    SELECT sor_code, name, level, unit_type, parent, name, valid_from, valid_to
                    FROM versions WHERE sor_code = :code AND {_ON_DAY}
                    UNION ALL
                    SELECT v.sor_code, v.name, v.level, v.unit_type, v.parent,
                           t.path || ' / ' || v.name, v.valid_from, v.valid_to
                    FROM t JOIN versions v ON v.parent = t.sor_code
                     AND v.valid_from <= :day AND (v.valid_to IS NULL OR v.valid_to > :day))
                SELECT t.sor_code, t.name, t.level, t.unit_type, t.parent AS parent_sor_code,
                       t.path, t.valid_from, t.valid_to
                FROM t {where} ORDER BY t.path""",
            {"code": code, "day": day.isoformat(), "unit_type": unit_type},
        )

    def hierarchy(self, day: dt.date) -> pd.DataFrame:
        """Every unit valid on ``day`` with its path (recursive CTE from the roots)."""
        return self._df(
            f"""WITH RECURSIVE t(sor_code, name, level, unit_type, parent, path, valid_from,
                                 valid_to) AS (
                    SELECT sor_code, name, level, unit_type, parent, name, valid_from, valid_to
                    FROM versions WHERE parent IS NULL AND {_ON_DAY}
                    UNION ALL
                    SELECT v.sor_code, v.name, v.level, v.unit_type, v.parent,
                           t.path || ' / ' || v.name, v.valid_from, v.valid_to
                    FROM t JOIN versions v ON v.parent = t.sor_code
                     AND v.valid_from <= :day AND (v.valid_to IS NULL OR v.valid_to > :day))
                SELECT t.sor_code, t.name, t.level, t.unit_type, t.parent AS parent_sor_code,
                       t.path, t.valid_from, t.valid_to
                FROM t ORDER BY t.path""",
            {"day": day.isoformat()},
        )

    def wildcard(self, pattern: str, day: dt.date) -> pd.DataFrame:
        """Units whose name (on ``day``) matches a ``*``/``?`` pattern, case-insensitively."""
        like = pattern.lower().replace("%", r"\%").replace("_", r"\_")
        like = like.replace("*", "%").replace("?", "_")
        return self._df(
            f"""SELECT sor_code, name, level, unit_type, parent AS parent_sor_code, valid_from,
                       valid_to
                FROM versions WHERE lower(name) LIKE :like ESCAPE '\\' AND {_ON_DAY}
                ORDER BY lower(name), sor_code""",
            {"like": like, "day": day.isoformat()},
        )

    def by_identifier(self, field: str, value: str) -> pd.DataFrame:
        """Units holding ``value`` in ``field`` (sor_code, gln, cvr, shak) in any version."""
        assert field in ("sor_code", "gln", "cvr", "shak")
        return self._df(
            f"""SELECT v.sor_code, v.name, v.level, v.unit_type, v.parent AS parent_sor_code,
                       v.valid_from, v.valid_to
                FROM versions v
                JOIN (SELECT DISTINCT sor_code FROM versions WHERE {field} = :value) h
                  ON h.sor_code = v.sor_code
                WHERE v.valid_from = (SELECT max(valid_from) FROM versions w
                                      WHERE w.sor_code = v.sor_code)""",
            {"value": value},
        )

    def history(self, code: str) -> pd.DataFrame:
        """The unit's versions, oldest first (what changed from when, by whom)."""
        return self._df(
            "SELECT * FROM versions WHERE sor_code = :code ORDER BY valid_from",
            {"code": code},
        )


# -- the baseline in a process of its own ----------------------------------------------------
#
# The benchmark measures the peak memory of sorkit's process, so the baseline (its page cache,
# its DataFrames) runs beside it in a worker process, one operation at a time, interleaved with
# sorkit's measurements exactly as before.


class Call(NamedTuple):
    """One baseline call: a method of :class:`Baseline` and its arguments."""

    name: str
    args: tuple[Any, ...]


class Calls:
    """A stand-in for a Baseline whose methods return the call instead of making it."""

    def __getattr__(self, name: str) -> Any:
        return lambda *args: Call(name, args)


def serve(path: str, conn: Any) -> None:
    """The worker: time each list of calls it is sent, as ``run.median_ms`` times sorkit's."""
    base = Baseline(path)
    while (calls := conn.recv()) is not None:
        times, rows = [], None
        for call in calls:
            start = time.perf_counter()  # the collector left alone, as in run.median_ms
            result = getattr(base, call.name)(*call.args)
            times.append((time.perf_counter() - start) * 1000)
            rows = len(result)
            del result
        conn.send((times, rows))
    base.close()


class Worker:
    """A baseline worker process on one SQLite file."""

    def __init__(self, path: str | Path):
        """Start the worker (it opens the file)."""
        ctx = multiprocessing.get_context("spawn")
        self.conn, theirs = ctx.Pipe()
        self.proc = ctx.Process(target=serve, args=(str(path), theirs), daemon=True)
        self.proc.start()
        theirs.close()

    def measure(self, calls: list[Call]) -> tuple[list[float], int | None]:
        """Wall times (ms) of the calls, made in order, and the row count of the last one."""
        self.conn.send(calls)
        times, rows = self.conn.recv()
        return list(times), rows

    def close(self) -> None:
        """Stop the worker."""
        self.conn.send(None)
        self.proc.join(timeout=60)
