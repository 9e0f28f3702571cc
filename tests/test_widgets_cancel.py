"""Annuller ændring in Detaljer and Historik: confirmation, reason, permissions, refresh."""

from __future__ import annotations

import sorkit
from sorkit import MoveUnit
from sorkit.widgets import StewardApp
from sorkit.widgets.details import UnitDetails
from sorkit.widgets.history import HistoryPanel
from tests.helpers_rules import Units, day

TBS = "Tandplejen Blovstrød Skole"
BS = "Blovstrød Skole"


def pending_move(demo: sorkit.Register) -> tuple[str, str, str]:
    u = Units(demo)
    applied = demo.as_user("kommune").apply(
        demo.as_user("kommune").plan(MoveUnit(u[TBS], u[BS], day(10)))
    )
    return u[TBS], u[BS], applied.change_id


def test_cancel_from_details_asks_wants_a_reason_and_cancels(demo: sorkit.Register) -> None:
    code, target, change_id = pending_move(demo)
    kommune = demo.as_user("kommune")
    details = UnitDetails(kommune, code)
    box = details.controls["pending"]
    assert change_id in set(box.frame["change_id"])
    box.controls[f"cancel_{change_id}"].click()
    assert box.asking == change_id
    assert "Vil du annullere ændringen (flyt pr. 11-12-2026" in box.controls["question"].value
    assert box.controls["cancel_ok"].disabled  # no reason yet
    box.controls["cancel_reason"].value = "flyttet ved en fejl"
    assert not box.controls["cancel_ok"].disabled
    box.controls["cancel_ok"].click()
    assert "er annulleret" in box.controls["message"].value
    assert change_id not in set(box.frame.get("change_id", []))
    assert kommune.unit(code, as_of=day(12)).parent != target
    row = kommune.history(code, include_cancelled=True).set_index("change_id").loc[change_id]
    assert bool(row["cancelled"]) and row["cancel_reason"] == "flyttet ved en fejl"


def test_back_button_cancels_nothing(demo: sorkit.Register) -> None:
    code, target, change_id = pending_move(demo)
    box = UnitDetails(demo, code).controls["pending"]
    box.controls[f"cancel_{change_id}"].click()
    box.controls["cancel_reason"].value = "nej"
    box.controls["cancel_back"].click()
    assert box.asking is None
    assert demo.unit(code, as_of=day(12)).parent == target


def test_reader_sees_no_cancel_button_and_outsider_is_refused(demo: sorkit.Register) -> None:
    code, _target, change_id = pending_move(demo)
    reader = UnitDetails(demo.as_user("reader"), code).controls["pending"]
    assert f"cancel_{change_id}" not in reader.controls
    region = UnitDetails(demo.as_user("region"), code).controls["pending"]
    region.controls[f"cancel_{change_id}"].click()
    region.controls["cancel_reason"].value = "prøver"
    region.controls["cancel_ok"].click()
    assert "kunne ikke annulleres" in region.controls["message"].value
    assert change_id in set(demo.pending()["change_id"])


def test_cancel_from_history(demo: sorkit.Register) -> None:
    code, _target, change_id = pending_move(demo)
    panel = HistoryPanel(demo.as_user("kommune"), code)
    box = panel.controls["pending"]
    box.controls[f"cancel_{change_id}"].click()
    box.controls["cancel_reason"].value = "tastefejl"
    assert box.confirm()
    assert "Flyt" not in set(panel.history["operation"]) or change_id not in set(
        panel.history["change_id"]
    )


def test_app_reflects_a_cancel_at_once(demo: sorkit.Register) -> None:
    code, target, change_id = pending_move(demo)
    app = StewardApp(demo.as_user("kommune"))
    app.open_unit(code)
    app.tree.controls["as_of"].value = day(12)
    assert app.details.unit.parent == target
    box = app.details.controls["pending"]
    box.controls[f"cancel_{change_id}"].click()
    box.controls["cancel_reason"].value = "fejl"
    box.controls["cancel_ok"].click()
    assert app.details.unit.parent != target
    assert app.tree._parent.get(code) != target


def test_history_table_is_readable(demo: sorkit.Register) -> None:
    code, _target, change_id = pending_move(demo)
    demo.cancel(change_id, reason="fejl")
    panel = HistoryPanel(demo, code)
    panel.controls["include_cancelled"].value = True
    html = panel.controls["table"].value
    assert "demo-" not in html and change_id not in html  # no internal ids
    assert "False" not in html and "True" not in html
    assert ">ja: fejl<" in html and ">nej<" in html
    assert "11-12-2026" in html and "2026-12-11" not in html
