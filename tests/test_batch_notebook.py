"""The batch notebook run through papermill on a copy of the demo register (acceptance)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest

import sorkit
from sorkit.notebooks import batch_notebook, run_batch
from tests.helpers import TODAY_TEXT as TODAY
from tests.helpers import code_of

pytestmark = pytest.mark.slow

PLANS = Path(__file__).parent / "data" / "plans"
SAMPLE = PLANS / "reorganise_alleroed.csv"
NEW_YEAR = dt.date(2027, 1, 1)
ACCEPT = {"PUBLIC_INFORMATION": "aftalt med tandplejen"}


def state(reg: sorkit.Register) -> tuple[int, ...]:
    return tuple(
        reg.store.query(f"SELECT count(*) FROM {t}")[0][0]
        for t in ("unit_events", "unit_versions", "audit", "batches")
    ) + (reg.store.generation(),)


def run(demo: sorkit.Register, plan: Path, out: Path, **params: object):  # type: ignore[no-untyped-def]
    return run_batch(
        demo.path,
        plan,
        out,
        today=TODAY,
        user="admin",
        effective_date="2027-01-01",
        accept=ACCEPT,
        **params,
    )


def test_notebook_has_a_parameters_cell() -> None:
    nb = nbformat.read(batch_notebook(), as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    for name in ("register", "plan", "dry_run", "effective_date", "user", "reason"):
        assert f"{name} = " in tagged[0].source
    for name in ("max_closures", "accept", "out", "today"):
        assert f"{name} = " in tagged[0].source


def test_dry_run_writes_nothing_and_leaves_its_artefacts(
    demo: sorkit.Register, tmp_path: Path
) -> None:
    before = state(demo)
    result = run(demo, SAMPLE, tmp_path / "out")
    assert result.ok, result.error
    assert state(demo) == before
    names = {p.name for p in result.files}
    assert {"reorganise.ipynb", "reorganise.html", "reorganise_rows.csv"} <= names
    rows = pd.read_csv(tmp_path / "out" / "reorganise_rows.csv")
    assert list(rows["row"]) == [2, 3, 4, 5, 6, 7]
    assert set(rows["status"]) == {"ok", "accepteret"}
    assert not rows["applied"].any()
    html = (tmp_path / "out" / "reorganise.html").read_text(encoding="utf-8")
    assert "Stab og Administration, Allerød" in html and "prøvekørsel" in html


def test_apply_makes_every_change(demo: sorkit.Register, tmp_path: Path) -> None:
    gen = demo.store.generation()
    result = run(demo, SAMPLE, tmp_path / "out", dry_run=False, reason="Ny stab")
    assert result.ok, result.error
    demo.refresh()
    assert demo.store.generation() == gen + 1  # one transaction
    rows = pd.read_csv(tmp_path / "out" / "reorganise_rows.csv", dtype={"sor_code": str})
    assert rows["applied"].all()
    new = rows.loc[rows["row"] == 2, "sor_code"].item()
    si = code_of(demo, "Sundhed og Omsorg, Allerød")
    # row 2: the new unit under the SI
    unit = demo.unit(new, as_of=NEW_YEAR)
    assert (unit.name, unit.parent, unit.valid_from) == (
        "Stab og Administration, Allerød",
        si,
        NEW_YEAR,
    )
    # rows 3 and 4: moved under it (Visitationen follows Sekretariatet)
    kids = demo.children(new, as_of=NEW_YEAR)
    assert set(kids["name"]) == {"Sekretariatet, Allerød", "Økonomi og Styring, Allerød"}
    secretariat = code_of(demo, "Sekretariatet, Allerød")
    assert set(demo.children(secretariat, as_of=NEW_YEAR)["name"]) == {"Visitationen, Allerød"}
    assert demo.unit(secretariat, as_of=dt.date(2026, 12, 31)).parent == si
    # row 5: renamed from the new year
    north = code_of(demo, "Hjemmeplejen Allerød Nord")
    assert demo.unit(north, as_of=NEW_YEAR).name == "Hjemmeplejen Allerød Nord og Vest"
    # row 6: closed, last day 31-12-2026
    west = code_of(demo, "Hjemmeplejen Allerød Vest")
    assert demo.unit(west).last_day == dt.date(2026, 12, 31)
    assert demo.unit(west, as_of=NEW_YEAR).status == "closed"
    # row 7: the new phone from its own date
    engholm = code_of(demo, "Tandplejen Engholmskolen")
    assert demo.unit(engholm, as_of=dt.date(2027, 2, 1)).phone == "48101010"
    assert demo.unit(engholm, as_of=dt.date(2027, 1, 31)).phone != "48101010"
    audit = demo.store.query_df(
        "SELECT batch_id, reason, accepted FROM audit WHERE batch_id IS NOT NULL"
    )
    assert len(audit) == 6 and set(audit["reason"]) == {"Ny stab"}
    assert json.loads(audit["accepted"].iloc[-1]) == ACCEPT


def test_a_plan_with_one_bad_row_is_refused_whole(demo: sorkit.Register, tmp_path: Path) -> None:
    plan = tmp_path / "plan.csv"
    text = SAMPLE.read_text(encoding="utf-8").rstrip("\n")
    blovstroed = code_of(demo, "Blovstrød Skole")
    si = code_of(demo, "Sundhed og Omsorg, Allerød")
    plan.write_text(text + f"\nmove,,{blovstroed},,{si},,Blovstrød Skole,,,,,,,\n", "utf-8")
    before = state(demo)
    result = run(demo, plan, tmp_path / "out", dry_run=False)
    assert not result.ok
    assert "Række 8" in result.error and "MOVE_SAME_PARENT" in result.error
    assert result.notebook.exists() and result.html is not None and result.html.exists()
    assert "Række 8" in result.html.read_text(encoding="utf-8")
    rows = pd.read_csv(tmp_path / "out" / "reorganise_rows.csv")
    assert rows.set_index("row").loc[8, "status"] == "fejl"
    assert not rows["applied"].any()
    demo.refresh()
    assert state(demo) == before


def test_a_plan_file_that_cannot_be_read_fails_with_every_problem(
    demo: sorkit.Register, tmp_path: Path
) -> None:
    plan = tmp_path / "plan.csv"
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace("@NYT1,,", "@NYT1,2026-13-01,")  # row 4
    lines[4] = lines[4].replace("edit,", "omdøb,", 1)  # row 5
    plan.write_text("\n".join(lines) + "\n", "utf-8")
    result = run(demo, plan, tmp_path / "out")
    assert not result.ok and result.error_name == "PlanError"
    assert "række 4, kolonne date: '2026-13-01' er ikke en gyldig dato" in result.error
    assert "række 5, kolonne operation" in result.error
    assert result.html is not None and "2026-13-01" in result.html.read_text(encoding="utf-8")
    problems = pd.read_csv(tmp_path / "out" / "reorganise_rows.csv")
    assert list(problems["row"]) == [4, 5]


def test_a_second_apply_of_the_same_plan_is_refused(demo: sorkit.Register, tmp_path: Path) -> None:
    first = run(demo, SAMPLE, tmp_path / "first", dry_run=False)
    assert first.ok, first.error
    copy = tmp_path / "same_plan.csv"
    shutil.copy(SAMPLE, copy)  # the same content under another name is the same plan
    demo.refresh()
    before = state(demo)
    again = run(demo, copy, tmp_path / "again", dry_run=False)
    assert not again.ok
    assert again.error_name == "BatchAlreadyApplied"
    assert "allerede gennemført" in again.error and "af admin" in again.error
    demo.refresh()
    assert state(demo) == before
