"""Import scope: an extract touches only its own institution owners; a complete export all."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import sorkit
import sorkit.store
from sorkit import cli
from sorkit.errors import SorImportError
from sorkit.exporters import write_sor_xml
from sorkit.importers import import_sor_xml
from sorkit.importers.xml import parse_sor_xml

SAMPLES = Path(__file__).parent.parent / "data" / "reference" / "sor_xml_samples"
FILES = ("ONE_SYGEHUS", "ONE_PRAKSIS", "ONE_APOTEK")
OWNERS = {
    "ONE_SYGEHUS": "347801000016001",
    "ONE_PRAKSIS": "8321000016007",
    "ONE_APOTEK": "306011000016003",
}
TODAY = dt.date(2026, 12, 1)


def _three() -> sorkit.Register:
    reg = sorkit.open_register(None, user="importer", today=TODAY)
    for name in FILES:
        report = import_sor_xml(reg, SAMPLES / f"{name}.xml")
        assert report.written and report.scope == "owners"
        assert report.owners == {OWNERS[name]: reg.unit(OWNERS[name]).name}
    return reg


def _open_owners(reg: sorkit.Register) -> list[str]:
    return sorted(
        c for c in OWNERS.values() if reg.unit(c, as_of=dt.date(2010, 6, 1)).status == "active"
    )


def test_three_extracts_give_three_open_owners() -> None:
    reg = _three()
    assert _open_owners(reg) == sorted(OWNERS.values())
    assert len(reg.snapshot()) == 10
    snap = reg.snapshot()
    assert all(snap.end(c) is None for c in snap.codes())
    # Importing one of them again changes nothing and closes nothing.
    again = import_sor_xml(reg, SAMPLES / "ONE_PRAKSIS.xml", dry_run=True)
    assert again.summary.empty


def test_complete_scope_closes_the_other_owners_behind_the_guard() -> None:
    reg = _three()
    with pytest.raises(SorImportError, match="max_closures=5"):
        import_sor_xml(reg, SAMPLES / "ONE_APOTEK.xml", scope="complete", max_closures=5)
    assert _open_owners(reg) == sorted(OWNERS.values())  # nothing written
    dry = import_sor_xml(reg, SAMPLES / "ONE_APOTEK.xml", scope="complete", dry_run=True)
    assert dry.closed == 7 and not dry.written and dry.scope == "complete"
    assert set(dry.summary.loc[dry.summary.action == "closed", "sor_code"]) >= {
        OWNERS["ONE_SYGEHUS"],
        OWNERS["ONE_PRAKSIS"],
    }
    done = import_sor_xml(reg, SAMPLES / "ONE_APOTEK.xml", scope="complete")
    assert done.written and done.closed == 7
    assert _open_owners(reg) == [OWNERS["ONE_APOTEK"]]


def test_a_file_stating_it_is_complete(tmp_path: Path) -> None:
    reg = _three()
    one = sorkit.open_register(None, user="importer", today=TODAY)
    import_sor_xml(one, SAMPLES / "ONE_PRAKSIS.xml")
    complete, in_force = tmp_path / "complete.xml", tmp_path / "in_force.xml"
    write_sor_xml(one, complete, dt.date(2010, 1, 26))
    write_sor_xml(one, in_force, dt.date(2010, 1, 26), include_closed=False)
    assert parse_sor_xml(complete).complete and not parse_sor_xml(in_force).complete
    assert import_sor_xml(reg, in_force, dry_run=True).closed == 0
    stated = import_sor_xml(reg, complete, dry_run=True)
    assert stated.scope == "complete" and stated.closed == 7
    assert import_sor_xml(reg, complete, dry_run=True, scope="owners").closed == 0


def test_missing_units_of_the_files_owner_are_still_closed(tmp_path: Path) -> None:
    reg = _three()
    text = (SAMPLES / "ONE_SYGEHUS.xml").read_text("utf-8-sig")
    start = text.index("<OrganizationalUnitEntity>", text.index("<OrganizationalUnitEntity>") + 1)
    end = text.index("</OrganizationalUnitEntity>", start) + len("</OrganizationalUnitEntity>")
    path = tmp_path / "sygehus.xml"
    path.write_text(text[:start] + text[end:], "utf-8")
    report = import_sor_xml(reg, path, dry_run=True)
    assert report.closed == 1 and report.scope == "owners"
    assert list(report.summary.sor_code) == ["347831000016005"]


def test_unknown_scope_is_refused() -> None:
    reg = _three()
    with pytest.raises(ValueError, match="ukendt omfang"):
        import_sor_xml(reg, SAMPLES / "ONE_APOTEK.xml", scope="alt")


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    try:
        code = cli.main(list(args))
    except SystemExit as done:  # --help
        code = int(done.code or 0)
    assert code == 0
    return capsys.readouterr().out


def test_cli_complete_flag_and_owner_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    register = str(tmp_path / "r.duckdb")
    for name in FILES:
        out = _cli(capsys, "import", str(SAMPLES / f"{name}.xml"), "--register", register)
        assert OWNERS[name] in out and "kun filens institutionsejere" in out
    sorkit.store.release_all()
    apotek = str(SAMPLES / "ONE_APOTEK.xml")
    out = _cli(capsys, "import", apotek, "--register", register, "--complete", "--dry-run")
    assert "closed: 7" in out and "hele registret" in out
    assert "--complete" in _cli(capsys, "import", "--help")
    export_help = " ".join(_cli(capsys, "export", "--help").split())
    assert "--include-closed" in export_help and "ja for xml og parquet" in export_help
