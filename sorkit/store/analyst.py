"""The analysts' SQL: a private, read-only, in-memory DuckDB over the register's views.

:class:`AnalystDB` is never the register's storage engine: it is its own in-memory connection
(DuckDB connections must not be shared across a fork, and the store's engines attach the
register file), holding only Arrow tables that :mod:`sorkit.analysis.views` made from memory. It
defines the documented views (``units``, ``versions``, ``events``, ``audit``,
``location_numbers``, ``addresses``) and the table macro ``units_on(date)``, then turns off
file and network access and locks its configuration. Only one statement per call is run, and
only a query (``SELECT``, ``WITH``, ``DESCRIBE``, ``SUMMARIZE``, ``EXPLAIN``): anything else is
refused with :class:`~sorkit.errors.ReadOnlySQL` before it runs.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Mapping, Sequence
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from sorkit.errors import ReadOnlySQL, SQLError

__all__ = ["AnalystDB"]

#: Connections a forked child inherited: kept referenced so the child never tears them down.
_INHERITED: list[duckdb.DuckDBPyConnection] = []

_ALLOWED = {duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN}

#: The units valid on a date, with path, depth, root and inherited values resolved as
#: sorkit.inherit resolves them (postal address up the tree; visiting = postal, activity =
#: visiting when not set; the electronic block and the location number from the parent when
#: the unit inherits them).
_UNITS_ON = """
CREATE MACRO units_on(d) AS TABLE
WITH RECURSIVE v AS (
    SELECT * FROM versions
    WHERE valid_from <= CAST(d AS DATE) AND (valid_to IS NULL OR valid_to > CAST(d AS DATE))
),
tree AS (
    SELECT sor_code, 1 AS depth, name AS path, sor_code AS root_sor_code, name AS root_name,
        postal_address AS postal,
        CASE WHEN postal_address IS NOT NULL THEN sor_code END AS postal_from,
        CASE WHEN inherit_electronic THEN NULL ELSE phone END AS phone,
        CASE WHEN inherit_electronic THEN NULL ELSE email END AS email,
        CASE WHEN inherit_electronic THEN NULL ELSE website END AS website,
        CASE WHEN inherit_electronic THEN NULL ELSE fax END AS fax,
        location_number AS gln,
        CASE WHEN location_number IS NOT NULL THEN sor_code END AS gln_from
    FROM v
    WHERE parent_sor_code IS NULL OR parent_sor_code NOT IN (SELECT sor_code FROM v)
    UNION ALL
    SELECT c.sor_code, t.depth + 1, t.path || ' / ' || c.name, t.root_sor_code, t.root_name,
        coalesce(c.postal_address, t.postal),
        CASE WHEN c.postal_address IS NOT NULL THEN c.sor_code ELSE t.postal_from END,
        CASE WHEN c.inherit_electronic THEN t.phone ELSE c.phone END,
        CASE WHEN c.inherit_electronic THEN t.email ELSE c.email END,
        CASE WHEN c.inherit_electronic THEN t.website ELSE c.website END,
        CASE WHEN c.inherit_electronic THEN t.fax ELSE c.fax END,
        CASE WHEN c.location_number IS NOT NULL THEN c.location_number
             WHEN c.inherit_location_number THEN t.gln END,
        CASE WHEN c.location_number IS NOT NULL THEN c.sor_code
             WHEN c.inherit_location_number THEN t.gln_from END
    FROM v AS c JOIN tree AS t ON c.parent_sor_code = t.sor_code
    WHERE t.depth < 64
)
SELECT v.sor_code, v.name, v.level, v.unit_type, v.unit_type_name, v.parent_sor_code,
    p.name AS parent_name, t.path, t.depth, t.root_sor_code, t.root_name,
    v.unit_first_day AS valid_from, v.unit_last_day AS last_day,
    CASE WHEN v.unit_last_day IS NULL THEN 'active' ELSE 'closing' END AS status,
    t.postal AS postal_address,
    coalesce(v.visiting_address, t.postal) AS visiting_address,
    coalesce(v.activity_address, v.visiting_address, t.postal) AS activity_address,
    CASE WHEN t.postal IS NULL THEN NULL
         WHEN t.postal_from <> v.sor_code THEN t.postal_from END AS postal_address_from,
    t.phone, t.email, t.website, t.fax,
    t.gln AS location_number,
    CASE WHEN t.gln_from <> v.sor_code THEN t.gln_from END AS location_number_from,
    v.location_number AS own_location_number,
    v.cvr, v.p_number, v.shak, v.ydernummer, v.pharmacy_id, v.local_code, v.specialities,
    v.valid_from AS version_from, v.last_day AS version_last_day
FROM tree AS t
JOIN v USING (sor_code)
LEFT JOIN v AS p ON p.sor_code = v.parent_sor_code
"""

_VIEWS = """
CREATE VIEW versions AS SELECT * FROM t_versions;
CREATE VIEW location_numbers AS SELECT * FROM t_location_numbers;
CREATE VIEW addresses AS SELECT * FROM t_addresses;
CREATE VIEW events AS SELECT * FROM t_events;
CREATE VIEW audit AS SELECT * FROM t_audit;
"""


class AnalystDB:
    """A private read-only DuckDB connection over one generation of the register's tables."""

    def __init__(self, tables: Mapping[str, pa.Table], generation: int, today: dt.date):
        """Load ``tables`` (the views' data) and define the views for ``today``."""
        self.generation = generation
        self.today = today
        self.pid = os.getpid()
        self._lock = threading.Lock()
        self._tables = dict(tables)  # kept alive: the connection reads them in place
        con = duckdb.connect(":memory:")
        for name, table in self._tables.items():
            con.register(f"t_{name}", table)
        con.execute(_VIEWS)
        con.execute(_UNITS_ON)
        con.execute(f"CREATE VIEW units AS SELECT * FROM units_on(DATE '{today.isoformat()}')")
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
        self._con: duckdb.DuckDBPyConnection | None = con

    def current(self, generation: int, today: dt.date) -> bool:
        """True if this connection shows ``generation`` on ``today`` in this very process."""
        return (
            self._con is not None
            and self.generation == generation
            and self.today == today
            and self.pid == os.getpid()
        )

    def close(self) -> None:
        """Close the connection (in a forked child: leave the parent's connection untouched)."""
        with self._lock:
            if self._con is not None:
                if self.pid == os.getpid():
                    self._con.close()
                else:  # a connection inherited through fork is never used nor destroyed here
                    _INHERITED.append(self._con)
            self._con = None

    def query(self, query: str, params: Sequence[Any] | Mapping[str, Any] | None) -> pd.DataFrame:
        """Run one query and return its rows.

        Raises:
            ReadOnlySQL: the text is not exactly one query (a write, DDL, ATTACH, COPY, SET...).
            SQLError: DuckDB could not parse or run the query (its message is kept).
        """
        with self._lock:
            con = self._con
            if con is None:
                raise SQLError("forbindelsen er lukket / the connection is closed")
            try:
                statements = con.extract_statements(query)
            except duckdb.Error as exc:
                raise SQLError(f"SQL-fejl / SQL error: {exc}") from exc
            if len(statements) != 1:
                raise ReadOnlySQL(f"{len(statements)} sætninger / statements")
            kind = statements[0].type
            if kind not in _ALLOWED:
                raise ReadOnlySQL(kind.name)
            try:
                # The connection itself, not a cursor: the registered tables are its own.
                return con.execute(query, params).df()
            except duckdb.Error as exc:
                raise SQLError(f"SQL-fejl / SQL error: {exc}") from exc
