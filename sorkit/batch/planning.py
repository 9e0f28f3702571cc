"""Plan a whole batch against the register as it will be, row after row; no side effects.

Each row is planned by the change engine on the register *with the earlier rows applied*
(the previous row's ``Plan.after``), so a row may move a unit under one created two rows above.
Rows that fail leave the register as it was for the rows after them. Besides the rules of each
operation, the batch itself is checked: conflicting changes of one unit (BATCH_DUPLICATE_ROW),
too many closures (BATCH_TOO_MANY_CLOSURES) and references to units created earlier in the plan
that cannot be resolved (BATCH_ROW_INVALID).

The result types are in :mod:`sorkit.batch.planresult`, the batch's own checks in
:mod:`sorkit.batch.planchecks` and the before/after preview in :mod:`sorkit.batch.planpreview`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from sorkit.addresses import AddressRegister
from sorkit.batch.planchecks import Conflicts, check_stated_name, resolve_refs
from sorkit.batch.planfile import Batch
from sorkit.batch.planpreview import PREVIEW_COLUMNS
from sorkit.batch.planresult import ROW_COLUMNS, BatchPlan, BatchRow
from sorkit.changes import change_parameters
from sorkit.engine import Plan, effective_date, new_change_id, plan_change
from sorkit.rules.codes import Violation, violation
from sorkit.snapshot import Snapshot

if TYPE_CHECKING:
    from sorkit.register import Register

__all__ = ["PREVIEW_COLUMNS", "ROW_COLUMNS", "BatchPlan", "BatchRow", "plan_batch", "plan_hash"]


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
    seen = Conflicts()
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
        change, problem = resolve_refs(raw, resolved, failed_refs, number)
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
            found += check_stated_name(chain.top, plan.sor_codes[0], stated, number, eff or today)
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
        self.store = reg.store  # the settings (GS1 range) for rows asking for a new number
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
