"""The ``sorkit`` command line: exit codes and readable Danish messages."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import sorkit
import sorkit.store
from sorkit import cli
from tests.helpers import TODAY_TEXT as TODAY
from tests.helpers import code_of

PLANS = Path(__file__).parent / "data" / "plans"
SAMPLE = PLANS / "reorganise_alleroed.csv"


def bad_plan(tmp_path: Path) -> Path:
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace("@NYT1,,", "@NYT1,2026-13-01,")  # row 4
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def batch_args(demo: sorkit.Register, plan: Path, out: Path, *extra: str) -> list[str]:
    return [
        "batch",
        str(plan),
        "--register",
        str(demo.path),
        "--today",
        TODAY,
        "--user",
        "admin",
        "--effective-date",
        "2027-01-01",
        "--out",
        str(out),
        *extra,
    ]


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["--help"])
    assert info.value.code == 0
    text = capsys.readouterr().out
    for name in ("demo", "import", "export", "batch", "report", "app", "check"):
        assert name in text
    assert cli.main([]) == 2


def test_the_command_registry_has_room_for_more() -> None:
    @cli.add_command("hello", "sig hej", lambda p: p.add_argument("--name", default="verden"))
    def hello(args):  # type: ignore[no-untyped-def]
        print(f"hej {args.name}")
        return 0

    try:
        assert cli.main(["hello", "--name", "SOR"]) == 0
    finally:
        del cli.COMMANDS["hello"]


def test_default_register_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SORKIT_REGISTER", raising=False)
    assert cli.default_register() == "data/demo.duckdb"
    monkeypatch.setenv("SORKIT_REGISTER", "/srv/sor.duckdb")
    assert cli.default_register() == "/srv/sor.duckdb"


def test_missing_register_is_a_readable_refusal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.main(["check", "--register", str(tmp_path / "nope.duckdb")])
    assert code == 1
    assert "findes ikke" in capsys.readouterr().err
    assert not (tmp_path / "nope.duckdb").exists()


def test_bad_arguments_exit_with_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["batch", "plan.csv", "--accept", "NO_REASON"])
    assert info.value.code == 2
    assert "navn=værdi" in capsys.readouterr().err


def test_check_passes_on_the_demo_and_after_a_batch(
    demo: sorkit.Register, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["check", "--register", str(demo.path), "--today", TODAY]) == 0
    assert "i orden" in capsys.readouterr().out
    report = demo.plan_batch(sorkit.read_plan(SAMPLE, default_date="2027-01-01"))
    demo.apply_batch(report, accept={"PUBLIC_INFORMATION": "ok"}, reason="test")
    assert cli.main(["check", "--register", str(demo.path)]) == 0
    assert cli.audit_problems(demo) == []


def test_check_finds_a_write_without_audit(
    demo: sorkit.Register, capsys: pytest.CaptureFixture[str]
) -> None:
    import duckdb

    sorkit.store.release_all()
    con = duckdb.connect(str(demo.path))
    con.execute("DELETE FROM audit WHERE audit_id = (SELECT min(audit_id) FROM audit)")
    con.close()
    assert cli.main(["check", "--register", str(demo.path)]) == 1
    assert "ingen revisionspost" in capsys.readouterr().err


@pytest.mark.slow
def test_batch_good_plan_exits_0_and_bad_plan_exits_1(
    demo: sorkit.Register, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gen = demo.store.generation()
    code = cli.main(batch_args(demo, SAMPLE, tmp_path / "good"))
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "Prøvekørsel uden fejl" in out.out and "reorganise.html" in out.out
    assert demo.store.generation() == gen  # a dry run by default
    code = cli.main(batch_args(demo, bad_plan(tmp_path), tmp_path / "bad"))
    err = capsys.readouterr().err
    assert code == 1
    assert "Planen blev afvist" in err
    assert "række 4, kolonne date: '2026-13-01' er ikke en gyldig dato" in err
    assert (tmp_path / "bad" / "reorganise.html").exists()


@pytest.mark.slow
def test_batch_apply_with_accepted_warning(
    demo: sorkit.Register, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    refused = cli.main(batch_args(demo, SAMPLE, tmp_path / "one", "--apply"))
    assert refused == 1
    assert "PUBLIC_INFORMATION" in capsys.readouterr().err
    args = batch_args(
        demo,
        SAMPLE,
        tmp_path / "two",
        "--apply",
        "--accept",
        "PUBLIC_INFORMATION=aftalt med tandplejen",
        "--reason",
        "Ny stab",
    )
    assert cli.main(args) == 0
    assert "gennemført" in capsys.readouterr().out
    rows = pd.read_csv(tmp_path / "two" / "reorganise_rows.csv")
    assert rows["applied"].all()
    demo.refresh()
    west = code_of(demo, "Hjemmeplejen Allerød Vest")
    assert str(demo.unit(west).last_day) == "2026-12-31"


@pytest.mark.slow
def test_batch_through_the_installed_command(demo: sorkit.Register, tmp_path: Path) -> None:
    exe = Path(sys.executable).parent / "sorkit"
    env = {**os.environ, "SORKIT_REGISTER": str(demo.path)}
    bad = subprocess.run(
        [str(exe), *batch_args(demo, bad_plan(tmp_path), tmp_path / "bad")[:2], "--today", TODAY],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert bad.returncode == 1
    assert "række 4, kolonne date" in bad.stderr
    good = subprocess.run(
        [str(exe), *batch_args(demo, SAMPLE, tmp_path / "good")],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert good.returncode == 0, good.stderr
    assert "Rækker: ok: 5, advarsel: 1" in good.stdout


@pytest.mark.slow
def test_report_command(
    demo: sorkit.Register, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["report", "pending_changes", "-r", str(demo.path), "--out", str(tmp_path)]
    assert cli.main([*args, "--today", TODAY, "--param", "days=7"]) == 0
    assert "pending_changes.html" in capsys.readouterr().out
    frame = pd.read_csv(tmp_path / "pending_changes.csv")
    assert (pd.to_datetime(frame["effective_date"]) <= "2026-12-08").all()
    assert cli.main(["report", "nope", "-r", str(demo.path)]) == 1
    assert "data_quality" in capsys.readouterr().err  # the message lists the reports


def test_param_values() -> None:
    assert cli._value("7") == 7
    assert cli._value("none") is None
    assert cli._value("2027-01-01") == "2027-01-01"
    assert cli._value("ja") is True


def test_demo_and_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "small.duckdb"
    assert cli.main(["demo", str(path), "--today", TODAY]) == 0
    assert "Byggede" in capsys.readouterr().out
    assert cli.main(["demo", str(path)]) == 0
    assert "findes allerede" in capsys.readouterr().out
    out = tmp_path / "units.csv"
    assert cli.main(["export", "--format", "csv", str(out), "-r", str(path)]) == 0
    assert out.exists() and "csv" in capsys.readouterr().out


def test_import_dry_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    samples = sorted((sorkit.refdata.reference_dir() / "sor_xml_samples").glob("*.xml"))
    assert samples
    path = tmp_path / "imported.duckdb"
    code = cli.main(["import", str(samples[0]), "-r", str(path), "--dry-run", "--today", TODAY])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "Prøveimport" in out.out
    reg = sorkit.open_register(path)
    assert len(reg.snapshot()) == 0
    assert cli.main(["import", str(tmp_path / "missing.xml"), "-r", str(path)]) == 1
