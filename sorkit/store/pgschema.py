"""The register's PostgreSQL schema: the same numbered migrations as :mod:`sorkit.store.schema`.

Migration N here makes the same tables, columns and view as migration N for DuckDB, in
PostgreSQL's types (addresses and location numbers as ``jsonb``, lists as ``text[]``), so a
register moves between the engines table by table (``sorkit migrate``). On top of that the
database itself enforces what it can of the register's guarantees (rules.md §5), as the last
line behind sorkit's own checks:

- ``unit_versions.valid`` is the valid time as a ``daterange`` ``[valid_from, valid_to)``; an
  exclusion constraint (btree_gist) refuses two overlapping current versions of one unit, and
  another one a location number held by two units on the same day;
- ``units`` has one row per unit (its SOR code and the generation that last wrote it): the
  versions, events and parents refer to it by foreign key, and a write locks exactly the rows
  of the units it touches (``SELECT ... FOR UPDATE``), so writers of different units never
  wait for each other.

The constraints are ``DEFERRABLE INITIALLY DEFERRED``: a write supersedes and inserts versions
in any order and is checked at commit.
"""

from __future__ import annotations

from sorkit.store.schema import LATEST_VERSION as DUCKDB_LATEST

_ADDRESS = "jsonb"
_LOCATION_NUMBER = "jsonb"

_V1 = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    "CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL)",
    "CREATE SEQUENCE version_ids START 1",
    "CREATE SEQUENCE event_ids START 1",
    "CREATE SEQUENCE audit_ids START 1",
    """CREATE TABLE units (
        sor_code text PRIMARY KEY,
        gen bigint NOT NULL
    )""",
    f"""CREATE TABLE unit_versions (
        version_id bigint PRIMARY KEY,
        sor_code text NOT NULL REFERENCES units DEFERRABLE INITIALLY DEFERRED,
        valid_from date NOT NULL,
        valid_to date,
        level text NOT NULL,
        parent text REFERENCES units DEFERRABLE INITIALLY DEFERRED,
        name text NOT NULL,
        unit_type text,
        postal_address {_ADDRESS},
        visiting_address {_ADDRESS},
        activity_address {_ADDRESS},
        inherit_electronic boolean NOT NULL,
        phone text, email text, website text, fax text,
        location_number {_LOCATION_NUMBER},
        inherit_location_number boolean NOT NULL,
        local_attributes text[], specialities text[],
        shak text, ydernummer text, pharmacy_id text, cvr text, p_number text,
        local_code text, replaces text[], replaced_by text[],
        set_fields text[],
        change_id text,
        recorded_at timestamp NOT NULL,
        recorded_by text NOT NULL,
        superseded_at timestamp,
        gen bigint NOT NULL,
        superseded_gen bigint,
        valid daterange GENERATED ALWAYS AS (daterange(valid_from, valid_to, '[)')) STORED,
        CHECK (valid_to IS NULL OR valid_to > valid_from),
        CHECK (level IN ('IE', 'SI', 'OE')),
        CONSTRAINT one_current_version_a_day EXCLUDE USING gist (sor_code WITH =, valid WITH &&)
            WHERE (superseded_at IS NULL) DEFERRABLE INITIALLY DEFERRED,
        CONSTRAINT location_number_one_unit_a_day EXCLUDE USING gist (
            (location_number ->> 'gln') WITH =, sor_code WITH <>, valid WITH &&
        ) WHERE (superseded_at IS NULL AND location_number IS NOT NULL)
            DEFERRABLE INITIALLY DEFERRED
    )""",
    "CREATE INDEX unit_versions_code ON unit_versions (sor_code)",
    "CREATE INDEX unit_versions_gen ON unit_versions (gen)",
    "CREATE INDEX unit_versions_superseded_gen ON unit_versions (superseded_gen)",
    """CREATE TABLE unit_events (
        event_id bigint PRIMARY KEY,
        change_id text NOT NULL,
        sor_code text NOT NULL REFERENCES units DEFERRABLE INITIALLY DEFERRED,
        effective_from date NOT NULL,
        kind text NOT NULL,
        assignments text NOT NULL,
        recorded_at timestamp NOT NULL,
        recorded_by text NOT NULL,
        superseded_at timestamp,
        superseded_by text,
        gen bigint NOT NULL
    )""",
    "CREATE INDEX unit_events_code ON unit_events (sor_code)",
    "CREATE INDEX unit_events_change ON unit_events (change_id)",
    "CREATE INDEX unit_events_gen ON unit_events (gen)",
    """CREATE TABLE audit (
        audit_id bigint PRIMARY KEY,
        change_id text NOT NULL,
        sor_code text,
        operation text NOT NULL,
        effective_from date,
        parameters text NOT NULL,
        accepted text NOT NULL,
        reason text,
        batch_id text,
        recorded_by text NOT NULL,
        recorded_at timestamp NOT NULL
    )""",
    "CREATE INDEX audit_code ON audit (sor_code)",
    """CREATE TABLE users (
        user_name text PRIMARY KEY,
        role text NOT NULL,
        scopes text[] NOT NULL,
        display_name text,
        CHECK (role IN ('reader', 'steward', 'sds_admin'))
    )""",
]

_V2 = [
    """CREATE TABLE batches (
        batch_id text PRIMARY KEY,
        plan_hash text NOT NULL,
        row_count integer NOT NULL,
        applied_by text NOT NULL,
        applied_at timestamp NOT NULL,
        reason text
    )""",
    "CREATE INDEX batches_hash ON batches (plan_hash)",
    """CREATE VIEW location_numbers AS
        WITH v AS (
            SELECT sor_code, valid_from, valid_to, location_number AS ln
            FROM unit_versions
            WHERE superseded_at IS NULL AND location_number IS NOT NULL
        ), marked AS (
            SELECT *, CASE WHEN lag(valid_to) OVER w = valid_from AND lag(ln) OVER w = ln
                      THEN 0 ELSE 1 END AS starts
            FROM v WINDOW w AS (PARTITION BY sor_code ORDER BY valid_from)
        ), grouped AS (
            SELECT *, sum(starts) OVER (PARTITION BY sor_code ORDER BY valid_from) AS grp
            FROM marked
        )
        SELECT ln ->> 'gln' AS gln, sor_code, min(valid_from) AS valid_from,
               CASE WHEN bool_or(valid_to IS NULL) THEN NULL ELSE max(valid_to) END AS valid_to,
               ln ->> 'region' AS region, ln ->> 'edb_system' AS edb_system,
               ln ->> 'system_supplier' AS system_supplier,
               ln ->> 'net_operator' AS net_operator,
               ln ->> 'administrator' AS administrator,
               (ln ->> 'only_internal')::boolean AS only_internal,
               (ln ->> 'inactive')::boolean AS inactive,
               ARRAY(SELECT jsonb_array_elements_text(coalesce(ln -> 'edi_types', '[]'::jsonb)))
                   AS edi_types,
               ln ->> 'note' AS note
        FROM grouped GROUP BY sor_code, grp, ln""",
]

# Register settings (key -> text), e.g. the GS1 range new location numbers come from.
_V3 = [
    """CREATE TABLE settings (
        key text PRIMARY KEY,
        value text NOT NULL,
        set_by text NOT NULL,
        set_at timestamp NOT NULL
    )""",
]

#: Ordered migrations: (schema version, name, statements); numbered as the DuckDB ones.
MIGRATIONS: list[tuple[int, str, list[str]]] = [
    (1, "units, events, audit and users", _V1),
    (2, "batches and the location_numbers view", _V2),
    (3, "register settings (the GS1 range for new location numbers)", _V3),
]

LATEST_VERSION = MIGRATIONS[-1][0]
assert LATEST_VERSION == DUCKDB_LATEST, "every DuckDB migration needs its PostgreSQL twin"
