"""The ``sorkit addresses`` subcommand: which street register is in use, and loading a newer one.

    sorkit addresses status
    sorkit addresses load FILE [--format cpr370712|cpr-a370715|dawa-csv] [--date ÅÅÅÅ-MM-DD]

``load`` reads the whole file and checks every line first (every bad line is named, up to 50);
only a file without errors replaces the register, atomically (see :mod:`sorkit.addresses.files` for
where it lives: ``$SORKIT_ADDRESS_DIR`` or ``data/addresses/vejregister.npz``). The extract's date
comes from the file's header; a DAWA CSV has none, so ``--date`` (else the file's modification
date) is recorded.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from sorkit.cli.base import CliError, add_command, date_arg
from sorkit.texts import ADDRESS_TEXTS

__all__ = ["load_register", "status_lines"]


def status_lines(today: dt.date) -> tuple[str, str | None]:
    """The register in use as one Danish line, and a warning if it is older than a year."""
    from sorkit.addresses import AddressRegister
    from sorkit.dates import format_da

    register = AddressRegister.default()
    info = register.info
    loaded = ""
    if info.loaded_at:
        at = dt.datetime.fromisoformat(info.loaded_at)
        loaded = ADDRESS_TEXTS["in_use_loaded"].format(at=f"{format_da(at.date())} {at:%H:%M}")
    line = ADDRESS_TEXTS["in_use"].format(
        status=register.status_text(), fmt=info.fmt, source=info.source, loaded=loaded
    )
    return line, register.stale_warning(today)


def load_register(
    path: str | Path, fmt: str | None = None, date: dt.date | None = None
) -> tuple[Path, str]:
    """Check ``path`` completely and make it the street register in use (atomic swap).

    Args:
        path: The official file (CPR 370712, CPR A370715 or a DAR/DAWA CSV; zipped is fine).
        fmt: The format; None guesses it from the content.
        date: The extract date if the file carries none (a DAWA CSV); default the file's date.

    Returns:
        Where the register was written, and a Danish summary line.

    Raises:
        RegisterFileError: The file has errors (each line named); the register is unchanged.
    """
    from sorkit.addresses import AddressRegister
    from sorkit.addresses.files import RegisterInfo, loaded_path, save_table
    from sorkit.addresses.formats import read_register
    from sorkit.dates import format_da

    source = Path(path)
    table = read_register(source, fmt, date)
    if table.date is None:
        table.date = dt.date.fromtimestamp(source.stat().st_mtime)
    register = AddressRegister(table, {}, RegisterInfo(table.fmt, table.date, table.source))
    target = loaded_path()
    save_table(table, target, dt.datetime.now())
    summary = ADDRESS_TEXTS["loaded"].format(
        status=ADDRESS_TEXTS["status"].format(date=format_da(table.date)),
        ranges=f"{len(table):,}".replace(",", "."),
        streets=f"{register.street_count:,}".replace(",", "."),
        postcodes=len(table.districts),
        municipalities=len(register.municipalities_with_streets()),
        fmt=table.fmt,
        source=table.source,
        path=target,
    )
    return target, summary


def _configure(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", metavar="HANDLING", required=True)
    sub.add_parser("status", help="vis hvilket vejregister og hvilken dato der bruges")
    load = sub.add_parser("load", help="erstat vejregistret med en nyere officiel fil")
    load.add_argument("file", help="CPR 370712, CPR A370715 eller DAR/DAWA CSV (evt. zip)")
    load.add_argument(
        "--format",
        choices=("cpr370712", "cpr-a370715", "dawa-csv"),
        default=None,
        help="filens format (standard: gættes ud fra indholdet)",
    )
    load.add_argument(
        "--date",
        type=date_arg,
        default=None,
        help="udtrækkets dato ÅÅÅÅ-MM-DD, hvis filen ikke selv har den",
    )


@add_command("addresses", "vejregistret: vis hvilket der bruges, eller indlæs et nyere", _configure)
def _addresses(args: argparse.Namespace) -> int:
    from sorkit.addresses.formats import RegisterFileError

    if args.action == "status":
        line, warning = status_lines(dt.date.today())
        print(line)
        if warning:
            print(warning, file=sys.stderr)
        return 0
    source = Path(args.file)
    if not source.is_file():
        raise CliError(f"Filen findes ikke: {source}")
    try:
        _, summary = load_register(source, args.format, args.date)
    except RegisterFileError as exc:
        print(ADDRESS_TEXTS["refused"].format(path=source), file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print(summary)
    return 0
