r"""The ``sorkit`` command line: demo, import, export, batch, report, app, check, backup, restore.

Every subcommand is an entry in :data:`COMMANDS` (name -> :class:`Command`); add one with
:func:`add_command`. The register is ``--register``, else ``$SORKIT_REGISTER``, else
``data/demo.duckdb``. Exit codes: 0 success, 1 refused or failed (a readable Danish message on
stderr), 2 wrong usage.

Batch and report run their notebooks through papermill (:mod:`sorkit.notebooks`) and leave the
executed notebook, an HTML copy and CSV files in the output folder. A nightly report from cron::

    15 2 * * * cd /srv/sorkit && .venv/bin/sorkit report data_quality --out reports/$(date +\\%F)
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sorkit.texts import CLI_TEXTS

__all__ = ["COMMANDS", "Command", "add_command", "default_register", "main"]

DEFAULT_REGISTER = "data/demo.duckdb"


def default_register() -> str:
    """The register used when ``--register`` is not given."""
    return os.environ.get("SORKIT_REGISTER") or DEFAULT_REGISTER


@dataclass(frozen=True)
class Command:
    """A subcommand: its help line, how to set up its arguments and what it runs."""

    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


#: The subcommands, in the order ``sorkit --help`` lists them.
COMMANDS: dict[str, Command] = {}


def add_command(
    name: str, help: str, configure: Callable[[argparse.ArgumentParser], None]
) -> Callable[[Callable[[argparse.Namespace], int]], Callable[[argparse.Namespace], int]]:
    """Register a subcommand (decorator on its ``run(args) -> exit code`` function)."""

    def register(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
        COMMANDS[name] = Command(name, help, configure, run)
        return run

    return register


class CliError(Exception):
    """A refusal with a readable Danish message; ``main`` prints it and exits with 1."""


# -- shared argument helpers -----------------------------------------------------------------


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(CLI_TEXTS["bad_date"].format(value=text)) from None


def _pair(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(CLI_TEXTS["bad_pair"].format(value=text))
    return key.strip(), value.strip()


def _register_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--register",
        "-r",
        default=None,
        help="registerfilen (standard: $SORKIT_REGISTER eller data/demo.duckdb)",
    )


def _today_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--today",
        type=_date,
        default=None,
        help="registrets dato ÅÅÅÅ-MM-DD (test, 'hvad nu hvis')",
    )


def _existing_register(args: argparse.Namespace) -> Path:
    path = Path(args.register or default_register())
    if not path.exists():
        raise CliError(CLI_TEXTS["no_register"].format(path=path))
    return path


def _open(args: argparse.Namespace, user: str | None = None) -> Any:
    import sorkit

    return sorkit.open_register(
        _existing_register(args), user=user, today=getattr(args, "today", None)
    )


def _progress() -> bool:
    return sys.stderr.isatty()


# -- demo ------------------------------------------------------------------------------------


def _configure_demo(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", nargs="?", default=None, help="registerfil (standard: data/demo.duckdb)")
    p.add_argument("--units", type=int, default=None, help="antal enheder (stort register)")
    p.add_argument("--history", type=float, default=0.6, help="tidligere ændringer pr. enhed")
    _today_arg(p)


@add_command("demo", "byg demo-registret (eller et stort register til målinger)", _configure_demo)
def _demo(args: argparse.Namespace) -> int:
    from sorkit import demo
    from sorkit.register import open_register

    path = Path(args.file or default_register())
    reg = open_register(path, user="admin", today=args.today)
    if len(reg.snapshot()):
        print(CLI_TEXTS["demo_exists"].format(path=path))
        return 0
    facts = demo.build(reg, units=args.units, history=args.history, progress=_progress())
    print(
        CLI_TEXTS["demo_built"].format(
            path=path, units=facts["units"], pending=facts["pending"], today=reg.today
        )
    )
    return 0


# -- import / export -------------------------------------------------------------------------


def _configure_import(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="SOR-eksport: XML (komplet udtræk) eller CSV")
    _register_arg(p)
    p.add_argument("--dry-run", action="store_true", help="kontrollér kun; skriv intet")
    p.add_argument("--force", action="store_true", help="tillad flere lukninger end grænsen")
    p.add_argument("--reason", default=None, help="begrundelse til revisionssporet")
    p.add_argument("--user", default=None, help="hvem importerer")
    _today_arg(p)


@add_command("import", "importér en SOR-eksport (XML eller CSV) i registret", _configure_import)
def _import(args: argparse.Namespace) -> int:
    import sorkit

    source = Path(args.file)
    if not source.exists():
        raise CliError(CLI_TEXTS["no_file"].format(path=source))
    path = Path(args.register or default_register())
    reg = sorkit.open_register(path, user=args.user, today=args.today)
    importer = sorkit.import_sor_xml if source.suffix.lower() == ".xml" else sorkit.import_sor_csv
    report = importer(reg, source, dry_run=args.dry_run, force=args.force, reason=args.reason)
    counts = report.counts() if hasattr(report, "counts") else {}
    what = ", ".join(f"{k}: {v}" for k, v in counts.items()) or str(report)
    head = CLI_TEXTS["import_dry"] if args.dry_run else CLI_TEXTS["import_done"]
    print(head.format(source=source, path=path, what=what))
    for line in list(getattr(report, "conflicts", []))[:20]:
        print(f"  {line}")
    return 0


def _configure_export(p: argparse.ArgumentParser) -> None:
    p.add_argument("out", help="mappe (parquet) eller fil (csv, fhir)")
    p.add_argument("--format", "-f", default="parquet", help="parquet, csv eller fhir")
    p.add_argument("--as-of", type=_date, default=None, help="dato ÅÅÅÅ-MM-DD (standard: i dag)")
    _register_arg(p)
    _today_arg(p)


@add_command("export", "eksportér registret som Parquet, CSV eller FHIR", _configure_export)
def _export(args: argparse.Namespace) -> int:
    import sorkit

    reg = _open(args)
    result = sorkit.export(reg, args.out, format=args.format, as_of=args.as_of)
    print(CLI_TEXTS["exported"].format(result=result))
    return 0


# -- batch -----------------------------------------------------------------------------------


def _configure_batch(p: argparse.ArgumentParser) -> None:
    p.add_argument("plan", help="planen: CSV, XLSX eller YAML (se docs/batch.md)")
    _register_arg(p)
    p.add_argument("--apply", action="store_true", help="gennemfør planen (standard: prøvekørsel)")
    p.add_argument("--user", default=None, help="hvem gennemfører (standard: $SORKIT_USER)")
    p.add_argument("--reason", default="", help="begrundelse til revisionssporet")
    p.add_argument("--max-closures", type=int, default=None, help="højst så mange lukninger")
    p.add_argument(
        "--accept",
        type=_pair,
        action="append",
        default=[],
        metavar="KODE=begrundelse",
        help="acceptér en advarsel (kan gentages)",
    )
    p.add_argument(
        "--effective-date", type=_date, default=None, help="dato for rækker uden dato (ÅÅÅÅ-MM-DD)"
    )
    p.add_argument("--out", default=None, help="mappe til resultater (standard: output/...)")
    _today_arg(p)


@add_command(
    "batch", "kontrollér (og med --apply gennemfør) en plan via notesbogen", _configure_batch
)
def _batch(args: argparse.Namespace) -> int:
    from sorkit.notebooks import run_batch

    register = _existing_register(args)
    if not Path(args.plan).exists():
        raise CliError(CLI_TEXTS["no_file"].format(path=args.plan))
    params: dict[str, Any] = {
        "dry_run": not args.apply,
        "user": args.user,
        "reason": args.reason,
        "accept": dict(args.accept),
        "effective_date": args.effective_date,
        "today": args.today,
    }
    if args.max_closures is not None:
        params["max_closures"] = args.max_closures
    run = run_batch(register, args.plan, args.out, progress=_progress(), **params)
    return _finish(run, "batch_apply" if args.apply else "batch")


def _finish(run: Any, kind: str) -> int:
    """Print what a notebook run left behind; 0 when it succeeded, 1 when it failed."""
    rows = run.output_dir / "reorganise_rows.csv"
    if kind.startswith("batch") and rows.exists():
        _print_rows(rows)
    files = "\n".join(f"  {p}" for p in run.files)
    if run.ok:
        print(CLI_TEXTS[f"{kind}_ok"].format(out=run.output_dir, seconds=run.seconds))
        print(files)
        return 0
    print(CLI_TEXTS[f"{kind}_failed"].format(error=run.error), file=sys.stderr)
    print(CLI_TEXTS["artefacts"].format(html=run.html or run.notebook), file=sys.stderr)
    return 1


def _print_rows(path: Path) -> None:
    import pandas as pd

    frame = pd.read_csv(path, dtype=str).fillna("")
    if "status" not in frame.columns:  # the plan file could not be read: its problems
        return
    counts = frame["status"].value_counts()
    print(CLI_TEXTS["rows"].format(text=", ".join(f"{k}: {v}" for k, v in counts.items())))


# -- report ----------------------------------------------------------------------------------


def _configure_report(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "name", help="changes_in_period, pending_changes, data_quality eller location_numbers"
    )
    _register_arg(p)
    p.add_argument("--out", default=None, help="mappe til resultater (standard: output/...)")
    p.add_argument(
        "--param",
        type=_pair,
        action="append",
        default=[],
        metavar="navn=værdi",
        help="notesbogsparameter, fx days=7 eller as_of=2027-01-01 (kan gentages)",
    )
    _today_arg(p)


@add_command("report", "kør en rapport-notesbog (HTML og CSV i --out)", _configure_report)
def _report(args: argparse.Namespace) -> int:
    from sorkit.notebooks import report_notebook, run_report

    register = _existing_register(args)
    try:
        report_notebook(args.name)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    params: dict[str, Any] = {k: _value(v) for k, v in args.param}
    if args.today is not None:
        params["today"] = args.today
    run = run_report(args.name, register, args.out, progress=_progress(), **params)
    return _finish(run, "report")


def _value(text: str) -> Any:
    """A ``--param`` value: integers and None/true/false as such, everything else as text."""
    lowered = text.lower()
    if lowered in ("none", "null", ""):
        return None
    if lowered in ("true", "ja"):
        return True
    if lowered in ("false", "nej"):
        return False
    try:
        return int(text)
    except ValueError:
        return text


# -- app -------------------------------------------------------------------------------------


def _configure_app(p: argparse.ArgumentParser) -> None:
    _register_arg(p)
    p.add_argument("--port", type=int, default=8866, help="port på 127.0.0.1 (standard 8866)")
    _today_arg(p)


@add_command("app", "start steward-appen i browseren (Voila på 127.0.0.1)", _configure_app)
def _app(args: argparse.Namespace) -> int:
    from sorkit.appmode import serve

    return serve(_existing_register(args), args.port, today=getattr(args, "today", None))


# -- check -----------------------------------------------------------------------------------


def _configure_check(p: argparse.ArgumentParser) -> None:
    _register_arg(p)
    _today_arg(p)


@add_command("check", "kontrollér registrets garantier og revisionsspor", _configure_check)
def _check(args: argparse.Namespace) -> int:
    from sorkit.integrity import check

    reg = _open(args)
    found = check(reg).problems  # every date, versions = events, audit complete (#10)
    found += audit_problems(reg)
    if not found:
        print(CLI_TEXTS["check_ok"].format(units=len(reg.snapshot())))
        return 0
    print(CLI_TEXTS["check_failed"].format(count=len(found)), file=sys.stderr)
    for line in found[:100]:
        print(f"  {line}", file=sys.stderr)
    if len(found) > 100:
        print(f"  ... og {len(found) - 100} mere", file=sys.stderr)
    return 1


def audit_problems(reg: Any) -> list[str]:
    """Writes without their audit record, and batches without their batch record or rows."""
    out = [
        f"ændring {change_id} af {code} har ingen revisionspost"
        for change_id, code in reg.store.query(
            "SELECT DISTINCT e.change_id, e.sor_code FROM unit_events e "
            "LEFT JOIN audit a ON a.change_id = e.change_id AND a.sor_code = e.sor_code "
            "WHERE a.change_id IS NULL ORDER BY 1, 2"
        )
    ]
    out += [
        f"revisionsposter med batch {batch_id} uden batch-post"
        for (batch_id,) in reg.store.query(
            "SELECT DISTINCT a.batch_id FROM audit a LEFT JOIN batches b USING (batch_id) "
            "WHERE a.batch_id IS NOT NULL AND b.batch_id IS NULL ORDER BY 1"
        )
    ]
    out += [
        f"batch {batch_id} har {rows} rækker, men ingen revisionsposter"
        for batch_id, rows in reg.store.query(
            "SELECT b.batch_id, b.row_count FROM batches b LEFT JOIN audit a USING (batch_id) "
            "WHERE a.batch_id IS NULL ORDER BY 1"
        )
    ]
    return out


# -- backup and restore (#10) -------------------------------------------------------------


def _configure_backup(p: argparse.ArgumentParser) -> None:
    _register_arg(p)
    p.add_argument("out", help="en ny, tom mappe til backuppen")


@add_command("backup", "tag en backup af registret (Parquet med kontrolsummer)", _configure_backup)
def _backup(args: argparse.Namespace) -> int:
    from sorkit.backup import backup

    info = backup(_existing_register(args), args.out)
    rows = ", ".join(f"{t}: {n}" for t, n in sorted(info.tables.items()))
    print(f"Backup af generation {info.generation} skrevet til {info.folder} ({rows}).")
    return 0


def _configure_restore(p: argparse.ArgumentParser) -> None:
    p.add_argument("backup_dir", help="mappen med backuppen")
    p.add_argument("target", help="registerfilen, der skal gendannes")
    p.add_argument("--force", action="store_true", help="erstat et eksisterende register")


@add_command("restore", "gendan et register fra en backup", _configure_restore)
def _restore(args: argparse.Namespace) -> int:
    from sorkit.backup import restore

    info = restore(args.backup_dir, args.target, force=args.force)
    print(f"Registret {args.target} er gendannet fra {info.folder} (generation {info.generation}).")
    return 0


# -- main ------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every registered subcommand."""
    parser = argparse.ArgumentParser(
        prog="sorkit",
        description="sorkit: hold Sundhedsvæsenets Organisationsregister (SOR) korrekt.",
    )
    sub = parser.add_subparsers(dest="command", metavar="KOMMANDO")
    for command in COMMANDS.values():
        p = sub.add_parser(command.name, help=command.help, description=command.help)
        command.configure(p)
        p.set_defaults(_run=command.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``sorkit`` command; returns the exit code."""
    from sorkit.errors import SorkitError

    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    try:
        return int(args._run(args))
    except (CliError, SorkitError, FileNotFoundError, ValueError) as exc:
        print(f"sorkit {args.command}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
