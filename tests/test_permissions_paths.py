"""Permissions on every path that writes (#10): plan/apply, cancel, batch, import and the forms.

Demo users: ``reader`` reads; ``kommune`` is a steward scoped to Allerød Kommune, ``region`` one
scoped to Region Hovedstaden; ``admin`` is the SDS administrator. A reader writes nothing; a
steward only inside its scopes; every apply leaves exactly one audit record per changed unit.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

import sorkit
from sorkit.errors import SorImportError
from sorkit.integrity import check
from tests.helpers import TODAY

ALLEROED = "1610431000016007"  # IE Allerød Kommune (scope of "kommune")
HOVEDSTADEN = "1603671000016001"  # IE Region Hovedstaden (scope of "region")
TOMORROW = TODAY + dt.timedelta(days=1)
ACCEPT = "test af rettigheder"


def open_oe_under(reg: sorkit.Register, root: str) -> str:
    snap = reg.snapshot()
    return next(
        c
        for c in sorted(snap.descendants(root, TODAY))
        if snap.versions(c)[-1].level == "OE"
        and snap.end(c) is None
        and snap.status(c, TODAY) == "active"
    )


def outside_oe(reg: sorkit.Register) -> str:
    """An open OE under neither scope (another municipality)."""
    snap = reg.snapshot()
    mine = set(snap.descendants(ALLEROED, TODAY)) | set(snap.descendants(HOVEDSTADEN, TODAY))
    return next(
        c
        for c in sorted(snap.codes())
        if c not in mine
        and snap.versions(c)[-1].level == "OE"
        and snap.end(c) is None
        and snap.status(c, TODAY) == "active"
    )


def state(reg: sorkit.Register) -> tuple[Any, ...]:
    q = reg.store.query
    return (
        reg.store.generation(),
        q("SELECT count(*) FROM unit_events")[0][0],
        q("SELECT count(*) FROM unit_versions")[0][0],
        q("SELECT count(*) FROM audit")[0][0],
    )


def assert_denied(
    reg: sorkit.Register, change: Any, codes: tuple[str, ...] = ("PERMISSION_DENIED",)
) -> None:
    """Plan shows the refusal; apply refuses; nothing is written."""
    before = state(reg)
    plan = reg.plan(change)
    assert set(codes) & set(plan.codes), plan.codes
    with pytest.raises(sorkit.ChangeRejected) as err:
        reg.apply(plan, accept={w.code: ACCEPT for w in plan.warnings})
    assert set(codes) & set(err.value.codes)
    assert state(reg) == before


def apply_ok(reg: sorkit.Register, change: Any) -> sorkit.Applied:
    """Apply; exactly one audit record per changed unit, recorded by the user."""
    audit0 = reg.store.query("SELECT count(*) FROM audit")[0][0]
    plan = reg.plan(change)
    assert plan.ok, plan.codes
    done = reg.apply(plan, accept={w.code: ACCEPT for w in plan.warnings}, reason="test")
    rows = reg.store.query(
        "SELECT sor_code, recorded_by FROM audit WHERE change_id = ? ORDER BY sor_code",
        [done.change_id],
    )
    assert rows == sorted((c, reg.user) for c in done.sor_codes)
    assert reg.store.query("SELECT count(*) FROM audit")[0][0] == audit0 + len(done.sor_codes)
    return done


# -- reader ------------------------------------------------------------------------------------


def test_reader_can_change_nothing(demo: sorkit.Register) -> None:
    reader = demo.as_user("reader")
    assert reader.role == "reader"
    oe = open_oe_under(demo, ALLEROED)
    for change in (
        sorkit.EditUnit(oe, phone="12345678"),
        sorkit.MoveUnit(oe, open_oe_under(demo, HOVEDSTADEN)),
        sorkit.CloseUnit(oe, TODAY + dt.timedelta(days=8), confirm=True),
        sorkit.CreateUnit(parent=oe, name="Ny enhed", unit_type="550811000005108"),
        sorkit.SetLocationNumber(oe, inherit=True),
    ):
        assert_denied(reader, change)
    with pytest.raises(PermissionError):
        reader.add_user("mallory", "sds_admin")
    assert check(demo).ok


def test_unknown_user_of_a_managed_register_is_a_reader(demo: sorkit.Register) -> None:
    stranger = demo.as_user("ukendt-person")
    assert stranger.role == "reader"
    assert_denied(stranger, sorkit.EditUnit(open_oe_under(demo, ALLEROED), phone="12345678"))


# -- stewards ----------------------------------------------------------------------------------


def test_kommune_steward_inside_and_outside_its_scope(demo: sorkit.Register) -> None:
    kommune = demo.as_user("kommune")
    inside = open_oe_under(demo, ALLEROED)
    apply_ok(kommune, sorkit.EditUnit(inside, phone="48100000"))
    assert_denied(kommune, sorkit.EditUnit(open_oe_under(demo, HOVEDSTADEN), phone="48100001"))
    assert_denied(kommune, sorkit.EditUnit(outside_oe(demo), phone="48100002"))
    assert_denied(kommune, sorkit.EditUnit(ALLEROED, phone="48100003"))  # its IE: admin only
    assert check(demo).ok


def test_region_steward_inside_and_outside_its_scope(demo: sorkit.Register) -> None:
    region = demo.as_user("region")
    apply_ok(region, sorkit.EditUnit(open_oe_under(demo, HOVEDSTADEN), phone="38100000"))
    assert_denied(region, sorkit.EditUnit(open_oe_under(demo, ALLEROED), phone="38100001"))
    assert_denied(region, sorkit.EditUnit(HOVEDSTADEN, phone="38100002"))
    assert check(demo).ok


def test_steward_move_out_of_its_scope_is_never_silent(demo: sorkit.Register) -> None:
    """Moving an own OE under another organisation's unit is refused or needs a warning accepted.

    The rules check the moved unit's scope only; whether the new parent must be in scope too is
    reported to the rules engineer (docs/reliability.md). Without accepting, nothing is written.
    """
    kommune = demo.as_user("kommune")
    oe = open_oe_under(demo, ALLEROED)
    plan = kommune.plan(sorkit.MoveUnit(oe, open_oe_under(demo, HOVEDSTADEN)))
    assert {"PERMISSION_DENIED", "MOVE_OUTSIDE_OWN_ORGANISATION"} & set(plan.codes)
    before = state(demo)
    with pytest.raises(sorkit.ChangeRejected):
        kommune.apply(plan)
    assert state(demo) == before


def test_admin_cascade_close_audits_every_unit(demo: sorkit.Register) -> None:
    snap = demo.snapshot()
    si = next(
        c
        for c in sorted(snap.descendants(HOVEDSTADEN, TODAY))
        if snap.versions(c)[-1].level == "SI"
        and len(snap.descendants(c, TODAY)) > 3
        and demo.plan(sorkit.CloseUnit(c, TODAY + dt.timedelta(days=8), True, True)).ok
    )
    done = apply_ok(demo, sorkit.CloseUnit(si, TODAY + dt.timedelta(days=8), True, True))
    assert len(done.sor_codes) > 3


# -- cancel ------------------------------------------------------------------------------------


def test_cancel_needs_the_right_to_change_the_unit(demo: sorkit.Register) -> None:
    inside = open_oe_under(demo, ALLEROED)
    pending = apply_ok(
        demo,
        sorkit.EditUnit(inside, effective_from=TODAY + dt.timedelta(days=30), phone="48200000"),
    )
    for who in ("reader", "region"):
        before = state(demo)
        with pytest.raises(sorkit.ChangeRejected) as err:
            demo.as_user(who).cancel(pending.change_id, reason="nej")
        assert err.value.codes == ["PERMISSION_DENIED"], who
        assert state(demo) == before
    audit0 = demo.store.query("SELECT count(*) FROM audit")[0][0]
    cancelled = demo.as_user("kommune").cancel(pending.change_id, reason="fortrudt")
    assert demo.store.query(
        "SELECT sor_code, operation, recorded_by FROM audit WHERE change_id = ?",
        [cancelled.change_id],
    ) == [(inside, "cancel", "kommune")]
    assert demo.store.query("SELECT count(*) FROM audit")[0][0] == audit0 + 1
    assert check(demo).ok


# -- batch -------------------------------------------------------------------------------------


def _plan_file(tmp_path: Path, *codes: str) -> Path:
    path = tmp_path / "plan.csv"
    rows = "".join(f"edit,{c},48300000\n" for c in codes)
    path.write_text("operation,sor_code,phone\n" + rows, "utf-8")
    return path


def test_batch_by_a_reader_writes_nothing(demo: sorkit.Register, tmp_path: Path) -> None:
    reader = demo.as_user("reader")
    batch = sorkit.read_plan(_plan_file(tmp_path, open_oe_under(demo, ALLEROED)))
    report = reader.plan_batch(batch)
    assert "PERMISSION_DENIED" in report.codes
    before = state(demo)
    with pytest.raises(sorkit.ChangeRejected) as err:
        reader.apply_batch(report, accept={v.code: ACCEPT for _r, v in report.warnings})
    assert "PERMISSION_DENIED" in err.value.codes
    assert state(demo) == before


def test_batch_with_one_row_outside_the_scope_writes_nothing(
    demo: sorkit.Register, tmp_path: Path
) -> None:
    kommune = demo.as_user("kommune")
    inside = open_oe_under(demo, ALLEROED)
    batch = sorkit.read_plan(_plan_file(tmp_path, inside, open_oe_under(demo, HOVEDSTADEN)))
    report = kommune.plan_batch(batch)
    assert "PERMISSION_DENIED" in report.codes
    before = state(demo)
    with pytest.raises(sorkit.ChangeRejected):
        kommune.apply_batch(report, accept={v.code: ACCEPT for _r, v in report.warnings})
    assert state(demo) == before


def test_batch_inside_the_scope_audits_each_unit_once(
    demo: sorkit.Register, tmp_path: Path
) -> None:
    kommune = demo.as_user("kommune")
    snap = demo.snapshot()
    codes = [
        c
        for c in sorted(snap.descendants(ALLEROED, TODAY))
        if snap.versions(c)[-1].level == "OE" and snap.end(c) is None
    ][:3]
    report = kommune.plan_batch(sorkit.read_plan(_plan_file(tmp_path, *codes)))
    assert report.ok, report.codes
    audit0 = demo.store.query("SELECT count(*) FROM audit")[0][0]
    kommune.apply_batch(report, accept={v.code: ACCEPT for _r, v in report.warnings})
    rows = demo.store.query(
        "SELECT sor_code, count(*) FROM audit WHERE batch_id = ? GROUP BY 1 ORDER BY 1",
        [report.batch_id],
    )
    assert rows == [(c, 1) for c in sorted(codes)]
    assert demo.store.query("SELECT count(*) FROM audit")[0][0] == audit0 + len(codes)
    assert check(demo).ok


# -- import ------------------------------------------------------------------------------------


def test_only_an_admin_may_import(demo: sorkit.Register, tmp_path: Path) -> None:
    source = Path(__file__).parent / "fixtures" / "minimal.xml"
    for who in ("reader", "kommune", "region"):
        before = state(demo)
        with pytest.raises(SorImportError):
            sorkit.import_sor_xml(demo.as_user(who), source)
        assert state(demo) == before


# -- forms -------------------------------------------------------------------------------------


def test_edit_form_of_a_reader_or_out_of_scope_steward_writes_nothing(
    demo: sorkit.Register,
) -> None:
    from sorkit.widgets.forms_edit import EditForm

    code = open_oe_under(demo, HOVEDSTADEN)
    for who in ("reader", "kommune"):
        before = state(demo)
        form = EditForm(demo.as_user(who), sor_code=code)
        form.controls["name"].value = "Et nyt navn"
        assert form.apply() is None
        assert "PERMISSION_DENIED" in form.state.codes
        assert state(demo) == before
