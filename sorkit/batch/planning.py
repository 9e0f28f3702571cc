"""Plan a whole batch against the register as it will be, row after row; no side effects.

Each row is planned by the change engine on the register *with the earlier rows applied*
(the previous row's ``Plan.after``), so a row may move a unit under one created two rows above.
Rows that fail leave the register as it was for the rows after them. Besides the rules of each
operation, the batch itself is checked: conflicting changes of one unit (BATCH_DUPLICATE_ROW),
too many closures (BATCH_TOO_MANY_CLOSURES) and references to units created earlier in the plan
that cannot be resolved (BATCH_ROW_INVALID).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from sorkit.addresses import AddressRegister
from sorkit.batch.planfile import Batch
from sorkit.changes import (
    Change,
    CloseUnit,
    CreateUnit,
    EditUnit,
    MoveUnit,
    SetLocationNumber,
    change_parameters,
)
from sorkit.dates import ONE_DAY, format_da
from sorkit.engine import Plan, effective_date, new_change_id, plan_change
from sorkit.frames import PathCache
from sorkit.model import STATE_FIELDS
from sorkit.rules.codes import CATALOGUE, Violation, message, violation
from sorkit.snapshot import Snapshot
from sorkit.texts import BATCH_STATUS, FIELD_LABELS, OPERATION_LABELS, STATUS_LABELS

if TYPE_CHECKING:
    from sorkit.register import Register

__all__ = ["BatchPlan", "BatchRow", "plan_batch", "plan_hash"]

ROW_COLUMNS = [
    "row",
    "operation",
    "sor_code",
    "name",
    "effective_date",
    "status",
    "codes",
    "messages",
    "ref",
    "change_id",
]
PREVIEW_COLUMNS = [
    "row",
    "operation",
    "sor_code",
    "name",
    "effective_date",
    "before",
    "after",
    "status_before",
    "status_after",
    "changes",
]
_UNIT_KEYS = ("sor_code", "parent", "new_parent")


@dataclass
class BatchRow:
    """One row of a planned batch.

    Attributes:
        index: position in the batch (0-based).
        row: the plan-file row number.
        change: the change as planned (references to earlier rows resolved to SOR codes).
        plan: the engine's plan, or None when the row could not be planned.
        violations: the engine's findings plus the batch's own (duplicates, references).
        ref: the reference name of a create row.
    """

    index: int
    row: int
    change: Any
    plan: Plan | None
    violations: list[Violation]
    ref: str | None = None

    @property
    def sor_code(self) -> str | None:
        """The unit the row changes (the new unit's code for a planned create)."""
        if self.plan is not None and self.plan.sor_codes:
            return self.plan.sor_codes[0]
        return getattr(self.change, "sor_code", None) or getattr(self.change, "parent", None)

    @property
    def effective_date(self) -> dt.date | None:
        """The row's effective date after defaults (for a close: the last day)."""
        return self.plan.effective_date if self.plan is not None else None

    @property
    def ok(self) -> bool:
        """True when no error blocks the row."""
        return not any(v.is_error for v in self.violations)

    def blocking(self, accept: Mapping[str, str]) -> list[Violation]:
        """Errors, and warnings whose code is not accepted."""
        return [v for v in self.violations if v.is_error or v.code not in accept]

    def status(self, accept: Mapping[str, str]) -> str:
        """``fejl``, ``advarsel`` (unaccepted warning), ``accepteret`` or ``ok``."""
        if not self.ok:
            return BATCH_STATUS["error"]
        if any(v.code not in accept for v in self.violations):
            return BATCH_STATUS["warning"]
        if self.violations:
            return BATCH_STATUS["accepted"]
        return BATCH_STATUS["ok"]


@dataclass
class BatchPlan:
    """A planned batch: per-row findings, a before/after preview and a summary.

    Nothing is written until :func:`sorkit.batch.apply_batch`.

    Attributes:
        batch: the batch as given (references unresolved; re-planned on a concurrent write).
        rows: one :class:`BatchRow` per change, in plan order.
        batch_violations: findings about the plan as a whole (e.g. too many closures).
        user: who planned it.
        generation: the register generation it was planned on.
        plan_hash: identifies the plan's content (a second apply of it is refused).
        batch_id: the id the batch will be recorded under.
        accept: warnings accepted at planning (code -> reason).
        max_closures: the closure limit it was planned with.
        already_applied: (batch_id, applied_by, applied_at) when this plan was applied before.
        before: the register as it is; after: as it will be with every good row.
    """

    batch: Batch
    rows: list[BatchRow]
    batch_violations: list[Violation]
    user: str
    generation: int
    plan_hash: str
    batch_id: str
    accept: dict[str, str]
    max_closures: int | None
    already_applied: tuple[Any, ...] | None
    before: Snapshot
    after: Snapshot
    today: dt.date
    _preview: pd.DataFrame | None = field(default=None, repr=False)

    # -- verdicts ----------------------------------------------------------------------------

    @property
    def ok(self) -> bool:
        """True when no error blocks any row or the plan as a whole."""
        return all(r.ok for r in self.rows) and not any(v.is_error for v in self.batch_violations)

    @property
    def errors(self) -> list[tuple[int | None, Violation]]:
        """(row, error) pairs; row None for findings about the whole plan."""
        return [(r.row, v) for r in self.rows for v in r.violations if v.is_error] + [
            (None, v) for v in self.batch_violations if v.is_error
        ]

    @property
    def warnings(self) -> list[tuple[int | None, Violation]]:
        """(row, warning) pairs, accepted or not."""
        return [(r.row, v) for r in self.rows for v in r.violations if not v.is_error]

    @property
    def codes(self) -> list[str]:
        """Every violation code, in row order (batch-level codes last)."""
        return [v.code for r in self.rows for v in r.violations] + [
            v.code for v in self.batch_violations
        ]

    def blocking(
        self, accept: Mapping[str, str] | None = None
    ) -> list[tuple[int | None, Violation]]:
        """What stops an apply: every error, and every warning not accepted."""
        accepted = {**self.accept, **dict(accept or {})}
        return [(r.row, v) for r in self.rows for v in r.blocking(accepted)] + [
            (None, v) for v in self.batch_violations if v.is_error or v.code not in accepted
        ]

    @property
    def closures(self) -> int:
        """Units the plan closes, cascades included."""
        return sum(
            len(r.plan.sor_codes) if r.plan is not None and r.plan.sor_codes else 1
            for r in self.rows
            if isinstance(r.change, CloseUnit)
        )

    @property
    def changes(self) -> list[Any]:
        """The changes as planned (references resolved)."""
        return [r.change for r in self.rows]

    # -- tables ------------------------------------------------------------------------------

    @property
    def violations(self) -> pd.DataFrame:
        """One row per plan row (and per finding about the whole plan): status, codes, messages."""
        return self.table()

    def table(self, accept: Mapping[str, str] | None = None) -> pd.DataFrame:
        """The per-row table with the given extra accepted warnings."""
        accepted = {**self.accept, **dict(accept or {})}
        names = self.after
        records: list[tuple[Any, ...]] = []
        for r in self.rows:
            code = r.sor_code
            records.append(
                (
                    r.row,
                    OPERATION_LABELS.get(r.change.operation, r.change.operation),
                    code,
                    _name(names, self.before, code, r),
                    r.effective_date,
                    r.status(accepted),
                    ", ".join(v.code for v in r.violations),
                    "\n".join(_message(v, accepted) for v in r.violations),
                    r.ref,
                    r.plan.change_id if r.plan is not None else None,
                )
            )
        for v in self.batch_violations:
            records.append(
                (
                    None,
                    "Plan",
                    None,
                    None,
                    None,
                    BATCH_STATUS["error"] if v.is_error else BATCH_STATUS["warning"],
                    v.code,
                    v.message,
                    None,
                    None,
                )
            )
        frame = pd.DataFrame.from_records(records, columns=ROW_COLUMNS)
        frame["row"] = frame["row"].astype("Int64")
        return frame

    @property
    def preview(self) -> pd.DataFrame:
        """Before/after: each affected unit's place in the tree on the row's date, now and after."""
        if self._preview is None:
            self._preview = _preview(self)
        return self._preview

    @property
    def summary(self) -> dict[str, Any]:
        """Counts: rows per operation, closures, rows with errors, warnings, accepted."""
        accepted = self.accept
        out: dict[str, Any] = {"rows": len(self.rows)}
        for op in ("create", "edit", "move", "close", "location_number"):
            out[op] = sum(1 for r in self.rows if r.change.operation == op)
        out["closures"] = self.closures
        out["rows_ok"] = sum(1 for r in self.rows if r.ok)
        out["rows_with_errors"] = sum(1 for r in self.rows if not r.ok)
        out["errors"] = len(self.errors)
        out["warnings"] = len(self.warnings)
        out["accepted_warnings"] = sum(1 for _row, v in self.warnings if v.code in accepted)
        out["unaccepted_warnings"] = out["warnings"] - out["accepted_warnings"]
        out["can_apply"] = not self.blocking() and not self.already_applied
        out["already_applied"] = self.already_applied
        return out

    def summary_table(self) -> pd.DataFrame:
        """The summary as a two-column Danish table (for notebooks and HTML reports)."""
        s = self.summary
        labels = {
            "rows": "Rækker i alt",
            "create": "Opret",
            "edit": "Rediger",
            "move": "Flyt",
            "close": "Luk",
            "location_number": "Lokationsnummer",
            "closures": "Enheder der lukkes (med kaskade)",
            "rows_ok": "Rækker uden fejl",
            "rows_with_errors": "Rækker med fejl",
            "errors": "Fejl",
            "warnings": "Advarsler",
            "accepted_warnings": "Accepterede advarsler",
            "unaccepted_warnings": "Ikke accepterede advarsler",
            "can_apply": "Kan gennemføres",
        }
        rows = [(label, _yes_no(s[key])) for key, label in labels.items()]
        if s["already_applied"]:
            batch_id, by, at = s["already_applied"]
            rows.append(("Allerede gennemført", f"{batch_id} af {by} {at:%d-%m-%Y %H:%M}"))
        return pd.DataFrame.from_records(rows, columns=["Opgørelse", "Antal"])

    def message(self, accept: Mapping[str, str] | None = None) -> str:
        """A readable Danish account of what blocks the plan (empty when nothing does)."""
        lines = []
        for row, v in self.blocking(accept):
            where = f"Række {row}" if row is not None else "Planen"
            kind = "fejl" if v.is_error else "advarsel (ikke accepteret)"
            text = v.message
            if row is not None and text.startswith(f"Række {row}: "):
                text = text[len(f"Række {row}: ") :]
            lines.append(f"{where}: {v.code} ({kind}): {text}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        s = self.summary
        return (
            f"<BatchPlan {s['rows']} rækker, {s['rows_with_errors']} med fejl, "
            f"{s['unaccepted_warnings']} ikke accepterede advarsler>"
        )


def _yes_no(value: Any) -> Any:
    if isinstance(value, bool):
        return "ja" if value else "nej"
    return value


def _message(v: Violation, accepted: Mapping[str, str]) -> str:
    kind = "fejl" if v.is_error else ("accepteret" if v.code in accepted else "advarsel")
    return f"{v.code} ({kind}): {v.message}"


def _name(after: Snapshot, before: Snapshot, code: str | None, r: BatchRow) -> str | None:
    if isinstance(r.change, CreateUnit):
        return r.change.name
    if code is None:
        return None
    day = r.effective_date or dt.date.min
    v = after.reference_version(code, day) or before.reference_version(code, day)
    return v.name if v is not None else None


# -- hashing ---------------------------------------------------------------------------------


def plan_hash(batch: Batch) -> str:
    """A hash of the plan's normalised rows (changes and references, in order)."""
    rows = []
    for i, change in enumerate(batch):
        rows.append({"ref": batch.refs.get(i), **change_parameters(change)})
    text = json.dumps(rows, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# -- planning --------------------------------------------------------------------------------


def plan_batch(
    reg: Register,
    batch: Any,
    max_closures: int | None = None,
    accept: Mapping[str, str] | None = None,
    *,
    batch_id: str | None = None,
    progress: bool = False,
) -> BatchPlan:
    """Plan every row of ``batch`` on the register as it will be; nothing is written.

    Args:
        reg: the register (its user and today plan the batch).
        batch: a :class:`~sorkit.batch.Batch` from :func:`~sorkit.batch.read_plan`, a list of
            change values, or a plan file path.
        max_closures: refuse (BATCH_TOO_MANY_CLOSURES) a plan that closes more units than this,
            cascades included; None for no limit.
        accept: warnings accepted up front (code -> reason); shown as accepted.
        batch_id: the id to record the batch under (default: a new one).
        progress: show a tqdm progress bar.

    Returns:
        The :class:`BatchPlan`.
    """
    batch = Batch.of(batch)
    root = reg.snapshot()
    now = reg.clock.now()
    batch_id = batch_id or "batch-" + new_change_id(now)
    today = reg.today
    accepted = {k: str(v) for k, v in (accept or {}).items()}
    resolved: dict[str, str] = {}  # ref name -> SOR code of the unit created
    failed_refs: dict[str, int] = {}
    seen = _Conflicts()
    chain = _Chain(root)
    planner = _Planner(reg)
    addresses = AddressRegister.default()
    rows: list[BatchRow] = []
    iterator: Iterable[tuple[int, Any]] = enumerate(batch)
    if progress:
        from tqdm.auto import tqdm

        iterator = tqdm(iterator, total=len(batch), desc="Planlægger", unit="række")
    for i, raw in iterator:
        number = batch.rows[i]
        ref = batch.refs.get(i)
        change, problem = _resolve(raw, resolved, failed_refs, number)
        if problem is not None:
            rows.append(BatchRow(i, number, raw, None, [problem], ref))
            if ref:
                failed_refs[ref] = number
            continue
        found: list[Violation] = []
        eff = effective_date(change, today)
        conflict = seen.check(change, number, eff)
        if conflict is not None:
            rows.append(BatchRow(i, number, change, None, [conflict], ref))
            if ref:
                failed_refs[ref] = number
            continue
        plan = plan_change(
            planner,  # type: ignore[arg-type]
            change,
            base=chain.top,
            change_id=f"{batch_id}-r{number:05d}",
            addresses=addresses,
            preview=False,
        )
        found = list(plan.violations)
        stated = batch.names.get(i)
        if stated is not None and plan.sor_codes:
            found += _name_check(chain.top, plan.sor_codes[0], stated, number, eff or today)
        row = BatchRow(i, number, change, plan, found, ref)
        rows.append(row)
        if row.ok and plan.after is not None:
            chain.push(plan)
            seen.record(change, number, eff, plan)
            if ref:
                resolved[ref] = plan.sor_codes[0]
        elif ref:
            failed_refs[ref] = number
    report_violations: list[Violation] = []
    digest = plan_hash(batch)
    result = BatchPlan(
        batch=batch,
        rows=rows,
        batch_violations=report_violations,
        user=reg.user,
        generation=root.generation,
        plan_hash=digest,
        batch_id=batch_id,
        accept=accepted,
        max_closures=max_closures,
        already_applied=reg.store.batch_with_hash(digest),
        before=root,
        after=chain.top,
        today=today,
    )
    if max_closures is not None and result.closures > max_closures:
        report_violations.append(
            violation(
                "BATCH_TOO_MANY_CLOSURES", None, count=result.closures, max_closures=max_closures
            )
        )
    return result


def _resolve(
    change: Any, resolved: Mapping[str, str], failed: Mapping[str, int], number: int
) -> tuple[Any, Violation | None]:
    """Replace ``@ref`` unit references by the SOR codes created earlier in the plan."""
    if not dataclasses.is_dataclass(change) or not hasattr(change, "operation"):
        return change, violation(
            "BATCH_ROW_INVALID", None, row=number, problem=f"{change!r} er ikke en ændring"
        )
    updates: dict[str, str] = {}
    for key in _UNIT_KEYS:
        value = getattr(change, key, None)
        if isinstance(value, str) and value.startswith("@"):
            name = value[1:]
            if name in resolved:
                updates[key] = resolved[name]
                continue
            if name in failed:
                problem = (
                    f"{key}={value} henviser til række {failed[name]}, som ikke kan gennemføres"
                )
            else:
                problem = f"{key}={value} henviser ikke til en tidligere opret-række med ref={name}"
            return change, violation("BATCH_ROW_INVALID", None, row=number, problem=problem)
    if not updates:
        return change, None
    if isinstance(change, EditUnit):
        return EditUnit(
            updates.get("sor_code", change.sor_code), change.effective_from, **change.fields
        ), None
    return dataclasses.replace(change, **updates), None  # type: ignore[type-var]


def _name_check(
    snap: Snapshot, code: str, stated: str, number: int, day: dt.date
) -> list[Violation]:
    v = snap.reference_version(code, day)
    if v is None or v.name.strip().casefold() == stated.strip().casefold():
        return []
    return [
        violation(
            "BATCH_ROW_INVALID",
            code,
            row=number,
            problem=f"navnet '{stated}' passer ikke til enhed {code} ('{v.name}'). Tjek SOR-koden.",
        )
    ]


class _Planner:
    """The register as the engine sees it while a batch is planned.

    User, role, scopes and clock are read once (the register re-checks its file for each,
    thousands of times per batch).
    """

    def __init__(self, reg: Register):
        self.user = reg.user
        self.role = reg.role
        self.scopes = reg.scopes
        self.clock = reg.clock
        self.today = reg.today
        self._reg = reg

    def snapshot(self) -> Snapshot:
        return self._reg.snapshot()


class _Chain:
    """The register with the good rows so far applied, for planning the next row on.

    One overlay of the register is updated in place with each good row's units (so the next
    row is planned on it with a lookup depth of one, whatever the plan's length). A row's own
    ``Plan.after`` is a view on this overlay, so after planning it shows the later rows too;
    the batch uses only the final state (``BatchPlan.after``).
    """

    def __init__(self, root: Snapshot):
        self.top = root.overlay({})

    def push(self, plan: Plan) -> None:
        assert plan.after is not None
        after = plan.after
        updates = {code: after.versions(code) for code in plan.sor_codes}
        self.top.replace_units(updates, self.top.generation)


class _Conflicts:
    """Which unit each good row changed, to find rows that conflict (BATCH_DUPLICATE_ROW)."""

    def __init__(self) -> None:
        self.closed: dict[str, int] = {}
        self.moved: dict[str, int] = {}
        self.fields: dict[tuple[str, dt.date | None, str], tuple[int, Any]] = {}
        self.identical: dict[str, int] = {}

    def check(self, change: Change, number: int, eff: dt.date | None) -> Violation | None:
        code = getattr(change, "sor_code", None)
        key = json.dumps(change_parameters(change), sort_keys=True, default=str)
        if key in self.identical:
            return _duplicate(number, code or "", self.identical[key])
        if code is None:
            return None
        if code in self.closed:
            return _duplicate(number, code, self.closed[code])
        if isinstance(change, MoveUnit) and code in self.moved:
            return _duplicate(number, code, self.moved[code])
        for name, value in _assigned(change).items():
            other = self.fields.get((code, eff, name))
            if other is not None and other[1] != value:
                return _duplicate(number, code, other[0])
        return None

    def record(self, change: Change, number: int, eff: dt.date | None, plan: Plan) -> None:
        self.identical[json.dumps(change_parameters(change), sort_keys=True, default=str)] = number
        if isinstance(change, CloseUnit):
            for closed in plan.sor_codes:
                self.closed.setdefault(closed, number)
            return
        code = getattr(change, "sor_code", None)
        if not isinstance(code, str):
            return
        if isinstance(change, MoveUnit):
            self.moved[code] = number
        for name, value in _assigned(change).items():
            self.fields.setdefault((code, eff, name), (number, value))


def _assigned(change: Change) -> dict[str, Any]:
    if isinstance(change, EditUnit):
        return {k: repr(v) for k, v in change.assignments().items()}
    if isinstance(change, SetLocationNumber):
        return {k: repr(v) for k, v in change.assignments().items()}
    return {}


def _duplicate(number: int, code: str, other: int) -> Violation:
    details = {"row": number, "sor_code": code, "other_row": other}
    info = CATALOGUE["BATCH_DUPLICATE_ROW"]
    return Violation(info.code, info.severity, message(info.code, details), code, details)


# -- preview ---------------------------------------------------------------------------------


def _preview(report: BatchPlan) -> pd.DataFrame:
    before, after = report.before, report.after
    caches: dict[tuple[int, dt.date], PathCache] = {}

    def path(snap: Snapshot, which: int, code: str, day: dt.date) -> str:
        cache = caches.get((which, day))
        if cache is None:
            cache = caches[(which, day)] = PathCache(snap, day)
        return cache.path(code) if snap.exists(code) else ""

    def status(snap: Snapshot, code: str, day: dt.date) -> str:
        if not snap.exists(code):
            return ""
        return STATUS_LABELS.get(snap.status(code, day), "")

    records = []
    for r in report.rows:
        plan = r.plan
        if plan is None or not r.ok or plan.effective_date is None:
            continue
        change = r.change
        eff = plan.effective_date
        op = OPERATION_LABELS.get(change.operation, change.operation)
        if isinstance(change, CloseUnit):
            shown, look = eff, eff + ONE_DAY
        else:
            shown = look = eff
        for i, code in enumerate(plan.sor_codes):
            v = after.reference_version(code, shown) or before.reference_version(code, shown)
            records.append(
                (
                    r.row,
                    op,
                    code,
                    v.name if v is not None else None,
                    eff,
                    path(before, 0, code, shown),
                    path(after, 1, code, shown),
                    status(before, code, look),
                    status(after, code, look),
                    _describe(change, code, i, before, after, shown),
                )
            )
    return pd.DataFrame.from_records(records, columns=PREVIEW_COLUMNS)


def _describe(
    change: Change, code: str, i: int, before: Snapshot, after: Snapshot, day: dt.date
) -> str:
    if isinstance(change, CreateUnit):
        parent = after.reference_version(change.parent or "", day)
        return f"oprettes under {parent.name if parent else change.parent}"
    if isinstance(change, CloseUnit):
        if i:
            return f"lukkes sammen med {change.sor_code} (sidste dag {format_da(day)})"
        return f"lukkes (sidste dag {format_da(day)})"
    old, new = before.version_at(code, day), after.version_at(code, day)
    if isinstance(change, MoveUnit):
        names = []
        for v in (old, new):
            pv = after.reference_version(v.parent, day) if v is not None and v.parent else None
            names.append(pv.name if pv is not None else "-")
        below = len(after.descendants(code, day))
        extra = f" (med {below} enheder under sig)" if below else ""
        return f"flyttes fra {names[0]} til {names[1]}{extra}"
    if old is None or new is None:
        return ""
    parts = []
    for name in STATE_FIELDS:
        a, b = getattr(old, name), getattr(new, name)
        if a != b:
            parts.append(f"{FIELD_LABELS.get(name, name)}: {_show(a)} -> {_show(b)}")
    return "; ".join(parts)


def _show(value: Any) -> str:
    if value is None or value == ():
        return "-"
    if isinstance(value, Mapping):
        if "gln" in value:
            return str(value.get("gln"))
        return " ".join(str(value.get(k) or "") for k in ("street", "house_number", "postcode"))
    if isinstance(value, tuple):
        return ", ".join(value)
    if isinstance(value, bool):
        return "ja" if value else "nej"
    return str(value)
