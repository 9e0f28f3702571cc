"""Subcommands that build, import and export register data: ``demo``, ``import``, ``export``.

Registered in :data:`sorkit.cli.base.COMMANDS` when this module is imported (by :mod:`sorkit.cli`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sorkit.cli.base import (
    CliError,
    add_command,
    date_arg,
    default_register,
    open_from_args,
    register_arg,
    register_target,
    show_progress,
    today_arg,
)
from sorkit.texts import CLI_TEXTS

# -- demo ------------------------------------------------------------------------------------


def _configure_demo(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", nargs="?", default=None, help="registerfil (standard: data/demo.duckdb)")
    p.add_argument("--units", type=int, default=None, help="antal enheder (stort register)")
    p.add_argument("--history", type=float, default=0.6, help="tidligere ændringer pr. enhed")
    today_arg(p)


@add_command("demo", "byg demo-registret (eller et stort register til målinger)", _configure_demo)
def _demo(args: argparse.Namespace) -> int:
    from sorkit import demo
    from sorkit.register import open_register

    path = Path(args.file or default_register())
    reg = open_register(path, user="admin", today=args.today)
    if len(reg.snapshot()):
        print(CLI_TEXTS["demo_exists"].format(path=path))
        return 0
    facts = demo.build(reg, units=args.units, history=args.history, progress=show_progress())
    print(
        CLI_TEXTS["demo_built"].format(
            path=path, units=facts["units"], pending=facts["pending"], today=reg.today
        )
    )
    return 0


# -- import / export -------------------------------------------------------------------------


def _configure_import(p: argparse.ArgumentParser) -> None:
    from sorkit.importers.formats import IMPORT_FORMATS

    kinds = ", ".join(f"{f.label} ({'/'.join(f.suffixes)})" for f in IMPORT_FORMATS.values())
    p.add_argument("file", help=f"SOR-eksport: {kinds}")
    register_arg(p)
    p.add_argument("--dry-run", action="store_true", help="kontrollér kun; skriv intet")
    p.add_argument("--force", action="store_true", help="tillad flere lukninger end grænsen")
    p.add_argument("--complete", action="store_true", help=CLI_TEXTS["import_complete"])
    p.add_argument("--reason", default=None, help="begrundelse til revisionssporet")
    p.add_argument("--user", default=None, help="hvem importerer")
    today_arg(p)


def _import_help() -> str:
    from sorkit.importers.formats import IMPORT_FORMATS

    return (
        f"importér en SOR-eksport ({' eller '.join(n.upper() for n in IMPORT_FORMATS)}) i registret"
    )


@add_command("import", _import_help(), _configure_import)
def _import(args: argparse.Namespace) -> int:
    import sorkit
    from sorkit.importers.formats import import_format_for

    source = Path(args.file)
    if not source.exists():
        raise CliError(CLI_TEXTS["no_file"].format(path=source))
    path = register_target(args)
    reg = sorkit.open_register(path, user=args.user, today=args.today)
    importer = import_format_for(source).read
    report = importer(
        reg,
        source,
        dry_run=args.dry_run,
        force=args.force,
        reason=args.reason,
        scope="complete" if args.complete else None,
    )
    counts = report.counts() if hasattr(report, "counts") else {}
    what = ", ".join(f"{k}: {v}" for k, v in counts.items()) or str(report)
    head = CLI_TEXTS["import_dry"] if args.dry_run else CLI_TEXTS["import_done"]
    print(head.format(source=source, path=path, what=what))
    scope = CLI_TEXTS["import_scope_" + report.scope]
    print(CLI_TEXTS["import_owners"].format(scope=scope, count=len(report.owners)))
    for code, name in report.owners.items():
        print(f"  {code} {name}")
    for line in list(getattr(report, "conflicts", []))[:20]:
        print(f"  {line}")
    _print_address_problems(list(getattr(report, "address_problems", [])))
    return 0


def _print_address_problems(lines: list[str]) -> None:
    """Addresses the street register does not know: reported, imported as they are (#22)."""
    from sorkit.texts import ADDRESS_TEXTS

    if lines:
        print(ADDRESS_TEXTS["not_validated"].format(count=len(lines)))
        for line in lines[:20]:
            print(f"  {line}")
        if len(lines) > 20:
            print(f"  ... og {len(lines) - 20} mere")


def _configure_export(p: argparse.ArgumentParser) -> None:
    from sorkit.exporters.formats import EXPORT_FORMATS

    folders = [f.name for f in EXPORT_FORMATS.values() if f.target == "mappe"]
    files = [f.name for f in EXPORT_FORMATS.values() if f.target != "mappe"]
    p.add_argument("out", help=f"mappe ({', '.join(folders)}) eller fil ({', '.join(files)})")
    kinds = "; ".join(f"{f.name}: {f.label}" for f in EXPORT_FORMATS.values())
    p.add_argument("--format", "-f", default="parquet", help=f"{kinds} (standard: parquet)")
    p.add_argument("--as-of", type=date_arg, default=None, help="dato ÅÅÅÅ-MM-DD (standard: i dag)")
    p.add_argument(
        "--include-closed",
        action=argparse.BooleanOptionalAction,
        default=None,
        help=CLI_TEXTS["export_include_closed"],
    )
    register_arg(p)
    today_arg(p)


def _export_help() -> str:
    from sorkit.exporters.formats import EXPORT_FORMATS

    names = [f.name.upper() if f.name != "parquet" else "Parquet" for f in EXPORT_FORMATS.values()]
    return f"eksportér registret som {', '.join(names[:-1])} eller {names[-1]}"


@add_command("export", _export_help(), _configure_export)
def _export(args: argparse.Namespace) -> int:
    import sorkit

    reg = open_from_args(args)
    result = sorkit.export(
        reg, args.out, format=args.format, as_of=args.as_of, include_closed=args.include_closed
    )
    print(CLI_TEXTS["exported"].format(result=result))
    return 0
