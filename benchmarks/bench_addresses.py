"""The national street register (#22): loading, validating one address, a prefix suggestion.

    .venv/bin/python benchmarks/bench_addresses.py [--runs 5]

Loading is measured in fresh child processes (the shipped CPR 370712 zip, and the compact
``vejregister.npz`` that ``sorkit addresses load`` writes), each reporting its wall-clock time
and its memory: the allocations the register holds (``tracemalloc``, numpy included), the
process's resident growth after loading (``/proc/self/statm``). Validation and suggestion are medians over real
addresses and prefixes drawn from the register itself, next to a baseline in the same run: the
linear scan the app used before (normalise every street of the postcode, keep those that start
with the prefix) and a plain dict lookup. Targets: load <= 2 s, memory <= 100 MB, validation
<= 1 ms, suggestion <= 5 ms. Figures are printed (and appended to benchmarks/out/), never
asserted.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGETS = {"load_s": 2.0, "memory_mb": 100.0, "validate_ms": 1.0, "suggest_ms": 5.0}

_CHILD = r"""
import json, resource, sys, time, tracemalloc
sys.path.insert(0, sys.argv[2])
from sorkit import refdata
import sorkit.addresses as A
refdata.postcodes()
def rss():
    return int(open("/proc/self/statm").read().split()[1]) * resource.getpagesize()
base = rss()
t = time.perf_counter()
reg = A.AddressRegister.from_file(sys.argv[1])
seconds = time.perf_counter() - t
rss_growth = rss() - base
tracemalloc.start()
again = A.AddressRegister.from_file(sys.argv[1])
held, _ = tracemalloc.get_traced_memory()
tracemalloc.stop()
print(json.dumps({"seconds": seconds, "held_mb": held / 1e6, "rss_mb": rss_growth / 1e6,
                  "ranges": len(reg._lo),
                  "streets": reg.street_count}))
"""


def load_in_child(path: Path) -> dict[str, float]:
    """Load the register at ``path`` in a fresh interpreter; its figures as a dict."""
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path), str(ROOT)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def per_call_ms(calls: list, repeat: int = 5) -> float:
    """The median over ``repeat`` passes of the mean time per call (ms)."""
    passes = []
    for _ in range(repeat):
        t = time.perf_counter()
        for call in calls:
            call()
        passes.append((time.perf_counter() - t) / len(calls) * 1000)
    return statistics.median(passes)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="child processes per load")
    args = parser.parse_args(argv)

    from sorkit.addresses import AddressRegister, _key
    from sorkit.addresses.files import save_table, shipped_path
    from sorkit.addresses.formats import read_register

    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        npz = Path(tmp) / "vejregister.npz"
        import datetime as dt

        save_table(read_register(shipped_path()), npz, dt.datetime.now())
        for name, path in (("zip", shipped_path()), ("npz", npz)):
            runs = [load_in_child(path) for _ in range(args.runs)]
            results[f"load_{name}_s"] = statistics.median(r["seconds"] for r in runs)
            results[f"held_{name}_mb"] = statistics.median(r["held_mb"] for r in runs)
            results[f"rss_{name}_mb"] = statistics.median(r["rss_mb"] for r in runs)
            results["ranges"], results["streets"] = runs[0]["ranges"], runs[0]["streets"]

    reg = AddressRegister.shipped()
    rng = random.Random(22)
    samples = reg.sample_addresses()
    picked = rng.sample(samples, 2000)
    results["validate_ms"] = per_call_ms([lambda s=s: reg.check(s[0], s[1], s[2]) for s in picked])
    wrong = [(s[0] + "x", s[1], s[2]) for s in picked[:200]]
    results["validate_unknown_street_ms"] = per_call_ms(
        [lambda s=s: reg.check(*s, suggestions=False) for s in wrong]
    )
    lookup = {(_key(s[0]), s[2]): s for s in samples}
    results["baseline_dict_lookup_ms"] = per_call_ms(
        [lambda s=s: lookup.get((_key(s[0]), s[2])) for s in picked]
    )
    prefixes = [(s[0][: rng.randint(1, 3)], s[2]) for s in picked[:1000]]
    results["suggest_ms"] = per_call_ms([lambda p=p: reg.suggest(p[0], p[1]) for p in prefixes])
    busiest = max({s[2] for s in samples}, key=lambda pc: len(reg.streets(pc)))
    one_letter = [(chr(c), busiest) for c in range(ord("a"), ord("z") + 1)]
    results["suggest_busiest_postcode_ms"] = per_call_ms(
        [lambda p=p: reg.suggest(p[0], p[1]) for p in one_letter]
    )

    def linear(prefix: str, postcode: str) -> list[str]:
        query = _key(prefix)
        names = reg.streets(postcode)
        return [n for n in names if _key(n).startswith(query)][:10]

    results["baseline_linear_suggest_ms"] = per_call_ms(
        [lambda p=p: linear(*p) for p in prefixes[:200]]
    )

    print(
        f"Street register (#22): {int(results['ranges']):,} ranges, "
        f"{int(results['streets']):,} streets; busiest postcode {busiest}"
    )
    rows = [
        ("load shipped zip (s)", results["load_zip_s"], TARGETS["load_s"]),
        ("load vejregister.npz (s)", results["load_npz_s"], TARGETS["load_s"]),
        ("memory held after load, zip (MB)", results["held_zip_mb"], TARGETS["memory_mb"]),
        ("  process growth (RSS), zip (MB)", results["rss_zip_mb"], TARGETS["memory_mb"]),
        ("memory held after load, npz (MB)", results["held_npz_mb"], TARGETS["memory_mb"]),
        ("  process growth (RSS), npz (MB)", results["rss_npz_mb"], TARGETS["memory_mb"]),
        ("validate one address (ms)", results["validate_ms"], TARGETS["validate_ms"]),
        ("validate, unknown street (ms)", results["validate_unknown_street_ms"], None),
        ("  baseline: dict lookup (ms)", results["baseline_dict_lookup_ms"], None),
        ("prefix suggestion (ms)", results["suggest_ms"], TARGETS["suggest_ms"]),
        (f"  one letter in {busiest} (ms)", results["suggest_busiest_postcode_ms"], None),
        ("  baseline: linear scan (ms)", results["baseline_linear_suggest_ms"], None),
    ]
    for label, value, target in rows:
        goal = f"target <= {target:g}" if target is not None else ""
        print(f"  {label:<40} {value:10.4f}  {goal}")
    ratio = results["baseline_linear_suggest_ms"] / max(results["suggest_ms"], 1e-9)
    print(f"  suggestion: {ratio:.0f}x faster than the linear scan")
    out = ROOT / "benchmarks" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "addresses.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
