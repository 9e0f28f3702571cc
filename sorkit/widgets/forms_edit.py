"""Rediger OE: change a unit's fields from a date (guide p.11); in force tomorrow by default."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from sorkit import refdata
from sorkit.errors import SorkitError
from sorkit.ids import is_valid_sor_code
from sorkit.widgets.controls import date_field, text_field
from sorkit.widgets.forms_base import FormBase, InputProblem, T, sor_code_or_problem
from sorkit.widgets.forms_create import unit_field_blocks
from sorkit.widgets.state import EditValues, UnitFields, edit_change

if TYPE_CHECKING:
    from sorkit.engine.values import Applied
    from sorkit.register import Register


class EditForm(FormBase):
    """Rediger OE for one unit, prefilled from the unit's OWN stored values (``Unit.own``).

    Only the fields the steward changes go into the ``EditUnit``. Keys of ``controls``: as
    :class:`~sorkit.widgets.CreateForm` (without ``parent``), plus ``sor_code`` and
    ``effective_from``; the button is ``apply``.
    """

    apply_label = T["save"]
    date_path = "effective_from"

    def __init__(self, reg: Register, sor_code: str | None = None, **kwargs: Any):
        """Build the form, loading ``sor_code`` if given."""
        super().__init__(reg, EditValues(), **kwargs)
        self.heading = w.HTML()
        self.finish(
            [
                self.heading,
                text_field(self, "sor_code", "sor_code", T["unit"]),
                date_field(self, "effective_from", "effective_from", T["effective_from"]),
                *unit_field_blocks(self, "fields"),
            ]
        )
        self.set_unit(sor_code)

    def set_unit(self, sor_code: str | None) -> None:
        """Load the unit's own values into the form (date default: tomorrow)."""
        self._load(sor_code or "")
        self.push_values()
        self.validate()

    def _load(self, sor_code: str) -> None:
        from sorkit.widgets.details import unit_label

        day = self.reg.earliest_date("edit")
        original = UnitFields()
        level = "OE"
        if sor_code and is_valid_sor_code(sor_code):
            try:
                unit = self.reg.unit(sor_code, as_of=day)
            except (SorkitError, ValueError):
                pass
            else:
                original = UnitFields.from_own(unit.own)
                level = unit.level
        self.values = EditValues(
            sor_code=sor_code,
            effective_from=day,
            original=original,
            fields=original,
            reason=self.values.reason,
        )
        types = refdata.unit_types_for_level(level)
        self.controls["unit_type"].options = [(T["choose"], None)] + [
            (name, code) for code, name in types.items()
        ]
        self.heading.value = f"<h4>{T['tabs_edit']}: {unit_label(self.reg, sor_code)}</h4>"

    def values_changed(self, key: str) -> None:
        """Typing another SOR code loads that unit."""
        if key == "sor_code":
            self._load(self.values.sor_code.strip())
            self.push_values()

    def build_change(self) -> Any:
        """EditUnit with the changed fields only."""
        code = sor_code_or_problem(self.values.sor_code)
        change = edit_change(
            code, self.values.original, self.values.fields, self.values.effective_from
        )
        if change is None:
            raise InputProblem(T["nothing_changed"])
        return change

    def after_apply(self, applied: Applied) -> None:
        """Reload the unit (its own values now include the change from its date)."""
        state = self.state
        self._load(self.values.sor_code)
        self.values = replace(self.values, reason="")
        self.push_values()
        self.state = state
        self._render()
