"""sorkit at national scale: ``make bench`` (``.venv/bin/python benchmarks/run.py``).

Builds demo registers of 10,000 to 1,000,000 units (about five versions per unit), caches them
under ``benchmarks/work/`` keyed by size and generator version, and measures every read and
write as the MEDIAN of repeated runs, next to a SQLite baseline of the same data in the same run
(``benchmarks/baseline_sqlite.py``). Each size runs in its own process, so its peak memory is
its own. Figures are reported (stdout, ``benchmarks/out/`` and ``docs/benchmarks.md``), never
asserted.

    .venv/bin/python benchmarks/run.py                       # all sizes, doc updated
    .venv/bin/python benchmarks/run.py --sizes 10000,200000  # a subset
    .venv/bin/python benchmarks/run.py --quick               # CI smoke: 10,000 units, few runs
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / "work"
OUT = HERE / "out"
DOC = ROOT / "docs" / "benchmarks.md"
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

#: Bump when the demo generator's output changes: cached registers are keyed by it.
GENERATOR = "g1"
HISTORY = 4.0
TODAY = dt.date(2026, 12, 1)
SIZES = (10_000, 50_000, 200_000, 1_000_000)
TARGET_SIZE = 200_000

#: Targets at 200,000 units (ms); None: reported only.
TARGETS: dict[str, float | None] = {
    "open": None,
    "children": 10,
    "ancestors": 10,
    "subtree_filtered": 50,
    "wildcard": 50,
    "lookup_sor_code": 10,
    "lookup_gln": 10,
    "hierarchy": 500,
    "history_first": None,
    "history": None,
    "create": 50,
    "move": 50,
    "close_cascade_1000": None,
    "batch_dry_run_10000": 10_000,
    "batch_apply_10000": 10_000,
    "export_parquet": None,
    "export_fhir": None,
}

LABELS = {
    "open": "open the register (first snapshot load)",
    "children": "children of a unit",
    "ancestors": "ancestors of a unit",
    "subtree_filtered": "large subtree (10% of units) with a type filter",
    "wildcard": 'wildcard search "*kardio*"',
    "lookup_sor_code": "lookup by SOR code",
    "lookup_gln": "lookup by location number (GLN)",
    "hierarchy": "the full hierarchy on a date, with paths",
    "history_first": "history of a unit, first in a process (reads the change log)",
    "history": "history of a unit",
    "create": "create a unit (plan + apply)",
    "move": "move a unit (plan + apply)",
    "close_cascade_1000": "cascade close of ~1,000 units (plan + apply)",
    "batch_dry_run_10000": "10,000-row batch, dry run (plan)",
    "batch_apply_10000": "10,000-row batch, apply",
    "export_parquet": "Parquet export",
    "export_fhir": "FHIR export",
}


# -- registers -----------------------------------------------------------------------------


def register_file(units: int) -> Path:
    """The cached register of ``units`` units (built on first use)."""
    return WORK / f"sor-{units}-h{HISTORY:g}-{GENERATOR}.duckdb"


def ensure_register(units: int) -> tuple[Path, float | None]:
    """Build the register of ``units`` units unless cached; (path, build seconds or None)."""
    path = register_file(units)
    if path.exists():
        return path, None
    WORK.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".building")
    for p in (tmp, Path(f"{tmp}.wal")):
        p.unlink(missing_ok=True)
    print(f"building {units:,} units -> {path.name} ...", flush=True)
    start = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "sorkit.demo",
            "--units",
            str(units),
            "--history",
            str(HISTORY),
            "--today",
            TODAY.isoformat(),
            str(tmp),
        ],
        check=True,
        cwd=ROOT,
    )
    tmp.replace(path)
    took = time.perf_counter() - start
    (WORK / f"{path.name}.build.json").write_text(json.dumps({"seconds": took}))
    return path, took


def ensure_baseline(units: int) -> Path:
    """The SQLite copy of the cached register (built on first use)."""
    import baseline_sqlite

    src = register_file(units)
    path = src.with_suffix(".sqlite")
    if not path.exists() or path.stat().st_mtime < src.stat().st_mtime:
        print(f"copying {units:,} units to SQLite ...", flush=True)
        took = baseline_sqlite.build(src, path)
        (WORK / f"{path.name}.build.json").write_text(json.dumps({"seconds": took}))
    return path


# -- measuring -----------------------------------------------------------------------------


def median_ms(fn: Callable[[int], Any], runs: int, setup: Callable[[int], Any] | None = None):
    """Median wall time (ms) of ``fn(i)`` over ``runs`` runs; also the last result."""
    times = []
    result = None
    cpu = []
    for i in range(runs):
        if setup is not None:
            setup(i)
        result = None  # the last result is freed before the next run, not during it
        # The garbage collector runs as it would in use: a forced full collection before each
        # call would leave every cache cold, and cost most in the process with the most objects
        # (sorkit's, the baseline running in a small process of its own); the medians absorb a
        # collection that falls inside a call.
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn(i)
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    LAST_CPU[:] = cpu
    return statistics.median(times), times, result


#: The CPU times (ms, all threads of this process) of the last measurement: on a shared machine
#: they show how much of a wall time was waiting for a core.
LAST_CPU: list[float] = []


def _rows(result: Any) -> int | None:
    try:
        return len(result)
    except TypeError:
        return None


class Child:
    """The measurements of one size, in one process."""

    def __init__(self, units: int, runs: int, quick: bool):
        import baseline_sqlite

        self.units = units
        self.quick = quick
        self.runs = runs
        self.src = register_file(units)
        self.path = WORK / f"run-{units}.duckdb"
        for p in (self.path, Path(f"{self.path}.wal")):
            p.unlink(missing_ok=True)
        shutil.copyfile(self.src, self.path)
        self.sqlite = self.src.with_suffix(".sqlite")
        self.worker = baseline_sqlite.Worker(self.sqlite)
        self.baseline = baseline_sqlite.Calls()  # calls made by the worker
        self.results: dict[str, dict[str, Any]] = {}

    def record(
        self,
        key: str,
        fn: Callable[[int], Any],
        base: Callable[[int], Any] | None = None,
        runs: int | None = None,
        note: str | None = None,
        setup: Callable[[int], Any] | None = None,
    ) -> None:
        runs = runs or self.runs
        try:
            med, times, result = median_ms(fn, runs, setup)
        except Exception as exc:  # noqa: BLE001 - report, don't stop the run
            self.skip(key, f"failed: {type(exc).__name__}: {exc}"[:300])
            return
        entry: dict[str, Any] = {"ms": med, "runs": len(times), "rows": _rows(result)}
        entry["cpu_ms"] = statistics.median(LAST_CPU) if LAST_CPU else None
        entry["peak_mb_after"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        entry["min_ms"], entry["max_ms"] = min(times), max(times)
        if base is not None:
            btimes, brows = self.worker.measure([base(i) for i in range(runs)])
            bmed = statistics.median(btimes)
            entry["baseline_ms"] = bmed
            entry["baseline_rows"] = brows
            entry["ratio"] = med / bmed if bmed else None
        if note:
            entry["note"] = note
        self.results[key] = entry
        ratio = f"  ratio {entry['ratio']:.2f}" if entry.get("ratio") is not None else ""
        base_txt = f"  sqlite {entry['baseline_ms']:9.2f}" if "baseline_ms" in entry else ""
        print(f"  {key:22s} {med:10.2f} ms{base_txt}{ratio}  (rows {entry['rows']})", flush=True)

    def skip(self, key: str, why: str) -> None:
        self.results[key] = {"ms": None, "note": why}
        print(f"  {key:22s} n/a: {why}", flush=True)

    def run(self) -> dict[str, Any]:
        from sorkit.register import open_register

        heavy = self.units >= 1_000_000
        rng = random.Random(8)

        # Opening: a new Register each time, first snapshot load included.
        def open_once(_i: int) -> Any:
            reg = open_register(self.path, user="admin", today=TODAY)
            return range(len(reg.snapshot()))  # its size, not the register (freed at once)

        some_code = None

        def base_open(_i: int) -> Any:
            return self.baseline.open_and_first_query(self.sqlite, some_code, TODAY)

        reg = open_register(self.path, user="admin", today=TODAY)
        codes = sorted(reg.snapshot().codes())
        some_code = codes[len(codes) // 2]
        del reg  # not held while "open" loads the register again (peak memory is one register)
        gc.collect()
        self.record(
            "open",
            open_once,
            base_open,
            runs=2 if heavy else min(self.runs, 5),
            setup=lambda _i: gc.collect(),  # the last register is gone before the next loads
        )
        self.connection_cost()
        reg = open_register(self.path, user="admin", today=TODAY)
        snap = reg.snapshot()
        day = reg.today

        # Targets, chosen once (seeded) from the register as it is today.
        parents = [c for c in codes if snap.child_candidates(c)]
        leaves = [c for c in codes if not snap.child_candidates(c)]
        live_leaves = [c for c in leaves if snap.status(c, day) == "active"]
        sample_parents = rng.sample(parents, min(20, len(parents)))
        sample_leaves = rng.sample(live_leaves, min(20, len(live_leaves)))
        sample_units = rng.sample(codes, min(20, len(codes)))
        glns = sorted(snap.index("gln"))
        sample_glns = rng.sample(glns, min(20, len(glns)))
        big = next(
            c
            for c in codes
            if (v := snap.reference_version(c, day)) is not None
            and v.name == "Rigshospitalet"
            and v.level == "SI"
        )
        from sorkit.demo import data as D

        clinical = D.OE_CLINICAL
        pick = lambda seq: lambda i: seq[i % len(seq)]  # noqa: E731

        kid, leaf, unit, gln = (
            pick(sample_parents),
            pick(sample_leaves),
            pick(sample_units),
            pick(sample_glns),
        )
        b = self.baseline
        self.record("children", lambda i: reg.children(kid(i)), lambda i: b.children(kid(i), day))
        self.record(
            "ancestors", lambda i: reg.ancestors(leaf(i)), lambda i: b.ancestors(leaf(i), day)
        )
        try:
            import sorkit.search  # noqa: F401

            has_search = True
        except ImportError:
            has_search = False
        if has_search:
            self.record(
                "subtree_filtered",
                lambda i: reg.search(under=big, unit_type=clinical, limit=None),
                lambda i: b.subtree(big, day, clinical),
                note=f"reg.search(under=Rigshospitalet, unit_type={clinical})",
            )
            self.record(
                "wildcard",
                lambda i: reg.search("*kardio*", limit=None),
                lambda i: b.wildcard("*kardio*", day),
            )
            self.record(
                "lookup_sor_code",
                lambda i: reg.search(sor_code=unit(i)),
                lambda i: b.by_identifier("sor_code", unit(i)),
            )
            self.record(
                "lookup_gln",
                lambda i: reg.search(gln=gln(i)),
                lambda i: b.by_identifier("gln", gln(i)),
            )
        else:
            self.record(
                "subtree_filtered",
                lambda i: reg.subtree(big, unit_type=clinical),
                lambda i: b.subtree(big, day, clinical),
                note="sorkit.search absent: reg.subtree(Rigshospitalet, unit_type=...)",
            )
            self.skip("wildcard", "sorkit.search not yet in the tree")
            self.record(
                "lookup_sor_code",
                lambda i: reg.unit(unit(i)),
                lambda i: b.by_identifier("sor_code", unit(i)),
                note="sorkit.search absent: reg.unit(code)",
            )
            self.skip("lookup_gln", "sorkit.search not yet in the tree")
        self.record(
            "hierarchy",
            lambda i: _hierarchy(reg, day),
            lambda i: b.hierarchy(day),
            runs=3 if heavy else min(self.runs, 7),
        )
        self.record(
            "history_first",
            lambda i: reg.history(unit(i)),
            runs=1,
            note="the first history in a process reads every event and audit record into "
            "memory (sorkit.history.eventlog); later ones, and the register's other reads, do not",
        )
        self.record(
            "history",
            lambda i: reg.history(unit(i)),
            lambda i: b.history(unit(i)),
            note="sorkit: every change with who, when, why, accepted warnings and cancellations "
            "(from the change log in memory); sqlite: the unit's versions (SELECT * ... WHERE "
            "sor_code = ?)",
        )
        self.writes(reg, rng, big)
        self.batch(reg, rng)
        self.exports(reg)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.results["peak_memory_mb"] = {"ms": None, "mb": peak}
        self.worker.close()
        print(f"  peak memory            {peak:10.0f} MB", flush=True)
        return self.results

    def connection_cost(self) -> None:
        """What one short DuckDB connection costs on this file (open, a read, close)."""
        from sorkit.store import Store

        store = Store(self.path)
        self.record("connection", lambda i: store.generation(), runs=min(self.runs, 10))

    def writes(self, reg: Any, rng: random.Random, big: str) -> None:
        from sorkit.changes import CloseUnit, CreateUnit, MoveUnit
        from sorkit.demo.data import OE_CLINICAL

        day = reg.today
        snap = reg.snapshot()
        runs = 5 if self.units >= 1_000_000 else min(self.runs, 10)

        def accept_all(plan: Any) -> dict[str, str]:
            errors = [v for v in plan.violations if v.severity == "error"]
            if errors:
                raise RuntimeError(f"benchmark change refused: {errors[:3]}")
            return {v.code: "benchmark" for v in plan.violations}

        def apply(change: Any) -> Any:
            plan = reg.plan(change)
            return reg.apply(plan, accept=accept_all(plan), reason="benchmark")

        parents = [
            c
            for c in rng.sample(sorted(snap.codes()), 400)
            if snap.status(c, day) == "active" and (snap.version_at(c, day) or _NO).level == "SI"
        ] or [big]
        self.record(
            "create",
            lambda i: apply(
                CreateUnit(
                    parent=parents[i % len(parents)],
                    name=f"Benchmark-afsnit {i}",
                    unit_type=OE_CLINICAL,
                    phone="33333333",
                    valid_from=day + dt.timedelta(days=14),
                )
            ),
            runs=runs,
        )
        moves = _move_pairs(reg, rng, runs)
        self.record(
            "move",
            lambda i: apply(
                MoveUnit(moves[i][0], moves[i][1], effective_from=day + dt.timedelta(days=14))
            ),
            runs=len(moves),
        )
        closes = _subtrees_of_size(reg, 1000, 3)
        if closes:
            self.record(
                "close_cascade_1000",
                lambda i: apply(
                    CloseUnit(
                        closes[i][0],
                        last_day=day + dt.timedelta(days=30),
                        confirm=True,
                        cascade=True,
                    )
                ),
                runs=len(closes),
                note=f"subtrees of {', '.join(str(n) for _, n in closes)} units",
            )
        else:
            self.skip("close_cascade_1000", "no subtree of about 1,000 units")

    def batch(self, reg: Any, rng: random.Random) -> None:
        try:
            import sorkit.batch  # noqa: F401
        except ImportError:
            self.skip("batch_dry_run_10000", "sorkit.batch not yet in the tree")
            self.skip("batch_apply_10000", "sorkit.batch not yet in the tree")
            return
        from sorkit.changes import EditUnit

        day = reg.today
        snap = reg.snapshot()
        n = 1000 if self.quick else 10_000
        # Open units with nothing pending, under a chain of such units (a plain edit each).
        steady = {
            c
            for c in snap.codes()
            if snap.status(c, day) == "active" and snap.versions(c)[-1].valid_from <= day
        }
        active = [
            c for c in sorted(steady) if all(a.sor_code in steady for a in snap.ancestors(c, day))
        ]
        chosen = rng.sample(active, min(n, len(active)))
        changes = [
            EditUnit(c, day + dt.timedelta(days=14), phone=f"7{i:07d}")
            for i, c in enumerate(chosen)
        ]
        try:
            planned: dict[str, Any] = {}

            def dry(_i: int) -> Any:
                planned["plan"] = reg.plan_batch(changes)
                return planned["plan"]

            self.record("batch_dry_run_10000", dry, runs=1, note=f"{len(changes)} phone edits")
            plan = planned["plan"]
            accept = {}
            for row in getattr(plan, "rows", []):
                for v in getattr(row, "violations", ()):
                    if getattr(v, "severity", "") == "warning":
                        accept[v.code] = "benchmark"
            self.record(
                "batch_apply_10000",
                lambda i: reg.apply_batch(plan, accept=accept, reason="benchmark"),
                runs=1,
                note=f"{len(changes)} phone edits, one transaction",
            )
        except Exception as exc:  # noqa: BLE001 - report, don't stop the run
            self.skip("batch_apply_10000", f"failed: {type(exc).__name__}: {exc}"[:200])

    def exports(self, reg: Any) -> None:
        try:
            from sorkit.exporters import export
        except ImportError:
            self.skip("export_parquet", "sorkit.exporters not yet in the tree")
            self.skip("export_fhir", "sorkit.exporters not yet in the tree")
            return
        out = WORK / f"export-{self.units}"
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        runs = 1 if self.units >= 200_000 else 2
        self.record(
            "export_parquet",
            lambda i: export(reg, out / f"parquet-{i}", "parquet"),
            runs=runs,
            note="sorkit.exporters.export(reg, folder, 'parquet'): every table, all versions",
        )
        if self.units >= 1_000_000:
            self.skip(
                "export_fhir",
                "not run at 1,000,000 units (several minutes; it grows linearly, see 200,000)",
            )
            return
        self.record(
            "export_fhir",
            lambda i: export(reg, out / f"units-{i}.fhir.json", "fhir"),
            runs=runs,
            note="sorkit.exporters.export(reg, file, 'fhir'): a Bundle of every unit today",
        )


class _NoVersion:
    level = None


_NO: Any = _NoVersion()


def _hierarchy(reg: Any, day: dt.date) -> Any:
    """Every unit valid on ``day`` with its path: the dedicated function if present."""
    from sorkit.search import frames

    fn = getattr(frames, "hierarchy", None)
    if fn is not None:
        return fn(reg.snapshot(), day)
    import pandas as pd

    roots = reg.roots(as_of=day)
    return pd.concat([reg.subtree(c, as_of=day) for c in roots["sor_code"]], ignore_index=True)


def _move_pairs(reg: Any, rng: random.Random, n: int) -> list[tuple[str, str]]:
    """Active leaf OEs with another active OE/SI under the same SI to move to."""
    snap, day = reg.snapshot(), reg.today
    out: list[tuple[str, str]] = []
    codes = sorted(snap.codes())
    tried = 0
    while len(out) < n and tried < 20_000:
        tried += 1
        c = rng.choice(codes)
        v = snap.version_at(c, day)
        if v is None or v.level != "OE" or snap.status(c, day) != "active":
            continue
        if snap.child_candidates(c) or v.parent is None:
            continue
        pv = snap.version_at(v.parent, day)
        if pv is None or pv.parent is None:
            continue
        siblings = [
            k.sor_code
            for k in snap.children(pv.parent, day)
            if k.sor_code not in (v.parent, c) and snap.status(k.sor_code, day) == "active"
        ]
        if siblings:
            out.append((c, rng.choice(sorted(siblings))))
    return out


def _subtrees_of_size(reg: Any, size: int, n: int) -> list[tuple[str, int]]:
    """Up to ``n`` disjoint active subtrees of about ``size`` units (closest first)."""
    snap, day = reg.snapshot(), reg.today
    sizes: dict[str, int] = {}
    for c in sorted(snap.codes()):
        v = snap.version_at(c, day)
        if v is None or v.level == "IE" or snap.status(c, day) != "active":
            continue
        sizes[c] = len(snap.descendants(c, day)) + 1 if snap.child_candidates(c) else 1
    ranked = sorted(
        (c for c, s in sizes.items() if size // 4 <= s <= size * 4),
        key=lambda c: (abs(sizes[c] - size), c),
    )
    chosen: list[tuple[str, int]] = []
    used: set[str] = set()
    for c in ranked:
        under = set(snap.descendants(c, day)) | {c}
        if under & used or any(a.sor_code in used for a in snap.ancestors(c, day)):
            continue
        # Nothing pending inside (a close must not cut across pending changes).
        if any(snap.versions(u)[-1].valid_from > day for u in under):
            continue
        chosen.append((c, sizes[c]))
        used |= under
        if len(chosen) == n:
            break
    return chosen


# -- the parent process --------------------------------------------------------------------


def machine() -> dict[str, Any]:
    import duckdb

    mem_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    except OSError:
        pass
    load = os.getloadavg()
    return {
        "nproc": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "sqlite": __import__("sqlite3").sqlite_version,
        "platform": platform.platform(),
        "load_average": [round(x, 2) for x in load],
        "date": dt.datetime.now().isoformat(timespec="seconds"),
    }


def render(results: dict[int, dict[str, Any]], info: dict[str, Any]) -> str:
    """The Markdown tables for docs/benchmarks.md."""
    sizes = sorted(results)
    lines = [
        f"Run {info['date']} on {info['nproc']} cores, {info['memory_gb']} GB, Python "
        f"{info['python']}, DuckDB {info['duckdb']}, SQLite {info['sqlite']} "
        f"(load average at start {info['load_average'][0]}; the machine is shared).",
        "",
        "Medians in ms; `sqlite` is the baseline in the same run; `ratio` = sorkit / sqlite "
        "(below 1: sorkit is faster).",
        "",
    ]
    head = "| operation | target @200k |" + "".join(
        f" {s:,} sorkit | sqlite | ratio |" for s in sizes
    )
    lines += [head, "|---|---|" + "---|---|---|" * len(sizes)]
    keys = [k for k in LABELS if any(k in results[s] for s in sizes)]
    keys.insert(1, "connection")
    for key in keys:
        label = LABELS.get(key, "one short DuckDB connection (open, read, close)")
        target = TARGETS.get(key)
        row = f"| {label} | {'' if target is None else f'<= {target:g}'} |"
        for s in sizes:
            e = results[s].get(key)
            if e is None or e.get("ms") is None:
                row += " n/a | | |"
                continue
            base = e.get("baseline_ms")
            ratio = e.get("ratio")
            row += f" {_fmt(e['ms'])} | {_fmt(base) if base is not None else ''} |"
            row += f" {ratio:.2f} |" if ratio is not None else " |"
        lines.append(row)
    mem = "| peak memory of the process (MB) | < 2048 |" + "".join(
        f" {results[s].get('peak_memory_mb', {}).get('mb', 0):,.0f} | | |" for s in sizes
    )
    lines.append(mem)
    if len(sizes) > 1:
        lo, hi = sizes[0], sizes[-1]
        lines += [
            "",
            f"Growth from {lo:,} to {hi:,} units ({hi / lo:g} times the units): how many "
            "times slower sorkit got, and that divided by the growth in units "
            "(1 = linear, below 1 = better than linear).",
            "",
            "| operation | times slower | relative to linear |",
            "|---|---|---|",
        ]
        for key in keys:
            a, b = results[lo].get(key, {}), results[hi].get(key, {})
            if a.get("ms") and b.get("ms"):
                factor = b["ms"] / a["ms"]
                lines.append(
                    f"| {LABELS.get(key, key)} | {factor:,.1f} | {factor / (hi / lo):.2f} |"
                )
    notes = sorted(
        {
            f"- {LABELS.get(k, k)}: {e['note']}"
            for s in sizes
            for k, e in results[s].items()
            if isinstance(e, dict) and e.get("note")
        }
    )
    if notes:
        lines += ["", "Notes:", "", *notes]
    return "\n".join(lines)


def _fmt(ms: float) -> str:
    return f"{ms:,.0f}" if ms >= 100 else f"{ms:.1f}" if ms >= 1 else f"{ms:.2f}"


def write_doc(table: str) -> None:
    start, end = "<!-- results:start -->", "<!-- results:end -->"
    text = DOC.read_text() if DOC.exists() else f"# Benchmarks\n\n{start}\n{end}\n"
    if start not in text:
        text += f"\n{start}\n{end}\n"
    before, rest = text.split(start, 1)
    _, after = rest.split(end, 1)
    DOC.write_text(f"{before}{start}\n{table}\n{end}{after}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", help="comma-separated unit counts (default: all)")
    parser.add_argument("--quick", action="store_true", help="CI smoke: 10,000 units, few runs")
    parser.add_argument("--runs", type=int, default=None, help="repetitions per measurement")
    parser.add_argument("--no-doc", action="store_true", help="do not update docs/benchmarks.md")
    parser.add_argument(
        "--render-only",
        action="store_true",
        help="only render the table from the results of earlier runs (benchmarks/out/)",
    )
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--json", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    runs = args.runs or (3 if args.quick else 15)
    if args.child:
        results = Child(args.child, runs, args.quick).run()
        Path(args.json).write_text(json.dumps(results, indent=1, default=str))
        return 0
    sizes = (
        [int(s.replace("_", "")) for s in args.sizes.split(",")]
        if args.sizes
        else [10_000]
        if args.quick
        else list(SIZES)
    )
    info = machine()
    OUT.mkdir(parents=True, exist_ok=True)
    results: dict[int, dict[str, Any]] = {}
    if args.render_only:
        info = json.loads((OUT / "machine.json").read_text())
        for units in sizes:
            found = OUT / f"results-{units}.json"
            if found.exists():
                results[units] = json.loads(found.read_text())
        sizes = []
    else:
        (OUT / "machine.json").write_text(json.dumps(info))
    for units in sizes:
        _path, took = ensure_register(units)
        if took is not None:
            print(f"  built in {took:.0f} s", flush=True)
        ensure_baseline(units)
        print(f"== {units:,} units", flush=True)
        out = OUT / f"results-{units}.json"
        cmd = [sys.executable, __file__, "--child", str(units), "--json", str(out)]
        cmd += ["--runs", str(runs)] + (["--quick"] if args.quick else [])
        subprocess.run(cmd, check=True, cwd=ROOT)
        results[units] = json.loads(out.read_text())
        build = WORK / f"{register_file(units).name}.build.json"
        if build.exists():
            results[units]["build_seconds"] = json.loads(build.read_text())
            out.write_text(json.dumps(results[units], indent=1, default=str))
    table = render(results, info)
    print()
    print(table)
    (OUT / "table.md").write_text(table + "\n")
    (OUT / "results.json").write_text(
        json.dumps({"machine": info, "results": results}, indent=1, default=str)
    )
    if not args.no_doc and not args.quick:
        write_doc(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
