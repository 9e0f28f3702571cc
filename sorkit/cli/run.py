r"""The ``sorkit`` command line: demo, import, export, batch, report, app, check, backup, restore.

Every subcommand is an entry in :data:`COMMANDS` (name -> :class:`Command`); add one with
:func:`add_command`. The register is ``--register``, else ``$SORKIT_REGISTER``, else
``data/demo.duckdb``. Exit codes: 0 success, 1 refused or failed (a readable Danish message on
stderr), 2 wrong usage.

:mod:`sorkit.cli.base` holds the registry and shared argument helpers; the subcommands are
in :mod:`sorkit.cli.data` (demo, import, export), :mod:`sorkit.cli.notebooks` (batch, report,
app) and :mod:`sorkit.cli.safety` (check, backup, restore).

Batch and report run their notebooks through papermill (:mod:`sorkit.notebooks`) and leave the
executed notebook, an HTML copy and CSV files in the output folder. A nightly report from cron::

    15 2 * * * cd /srv/sorkit && .venv/bin/sorkit report data_quality --out reports/$(date +\\%F)
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

# Importing the command modules registers their subcommands, in this order (``sorkit --help``):
# data, notebooks, safety (kept alphabetical so the import sorter keeps the order).
from sorkit.cli import data, notebooks, safety  # noqa: F401
from sorkit.cli.base import (
    COMMANDS,
    DEFAULT_REGISTER,
    CliError,
    Command,
    add_command,
    default_register,
)
from sorkit.cli.notebooks import param_value
from sorkit.cli.safety import audit_problems

__all__ = [
    "COMMANDS",
    "DEFAULT_REGISTER",
    "CliError",
    "Command",
    "add_command",
    "audit_problems",
    "build_parser",
    "default_register",
    "main",
]

#: The old name of :func:`sorkit.cli.notebooks.param_value` (used by tests).
_value = param_value


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
