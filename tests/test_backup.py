"""Backup and restore (#10): Parquet per table, SHA-256 checksums, refusal to overwrite."""

from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path

import pytest

import sorkit
from sorkit import cli
from sorkit.backup import BACKUP_FILE, BackupError, backup, restore, verify
from sorkit.integrity import check
from sorkit.store import io as store_io
from sorkit.store.schema import LATEST_VERSION
from tests.helpers import TODAY
from tests.helpers_procs import fingerprint, result, start, wait_for_line


def same_tables(a: sorkit.Register, b: sorkit.Register) -> None:
    names = store_io.table_names(a.store)
    assert names == store_io.table_names(b.store)
    for table in names:
        assert store_io.table_rows(a.store, table) == store_io.table_rows(b.store, table), table


@pytest.mark.slow
def test_round_trip_gives_identical_tables(demo: sorkit.Register, tmp_path: Path) -> None:
    oe = next(
        c for c in sorted(demo.snapshot().codes()) if demo.snapshot().versions(c)[-1].level == "OE"
    )
    plan = demo.plan(sorkit.EditUnit(oe, phone="87654321"))
    demo.apply(plan, accept={w.code: "test" for w in plan.warnings}, reason="før backup")
    info = backup(demo, tmp_path / "bk")
    assert info.schema_version == LATEST_VERSION
    assert info.generation == demo.store.generation()
    assert set(info.tables) >= {"unit_versions", "unit_events", "audit", "users", "meta"}
    assert all(len(h) == 64 for h in info.checksums.values())
    record = json.loads((tmp_path / "bk" / BACKUP_FILE).read_text())
    assert record["schema_version"] == LATEST_VERSION

    target = tmp_path / "restored.duckdb"
    restore(tmp_path / "bk", target)
    restored = sorkit.open_register(target, user="admin", today=TODAY)
    same_tables(demo, restored)
    assert fingerprint(target) == fingerprint(demo.path)
    assert check(restored).ok
    # The restored register goes on: new ids do not collide, the audit grows by one.
    plan = restored.plan(sorkit.EditUnit(oe, phone="12344321"))
    done = restored.apply(plan, accept={w.code: "test" for w in plan.warnings})
    assert restored.store.query(
        "SELECT count(*) FROM audit WHERE change_id = ?", [done.change_id]
    ) == [(1,)]
    for table, column in (("audit", "audit_id"), ("unit_events", "event_id")):
        dupes = restored.store.query(
            f"SELECT count(*) FROM (SELECT {column} FROM {table} GROUP BY 1 HAVING count(*) > 1)"
        )
        assert dupes == [(0,)]
    assert check(restored).ok


def test_backup_of_a_path_and_of_an_in_memory_register(
    tmp_path: Path, demo: sorkit.Register
) -> None:
    info = backup(demo.path, tmp_path / "from_path")
    assert info.tables["unit_versions"] > 0
    mem = sorkit.open_register(None, user="tester", today=TODAY)
    empty = backup(mem, tmp_path / "from_memory")
    assert empty.tables["unit_versions"] == 0
    restore(tmp_path / "from_memory", tmp_path / "mem.duckdb")
    assert len(sorkit.open_register(tmp_path / "mem.duckdb").snapshot()) == 0


def test_backup_refuses_a_folder_with_files(demo: sorkit.Register, tmp_path: Path) -> None:
    out = tmp_path / "bk"
    out.mkdir()
    (out / "something.txt").write_text("x")
    with pytest.raises(BackupError, match="ikke tom"):
        backup(demo, out)
    with pytest.raises(BackupError, match="findes ikke"):
        backup(tmp_path / "nothing.duckdb", tmp_path / "bk2")


@pytest.fixture
def backup_dir(demo: sorkit.Register, tmp_path: Path) -> Path:
    backup(demo, tmp_path / "bk")
    return tmp_path / "bk"


def test_a_changed_file_is_named(backup_dir: Path, tmp_path: Path) -> None:
    victim = backup_dir / "audit.parquet"
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0xFF
    victim.write_bytes(bytes(data))
    with pytest.raises(BackupError) as err:
        restore(backup_dir, tmp_path / "r.duckdb")
    assert "audit.parquet" in str(err.value) and "kontrolsummen" in str(err.value)
    assert not (tmp_path / "r.duckdb").exists()
    assert not list(tmp_path.glob(".r.duckdb.restore-*"))


def test_a_missing_file_is_named(backup_dir: Path, tmp_path: Path) -> None:
    (backup_dir / "unit_events.parquet").unlink()
    with pytest.raises(BackupError, match="unit_events.parquet"):
        verify(backup_dir)


def test_a_changed_manifest_is_caught(backup_dir: Path) -> None:
    manifest = backup_dir / "manifest.json"
    manifest.write_text(manifest.read_text().replace('"rows": ', '"rows": 1'))
    with pytest.raises(BackupError, match="manifest.json"):
        verify(backup_dir)


def test_not_a_backup(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="ikke en sorkit-backup"):
        verify(tmp_path)
    (tmp_path / BACKUP_FILE).write_text("{not json")
    with pytest.raises(BackupError):
        verify(tmp_path)
    (tmp_path / BACKUP_FILE).write_text(
        json.dumps(
            {
                "format": "sorkit-backup/1",
                "checksums": {"../../etc/passwd": "0", "manifest.json": "0"},
            }
        )
    )
    with pytest.raises(BackupError):
        verify(tmp_path)


@pytest.mark.slow
def test_restore_refuses_to_overwrite_unless_forced(
    demo: sorkit.Register, backup_dir: Path, tmp_path: Path
) -> None:
    target = tmp_path / "existing.duckdb"
    shutil.copy(demo.path, target)
    oe = next(
        c for c in sorted(demo.snapshot().codes()) if demo.snapshot().versions(c)[-1].level == "OE"
    )
    other = sorkit.open_register(target, user="admin", today=TODAY)
    plan = other.plan(sorkit.EditUnit(oe, phone="10101010"))
    other.apply(plan, accept={w.code: "test" for w in plan.warnings})
    changed = fingerprint(target)
    with pytest.raises(BackupError, match="findes allerede"):
        restore(backup_dir, target)
    assert fingerprint(target) == changed
    restore(backup_dir, target, force=True)
    assert fingerprint(target) == fingerprint(demo.path)
    assert not Path(str(target) + ".wal").exists()
    assert check(target).ok


@pytest.mark.slow
def test_forced_restore_waits_for_a_writer(
    demo: sorkit.Register, backup_dir: Path, tmp_path: Path
) -> None:
    target = tmp_path / "busy.duckdb"
    shutil.copy(demo.path, target)
    holder = start("hold", target, 120)
    try:
        wait_for_line(holder, "HELD")
        with pytest.raises(sorkit.RegisterBusy):
            restore(backup_dir, target, force=True, busy_timeout=0.5)
        assert not list(tmp_path.glob(".busy.duckdb.restore-*"))
        releaser = threading.Timer(1.0, holder.kill)  # the writer finishes while restore waits
        releaser.start()
        restore(backup_dir, target, force=True, busy_timeout=60)
        releaser.join()
    finally:
        holder.kill()
        holder.wait()
    assert check(target).ok
    assert fingerprint(target) == fingerprint(demo.path)


@pytest.mark.slow
def test_backup_while_others_write_is_consistent(demo: sorkit.Register, tmp_path: Path) -> None:
    snap = demo.snapshot()
    units = [
        c
        for c in sorted(snap.codes())
        if snap.versions(c)[-1].level == "OE" and snap.end(c) is None
    ][:6]
    part = tmp_path / "units.json"
    part.write_text(json.dumps(units))
    writer = start("edit", demo.path, part, 1)
    infos = [backup(demo.path, tmp_path / f"bk{i}") for i in range(3)]
    outcome = result(writer)
    assert len(outcome["applied"]) == len(units)
    for i, info in enumerate(infos):
        target = tmp_path / f"r{i}.duckdb"
        restore(info.folder, target)  # restore runs the integrity check on the copy
        assert sorkit.open_register(target).store.generation() == info.generation


@pytest.mark.slow
def test_cli_backup_restore_and_check(
    demo: sorkit.Register, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "cli-bk"
    assert cli.main(["backup", "--register", str(demo.path), str(out)]) == 0
    assert "Backup af generation" in capsys.readouterr().out
    target = tmp_path / "cli.duckdb"
    assert cli.main(["restore", str(out), str(target)]) == 0
    assert cli.main(["restore", str(out), str(target)]) == 1
    assert "findes allerede" in capsys.readouterr().err
    assert cli.main(["restore", str(out), str(target), "--force"]) == 0
    assert cli.main(["check", "--register", str(target)]) == 0
    os.remove(out / "users.parquet")
    assert cli.main(["restore", str(out), str(tmp_path / "other.duckdb")]) == 1
    assert "users.parquet" in capsys.readouterr().err
