"""DuckDB next to PostgreSQL in one run: ``make bench`` (``benchmarks/bench_engines.py``).

The register of ``--units`` units (the cached demo register of ``benchmarks/run.py``) is copied
into PostgreSQL with ``sorkit migrate`` (timed), then every operation of ``run.py`` is measured
on each engine in a process of its own (medians; peak memory per process), and a concurrency
figure on each engine: one writer process, then ``--writers`` processes at once, each applying
``--changes`` phone edits to units of its own (changes per second; waits = stale writes that
were re-planned). The server is ``SORKIT_BENCH_PG`` / ``SORKIT_TEST_PG`` or a private throwaway
cluster (``tests/pgserver.py``, ``fsync=off``: figures are for the engine, not for disk flushes).

    .venv/bin/python benchmarks/bench_engines.py --units 10000
    .venv/bin/python benchmarks/bench_engines.py --units 200000 --writers 8 --changes 50
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import run as R  # noqa: E402  (benchmarks/run.py)

OUT = R.OUT
DOC = R.DOC
START, END = "<!-- engines:start -->", "<!-- engines:end -->"


class PgChild(R.Child):
    """``run.py``'s measurements on a PostgreSQL copy of the register."""

    def __init__(self, units: int, runs: int, quick: bool, url: str):
        import baseline_sqlite

        self.units = units
        self.quick = quick
        self.runs = runs
        self.src = R.register_file(units)
        self.path = url  # type: ignore[assignment]
        self.sqlite = self.src.with_suffix(".sqlite")
        self.worker = baseline_sqlite.Worker(self.sqlite)
        self.baseline = baseline_sqlite.Calls()
        self.results: dict[str, dict[str, Any]] = {}

    def connection_cost(self) -> None:
        """One round trip on the store's connection (the generation query)."""
        from sorkit.store.pg import PgStore

        store = PgStore(str(self.path))
        self.record("connection", lambda i: store.generation(), runs=min(self.runs, 10))


def _fresh_pg(server: str, template: str) -> str:
    from tests import pgserver

    for attempt in range(20):  # the template's last connection may still be closing
        try:
            return pgserver.create_database(server, template=template)
        except Exception:  # noqa: BLE001 - retried, then raised
            if attempt == 19:
                raise
            time.sleep(0.25)
    raise AssertionError("unreachable")


def _editable(path: str, n: int) -> list[str]:
    import sorkit

    reg = sorkit.open_register(path, user="admin", today=R.TODAY)
    snap = reg.snapshot()
    out = []
    for code in sorted(snap.codes()):
        vs = snap.versions(code)
        if (
            vs
            and vs[-1].level == "OE"
            and snap.status(code, R.TODAY) == "active"
            and snap.end(code) is None
            and vs[-1].valid_from <= R.TODAY
        ):
            out.append(code)
        if len(out) == n:
            break
    reg.store.close()
    return out


def writers(path: str, processes: int, changes: int, tag: str) -> dict[str, Any]:
    """``processes`` writer processes, ``changes`` edits each, to units of their own."""
    from tests.helpers_procs import result, start

    units = _editable(path, processes * changes)
    work = R.WORK / f"writers-{tag}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    procs = []
    t0 = time.monotonic()
    for k in range(processes):
        part = work / f"units{k}.json"
        part.write_text(json.dumps(units[k * changes : (k + 1) * changes]))
        procs.append(start("edit", path, part, k + 1))
    outcomes = [result(p, timeout=3600) for p in procs]
    seconds = time.monotonic() - t0
    applied = sum(len(o["applied"]) for o in outcomes)
    return {
        "processes": processes,
        "applied": applied,
        "rejected": sum(len(o["rejected"]) for o in outcomes),
        "seconds": round(seconds, 2),
        "per_second": round(applied / seconds, 2),
        "waits": sum(int(o["stale"]) + int(o["lock_waits"]) for o in outcomes),
    }


def concurrency(engine: str, units: int, make: Any, n: int, changes: int) -> dict[str, Any]:
    """Single-writer and ``n``-writer throughput on a fresh copy each."""
    one = writers(make(), 1, changes, f"{engine}-1")
    many = writers(make(), n, changes, f"{engine}-{n}")
    return {"one": one, "many": many, "speedup": round(many["per_second"] / one["per_second"], 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--changes", type=int, default=50, help="edits per writer process")
    parser.add_argument("--no-doc", action="store_true")
    parser.add_argument("--child", choices=("duckdb", "postgresql"), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--json", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child == "duckdb":
        results = R.Child(args.units, args.runs, False).run()
        Path(args.json).write_text(json.dumps(results, indent=1, default=str))
        return 0
    if args.child == "postgresql":
        results = PgChild(args.units, args.runs, False, args.url).run()
        Path(args.json).write_text(json.dumps(results, indent=1, default=str))
        return 0

    from tests import pgserver

    units = args.units
    src, took = R.ensure_register(units)
    R.ensure_baseline(units)
    OUT.mkdir(parents=True, exist_ok=True)
    given = os.environ.get("SORKIT_BENCH_PG")
    if given:
        os.environ["SORKIT_TEST_PG"] = given
    figures: dict[str, Any] = {"units": units, "machine": R.machine()}
    with pgserver.server_url() as server:
        template = f"sorkit_bench_{units}"
        pgserver.drop_database(server, template)
        target = pgserver.create_database(server, name=template)
        t0 = time.perf_counter()
        # In a process of its own: Linux keeps a process's peak memory across exec, so the
        # measuring children would otherwise report this process's peak, not their own.
        subprocess.run(
            [sys.executable, "-m", "sorkit.cli", "migrate", str(src), target], check=True, cwd=ROOT
        )
        figures["migrate_seconds"] = round(time.perf_counter() - t0, 1)
        print(f"migrated {units:,} units to PostgreSQL in {figures['migrate_seconds']} s")
        for engine in ("duckdb", "postgresql"):
            print(f"== {engine}, {units:,} units", flush=True)
            out = OUT / f"engines-{units}-{engine}.json"
            cmd = [sys.executable, __file__, "--child", engine, "--units", str(units)]
            cmd += ["--runs", str(args.runs), "--json", str(out)]
            if engine == "postgresql":
                cmd += ["--url", _fresh_pg(server, template)]
            subprocess.run(cmd, check=True, cwd=ROOT)
            figures[engine] = json.loads(out.read_text())

        def duck_copy() -> str:
            path = R.WORK / f"writers-{units}.duckdb"
            for p in (path, Path(f"{path}.wal")):
                p.unlink(missing_ok=True)
            shutil.copyfile(src, path)
            return str(path)

        figures["concurrency"] = {
            "duckdb": concurrency("duckdb", units, duck_copy, args.writers, args.changes),
            "postgresql": concurrency(
                "postgresql",
                units,
                lambda: _fresh_pg(server, template),
                args.writers,
                args.changes,
            ),
        }
    (OUT / f"engines-{units}.json").write_text(json.dumps(figures, indent=1, default=str))
    table = render(figures, args.writers, args.changes)
    print()
    print(table)
    if not args.no_doc:
        write_doc(table)
    return 0


def render(f: dict[str, Any], n: int, changes: int) -> str:
    """The engines table for docs/benchmarks.md."""
    duck, pg = f["duckdb"], f["postgresql"]
    lines = [
        f"{f['units']:,} units, one run ({f['machine'].get('nproc')} cores shared with other "
        f"work, load average {f['machine'].get('load_average')}, {f['machine'].get('date')}); "
        "medians in ms. "
        f"Copying the register into PostgreSQL (`sorkit migrate`): {f['migrate_seconds']} s.",
        "",
        "| operation | DuckDB | PostgreSQL | PostgreSQL / DuckDB |",
        "|---|---:|---:|---:|",
    ]
    for key in R.LABELS:
        a, b = duck.get(key, {}), pg.get(key, {})
        if a.get("ms") is None or b.get("ms") is None:
            continue
        lines.append(
            f"| {R.LABELS[key]} | {a['ms']:.2f} | {b['ms']:.2f} | {b['ms'] / a['ms']:.2f} |"
        )
    pa, pb = duck["peak_memory_mb"]["mb"], pg["peak_memory_mb"]["mb"]
    lines.append(f"| peak memory of the process (MB) | {pa:.0f} | {pb:.0f} | {pb / pa:.2f} |")
    lines += [
        "",
        f"Writers: one process, then {n} processes at once, {changes} phone edits each to units "
        "of their own (plan + apply; waits = writes that met another writer and were re-planned, "
        "plus DuckDB's file-lock retries).",
        "",
        "| engine | 1 writer (changes/s) | "
        f"{n} writers (changes/s) | {n} writers / 1 | waits with {n} writers |",
        "|---|---:|---:|---:|---:|",
    ]
    for engine, label in (("duckdb", "DuckDB"), ("postgresql", "PostgreSQL")):
        c = f["concurrency"][engine]
        lines.append(
            f"| {label} | {c['one']['per_second']:.1f} | {c['many']['per_second']:.1f} | "
            f"{c['speedup']:.2f} | {c['many']['waits']} |"
        )
    return "\n".join(lines)


def write_doc(table: str) -> None:
    """Replace the engines section of docs/benchmarks.md (appended the first time)."""
    text = DOC.read_text("utf-8")
    if START not in text:
        text += f"\n## PostgreSQL next to DuckDB\n\n{START}\n{END}\n"
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    DOC.write_text(f"{before}{START}\n{table}\n{END}{after}", "utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
