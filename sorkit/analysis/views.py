"""``reg.sql``: read-only SQL over documented views of the register, built from memory.

The tables behind the views are made here, as Arrow tables, from what the register already
holds in memory: the snapshot (every current version) and the change log (events and audit
records, as :meth:`sorkit.store.Store.event_log` and ``reg.audit()`` give them). They do not depend on where the
register is stored. :mod:`sorkit.store.analyst` puts them in a private in-memory DuckDB
connection with the views and the ``units_on(date)`` macro, and refuses every statement that is
not a query. The views are documented in ``docs/analysts.md``.

One connection is kept per snapshot and rebuilt when the register's generation or today moves
on, so a query always sees the register as the next read would.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa

from sorkit import refdata
from sorkit.dates import valid_to_to_last_day
from sorkit.model import ADDRESS_KEYS, Version
from sorkit.snapshot import Snapshot

if TYPE_CHECKING:
    from sorkit.register import Register
    from sorkit.store.analyst import AnalystDB

__all__ = ["VIEWS", "register_tables", "run_sql"]

#: The views a query may read (besides the table macro ``units_on(date)``).
VIEWS = ("units", "versions", "events", "audit", "location_numbers", "addresses")

_ADDRESS_TYPE = pa.struct([(k, pa.string()) for k in ADDRESS_KEYS if k != "skip_validation"])
_ADDRESS_FIELDS = ("postal_address", "visiting_address", "activity_address")
_TEXT_FIELDS = (
    "phone",
    "email",
    "website",
    "fax",
    "cvr",
    "p_number",
    "shak",
    "ydernummer",
    "pharmacy_id",
    "local_code",
)
_NUMBER_TEXT = ("region", "edb_system", "system_supplier", "net_operator", "administrator", "note")

_CACHE: weakref.WeakKeyDictionary[Snapshot, AnalystDB] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def run_sql(
    reg: Register, query: str, params: Sequence[Any] | Mapping[str, Any] | None
) -> pd.DataFrame:
    """Answer one read-only query over the register's views (see :meth:`Register.sql`)."""
    from sorkit.store.analyst import AnalystDB

    snap = reg.snapshot()
    today = reg.today
    with _LOCK:
        db = _CACHE.get(snap)
        if db is None or not db.current(snap.generation, today):
            if db is not None:
                db.close()
            db = AnalystDB(register_tables(reg, snap), snap.generation, today)
            _CACHE[snap] = db
    return db.query(query, params)


def register_tables(reg: Register, snap: Snapshot) -> dict[str, pa.Table]:
    """The tables behind the views: versions, location numbers, addresses, events, audit."""
    versions = list(snap.all_versions())
    _generation, _audit_id, events, _ = reg.store.event_log()
    audit = pa.Table.from_pandas(reg.audit().sort_values("audit_id"), preserve_index=False)
    return {
        "versions": versions_table(snap, versions),
        "location_numbers": location_numbers_table(versions),
        "addresses": addresses_table(versions),
        "events": events,
        "audit": audit,
    }


def versions_table(snap: Snapshot, versions: list[Version]) -> pa.Table:
    """One row per current version: its interval, own values, and its unit's first/last day."""
    names = refdata.unit_type_names()
    # The versions are named tuples: one transposition gives every field as a column.
    field = (
        dict(zip(Version._fields, zip(*versions, strict=True), strict=True))
        if versions
        else {name: () for name in Version._fields}
    )
    # A unit's first and last day, once per unit (the versions come grouped by unit).
    life = {
        code: (snap.first_from(code), snap.end(code)) for code in dict.fromkeys(field["sor_code"])
    }
    columns: dict[str, Any] = {
        "sor_code": list(field["sor_code"]),
        "valid_from": pa.array(field["valid_from"], pa.date32()),
        "valid_to": pa.array(field["valid_to"], pa.date32()),
        "last_day": pa.array([valid_to_to_last_day(d) for d in field["valid_to"]], pa.date32()),
        "level": list(field["level"]),
        "parent_sor_code": list(field["parent"]),
        "name": list(field["name"]),
        "unit_type": list(field["unit_type"]),
        "unit_type_name": [names.get(t) if t else None for t in field["unit_type"]],
    }
    for name in _ADDRESS_FIELDS:
        columns[name] = pa.array([_address(a) for a in field[name]], type=_ADDRESS_TYPE)
    for name in _TEXT_FIELDS:
        columns[name] = list(field[name])
    columns["inherit_electronic"] = pa.array(field["inherit_electronic"], pa.bool_())
    columns["location_number"] = [
        None if n is None else (n.get("gln") or None) for n in field["location_number"]
    ]
    columns["inherit_location_number"] = pa.array(field["inherit_location_number"], pa.bool_())
    columns["specialities"] = pa.array(
        [list(t) for t in field["specialities"]], pa.list_(pa.string())
    )
    columns["unit_first_day"] = pa.array([life[c][0] for c in field["sor_code"]], pa.date32())
    columns["unit_last_day"] = pa.array(
        [valid_to_to_last_day(life[c][1]) for c in field["sor_code"]], pa.date32()
    )
    columns["change_id"] = list(field["change_id"])
    columns["recorded_at"] = pa.array(field["recorded_at"], pa.timestamp("us"))
    columns["recorded_by"] = list(field["recorded_by"])
    return pa.table({k: _as_array(v) for k, v in columns.items()})


def location_numbers_table(versions: list[Version]) -> pa.Table:
    """One row per version that holds its own location number, with the number's attributes."""
    held = [v for v in versions if v.location_number is not None]
    numbers = [v.location_number or {} for v in held]
    columns: dict[str, Any] = {
        "sor_code": [v.sor_code for v in held],
        "valid_from": pa.array([v.valid_from for v in held], pa.date32()),
        "valid_to": pa.array([v.valid_to for v in held], pa.date32()),
        "last_day": pa.array([valid_to_to_last_day(v.valid_to) for v in held], pa.date32()),
        "gln": [n.get("gln") or None for n in numbers],
    }
    for key in _NUMBER_TEXT:
        columns[key] = [n.get(key) or None for n in numbers]
    columns["only_internal"] = pa.array([bool(n.get("only_internal")) for n in numbers], pa.bool_())
    columns["inactive"] = pa.array([bool(n.get("inactive")) for n in numbers], pa.bool_())
    columns["edi_types"] = pa.array(
        [list(n.get("edi_types") or ()) for n in numbers], pa.list_(pa.string())
    )
    return pa.table({k: _as_array(v) for k, v in columns.items()})


def addresses_table(versions: list[Version]) -> pa.Table:
    """One row per own address of a version (kind: postal, visiting or activity)."""
    rows: dict[str, list[Any]] = {
        k: []
        for k in ("sor_code", "valid_from", "valid_to", "last_day", "kind", *_ADDRESS_TYPE.names)
    }
    for v in versions:
        for field in _ADDRESS_FIELDS:
            address = getattr(v, field)
            if address is None:
                continue
            rows["sor_code"].append(v.sor_code)
            rows["valid_from"].append(v.valid_from)
            rows["valid_to"].append(v.valid_to)
            rows["last_day"].append(valid_to_to_last_day(v.valid_to))
            rows["kind"].append(field.removesuffix("_address"))
            for key in _ADDRESS_TYPE.names:
                rows[key].append(address.get(key) or None)
    columns: dict[str, Any] = dict(rows)
    for key in ("valid_from", "valid_to", "last_day"):
        columns[key] = pa.array(rows[key], pa.date32())
    return pa.table({k: _as_array(v) for k, v in columns.items()})


def _as_array(values: Any) -> pa.Array:
    return values if isinstance(values, pa.Array) else pa.array(values, pa.string())


def _address(value: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return {
        k: (None if value.get(k) in (None, "") else str(value.get(k))) for k in _ADDRESS_TYPE.names
    }


def _gln(v: Version) -> str | None:
    return None if v.location_number is None else (v.location_number.get("gln") or None)
