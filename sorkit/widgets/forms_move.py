"""Flyt OE: move a unit (and its subtree) under a new parent (guide p.13-15)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from sorkit.changes import MoveUnit
from sorkit.widgets.controls import date_field, text_field
from sorkit.widgets.forms_base import FormBase, T, sor_code_or_problem
from sorkit.widgets.state import MoveValues

if TYPE_CHECKING:
    from sorkit.register import Register


class MoveForm(FormBase):
    """Flyt OE: the new parent is typed as a SOR code or clicked in the tree ("Vælg i træet").

    Keys of ``controls``: ``sor_code``, ``new_parent``, ``pick`` (a toggle: the next unit
    clicked in the tree becomes the new parent), ``effective_from`` (default tomorrow),
    ``reason``, the warning controls ``accept_<CODE>``/``reason_<CODE>`` and ``apply``.
    """

    apply_label = T["move"]
    date_path = "effective_from"

    def __init__(self, reg: Register, sor_code: str | None = None, **kwargs: Any):
        """Build the form for ``sor_code`` (or the unit chosen later)."""
        values = MoveValues(sor_code=sor_code or "", effective_from=reg.earliest_date("move"))
        super().__init__(reg, values, **kwargs)
        self.heading = w.HTML()
        self.parent_label = w.HTML()
        pick = w.ToggleButton(description=T["pick"], icon="mouse-pointer", tooltip=T["pick_help"])
        self.bind("pick", pick, "picking")
        self.finish(
            [
                self.heading,
                text_field(self, "sor_code", "sor_code", T["unit"]),
                w.HBox([text_field(self, "new_parent", "new_parent", T["new_parent"]), pick]),
                self.parent_label,
                date_field(self, "effective_from", "effective_from", T["effective_from"]),
            ]
        )
        self._labels()
        if sor_code:
            self.validate()

    @property
    def picking(self) -> bool:
        """True while the next unit clicked in the tree becomes the new parent."""
        return bool(self.values.picking)

    def set_unit(self, sor_code: str | None) -> None:
        """Move ``sor_code`` (the unit selected in the tree)."""
        self.values = replace(self.values, sor_code=sor_code or "", picking=False)
        self.push_values()
        self._labels()
        self.validate()

    def pick(self, sor_code: str) -> None:
        """Take ``sor_code`` as the new parent (a click in the tree in "Vælg i træet" mode)."""
        self.values = replace(self.values, new_parent=sor_code, picking=False)
        self.push_values()
        self._labels()
        self.validate()

    def values_changed(self, key: str) -> None:
        """Keep the names next to the codes up to date."""
        if key in ("sor_code", "new_parent"):
            self._labels()

    def _labels(self) -> None:
        from sorkit.widgets.details import unit_label

        self.heading.value = (
            f"<h4>{T['tabs_move']}: {unit_label(self.reg, self.values.sor_code)}</h4>"
        )
        self.parent_label.value = unit_label(self.reg, self.values.new_parent)

    def build_change(self) -> Any:
        """MoveUnit from the values."""
        code = sor_code_or_problem(self.values.sor_code)
        parent = sor_code_or_problem(self.values.new_parent)
        return MoveUnit(code, parent, effective_from=self.values.effective_from)

    def after_apply(self, applied: Any) -> None:
        """Refresh the names (the unit now has a pending or current new parent)."""
        self._labels()
