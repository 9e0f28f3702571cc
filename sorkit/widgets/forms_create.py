"""Opret OE: create a unit under the selected one (guide p.7-10)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from sorkit.texts import FIELD_LABELS
from sorkit.widgets.controls import (
    address_block,
    date_field,
    electronic_block,
    local_attributes_block,
    location_block,
    text_field,
    unit_type_dropdown,
)
from sorkit.widgets.forms_base import FormBase, T, sor_code_or_problem
from sorkit.widgets.state import INHERIT, SAME, CreateValues, UnitFields, create_change

if TYPE_CHECKING:
    from sorkit.engine.values import Applied
    from sorkit.register import Register


def unit_field_blocks(form: FormBase, path: str) -> list[Any]:
    """The controls Opret OE and Rediger OE share, bound under ``path`` (a UnitFields)."""
    return [
        text_field(form, "name", f"{path}.name", FIELD_LABELS["name"]),
        unit_type_dropdown(form, "unit_type", f"{path}.unit_type"),
        address_block(
            form,
            "postal",
            f"{path}.postal",
            FIELD_LABELS["postal_address"],
            T["postal_inherit"],
            INHERIT,
        ),
        address_block(
            form,
            "visiting",
            f"{path}.visiting",
            FIELD_LABELS["visiting_address"],
            T["visiting_same"],
            SAME,
        ),
        address_block(
            form,
            "activity",
            f"{path}.activity",
            FIELD_LABELS["activity_address"],
            T["activity_same"],
            SAME,
        ),
        electronic_block(form, path),
        w.HTML(f"<b>{FIELD_LABELS['location_number']}</b>"),
        location_block(form, f"{path}.location"),
        local_attributes_block(form, f"{path}.local_attributes"),
    ]


class CreateForm(FormBase):
    """Opret OE under a parent unit.

    ``valid_from`` defaults to (and may be no earlier than) today + 7. Keys of ``controls``:
    ``parent``, ``valid_from``, ``name``, ``unit_type``, the address blocks (``postal_*``,
    ``visiting_*``, ``activity_*``), ``inherit_electronic``, ``phone``, ``email``, ``website``,
    ``fax``, the location block (``location_mode``, ``gln``, ...), ``local_attribute_1..5``,
    ``reason`` and the button ``apply``.
    """

    apply_label = T["create"]
    date_path = "valid_from"

    def __init__(self, reg: Register, parent: str | None = None, **kwargs: Any):
        """Build the form; ``parent`` is the SOR code to create under (or pick later)."""
        super().__init__(reg, self.blank(reg, parent or ""), **kwargs)
        self.heading = w.HTML()
        parent_box = text_field(self, "parent", "parent", T["parent"])
        earliest = w.HTML()
        self._earliest = earliest
        self.finish(
            [
                self.heading,
                parent_box,
                date_field(self, "valid_from", "valid_from", T["valid_from"]),
                earliest,
                *unit_field_blocks(self, "fields"),
            ]
        )
        self._show_parent()
        if parent:
            self.validate()

    @staticmethod
    def blank(reg: Register, parent: str) -> CreateValues:
        """Fresh values: default date today + 7, addresses inherited, no location number."""
        return CreateValues(
            parent=parent, valid_from=reg.earliest_date("create"), fields=UnitFields()
        )

    def set_unit(self, sor_code: str | None) -> None:
        """Create under ``sor_code`` (the unit selected in the tree)."""
        self.values = replace(self.values, parent=sor_code or "")
        self.push_values()
        self._show_parent()
        self.validate()

    def values_changed(self, key: str) -> None:
        """Show the parent's name when its code changes."""
        if key == "parent":
            self._show_parent()

    def _show_parent(self) -> None:
        from sorkit.dates import format_da
        from sorkit.widgets.details import unit_label

        self.heading.value = (
            f"<h4>{T['tabs_create']}: {unit_label(self.reg, self.values.parent)}</h4>"
        )
        self._earliest.value = T["earliest"].format(
            date=format_da(self.reg.earliest_date("create"))
        )

    def build_change(self) -> Any:
        """CreateUnit from the values."""
        parent = sor_code_or_problem(self.values.parent)
        return create_change(parent, self.values.fields, self.values.valid_from)

    def after_apply(self, applied: Applied) -> None:
        """Start over with a blank form under the same parent (the message stays)."""
        message, state = self.state.message, self.state
        self.values = self.blank(self.reg, self.values.parent)
        self.push_values()
        self.state = replace(state, message=message)
        self._render()


def today_plus(reg: Register, days: int) -> dt.date:
    """The register's today plus ``days``."""
    return reg.today + dt.timedelta(days=days)
