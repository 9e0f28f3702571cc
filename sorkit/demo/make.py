"""The demo register: a national-looking SOR register, built deterministically by code.

The 5 regions and 98 municipalities are IEs under their real names; hospitals, municipal health
administrations and GP practices are SIs; departments, sections, nursing homes, dental clinics,
home care and the like are OEs. Units sit on real streets from the shipped road register, carry
valid SOR codes, CVRs and location numbers with EDI attributes; some are closed, some have
history, and some changes are pending after the register's today. The same generator scales to
national size for benchmarks::

    python -m sorkit.demo data/demo.duckdb
    python -m sorkit.demo --units 200000 --history 4 bench.duckdb
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sorkit import refdata
from sorkit.demo.builder import DemoBuilder
from sorkit.register import Register, open_register

#: The demo's fixed reference day when no today is given (keeps the demo file deterministic).
DEFAULT_SEED = 20261201


def build(
    reg: Register,
    *,
    units: int | None = None,
    history: float = 0.6,
    seed: int = DEFAULT_SEED,
    progress: bool = False,
) -> dict[str, Any]:
    """Build the demo register into an empty register.

    Args:
        reg: an empty register (its today anchors all dates: history before, pending after).
        units: total number of units wanted (default: the base demo, a few thousand).
        history: average number of past edits per unit (the benchmarks use 4).
        seed: the random seed; the same seed and today give the same register.
        progress: show a progress bar while writing.

    Returns:
        Facts about what was built (counts and the guide's example codes).

    Raises:
        ValueError: the register is not empty.
    """
    if len(reg.snapshot()):
        raise ValueError("demo-registret kan kun bygges i et tomt register")
    builder = DemoBuilder(today=reg.today, seed=seed, history=history)
    facts = builder.build(units)
    builder.write(reg, progress=progress)
    for name, role, scopes, display in builder.users():
        reg.store.set_user(name, role, scopes, display)
    reg.refresh()
    return facts


def demo_register(
    path: str | os.PathLike[str] | None = None,
    today: dt.date | None = None,
    user: str | None = None,
    *,
    units: int | None = None,
    history: float = 0.6,
) -> Register:
    """Open the demo register, building it first if the file is new (None = in-memory).

    Args:
        path: the file to keep it in; an existing demo file is reused as it is.
        today: the register's today (default the real date); dates are relative to it.
        user: who opens it (default ``admin``).
        units: the number of units for a scaled-up register (default the base demo).
        history: average past edits per unit.
    """
    reg = open_register(path, user=user or "admin", today=today)
    if not len(reg.snapshot()):
        build(reg, units=units, history=history)
        reg.store.checkpoint()  # the file alone holds the demo (it may be copied at once)
    return reg


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m sorkit.demo FILE [--units N] [--history H] [--today YYYY-MM-DD]``."""
    parser = argparse.ArgumentParser(
        prog="python -m sorkit.demo", description="Byg demo-registret (eller et stort register)."
    )
    parser.add_argument("file", help="registerfil (.duckdb); skal være ny eller tom")
    parser.add_argument("--units", type=int, default=None, help="antal enheder i alt")
    parser.add_argument(
        "--history",
        type=float,
        default=0.6,
        help="gennemsnitligt antal tidligere ændringer pr. enhed",
    )
    parser.add_argument("--today", type=dt.date.fromisoformat, default=None)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    path = Path(args.file)
    reg = open_register(path, user="admin", today=args.today)
    if len(reg.snapshot()):
        print(f"{path} findes allerede og er ikke tom; bygger ikke igen.")
        return 0
    facts = build(
        reg, units=args.units, history=args.history, seed=args.seed, progress=sys.stderr.isatty()
    )
    print(
        f"Byggede {path}: {facts['units']} enheder, {facts['versions']} versioner, "
        f"{facts['pending']} ventende ændringer (i dag = {reg.today})."
    )
    refdata.clear_cache()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
