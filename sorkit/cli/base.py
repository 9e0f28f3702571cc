"""The ``sorkit`` command line's registry of subcommands and the helpers they share.

Every subcommand is an entry in :data:`COMMANDS` (name -> :class:`Command`), added with
:func:`add_command`; the commands themselves are in :mod:`sorkit.cli.data`,
:mod:`sorkit.cli.notebooks` and :mod:`sorkit.cli.safety`, the parser in :mod:`sorkit.cli`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sorkit.texts import CLI_TEXTS

__all__ = [
    "COMMANDS",
    "DEFAULT_REGISTER",
    "CliError",
    "Command",
    "add_command",
    "date_arg",
    "default_register",
    "existing_register",
    "open_from_args",
    "pair_arg",
    "register_arg",
    "show_progress",
    "today_arg",
]

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


def date_arg(text: str) -> dt.date:
    """An ISO date argument (argparse type)."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(CLI_TEXTS["bad_date"].format(value=text)) from None


def pair_arg(text: str) -> tuple[str, str]:
    """A ``name=value`` argument (argparse type)."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(CLI_TEXTS["bad_pair"].format(value=text))
    return key.strip(), value.strip()


def register_arg(p: argparse.ArgumentParser) -> None:
    """Add ``--register``/``-r``."""
    p.add_argument(
        "--register",
        "-r",
        default=None,
        help="registerfilen (standard: $SORKIT_REGISTER eller data/demo.duckdb)",
    )


def today_arg(p: argparse.ArgumentParser) -> None:
    """Add ``--today`` (the register's today)."""
    p.add_argument(
        "--today",
        type=date_arg,
        default=None,
        help="registrets dato ÅÅÅÅ-MM-DD (test, 'hvad nu hvis')",
    )


def existing_register(args: argparse.Namespace) -> Path:
    """The register file the arguments name; a :class:`CliError` when it does not exist."""
    path = Path(args.register or default_register())
    if not path.exists():
        raise CliError(CLI_TEXTS["no_register"].format(path=path))
    return path


def open_from_args(args: argparse.Namespace, user: str | None = None) -> Any:
    """Open the existing register the arguments name (with their ``--today``)."""
    import sorkit

    return sorkit.open_register(
        existing_register(args), user=user, today=getattr(args, "today", None)
    )


def show_progress() -> bool:
    """True when progress bars are shown (stderr is a terminal)."""
    return sys.stderr.isatty()
