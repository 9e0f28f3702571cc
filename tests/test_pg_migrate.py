"""``sorkit migrate``: DuckDB file -> PostgreSQL -> DuckDB file, compared by Parquet dumps."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import sorkit
from sorkit.cli import main
from tests.helpers import TODAY

pytestmark = [pytest.mark.postgresql, pytest.mark.slow]  # three copies of the demo register


def _dump_rows(folder: Path) -> dict[str, list[tuple]]:
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    out = {}
    for table, info in manifest["tables"].items():
        rows = pq.read_table(folder / info["file"]).to_pylist()
        out[table] = sorted((tuple(r.items()) for r in rows), key=repr)
    out["_sequences"] = sorted(manifest["sequences"].items())
    out["_marks"] = [(manifest["schema_version"], manifest["generation"])]
    return out


def test_migrate_round_trip_is_identical(
    demo_template: Path, pg_database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "source.duckdb"
    source.write_bytes(demo_template.read_bytes())
    reg = sorkit.open_register(source, user="admin", today=TODAY)
    reg.add_user("kommune", "steward", [next(iter(reg.snapshot().codes()))], "Kommunen")
    reg.store.close()
    back = tmp_path / "back.duckdb"
    assert main(["migrate", str(source), pg_database]) == 0
    said = capsys.readouterr().out
    assert "kopieret" in said and "@" not in said  # no user or password in the message
    assert main(["migrate", pg_database, str(back)]) == 0
    dumps = {}
    for name, target in (("source", str(source)), ("pg", pg_database), ("back", str(back))):
        opened = sorkit.open_register(target, user="admin", today=TODAY)
        opened.store.dump_parquet(tmp_path / f"dump-{name}")
        opened.store.close()
        dumps[name] = _dump_rows(tmp_path / f"dump-{name}")
    assert dumps["pg"] == dumps["source"]
    assert dumps["back"] == dumps["source"]
    users = {dict(r)["user_name"]: dict(r) for r in dumps["pg"]["users"]}
    assert users["kommune"]["display_name"] == "Kommunen" and "admin" in users
    assert len(dumps["source"]["audit"]) > 1000
    # The PostgreSQL copy works like the file: units, history, roles.
    file_reg = sorkit.open_register(source, user="kommune", today=TODAY)
    pg_reg = sorkit.open_register(pg_database, user="kommune", today=TODAY)
    code = sorted(file_reg.snapshot().codes())[100]
    assert pg_reg.unit(code) == file_reg.unit(code)
    assert pg_reg.history(code).equals(file_reg.history(code))
    assert pg_reg.role == "steward" == file_reg.role
    pg_reg.store.close()


def test_migrate_refuses_a_target_that_is_not_empty(demo_template: Path, pg_demo_url: str) -> None:
    with pytest.raises(sorkit.SorImportError, match="ikke tomt"):
        from sorkit.exporters.migrate import migrate

        migrate(demo_template, pg_demo_url)
