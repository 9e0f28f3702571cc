"""Subcommands that check and safeguard a register: ``check``, ``backup`` and ``restore``.

Registered in :data:`sorkit.cli.base.COMMANDS` on import.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from sorkit.cli.base import (
    add_command,
    existing_register,
    open_from_args,
    register_arg,
    today_arg,
)
from sorkit.texts import CLI_TEXTS

__all__ = ["audit_problems"]


# -- check -----------------------------------------------------------------------------------


def _configure_check(p: argparse.ArgumentParser) -> None:
    register_arg(p)
    today_arg(p)


@add_command("check", "kontrollér registrets garantier og revisionsspor", _configure_check)
def _check(args: argparse.Namespace) -> int:
    from sorkit.integrity import check

    reg = open_from_args(args)
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
    gaps = reg.store.audit_gaps()
    out = [
        f"ændring {change_id} af {code} har ingen revisionspost"
        for change_id, code in gaps.events_without_audit
    ]
    out += [
        f"revisionsposter med batch {batch_id} uden batch-post"
        for batch_id in gaps.audit_without_batch
    ]
    out += [
        f"batch {batch_id} har {rows} rækker, men ingen revisionsposter"
        for batch_id, rows in gaps.batches_without_audit
    ]
    return out


# -- backup and restore (#10) -------------------------------------------------------------


def _configure_backup(p: argparse.ArgumentParser) -> None:
    register_arg(p)
    p.add_argument("out", help="en ny, tom mappe til backuppen")


@add_command("backup", "tag en backup af registret (Parquet med kontrolsummer)", _configure_backup)
def _backup(args: argparse.Namespace) -> int:
    from sorkit.backup import backup

    info = backup(existing_register(args), args.out)
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
