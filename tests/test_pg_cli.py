"""Every CLI ``--register`` (and ``$SORKIT_REGISTER``) takes a PostgreSQL URL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import sorkit
from sorkit.cli import main
from tests.helpers import TODAY

pytestmark = pytest.mark.postgresql


def test_check_backup_and_export_on_a_postgresql_register(
    pg_demo_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--register", pg_demo_url]) == 0
    assert main(["backup", "--register", pg_demo_url, str(tmp_path / "bk")]) == 0
    record = json.loads((tmp_path / "bk" / "backup.json").read_text("utf-8"))
    assert record["source"].startswith("postgresql://") and "@" not in record["source"]
    reg = sorkit.open_register(pg_demo_url, user="admin", today=TODAY)
    assert record["tables"]["unit_versions"] == len(reg.store.query("SELECT 1 FROM unit_versions"))
    reg.store.close()
    capsys.readouterr()


def test_sorkit_register_may_name_a_server(
    pg_demo_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SORKIT_REGISTER", pg_demo_url)
    assert main(["export", str(tmp_path / "dump"), "--format", "parquet"]) == 0
    manifest = json.loads((tmp_path / "dump" / "manifest.json").read_text("utf-8"))
    assert manifest["tables"]["unit_versions"]["rows"] > 2000


def test_an_unreachable_server_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    url = "postgresql://nobody@127.0.0.1:1/none"
    assert main(["check", "--register", url]) == 1
    err = capsys.readouterr().err
    assert "kan ikke nås" in err and "127.0.0.1" in err


def test_the_steward_app_opens_a_postgresql_register(pg_demo_url: str) -> None:
    from sorkit.app import add_dom_hooks, open_app_register
    from sorkit.widgets import StewardApp

    env = {"SORKIT_REGISTER": pg_demo_url, "SORKIT_TODAY": TODAY.isoformat()}
    reg = open_app_register(env=env)
    app = add_dom_hooks(StewardApp(reg))
    assert app is not None and len(reg.snapshot()) > 2000
    assert reg.label.startswith("postgresql://127.0.0.1:") and "postgres@" not in reg.label
    reg.store.close()


def test_a_server_is_shown_without_user_or_password() -> None:
    from sorkit.store.engines import shown

    assert (
        shown("postgresql://anne:hemmelig@db.region:5432/sor") == "postgresql://db.region:5432/sor"
    )
    assert shown("data/demo.duckdb") == "data/demo.duckdb"


def test_a_report_notebook_gets_the_url_without_its_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sorkit.notebooks import _register_param

    monkeypatch.delenv("PGPASSWORD", raising=False)
    param = _register_param("postgresql://anne:hemme%40lig@db.region:5432/sor")
    assert param == "postgresql://anne@db.region:5432/sor"
    import os

    assert os.environ["PGPASSWORD"] == "hemme@lig"  # the report's kernel inherits it
    assert _register_param("postgresql://db/sor") == "postgresql://db/sor"


def test_a_register_on_a_server_shows_no_password(pg_demo_url: str) -> None:
    url = pg_demo_url.replace("postgres@", "postgres:hemmelig@")  # trust login ignores it
    reg = sorkit.open_register(url, user="admin", today=TODAY)
    assert "hemmelig" not in repr(reg) and "hemmelig" not in reg.label
    assert repr(reg).startswith("<Register postgresql://127.0.0.1:")
    reg.store.close()
