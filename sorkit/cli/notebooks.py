"""Subcommands that run or serve a notebook: ``batch``, ``report`` and ``app``.

Batch and report run their notebooks through papermill (:mod:`sorkit.notebooks`) and leave the
executed notebook, an HTML copy and CSV files in the output folder; ``app`` serves the steward
app (:mod:`sorkit.app.mode`). Registered in :data:`sorkit.cli.base.COMMANDS` on import.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from sorkit.cli.base import (
    CliError,
    add_command,
    date_arg,
    existing_register,
    pair_arg,
    register_arg,
    show_progress,
    today_arg,
)
from sorkit.texts import CLI_TEXTS

__all__ = ["param_value"]


# -- batch -----------------------------------------------------------------------------------


def _configure_batch(p: argparse.ArgumentParser) -> None:
    p.add_argument("plan", help="planen: CSV, XLSX eller YAML (se docs/batch.md)")
    register_arg(p)
    p.add_argument("--apply", action="store_true", help="gennemfør planen (standard: prøvekørsel)")
    p.add_argument("--user", default=None, help="hvem gennemfører (standard: $SORKIT_USER)")
    p.add_argument("--reason", default="", help="begrundelse til revisionssporet")
    p.add_argument("--max-closures", type=int, default=None, help="højst så mange lukninger")
    p.add_argument(
        "--accept",
        type=pair_arg,
        action="append",
        default=[],
        metavar="KODE=begrundelse",
        help="acceptér en advarsel (kan gentages)",
    )
    p.add_argument(
        "--effective-date",
        type=date_arg,
        default=None,
        help="dato for rækker uden dato (ÅÅÅÅ-MM-DD)",
    )
    p.add_argument("--out", default=None, help="mappe til resultater (standard: output/...)")
    today_arg(p)


@add_command(
    "batch", "kontrollér (og med --apply gennemfør) en plan via notesbogen", _configure_batch
)
def _batch(args: argparse.Namespace) -> int:
    from sorkit.notebooks import run_batch

    register = existing_register(args)
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
    run = run_batch(register, args.plan, args.out, progress=show_progress(), **params)
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
    register_arg(p)
    p.add_argument("--out", default=None, help="mappe til resultater (standard: output/...)")
    p.add_argument(
        "--param",
        type=pair_arg,
        action="append",
        default=[],
        metavar="navn=værdi",
        help="notesbogsparameter, fx days=7 eller as_of=2027-01-01 (kan gentages)",
    )
    today_arg(p)


@add_command("report", "kør en rapport-notesbog (HTML og CSV i --out)", _configure_report)
def _report(args: argparse.Namespace) -> int:
    from sorkit.notebooks import report_notebook, run_report

    register = existing_register(args)
    try:
        report_notebook(args.name)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    params: dict[str, Any] = {k: param_value(v) for k, v in args.param}
    if args.today is not None:
        params["today"] = args.today
    run = run_report(args.name, register, args.out, progress=show_progress(), **params)
    return _finish(run, "report")


def param_value(text: str) -> Any:
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
    register_arg(p)
    p.add_argument("--port", type=int, default=8866, help="port på 127.0.0.1 (standard 8866)")
    today_arg(p)


@add_command("app", "start steward-appen i browseren (Voila på 127.0.0.1)", _configure_app)
def _app(args: argparse.Namespace) -> int:
    from sorkit.app.mode import serve

    return serve(existing_register(args), args.port, today=getattr(args, "today", None))
