"""Planning and applying batches: row after row on the register as it will be, all or nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import sorkit
from sorkit.batch import Batch, BatchAlreadyApplied, BatchRejected, read_plan
from tests.helpers import code_of

PLANS = Path(__file__).parent / "data" / "plans"
NEW_YEAR = dt.date(2027, 1, 1)
ACCEPT = {"PUBLIC_INFORMATION": "aftalt med tandplejen"}


def counts(reg: sorkit.Register) -> tuple[int, ...]:
    return tuple(
        reg.store.query(f"SELECT count(*) FROM {t}")[0][0]
        for t in ("unit_events", "unit_versions", "audit", "batches")
    ) + (reg.store.generation(),)


@pytest.fixture
def sample() -> Batch:
    return read_plan(PLANS / "reorganise_alleroed.csv", default_date=NEW_YEAR)


def test_sample_plan_names_match_the_demo(demo: sorkit.Register, sample: Batch) -> None:
    # the sample plan states each unit's name, so a drifting demo is caught here
    report = demo.plan_batch(sample)
    assert "BATCH_ROW_INVALID" not in report.codes


def test_plan_batch_has_no_side_effects_and_reports_every_row(
    demo: sorkit.Register, sample: Batch
) -> None:
    before = counts(demo)
    report = demo.plan_batch(sample, max_closures=5)
    assert counts(demo) == before
    table = report.violations
    assert list(table["row"]) == [2, 3, 4, 5, 6, 7]
    assert list(table.columns[:8]) == [
        "row",
        "operation",
        "sor_code",
        "name",
        "effective_date",
        "status",
        "codes",
        "messages",
    ]
    assert report.ok
    assert report.summary["rows"] == 6
    assert report.summary["move"] == 2 and report.summary["create"] == 1
    assert report.summary["closures"] == 1
    # later rows see earlier rows: the moves go under the unit the first row creates
    new_code = report.rows[0].sor_code
    assert report.rows[1].change.new_parent == new_code
    preview = report.preview.set_index("sor_code")
    secretariat = code_of(demo, "Sekretariatet, Allerød")
    assert preview.loc[secretariat, "before"].endswith(
        "Sundhed og Omsorg, Allerød / Sekretariatet, Allerød"
    )
    assert preview.loc[secretariat, "after"].endswith(
        "Stab og Administration, Allerød / Sekretariatet, Allerød"
    )
    assert preview.loc[new_code, "before"] == ""
    west = code_of(demo, "Hjemmeplejen Allerød Vest")
    assert preview.loc[west, "status_after"] == "lukket"


def test_apply_batch_writes_everything_in_one_transaction(
    demo: sorkit.Register, sample: Batch
) -> None:
    report = demo.plan_batch(sample)
    gen = demo.store.generation()
    with pytest.raises(BatchRejected) as info:
        demo.apply_batch(report)  # the PUBLIC_INFORMATION warning is not accepted
    assert "Række 7" in str(info.value)
    assert demo.store.generation() == gen
    done = demo.apply_batch(report, accept=ACCEPT, reason="Ny stab")
    assert demo.store.generation() == gen + 1
    new = done.sor_codes[0]
    unit = demo.unit(new, as_of=NEW_YEAR)
    assert unit.name == "Stab og Administration, Allerød"
    assert unit.parent == code_of(demo, "Sundhed og Omsorg, Allerød")
    kids = set(demo.children(new, as_of=NEW_YEAR)["name"])
    assert kids == {"Sekretariatet, Allerød", "Økonomi og Styring, Allerød"}
    north = code_of(demo, "Hjemmeplejen Allerød Nord")
    assert demo.unit(north, as_of=NEW_YEAR).name == "Hjemmeplejen Allerød Nord og Vest"
    assert demo.unit(code_of(demo, "Hjemmeplejen Allerød Vest")).last_day == dt.date(2026, 12, 31)
    engholm = code_of(demo, "Tandplejen Engholmskolen")
    assert demo.unit(engholm, as_of=dt.date(2027, 2, 1)).phone == "48101010"
    audit = demo.store.query_df(
        "SELECT change_id, sor_code, batch_id, reason, accepted FROM audit WHERE batch_id = ?",
        [done.batch_id],
    )
    assert len(audit) == 6 and set(audit["reason"]) == {"Ny stab"}
    assert audit["accepted"].str.contains("PUBLIC_INFORMATION").sum() == 1
    (batch_row,) = demo.store.query(
        "SELECT batch_id, plan_hash, row_count, applied_by FROM batches"
    )
    assert batch_row == (done.batch_id, report.plan_hash, 6, "admin")


def test_second_apply_of_the_same_plan_is_refused(demo: sorkit.Register, sample: Batch) -> None:
    first = demo.apply_batch(demo.plan_batch(sample, accept=ACCEPT))
    again = read_plan(PLANS / "reorganise_alleroed.csv", default_date=NEW_YEAR)
    report = demo.plan_batch(again, accept=ACCEPT)
    assert report.already_applied is not None
    assert report.summary["can_apply"] is False
    before = counts(demo)
    with pytest.raises(BatchAlreadyApplied) as info:
        demo.apply_batch(report)
    assert first.batch_id in str(info.value) and "af admin" in str(info.value)
    assert "allerede gennemført" in str(info.value)
    assert counts(demo) == before


def test_a_bad_row_refuses_the_whole_plan(demo: sorkit.Register, sample: Batch) -> None:
    bad = Batch(
        list(sample) + [sorkit.MoveUnit(code_of(demo, "Blovstrød Skole"), "1610441000016000")],
        rows=sample.rows + [8],
        refs=sample.refs,
    )
    report = demo.plan_batch(bad, accept=ACCEPT)
    assert not report.ok
    assert report.violations.set_index("row").loc[8, "status"] == "fejl"
    before = counts(demo)
    with pytest.raises(BatchRejected) as info:
        demo.apply_batch(report)
    assert "Række 8" in str(info.value) and "MOVE_SAME_PARENT" in str(info.value)
    assert counts(demo) == before


def test_conflicting_rows_of_one_unit(demo: sorkit.Register) -> None:
    secretariat = code_of(demo, "Sekretariatet, Allerød")
    economy = code_of(demo, "Økonomi og Styring, Allerød")
    west = code_of(demo, "Hjemmeplejen Allerød Vest")
    batch = [
        sorkit.MoveUnit(secretariat, economy, NEW_YEAR),
        sorkit.MoveUnit(secretariat, code_of(demo, "Hjemmeplejen Allerød"), NEW_YEAR),
        sorkit.CloseUnit(west, dt.date(2026, 12, 31), confirm=True),
        sorkit.EditUnit(west, dt.date(2026, 12, 20), name="Vest"),
        sorkit.EditUnit(economy, NEW_YEAR, phone="48100001"),
        sorkit.EditUnit(economy, NEW_YEAR, phone="48100002"),
        sorkit.EditUnit(economy, dt.date(2027, 2, 1), phone="48100003"),
    ]
    report = demo.plan_batch(batch, accept={"PUBLIC_INFORMATION": "ok"})
    dup = {
        r.row: r.violations[0].details.get("other_row")
        for r in report.rows
        if "BATCH_DUPLICATE_ROW" in [v.code for v in r.violations]
    }
    assert dup == {2: 1, 4: 3, 6: 5}
    assert report.rows[6].ok  # another date: a later change, not a conflict


def test_too_many_closures_counts_cascades(demo: sorkit.Register) -> None:
    care = code_of(demo, "Hjemmeplejen Allerød")
    batch = [sorkit.CloseUnit(care, dt.date(2027, 3, 31), confirm=True, cascade=True)]
    report = demo.plan_batch(batch, max_closures=3)
    assert report.closures == 5  # the unit and its four districts
    assert report.codes[-1] == "BATCH_TOO_MANY_CLOSURES"
    assert not report.ok
    assert demo.plan_batch(batch, max_closures=5).ok


def test_references_to_a_failed_create_and_unknown_refs(demo: sorkit.Register) -> None:
    si = code_of(demo, "Sundhed og Omsorg, Allerød")
    secretariat = code_of(demo, "Sekretariatet, Allerød")
    batch = Batch(
        [
            sorkit.CreateUnit(
                parent=si, name="", unit_type="550811000005108", inherit_electronic=True
            ),
            sorkit.MoveUnit(secretariat, "@NY", NEW_YEAR),
            sorkit.MoveUnit(secretariat, "@ANDEN", NEW_YEAR),
        ],
        refs={0: "NY"},
    )
    report = demo.plan_batch(batch)
    assert not report.rows[0].ok
    assert report.rows[1].violations[0].code == "BATCH_ROW_INVALID"
    assert "række 1" in report.rows[1].violations[0].message
    assert report.rows[2].violations[0].code == "BATCH_ROW_INVALID"


def test_a_stated_name_that_does_not_match_the_code(demo: sorkit.Register, tmp_path: Path) -> None:
    path = tmp_path / "plan.csv"
    path.write_text(
        "operation,sor_code,name,date,confirm\n"
        f"close,{code_of(demo, 'Hjemmeplejen Allerød Øst')},Hjemmeplejen Allerød Vest,2026-12-31,ja\n",
        encoding="utf-8",
    )
    report = demo.plan_batch(read_plan(path))
    assert report.codes == ["BATCH_ROW_INVALID"]
    assert "Tjek SOR-koden" in report.rows[0].violations[0].message


def test_concurrent_write_replans_then_applies_or_refuses(demo: sorkit.Register) -> None:
    economy = code_of(demo, "Økonomi og Styring, Allerød")
    secretariat = code_of(demo, "Sekretariatet, Allerød")
    batch = [sorkit.MoveUnit(economy, secretariat, NEW_YEAR)]
    report = demo.plan_batch(batch)
    other = sorkit.open_register(demo.path, user="admin", today=demo.today)
    # an unrelated change meanwhile: the batch is re-planned and still holds
    other.apply(
        other.plan(sorkit.EditUnit(code_of(demo, "Visitationen, Allerød"), name="Visitation"))
    )
    done = demo.apply_batch(report)
    assert demo.unit(economy, as_of=NEW_YEAR).parent == secretariat
    # now a change that breaks a planned row: the batch is refused, nothing written
    west = code_of(demo, "Hjemmeplejen Allerød Vest")
    batch2 = [sorkit.EditUnit(west, dt.date(2027, 2, 1), name="Vest 2")]
    report2 = demo.plan_batch(batch2)
    assert report2.ok
    other.refresh()
    other.apply(other.plan(sorkit.CloseUnit(west, dt.date(2026, 12, 31), confirm=True)))
    before = counts(demo)
    with pytest.raises(BatchRejected) as info:
        demo.apply_batch(report2)
    assert "ændret siden" in str(info.value)
    assert counts(demo) == before
    assert done.row_count == 1


def test_the_example_plan_holds_on_the_demo(demo: sorkit.Register, tmp_path: Path) -> None:
    from sorkit.batch import example_plan

    path = example_plan(demo, tmp_path / "example.csv")
    report = demo.plan_batch(read_plan(path))
    assert report.ok, report.message()
    assert set(report.codes) == {"PUBLIC_INFORMATION"}
    assert report.rows[0].effective_date == NEW_YEAR  # the first of a month, late enough
    with pytest.raises(LookupError):
        example_plan(sorkit.open_register(None, user="x", today=demo.today), tmp_path / "x.csv")


def test_two_applies_of_one_plan_at_once_write_it_once(
    demo: sorkit.Register, sample: Batch
) -> None:
    import threading

    regs = [sorkit.open_register(demo.path, user="admin", today=demo.today) for _ in range(2)]
    reports = [r.plan_batch(sample, accept=ACCEPT) for r in regs]
    outcomes: list[str] = []

    def apply(i: int) -> None:
        try:
            regs[i].apply_batch(reports[i])
            outcomes.append("applied")
        except BatchAlreadyApplied:
            outcomes.append("already")
        except BatchRejected as exc:  # the loser may also find its rows no longer hold
            outcomes.append("rejected" if "allerede" not in str(exc) else "already")

    threads = [threading.Thread(target=apply, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(outcomes) == 2 and outcomes.count("applied") == 1, outcomes
    assert demo.store.query("SELECT count(*) FROM batches")[0][0] == 1
