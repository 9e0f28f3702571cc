"""``sorkit migrate SOURCE TARGET``: move a register between a DuckDB file and PostgreSQL."""

from __future__ import annotations

import argparse

from sorkit.cli.base import add_command


def _configure_migrate(p: argparse.ArgumentParser) -> None:
    p.add_argument("source", help="registret, der kopieres (fil eller postgresql://-URL)")
    p.add_argument("target", help="det nye register (ny fil eller tom postgresql://-database)")


@add_command(
    "migrate",
    "kopiér et register mellem DuckDB-fil og PostgreSQL (med historik, revisionsspor og brugere)",
    _configure_migrate,
)
def _migrate(args: argparse.Namespace) -> int:
    from sorkit.exporters.migrate import migrate

    done = migrate(args.source, args.target)
    rows = ", ".join(f"{t}: {n}" for t, n in sorted(done.tables.items()))
    print(f"Registret er kopieret til {done.target} (generation {done.generation}; {rows}).")
    return 0
