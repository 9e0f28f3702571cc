"""Benchmark: import a national-size SOR XML complete export (time and peak memory).

    python benchmarks/bench_import.py                 # 100,000 units
    python benchmarks/bench_import.py --units 20000

Steps: build (or reuse) a demo register with ``--units`` units (``python -m sorkit.demo``), write
it as a SOR XML complete export (:func:`sorkit.exporters.write_sor_xml`), then import that file
into a new, empty register file in a child process, so that the child's peak resident memory
(``ru_maxrss``) is the import's own. Also times a dry-run update of the same file against the
imported register (the "keep in step" path: every unit compared, nothing to change), and the
Parquet/CSV/FHIR exports. Targets (issue 7): import under 60 s and 2 GB. ``cpu_seconds`` (user +
system time of the import) is reported beside the wall time because a shared machine's load
inflates the latter.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

WORK = Path(__file__).parent / "work"
TODAY = dt.date(2026, 12, 1)


def _child_import(xml: str, target: str, mode: str) -> None:
    """Run in the child process: one import, its figures as JSON on stdout."""
    import sorkit
    from sorkit.importers import import_sor_xml

    reg = sorkit.open_register(target, user="bench", today=TODAY)
    before = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    report = import_sor_xml(reg, xml, dry_run=(mode == "dry-update"))
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime - before.ru_utime - before.ru_stime
    peak_kib = usage.ru_maxrss
    print(
        json.dumps(
            {
                "mode": report.mode,
                "units": report.units,
                "rows": len(report.summary),
                "seconds": round(seconds, 1),
                "cpu_seconds": round(cpu, 1),
                "peak_mb": round(peak_kib / 1024),
            }
        )
    )


def _run_child(xml: Path, target: Path, mode: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(xml), str(target)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> int:
    """Build, export, import; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--child", nargs=3, metavar=("MODE", "XML", "TARGET"))
    args = parser.parse_args()
    if args.child:
        _child_import(args.child[1], args.child[2], args.child[0])
        return 0
    import sorkit
    from sorkit.exporters import export, write_sor_xml

    WORK.mkdir(exist_ok=True)
    source = WORK / f"import-src-{args.units}.duckdb"
    if not source.exists():
        start = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "sorkit.demo",
                "--units",
                str(args.units),
                "--today",
                TODAY.isoformat(),
                str(source),
            ],
            check=True,
        )
        print(f"demo register with {args.units} units built in {time.perf_counter() - start:.0f} s")
    reg = sorkit.open_register(source, user="bench", today=TODAY)
    xml = WORK / f"sor-{args.units}.xml"
    start = time.perf_counter()
    count = write_sor_xml(reg, xml)
    print(
        f"write_sor_xml: {count} units, {xml.stat().st_size / 1e6:.0f} MB in "
        f"{time.perf_counter() - start:.1f} s"
    )
    target = WORK / f"imported-{args.units}.duckdb"
    for p in (target, Path(str(target) + ".wal")):
        p.unlink(missing_ok=True)
    fresh = _run_child(xml, target, "import")
    print(f"import (empty register): {fresh}")
    update = _run_child(xml, target, "dry-update")
    print(f"dry-run update (same file, register holds it): {update}")
    for fmt, name in (("parquet", "dump"), ("csv", "units.csv"), ("fhir", "bundle.json")):
        start = time.perf_counter()
        result = export(reg, WORK / f"export-{args.units}-{name}", format=fmt)
        print(f"export {fmt}: {result.count} in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
