"""Form state without widgets: values to change values, and when apply is allowed."""

from __future__ import annotations

import datetime as dt

from sorkit.changes import SAME_AS_POSTAL, SAME_AS_VISITING, EditUnit
from sorkit.model import Address
from sorkit.rules.codes import violation
from sorkit.widgets.state import (
    INHERIT,
    OWN,
    AddressFields,
    FormState,
    LocationFields,
    UnitFields,
    create_change,
    edit_change,
    get_at,
    replace_at,
)


def test_blank_fields_make_an_inheriting_create() -> None:
    change = create_change("1610441000016000", UnitFields(name=" X "), dt.date(2026, 12, 8))
    assert change.name == "X"
    assert change.postal_address is None
    assert change.visiting_address == SAME_AS_POSTAL
    assert change.activity_address == SAME_AS_VISITING
    assert change.location_number is None and not change.inherit_location_number
    assert change.local_attributes == ()


def test_own_address_and_location_number() -> None:
    fields = UnitFields(
        postal=AddressFields(mode=OWN, street="Kongevejen", house_number="2", postcode="3450"),
        location=LocationFields(mode=OWN, gln="579 0000 123456", edi_types=("XDIS01",)),
        local_attributes=("a", "", "b", "", ""),
    )
    values = fields.assignments()
    assert values["postal_address"] == Address("Kongevejen", "2", "3450")
    assert values["location_number"].gln == "5790000123456"
    assert values["local_attributes"] == ("a", "", "b")  # slot 3 stays slot 3
    assert get_at(fields, "postal.street") == "Kongevejen"


def test_replace_at_returns_new_values() -> None:
    fields = UnitFields()
    changed = replace_at(fields, "postal.mode", OWN)
    assert fields.postal.mode == INHERIT
    assert changed.postal.mode == OWN


def test_edit_change_holds_only_changed_fields() -> None:
    own = {"name": "A", "unit_type": "1", "phone": "11223344", "inherit_electronic": False}
    original = UnitFields.from_own(own)
    assert edit_change("1610441000016000", original, original, None) is None
    renamed = replace_at(original, "name", "B")
    change = edit_change("1610441000016000", original, renamed, dt.date(2026, 12, 2))
    assert isinstance(change, EditUnit)
    assert change.fields == {"name": "B"}
    phone = replace_at(original, "phone", "99887766")
    fields = edit_change("1610441000016000", original, phone, None).fields  # type: ignore[union-attr]
    assert fields["phone"] == "99887766" and fields["inherit_electronic"] is False


def test_apply_needs_every_warning_accepted_with_a_reason() -> None:
    warning = violation("MOVE_OUTSIDE_OWN_ORGANISATION", "1", parent="x", organisation="y")
    state = FormState(violations=(warning,), plan=object())
    assert not state.can_apply
    state = FormState(violations=(warning,), plan=object(), accepted=frozenset({warning.code}))
    assert not state.can_apply  # no reason yet
    state = FormState(
        violations=(warning,),
        plan=object(),
        accepted=frozenset({warning.code}),
        reasons={warning.code: "aftalt"},
    )
    assert state.can_apply and state.accept == {warning.code: "aftalt"}
    error = violation("NAME_REQUIRED", "1")
    assert not FormState(violations=(error,), plan=object()).can_apply
