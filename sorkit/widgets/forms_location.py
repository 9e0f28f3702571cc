"""Lokationsnummer: give a unit its own location number, inherit the parent's, or none."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from sorkit.changes import SetLocationNumber
from sorkit.errors import SorkitError
from sorkit.widgets.controls import date_field, location_block, text_field
from sorkit.widgets.forms_base import FormBase, T, sor_code_or_problem
from sorkit.widgets.state import INHERIT, OWN, LocationFields, LocationValues

if TYPE_CHECKING:
    from sorkit.register import Register


class LocationNumberForm(FormBase):
    """Lokationsnummer (guide p.19-21): own number with EDI fields, inherit, or none.

    Keys of ``controls``: ``sor_code``, ``effective_from`` (default tomorrow),
    ``location_mode`` (``"own"``, ``"inherit"``, ``"none"``), ``gln``, ``region``,
    ``edb_system``, ``system_supplier``, ``net_operator``, ``administrator``,
    ``only_internal``, ``inactive``, ``edi_types``, ``reason`` and ``apply``.
    """

    apply_label = T["save_location"]
    date_path = "effective_from"

    def __init__(self, reg: Register, sor_code: str | None = None, **kwargs: Any):
        """Build the form, loading the unit's own location number if ``sor_code`` is given."""
        super().__init__(reg, LocationValues(), **kwargs)
        self.heading = w.HTML()
        self.finish(
            [
                self.heading,
                text_field(self, "sor_code", "sor_code", T["unit"]),
                date_field(self, "effective_from", "effective_from", T["effective_from"]),
                location_block(self, "location"),
            ]
        )
        self.set_unit(sor_code)

    def set_unit(self, sor_code: str | None) -> None:
        """Load the unit's own location number (or the inherit flag)."""
        self._load(sor_code or "")
        self.push_values()
        if sor_code:
            self.validate()

    def _load(self, sor_code: str) -> None:
        from sorkit.widgets.details import unit_label

        day = self.reg.earliest_date("location_number")
        location = LocationFields(mode=OWN)
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
                    location = replace(location, mode=OWN)
        self.values = LocationValues(
            sor_code=sor_code, effective_from=day, location=location, reason=self.values.reason
        )
        self.heading.value = f"<h4>{T['tabs_location']}: {unit_label(self.reg, sor_code)}</h4>"

    def values_changed(self, key: str) -> None:
        """Typing another SOR code loads that unit."""
        if key == "sor_code":
            self._load(self.values.sor_code.strip())
            self.push_values()

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
