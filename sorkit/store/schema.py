"""The register's DuckDB schema and its migrations.

Every schema change is a new numbered migration appended to :data:`MIGRATIONS`; opening a file
made by an older sorkit runs the missing ones inside one transaction. Never edit a migration that
has shipped.
"""

from __future__ import annotations

APP_ID = "sorkit"

ADDRESS_STRUCT = (
    "STRUCT(street VARCHAR, house_number VARCHAR, postcode VARCHAR, floor VARCHAR, "
    "door VARCHAR, city VARCHAR, skip_validation BOOLEAN)"
)
LOCATION_NUMBER_STRUCT = (
    "STRUCT(gln VARCHAR, region VARCHAR, edb_system VARCHAR, system_supplier VARCHAR, "
    "net_operator VARCHAR, administrator VARCHAR, only_internal BOOLEAN, inactive BOOLEAN, "
    "edi_types VARCHAR[], note VARCHAR)"
)

_V1 = [
    "CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)",
    "CREATE SEQUENCE version_ids START 1",
    "CREATE SEQUENCE event_ids START 1",
    "CREATE SEQUENCE audit_ids START 1",
    f"""CREATE TABLE unit_versions (
        version_id BIGINT NOT NULL,
        sor_code VARCHAR NOT NULL,
        valid_from DATE NOT NULL,
        valid_to DATE,
        level VARCHAR NOT NULL,
        parent VARCHAR,
        name VARCHAR NOT NULL,
        unit_type VARCHAR,
        postal_address {ADDRESS_STRUCT},
        visiting_address {ADDRESS_STRUCT},
        activity_address {ADDRESS_STRUCT},
        inherit_electronic BOOLEAN NOT NULL,
        phone VARCHAR, email VARCHAR, website VARCHAR, fax VARCHAR,
        location_number {LOCATION_NUMBER_STRUCT},
        inherit_location_number BOOLEAN NOT NULL,
        local_attributes VARCHAR[], specialities VARCHAR[],
        shak VARCHAR, ydernummer VARCHAR, pharmacy_id VARCHAR, cvr VARCHAR, p_number VARCHAR,
        local_code VARCHAR, replaces VARCHAR[], replaced_by VARCHAR[],
        set_fields VARCHAR[],
        change_id VARCHAR,
        recorded_at TIMESTAMP NOT NULL,
        recorded_by VARCHAR NOT NULL,
        superseded_at TIMESTAMP,
        gen BIGINT NOT NULL,
        superseded_gen BIGINT,
        CHECK (valid_to IS NULL OR valid_to > valid_from),
        CHECK (level IN ('IE', 'SI', 'OE'))
    )""",
    "CREATE INDEX unit_versions_code ON unit_versions (sor_code)",
    """CREATE TABLE unit_events (
        event_id BIGINT NOT NULL,
        change_id VARCHAR NOT NULL,
        sor_code VARCHAR NOT NULL,
        effective_from DATE NOT NULL,
        kind VARCHAR NOT NULL,
        assignments VARCHAR NOT NULL,
        recorded_at TIMESTAMP NOT NULL,
        recorded_by VARCHAR NOT NULL,
        superseded_at TIMESTAMP,
        superseded_by VARCHAR,
        gen BIGINT NOT NULL
    )""",
    "CREATE INDEX unit_events_code ON unit_events (sor_code)",
    """CREATE TABLE audit (
        audit_id BIGINT NOT NULL,
        change_id VARCHAR NOT NULL,
        sor_code VARCHAR,
        operation VARCHAR NOT NULL,
        effective_from DATE,
        parameters VARCHAR NOT NULL,
        accepted VARCHAR NOT NULL,
        reason VARCHAR,
        batch_id VARCHAR,
        recorded_by VARCHAR NOT NULL,
        recorded_at TIMESTAMP NOT NULL
    )""",
    "CREATE INDEX audit_code ON audit (sor_code)",
    """CREATE TABLE users (
        user_name VARCHAR PRIMARY KEY,
        role VARCHAR NOT NULL,
        scopes VARCHAR[] NOT NULL,
        display_name VARCHAR,
        CHECK (role IN ('reader', 'steward', 'sds_admin'))
    )""",
]

_V2 = [
    """CREATE TABLE batches (
        batch_id VARCHAR PRIMARY KEY,
        plan_hash VARCHAR NOT NULL,
        row_count INTEGER NOT NULL,
        applied_by VARCHAR NOT NULL,
        applied_at TIMESTAMP NOT NULL,
        reason VARCHAR
    )""",
    "CREATE INDEX batches_hash ON batches (plan_hash)",
    # Location numbers as their own effective-dated entity: the periods in which a unit holds a
    # number of its own, with the EDI attributes (gaps and islands over the current versions).
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
        SELECT ln.gln AS gln, sor_code, min(valid_from) AS valid_from,
               CASE WHEN bool_or(valid_to IS NULL) THEN NULL ELSE max(valid_to) END AS valid_to,
               ln.region AS region, ln.edb_system AS edb_system,
               ln.system_supplier AS system_supplier, ln.net_operator AS net_operator,
               ln.administrator AS administrator, ln.only_internal AS only_internal,
               ln.inactive AS inactive, ln.edi_types AS edi_types, ln.note AS note
        FROM grouped GROUP BY sor_code, grp, ln""",
]

# Register settings (key -> text), e.g. the GS1 number range that new location numbers are
# allocated from (``gln_range_first``, ``gln_range_last``, ``gln_next``; see sorkit.gln.allocation).
_V3 = [
    """CREATE TABLE settings (
        key VARCHAR PRIMARY KEY,
        value VARCHAR NOT NULL,
        set_by VARCHAR NOT NULL,
        set_at TIMESTAMP NOT NULL
    )""",
]

#: Ordered migrations: (schema version, name, statements).
MIGRATIONS: list[tuple[int, str, list[str]]] = [
    (1, "units, events, audit and users", _V1),
    (2, "batches and the location_numbers view", _V2),
    (3, "register settings (the GS1 range for new location numbers)", _V3),
]

LATEST_VERSION = MIGRATIONS[-1][0]
