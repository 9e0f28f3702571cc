"""Lokationsnummer: give a unit its own location number, inherit the parent's, or none."""

from __future__ import annotations

import html
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from sorkit.changes import SetLocationNumber
from sorkit.errors import SorkitError
from sorkit.texts import LOCATION_NUMBER_TEXTS as X
from sorkit.widgets.controls import date_field, location_block, text_field
from sorkit.widgets.datedefaults import default_date
from sorkit.widgets.forms_base import FormBase, T, sor_code_or_problem
from sorkit.widgets.state import INHERIT, NEW, OWN, FormState, LocationFields, LocationValues

if TYPE_CHECKING:
    from sorkit.engine import Applied
    from sorkit.register import Register


class LocationNumberForm(FormBase):
    """Lokationsnummer (guide p.19-21): own number with EDI fields, inherit, or none.

    A unit without a number of its own gets "Nyt lokationsnummer" as the default: the next free
    number of the register's range is given when the change is saved (shown under the form
    while planning, and in the result); typing an existing number is the exception.

    Keys of ``controls``: ``sor_code``, ``effective_from`` (default tomorrow),
    ``location_mode`` (``"new"``, ``"own"``, ``"inherit"``, ``"none"``), ``gln``, ``region``,
    ``edb_system``, ``system_supplier``, ``net_operator``, ``administrator``,
    ``only_internal``, ``inactive``, ``edi_types``, ``reason`` and ``apply``.
    """

    apply_label = T["save_location"]
    date_path = "effective_from"

    def __init__(self, reg: Register, sor_code: str | None = None, **kwargs: Any):
        """Build the form, loading the unit's own location number if ``sor_code`` is given."""
        super().__init__(reg, LocationValues(), **kwargs)
        self.heading = w.HTML()
        self.number_note = w.HTML()
        self.controls["number_note"] = self.number_note
        self.finish(
            [
                self.heading,
                text_field(self, "sor_code", "sor_code", T["unit"]),
                date_field(self, "effective_from", "effective_from", T["effective_from"]),
                location_block(self, "location"),
                self.number_note,
            ]
        )
        self.set_unit(sor_code)

    def set_unit(self, sor_code: str | None) -> None:
        """Load the unit's own location number (or the inherit flag)."""
        if (sor_code or "") != self.values.sor_code:
            self.reset_state()
        self._load(sor_code or "")
        self.push_values()
        if sor_code:
            self.validate()

    def _load(self, sor_code: str) -> None:
        from sorkit.widgets.details import unit_label

        day = default_date(self.reg, "location_number", sor_code)
        location = LocationFields(mode=NEW)
        if sor_code:
            try:
                own = self.reg.unit(sor_code, as_of=day).own
            except (SorkitError, ValueError):
                pass
            else:
                location = LocationFields.from_stored(
                    own.get("location_number"), bool(own.get("inherit_location_number"))
                )
                if location.mode not in (OWN, INHERIT):
                    location = replace(location, mode=NEW)
        self.values = LocationValues(
            sor_code=sor_code,
            effective_from=day,
            location=location,
            reason=self.values.reason if sor_code == self.values.sor_code else "",
        )
        self.heading.value = f"<h4>{T['tabs_location']}: {unit_label(self.reg, sor_code)}</h4>"

    def values_changed(self, key: str) -> None:
        """Typing another SOR code loads that unit."""
        if key == "sor_code":
            self._load(self.values.sor_code.strip())
            self.push_values()

    def validate(self) -> FormState:
        """Plan as the base form does, and say which new number the unit will get."""
        state = super().validate()
        gln = getattr(state.plan, "allocated_gln", None) if state.plan is not None else None
        if gln:
            self.number_note.value = f"<b>{html.escape(X['will_get'].format(gln=gln))}</b>"
        elif self.values.location.mode == NEW and not state.problem:
            self.number_note.value = f"<b style='color:#a00'>{X['cannot_give']}</b>"
        else:
            self.number_note.value = ""
        medcom = self.controls.get("reason_GLN_MUNICIPAL_CONTACT_MEDCOM")
        if medcom is not None:  # the MedCom agreement is the reason for accepting the warning
            medcom.placeholder = X["medcom_reason"]
        return state

    def after_apply(self, applied: Applied) -> None:
        """Reload the unit (it now holds its number from the date) and name the number given."""
        state = self.state
        self._load(self.values.sor_code)
        self.values = replace(self.values, reason="")
        self.push_values()
        given = applied.location_number
        if given:
            text = html.escape(X["given"].format(gln=given))
            state = replace(state, message=f"{state.message}<br><b>{text}</b>")
        self.state = state
        self.number_note.value = ""
        self._render()

    def build_change(self) -> Any:
        """SetLocationNumber from the values."""
        code = sor_code_or_problem(self.values.sor_code)
        location = self.values.location
        return SetLocationNumber(
            code,
            location_number=location.to_location_number(),
            inherit=location.mode == INHERIT,
            effective_from=self.values.effective_from,
        )
