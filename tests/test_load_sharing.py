"""The streamed, columnar load (sorkit.store.load): equal values, shared objects, frozen dicts."""

from __future__ import annotations

import copy
import datetime as dt
import gc
import pickle
from pathlib import Path

import pytest

from sorkit.model import Version, version_from_state
from sorkit.snapshot import Snapshot
from sorkit.store import Store, load, rows

NOW = dt.datetime(2026, 1, 2, 3, 4, 5, 678901)
ADDRESS = {"street": "Blegdamsvej", "house_number": "9", "postcode": "2100", "city": "Kbh Ø"}
LN = {"gln": "5790000141227", "region": "1084", "only_internal": True, "edi_types": ("MEDCOM",)}


def _versions() -> list[Version]:
    """Units with repeated and odd values: nulls, empty strings, separators, [] vs [""]."""
    out = []
    odd_addresses = [
        ADDRESS,
        {**ADDRESS, "floor": "", "door": None},
        {**ADDRESS, "street": "a\x1fb", "house_number": ""},
        {**ADDRESS, "street": "a", "house_number": "\x1fb"},
        {"street": "", "house_number": "", "postcode": ""},
        None,
    ]
    odd_ln = [
        LN,
        {**LN, "edi_types": ()},
        {**LN, "edi_types": ("",)},
        {**LN, "edi_types": ("a\x1fb",)},
        {**LN, "edi_types": ("a", "b")},
        None,
    ]
    lists: list[tuple[str, ...]] = [(), ("",), ("a",), ("a", "b"), ("a\x1fb",)]
    for i in range(700):
        code = f"{i + 1:04d}1000016008"
        for j in range(3):
            state = {
                "level": "OE" if i else "IE",
                "parent": None if i == 0 else f"{(i - 1) // 3 + 1:04d}1000016008",
                "name": f"Enhed {i % 50}" if j < 2 else f"Unik {i}",
                "unit_type": "22331004",
                "postal_address": odd_addresses[(i + j) % len(odd_addresses)],
                "visiting_address": ADDRESS if j == 1 else None,
                "location_number": odd_ln[(i * 7 + j) % len(odd_ln)],
                "phone": f"3{i:07d}" if j else "",
                "local_attributes": lists[(i + j) % len(lists)],
                "specialities": lists[i % len(lists)],
                "inherit_electronic": bool(i % 2),
            }
            start = dt.date(2020 + j, 1 + i % 12, 1)
            end = None if j == 2 else dt.date(2021 + j, 1 + i % 12, 1)
            out.append(
                version_from_state(
                    code,
                    start,
                    end,
                    state,
                    set_fields=("name", "phone") if j else ("level", "name"),
                    change_id=f"c{i}-{j}" if i % 3 else "shared-change",
                    recorded_at=NOW if i % 2 else NOW + dt.timedelta(seconds=i),
                    recorded_by="tester",
                )
            )
    return out


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    store = Store(tmp_path / "load.duckdb")
    with store.transaction() as con:
        rows.insert_versions(con, rows.versions_table(_versions(), "u", NOW), "u", NOW, 1)
    return store


def _row_by_row(store: Store) -> list[Version]:
    with store.connect() as con:
        found = con.execute(
            f"SELECT {rows._VERSION_SELECT} FROM unit_versions ORDER BY sor_code, valid_from"
        ).fetchall()
    return [rows._to_version(r) for r in found]


@pytest.mark.parametrize("batch_rows", [load.BATCH_ROWS, 300, 7])
def test_load_equals_row_by_row_in_any_batching(
    store: Store, batch_rows: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(load, "BATCH_ROWS", batch_rows)
    plain = _row_by_row(store)
    with store.connect() as con:
        loaded = rows.load_versions(con, "TRUE", [])
        selected = rows.select_versions(con, "TRUE", [])
    assert list(loaded) == plain
    assert selected == plain
    snap = Snapshot(plain)
    assert loaded.by_code == {c: snap.versions(c) for c in snap.codes()}
    assert loaded.children == {p: snap.child_candidates(p) for p in snap._children}


def test_equal_values_are_one_object(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    whole = load.BATCH_ROWS
    monkeypatch.setattr(load, "BATCH_ROWS", 100)  # sharing holds across batches too
    with store.connect() as con:
        loaded = rows.load_versions(con, "TRUE", [])
    fields = ("postal_address", "location_number", "local_attributes", "set_fields", "valid_from")
    for field in fields:
        values = [getattr(v, field) for v in loaded if getattr(v, field) is not None]
        assert len({id(x) for x in values}) == len({repr(x) for x in values}), field
    # Texts are shared where they repeat within a batch (mostly distinct ones are not).
    monkeypatch.setattr(load, "BATCH_ROWS", whole)
    with store.connect() as con:
        loaded = rows.load_versions(con, "TRUE", [])
    names = [v.name for v in loaded]
    assert len({id(x) for x in names}) == len(set(names))
    by_code = {v.parent for v in loaded if v.parent} | {v.sor_code for v in loaded}
    assert len({id(c) for c in by_code}) == len(by_code)
    stamps = [v.recorded_at for v in loaded if v.recorded_at == NOW]
    assert len({id(s) for s in stamps}) == 1


def test_shared_dicts_refuse_changes_but_copy(store: Store) -> None:
    with store.connect() as con:
        loaded = rows.load_versions(con, "TRUE", [])
    address = next(v.postal_address for v in loaded if v.postal_address is not None)
    for change in (
        lambda a: a.__setitem__("street", "x"),
        lambda a: a.update(street="x"),
        lambda a: a.pop("street"),
        lambda a: a.setdefault("new", 1),
        lambda a: a.clear(),
    ):
        with pytest.raises(TypeError):
            change(address)
    edited = dict(address)
    edited["street"] = "x"
    assert address["street"] != "x"
    assert copy.deepcopy(address) == address
    assert pickle.loads(pickle.dumps(address)) == address
    assert hash(copy.copy(address)) == hash(address)


def test_large_load_leaves_the_collector_as_it_was(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(load, "_TRIM_ROWS", 1)  # treat this small load as a large one
    plain = _row_by_row(store)
    for freeze_first in (False, True):
        if freeze_first:
            gc.freeze()  # objects the process froze itself stay frozen
        try:
            frozen = gc.get_freeze_count()
            with store.connect() as con:
                loaded = rows.load_versions(con, "TRUE", [])
            assert gc.isenabled()
            # Never unfrozen (some frozen objects may have been freed meanwhile), nor left frozen.
            assert (gc.get_freeze_count() > 0) == (frozen > 0)
            assert list(loaded) == plain
        finally:
            if freeze_first:
                gc.unfreeze()
