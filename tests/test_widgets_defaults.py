"""Form dates start at the earliest allowed for the unit; forms reset when another unit is chosen."""

from __future__ import annotations

import sorkit
from sorkit.widgets import StewardApp
from tests.helpers_rules import OE_TYPE, Units, day

TP = "Allerød Kommunes Tandpleje"
TBS = "Tandplejen Blovstrød Skole"
BS = "Blovstrød Skole"


def future_unit(demo: sorkit.Register) -> str:
    """A unit created today that starts in 10 days."""
    u = Units(demo)
    change = sorkit.CreateUnit(
        parent=u[TP], name="Tandplejen Næste Uge", unit_type=OE_TYPE, valid_from=day(10),
        inherit_electronic=True,
    )  # fmt: skip
    return demo.apply(demo.plan(change)).sor_codes[0]


def test_a_unit_that_starts_later_defaults_to_its_start(demo: sorkit.Register) -> None:
    code = future_unit(demo)
    app = StewardApp(demo)
    app.select(code)
    assert app.edit_form.controls["effective_from"].value == day(10)
    assert app.move_form.controls["effective_from"].value == day(10)
    assert app.location_form.controls["effective_from"].value == day(10)
    assert app.close_form.controls["last_day"].value == day(10)
    assert "tidligst 11-12-2026" in app.close_form.earliest.value
    app.edit_form.controls["name"].value = "Tandplejen Næste Uge og Ugen Efter"
    assert not app.edit_form.state.errors, app.edit_form.state.codes  # not rejected


def test_forms_reset_when_another_unit_is_chosen(demo: sorkit.Register) -> None:
    u = Units(demo)
    app = StewardApp(demo)
    app.select(u[TBS])
    app.move_form.controls["effective_from"].value = day(30)
    app.move_form.controls["new_parent"].value = u[BS]
    app.close_form.controls["last_day"].value = day(60)
    app.edit_form.controls["reason"].value = "noget"
    app.select(u[BS])
    assert app.move_form.controls["effective_from"].value == day(1)
    assert app.move_form.controls["new_parent"].value == ""
    assert app.close_form.controls["last_day"].value == day(7)
    assert app.edit_form.controls["reason"].value == ""
    assert app.move_form.state.accepted == frozenset()


def find_parent(root, widget):  # type: ignore[no-untyped-def]
    for child in getattr(root, "children", ()):
        if child is widget:
            return root
        found = find_parent(child, widget)
        if found is not None:
            return found
    return None


def test_findings_sit_beside_their_field(demo: sorkit.Register) -> None:
    u = Units(demo)
    form = StewardApp(demo).create_form
    form.set_unit(u[TP])
    name_note = form.field_notes["name"]
    assert "Navn skal udfyldes" in name_note.value and name_note.layout.display == ""
    box = find_parent(form, form.controls["name"])
    kids = list(box.children)
    assert kids[kids.index(form.controls["name"]) + 1] is name_note
    form.controls["name"].value = "Tandplejen Ny"
    assert name_note.value == "" and name_note.layout.display == "none"
    form.controls["valid_from"].value = day(2)
    assert "for tidlig" in form.field_notes["valid_from"].value
    form.controls["inherit_electronic"].value = False
    form.controls["phone"].value = "12"
    assert "Telefonnummeret '12' er ugyldigt" in form.field_notes["phone"].value.replace(
        "&#x27;", "'"
    )
    assert "Navn" not in form.field_notes["phone"].value


def test_move_without_new_parent_asks_for_it_not_for_a_unit(demo: sorkit.Register) -> None:
    u = Units(demo)
    app = StewardApp(demo)
    app.select(u[TBS])
    assert "nye overliggende enhed" in app.move_form.state.problem
    assert "Vælg først en enhed" not in app.move_form.state.problem
