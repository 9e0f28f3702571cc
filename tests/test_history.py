"""history(): one readable row per change; cancelled changes only on request."""

from __future__ import annotations

import datetime as dt

import pytest

import sorkit
from sorkit import CloseUnit, EditUnit, MoveUnit, SetLocationNumber
from sorkit.history import HISTORY_COLUMNS
from tests.helpers_rules import Units, address, day, location_number

#: Every register test here runs on DuckDB and on PostgreSQL (tests/pgfixtures.py).
pytestmark = pytest.mark.engines

TBS = "Tandplejen Blovstrød Skole"
BS = "Blovstrød Skole"


def rows_of(reg: sorkit.Register, code: str, change_id: str, **kw: bool) -> list[dict]:
    h = reg.history(code, **kw)
    return h[h.change_id == change_id].to_dict("records")


def test_each_change_is_one_readable_row(demo: sorkit.Register) -> None:
    u = Units(demo)
    edit = demo.apply(
        demo.plan(EditUnit(u[TBS], day(3), name="Tandplejen Blovstrød")), reason="nyt navn"
    )
    move = demo.apply(demo.plan(MoveUnit(u[TBS], u[BS], day(5))))
    gln = demo.apply(
        demo.plan(SetLocationNumber(u[TBS], location_number(), effective_from=day(6))),
        accept={},
    )
    addr = demo.apply(
        demo.plan(EditUnit(u[TBS], day(8), visiting_address=address())),
    )
    h = demo.history(u[TBS])
    assert list(h.columns) == HISTORY_COLUMNS
    assert list(h.effective_date) == sorted(h.effective_date)
    [e] = rows_of(demo, u[TBS], edit.change_id)
    assert e["changes"] == f"Navn: {TBS} -> Tandplejen Blovstrød"
    assert (e["operation"], e["effective_date"], e["recorded_by"], e["reason"]) == (
        "Rediger",
        day(3),
        "admin",
        "nyt navn",
    )
    assert e["recorded_at"] is not None and not e["cancelled"]
    [m] = rows_of(demo, u[TBS], move.change_id)
    tp = "Allerød Kommunes Tandpleje"
    assert m["changes"] == f"Overliggende enhed: {tp} ({u[tp]}) -> {BS} ({u[BS]})"
    [g] = rows_of(demo, u[TBS], gln.change_id)
    assert "Lokationsnummer: 5790090002545 -> 5790000123452" not in g["changes"]
    assert "Lokationsnummer: - -> 5790000123452" in g["changes"]
    assert "Nedarv lokationsnummer: ja -> nej" in g["changes"]
    [a] = rows_of(demo, u[TBS], addr.change_id)
    first = address()  # the register's first sample address, with its city
    assert a["changes"] == f"Besøgsadresse: - -> {first.one_line()}"


def test_create_and_close_rows(demo: sorkit.Register) -> None:
    u = Units(demo)
    close = demo.apply(demo.plan(CloseUnit(u[TBS], day(30), confirm=True)))
    h = demo.history(u[TBS])
    first = h.iloc[0]
    assert first.operation in ("Opret", "Import") and first.changes.startswith("oprettet under")
    [c] = rows_of(demo, u[TBS], close.change_id)
    assert c["operation"] == "Luk" and c["effective_date"] == day(30)
    assert c["changes"] == f"lukket (sidste gyldige dag {day(30):%d-%m-%Y})"


def test_cancelled_changes_only_on_request(demo: sorkit.Register) -> None:
    u = Units(demo)
    edit = demo.apply(demo.plan(EditUnit(u[TBS], day(3), name="Fejl")))
    undo = demo.cancel(edit.change_id, reason="tastefejl")
    assert rows_of(demo, u[TBS], edit.change_id) == []
    [row] = rows_of(demo, u[TBS], edit.change_id, include_cancelled=True)
    assert row["cancelled"] and row["cancelled_by"] == undo.change_id
    assert row["cancel_reason"] == "tastefejl"
    assert row["changes"] == f"Navn: {TBS} -> Fejl"
    assert not demo.history(u[TBS]).cancelled.any()


def test_accepted_warnings_are_shown(demo: sorkit.Register) -> None:
    u = Units(demo)
    kommune = demo.as_user("kommune")
    plan = kommune.plan(MoveUnit(u[TBS], u.sengeafsnit(), day(2)))
    why = {"MOVE_OUTSIDE_OWN_ORGANISATION": "aftalt med regionen"}
    applied = kommune.apply(plan, accept=why)
    [row] = rows_of(demo, u[TBS], applied.change_id)
    assert row["accepted"] == "MOVE_OUTSIDE_OWN_ORGANISATION: aftalt med regionen"


def test_notices_need_no_acceptance_and_show_nothing_accepted(demo: sorkit.Register) -> None:
    u = Units(demo)
    plan = demo.plan(EditUnit(u[TBS], day(2), email="tand@alleroed.dk"))
    applied = demo.apply(plan)
    [row] = rows_of(demo, u[TBS], applied.change_id)
    assert row["accepted"] == ""
    assert row["changes"] == "E-mail: - -> tand@alleroed.dk"


def test_unknown_unit(demo: sorkit.Register) -> None:
    with pytest.raises(sorkit.UnitNotFound):
        demo.history(sorkit.ids.make_sor_code(987654))


def test_preview_is_readable(demo: sorkit.Register) -> None:
    u = Units(demo)
    plan = demo.plan(EditUnit(u[TBS], day(3), name="Tandplejen Blovstrød"))
    new = plan.preview[plan.preview.action == "ny"]
    assert f"Navn: {TBS} -> Tandplejen Blovstrød" in new.changes.tolist()
    assert dt.date(2026, 12, 4) in new.valid_from.tolist()
