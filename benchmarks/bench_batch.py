"""Batch reorganisation at national scale: read, dry run (plan_batch) and apply of a big plan.

    python -m sorkit.demo --units 200000 --today 2026-12-01 benchmarks/work/big.duckdb
    .venv/bin/python benchmarks/bench_batch.py benchmarks/work/big.duckdb --rows 5000

The register file is copied first (the apply changes the copy). The plan mixes edits, moves,
creates and closes of distinct units, all dated 2027-01-01; warnings are accepted. Targets:
under 10 s each for the dry run and the apply of 5,000 rows on 200,000 units. Wall-clock and
CPU seconds (this process) are printed, never asserted: on a busy machine wall-clock grows.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sorkit  # noqa: E402
from sorkit.batch import read_plan  # noqa: E402

TODAY = dt.date(2026, 12, 1)
WHEN = dt.date(2027, 1, 1)
COLUMNS = [
    "operation",
    "sor_code",
    "parent",
    "new_parent",
    "date",
    "name",
    "unit_type",
    "phone",
    "inherit_electronic",
    "confirm",
]


def make_plan(reg: sorkit.Register, path: Path, rows: int, seed: int = 6) -> Path:
    """Write a plan of ``rows`` valid rows on distinct units (40% edits, 30% moves, 20% creates,
    10% closes)."""
    rng = random.Random(seed)
    snap = reg.snapshot()
    quiet = []  # active OEs with no pending change and no close date
    for code in snap.codes():
        vs = snap.versions(code)
        v = vs[-1]
        if v.level == "OE" and v.valid_to is None and v.valid_from <= TODAY and v.parent:
            quiet.append(code)
    quiet.sort()
    rng.shuffle(quiet)
    parents_of_new = [c for c in quiet if snap.versions(c)[-1].level in ("SI", "OE")]
    used: set[str] = set()
    out: list[list[Any]] = []

    def take(pred: Any) -> str | None:
        while quiet:
            code = quiet.pop()
            if code not in used and pred(code):
                used.add(code)
                return code
        return None

    def is_leaf(code: str) -> bool:
        return not snap.children(code, TODAY) and not snap.children(code, WHEN)

    counts = {"edit": rows * 4 // 10, "move": rows * 3 // 10, "create": rows * 2 // 10}
    counts["close"] = rows - sum(counts.values())
    for _ in range(counts["edit"]):
        code = take(lambda c: True)
        out.append(["edit", code, "", "", WHEN, "", "", f"4{rng.randrange(10**7):07d}", "", ""])
    for _ in range(counts["move"]):

        def movable(c: str) -> bool:
            parent = snap.versions(c)[-1].parent
            grand = snap.versions(parent)[-1].parent if parent else None
            return (
                bool(grand)
                and is_leaf(c)
                and snap.versions(grand)[-1].level in ("SI", "OE")  # type: ignore[arg-type]
                and snap.end(grand) is None  # type: ignore[arg-type]
            )

        code = take(movable)
        if code is None:
            break
        parent = snap.versions(code)[-1].parent
        grand = snap.versions(parent)[-1].parent  # type: ignore[arg-type]
        out.append(["move", code, "", grand, WHEN, "", "", "", "", ""])
    for i in range(counts["create"]):
        parent = parents_of_new[i % len(parents_of_new)]
        out.append(
            ["create", "", parent, "", WHEN, f"Nyt team {i}", "550811000005108", "", "ja", ""]
        )
    for _ in range(counts["close"]):
        code = take(lambda c: is_leaf(c) and snap.versions(c)[-1].location_number is None)
        if code is None:
            break
        out.append(["close", code, "", "", WHEN - dt.timedelta(days=1), "", "", "", "", "ja"])
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(COLUMNS)
        for row in out:
            writer.writerow([v.isoformat() if isinstance(v, dt.date) else v for v in row])
    return path


def bench_batch(register: str | Path, rows: int = 5000, work: Path | None = None) -> dict[str, Any]:
    """Dry run and apply of a ``rows``-row plan on a copy of ``register``; returns seconds."""
    work = Path(work or tempfile.mkdtemp(prefix="sorkit-bench-batch-"))
    work.mkdir(parents=True, exist_ok=True)
    copy = work / "register.duckdb"
    shutil.copy(register, copy)
    figures: dict[str, Any] = {"rows": rows}
    t = time.perf_counter()
    reg = sorkit.open_register(copy, user="admin", today=TODAY)
    figures["units"] = len(reg.snapshot())
    figures["open_s"] = time.perf_counter() - t
    plan_path = make_plan(reg, work / "plan.csv", rows)
    t, c = time.perf_counter(), time.process_time()
    batch = read_plan(plan_path)
    figures["read_plan_s"] = time.perf_counter() - t
    figures["read_plan_cpu_s"] = time.process_time() - c
    t, c = time.perf_counter(), time.process_time()
    report = reg.plan_batch(batch)
    figures["dry_run_s"] = time.perf_counter() - t
    figures["dry_run_cpu_s"] = time.process_time() - c
    t, c = time.perf_counter(), time.process_time()
    preview = report.preview
    figures["preview_s"] = time.perf_counter() - t
    figures["preview_cpu_s"] = time.process_time() - c
    figures["preview_rows"] = len(preview)
    figures["errors"] = len(report.errors)
    if report.errors:
        figures["first_errors"] = report.message().splitlines()[:5]
        return figures
    accept = {v.code: "benchmark" for _row, v in report.warnings}
    t, c = time.perf_counter(), time.process_time()
    done = reg.apply_batch(report, accept=accept, reason="benchmark")
    figures["apply_s"] = time.perf_counter() - t
    figures["apply_cpu_s"] = time.process_time() - c
    figures["written_units"] = len(done.sor_codes)
    shutil.rmtree(work, ignore_errors=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("register", help="a big register (python -m sorkit.demo --units 200000)")
    parser.add_argument("--rows", type=int, default=5000)
    args = parser.parse_args()
    figures = bench_batch(args.register, args.rows)
    for key, value in figures.items():
        shown = f"{value:.2f}" if isinstance(value, float) else value
        print(f"{key:>16}: {shown}")


if __name__ == "__main__":
    main()
