"""Soak: several processes doing a realistic mix of work on one register for a while (#19).

    python benchmarks/soak.py --seconds 180            # make soak
    python benchmarks/soak.py --seconds 20 --json out  # the CI-sized run (tests/test_soak.py)

Eight processes (forked from this one after it built and read the register) each loop until
the time is up, picking at random: searches and history reads (each checks the register's
guarantees on what it read: no version overlaps or orphans, every version's change in the
unit's history with its audit record), single creates, edits, moves and closes, a batch of 200
edits, an export and a report, with a random pause (0-0.3 s) after each. Every process owns the
units under its own health institutions (SI), so its changes do not fight another's (a
CONCURRENT_CHANGE refusal is still counted, not an error).

Afterwards the register is checked against what the processes report: every applied change
is there once, with one audit record per unit per apply (a batch's records carry its batch
id), no audit record belongs to a change nobody applied, every edited unit holds the phone
its last edit gave it, every created unit exists, the integrity check passes, no reader saw a
broken state, and every wait for the file either ended within the busy timeout or raised the
Danish "Registret … er optaget" message. Exit status 0 when all of that holds. The figures
(changes per minute, waits, the longest wait) are printed as JSON; see docs/reliability.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import random
import statistics
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: import this checkout's sorkit
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sorkit  # noqa: E402
import sorkit.store  # noqa: E402
from sorkit import reports  # noqa: E402
from sorkit.errors import RegisterBusy  # noqa: E402
from sorkit.integrity import check  # noqa: E402
from sorkit.invariants import problems  # noqa: E402

TODAY = dt.date(2026, 12, 1)
TOMORROW = TODAY + dt.timedelta(days=1)
OE_TYPE = "550811000005108"
#: Relative frequency of each kind of work.
MIX = {
    "search": 20,
    "history": 15,
    "create": 8,
    "edit": 20,
    "move": 6,
    "close": 5,
    "batch": 2,
    "export": 2,
    "report": 2,
}
BATCH_ROWS = 200
ACCEPT = "soak"


# -- one worker process --------------------------------------------------------------------


class Waits:
    """Counts this process's waits for the register file (failed attaches, time spent)."""

    def __init__(self) -> None:
        self.failures = 0
        self.waits: list[float] = []
        self.busy: list[str] = []
        engine = sorkit.store._Engine
        real_acquire = engine.acquire
        real_open = sorkit.store.Store._open_with_retry
        me = self

        def acquire(self: Any) -> Any:
            try:
                return real_acquire(self)
            except Exception:
                me.failures += 1
                raise

        def open_with_retry(self: Any) -> Any:
            t0 = time.monotonic()
            before = me.failures
            try:
                return real_open(self)
            except RegisterBusy as exc:
                me.busy.append(str(exc))
                raise
            finally:
                if me.failures > before:
                    me.waits.append(time.monotonic() - t0)

        engine.acquire = acquire  # type: ignore[method-assign]
        sorkit.store.Store._open_with_retry = open_with_retry  # type: ignore[method-assign]


class Worker:
    """One process's share of the soak: its units, its random choices and what it saw."""

    def __init__(self, k: int, n: int, path: str, seed: int, busy_timeout: float, out: Path):
        self.k = k
        self.rng = random.Random(seed * 100 + k)
        self.reg = sorkit.open_register(path, user="admin", today=TODAY, busy_timeout=busy_timeout)
        self.out = out
        self.waits = Waits()
        self.applied: list[dict[str, Any]] = []
        self.phones: dict[str, str] = {}
        self.created: list[str] = []
        self.counts: Counter[str] = Counter()
        self.broken: list[str] = []
        self.errors: list[str] = []
        self.serial = 0
        snap = self.reg.snapshot()
        sis = sorted(c for c in snap.codes() if snap.versions(c)[-1].level == "SI")
        mine = set(sis[k::n])
        self.units = [c for c in sorted(snap.codes()) if self._usable(snap, c, mine)]
        self.closed: set[str] = set()
        self.mine = mine

    @staticmethod
    def _usable(snap: Any, code: str, sis: set[str]) -> bool:
        """An open, active OE under one of ``sis`` with no change planned after today."""
        vs = snap.versions(code)
        if not vs or vs[-1].level != "OE" or snap.end(code) is not None:
            return False
        if vs[-1].valid_from > TODAY or snap.status(code, TODAY) != "active":
            return False
        parent = vs[-1].parent
        while parent is not None and parent not in sis:
            pvs = snap.versions(parent)
            parent = pvs[-1].parent if pvs else None
        return parent is not None

    def run(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        kinds = list(MIX)
        weights = [MIX[k] for k in kinds]
        # Each process starts with two kinds of its own, so every kind runs even in a short soak.
        first = [kinds[self.k % len(kinds)], kinds[(self.k + len(kinds) - 1) % len(kinds)]]
        while time.monotonic() < deadline:
            kind = first.pop(0) if first else self.rng.choices(kinds, weights)[0]
            try:
                getattr(self, f"do_{kind}")()
                self.counts[kind] += 1
            except RegisterBusy:
                self.counts["busy"] += 1
            except Exception:  # noqa: BLE001 - every unexpected error is reported and fails
                self.errors.append(f"{kind}: {traceback.format_exc()[-2000:]}")
            time.sleep(self.rng.uniform(0.0, 0.3))
        self.out.write_text(
            json.dumps(
                {
                    "applied": self.applied,
                    "phones": self.phones,
                    "created": self.created,
                    "counts": self.counts,
                    "broken": self.broken,
                    "errors": self.errors,
                    "waits": self.waits.waits,
                    "busy": self.waits.busy,
                },
                default=str,
            )
        )

    # -- reads (each checks what it read) -------------------------------------------------

    def _check_snapshot(self) -> Any:
        snap = self.reg.snapshot()
        if self.rng.random() < 0.3:  # the whole register's guarantees (about 0.2 s)
            found = problems(snap)
            if found:
                self.broken.append(f"guarantees: {found[:3]}")
        return snap

    def do_search(self) -> None:
        pattern = self.rng.choice("abdefghiklmnoprstuv") + "*"
        found = self.reg.search(pattern)
        snap = self._check_snapshot()
        missing = [c for c in found["sor_code"] if not snap.versions(c)]
        if missing:
            self.broken.append(f"search {pattern}: units not in the register {missing[:3]}")

    def do_history(self) -> None:
        snap = self._check_snapshot()
        code = self.rng.choice(sorted(snap.codes()))
        history = self.reg.history(code)
        seen = set(history["change_id"])
        wanted = {v.change_id for v in snap.versions(code)} - {None}
        if not wanted <= seen:
            self.broken.append(f"history {code}: versions of changes {wanted - seen} not in it")
        if history["recorded_by"].isna().any():
            self.broken.append(f"history {code}: a change without its audit record")

    def do_export(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            result = sorkit.export(self.reg, Path(tmp) / "soak.csv", format="csv")
            if not Path(tmp, "soak.csv").exists() or result is None:
                self.broken.append("export wrote nothing")

    def do_report(self) -> None:
        changes = reports.changes_in_period(
            self.reg, TODAY - dt.timedelta(days=30), TODAY + dt.timedelta(days=400), by="recorded"
        )
        snap = self.reg.snapshot()
        missing = [c for c in changes["sor_code"] if not snap.versions(c)]
        if missing:
            self.broken.append(f"report: units not in the register {missing[:3]}")

    # -- writes ---------------------------------------------------------------------------

    def _pick(self) -> str | None:
        open_units = [c for c in self.units if c not in self.closed]
        return self.rng.choice(open_units) if open_units else None

    def _apply(self, kind: str, change: Any) -> Any:
        plan = self.reg.plan(change)
        if not plan.ok:
            self.counts["refused_by_rules"] += 1
            return None
        try:
            done = self.reg.apply(plan, accept={w.code: ACCEPT for w in plan.warnings})
        except sorkit.ChangeRejected as exc:
            key = "concurrent" if "CONCURRENT_CHANGE" in exc.codes else "refused_by_rules"
            self.counts[key] += 1
            return None
        self.applied.append(
            {"kind": kind, "change_ids": [done.change_id], "sor_codes": list(done.sor_codes)}
        )
        return done

    def do_edit(self) -> None:
        code = self._pick()
        if code is None:
            return
        self.serial += 1
        phone = f"{self.k + 1}{self.serial:07d}"[:8]
        if self._apply("edit", sorkit.EditUnit(code, phone=phone)) is not None:
            self.phones[code] = phone

    def do_create(self) -> None:
        parent = self._pick()
        if parent is None:
            return
        self.serial += 1
        name = f"Soak {self.k}-{self.serial}"
        change = sorkit.CreateUnit(
            parent=parent, name=name, unit_type=OE_TYPE, inherit_electronic=True
        )
        done = self._apply("create", change)
        if done is not None:
            self.created.append(done.sor_codes[0])

    def do_move(self) -> None:
        code = self._pick()
        snap = self.reg.snapshot()
        if code is None:
            return
        below = {code} | {c for c in snap.codes() if code in self._ancestors(snap, c)}
        parent = snap.versions(code)[-1].parent
        targets = [c for c in self.units if c not in below and c != parent and c not in self.closed]
        if not targets:
            return
        self._apply("move", sorkit.MoveUnit(code, self.rng.choice(targets)))

    @staticmethod
    def _ancestors(snap: Any, code: str) -> set[str]:
        out: set[str] = set()
        vs = snap.versions(code)
        parent = vs[-1].parent if vs else None
        while parent is not None and parent not in out:
            out.add(parent)
            pvs = snap.versions(parent)
            parent = pvs[-1].parent if pvs else None
        return out

    def do_close(self) -> None:
        code = self._pick()
        if code is None:
            return
        last_day = TODAY + dt.timedelta(days=self.rng.randint(60, 300))
        if self._apply("close", sorkit.CloseUnit(code, last_day, confirm=True, cascade=True)):
            snap = self.reg.snapshot()
            self.closed |= {c for c in self.units if c == code or code in self._ancestors(snap, c)}

    def do_batch(self) -> None:
        open_units = [c for c in self.units if c not in self.closed]
        chosen = self.rng.sample(open_units, min(BATCH_ROWS, len(open_units)))
        self.serial += 1
        phones = {c: f"{self.k + 1}9{self.serial:03d}{i:03d}"[:8] for i, c in enumerate(chosen)}
        changes = [sorkit.EditUnit(c, phone=p) for c, p in phones.items()]
        report = self.reg.plan_batch(changes, accept={"PUBLIC_INFORMATION": ACCEPT})
        if not report.ok:
            self.counts["refused_by_rules"] += 1
            return
        try:
            done = self.reg.apply_batch(report, accept={}, reason=ACCEPT)
        except sorkit.SorkitError as exc:
            codes = getattr(exc, "codes", [])
            key = "concurrent" if "CONCURRENT_CHANGE" in codes else "refused_by_rules"
            self.counts[key] += 1
            return
        self.applied.append(
            {
                "kind": "batch",
                "batch_id": done.batch_id,
                "change_ids": list(done.change_ids),
                "sor_codes": list(done.sor_codes),
            }
        )
        self.phones.update(phones)


def _work(k: int, n: int, path: str, seed: int, busy: float, seconds: float, out: str) -> None:
    Worker(k, n, path, seed, busy, Path(out)).run(seconds)


# -- the run and the checks afterwards -------------------------------------------------------


def run(
    seconds: float,
    processes: int = 8,
    workdir: str | Path | None = None,
    seed: int | None = None,
    busy_timeout: float = 60.0,
) -> dict[str, Any]:
    """Build a demo register, soak it with ``processes`` workers for ``seconds``, check it.

    Returns:
        The figures and a list ``failures`` (empty when everything held).
    """
    seed = random.randrange(10**6) if seed is None else seed
    work = Path(workdir or tempfile.mkdtemp(prefix="sorkit-soak-"))
    work.mkdir(parents=True, exist_ok=True)
    path = work / "soak.duckdb"
    for stale in (path, Path(f"{path}.wal")):
        stale.unlink(missing_ok=True)
    reg = sorkit.demo_register(path, today=TODAY)
    audit0 = reg.store.query("SELECT coalesce(max(audit_id), 0) FROM audit")[0][0]
    reg.snapshot()

    ctx = multiprocessing.get_context("fork")
    outs = [work / f"worker{k}.json" for k in range(processes)]
    procs = [
        ctx.Process(
            target=_work, args=(k, processes, str(path), seed, busy_timeout, seconds, str(outs[k]))
        )
        for k in range(processes)
    ]
    t0 = time.monotonic()
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=seconds + 600)
    elapsed = time.monotonic() - t0
    failures: list[str] = []
    for k, p in enumerate(procs):
        if p.is_alive():
            p.kill()
            failures.append(f"worker {k} hung")
        elif p.exitcode != 0:
            failures.append(f"worker {k} exited with {p.exitcode}")
    results = [json.loads(o.read_text()) for o in outs if o.exists()]
    figures = _verify(path, results, audit0, busy_timeout, failures)
    figures.update(
        seed=seed,
        processes=processes,
        seconds=round(elapsed, 1),
        changes_per_minute=round(figures["unit_changes"] / elapsed * 60, 1),
        applies_per_minute=round(figures["applies"] / elapsed * 60, 1),
        failures=failures,
    )
    return figures


def _verify(
    path: Path, results: list[dict[str, Any]], audit0: int, busy: float, failures: list[str]
) -> dict[str, Any]:
    """Check the register against what the workers say they did; collect the figures."""
    reg = sorkit.open_register(path, user="admin", today=TODAY)
    report = check(reg)
    if not report.ok:
        failures.append(f"integrity: {report.problems[:5]}")
    rows = reg.store.query(
        "SELECT change_id, sor_code, batch_id FROM audit WHERE audit_id > ?", [audit0]
    )
    per_change: dict[str, Counter[str]] = {}
    batch_of: dict[str, str | None] = {}
    for change_id, code, batch_id in rows:
        per_change.setdefault(change_id, Counter())[code] += 1
        batch_of[change_id] = batch_id
    applied_ids: set[str] = set()
    counts: Counter[str] = Counter()
    waits: list[float] = []
    busy_messages: list[str] = []
    unit_changes = 0
    for res in results:
        counts.update(res["counts"])
        waits += res["waits"]
        busy_messages += res["busy"]
        failures += [f"reader saw: {b}" for b in res["broken"]]
        failures += [f"error: {e}" for e in res["errors"]]
        for item in res["applied"]:
            ids = item["change_ids"]
            applied_ids |= set(ids)
            found: Counter[str] = Counter()
            for change_id in ids:
                found += per_change.get(change_id, Counter())
                if item["kind"] == "batch" and batch_of.get(change_id) != item["batch_id"]:
                    failures.append(f"{change_id}: audit without the batch id {item['batch_id']}")
            unit_changes += len(item["sor_codes"])
            if set(found) != set(item["sor_codes"]) or any(n != 1 for n in found.values()):
                failures.append(f"{item['kind']} {ids[:2]}: audit {dict(found)} vs {item}")
        for code, phone in res["phones"].items():
            got = reg.unit(code, as_of=TOMORROW).own["phone"]
            if got != phone:
                failures.append(f"{code}: phone {got!r}, last applied {phone!r}")
        for code in res["created"]:
            if not reg.snapshot().versions(code):
                failures.append(f"created unit {code} missing")
    extra = set(per_change) - applied_ids
    if extra:
        failures.append(f"audit records of changes nobody applied: {sorted(extra)[:5]}")
    for message in busy_messages:
        if not (message.startswith("Registret") and "er optaget" in message):
            failures.append(f"busy without the clear message: {message}")
    slack = 5.0  # the last retry's back-off and a DuckDB attach
    late = [w for w in waits if w > busy + slack]
    if late:
        failures.append(f"{len(late)} waits beyond the busy timeout without RegisterBusy: {late}")
    reg.store.release()
    return {
        "applies": sum(len(r["applied"]) for r in results),
        "unit_changes": unit_changes,
        "actions": dict(counts),
        "waits": len(waits),
        "wait_seconds": round(sum(waits), 1),
        "median_wait": round(statistics.median(waits), 2) if waits else 0.0,
        "p95_wait": round(sorted(waits)[int(0.95 * (len(waits) - 1))], 2) if waits else 0.0,
        "longest_wait": round(max(waits, default=0.0), 2),
        "busy_errors": len(busy_messages),
        "audit_records": len(rows),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=180.0, help="how long (default 180)")
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--busy-timeout", type=float, default=60.0)
    parser.add_argument("--workdir", default=None, help="folder for the register (default tmp)")
    parser.add_argument("--json", default=None, help="also write the figures to this file")
    args = parser.parse_args(argv)
    figures = run(args.seconds, args.processes, args.workdir, args.seed, args.busy_timeout)
    text = json.dumps(figures, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        Path(args.json).write_text(text)
    return 1 if figures["failures"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
