"""Luk OE: close a unit on a chosen last day, earliest today + 7, after confirmation (p.16-18)."""

from __future__ import annotations

import html
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from sorkit.changes import CloseUnit
from sorkit.dates import format_da
from sorkit.errors import SorkitError
from sorkit.widgets.controls import date_field, text_field
from sorkit.widgets.forms_base import FormBase, T, sor_code_or_problem
from sorkit.widgets.state import CloseValues

if TYPE_CHECKING:
    from sorkit.register import Register


class CloseForm(FormBase):
    """Luk OE: ``last_day`` is "gældende til og med" (the last valid day).

    The button ``apply`` ("Luk enhed") opens a confirmation that names what closes with the
    unit (its subtree when ``cascade`` is ticked, and its location number); ``confirm`` ("OK")
    applies ``CloseUnit(confirm=True)`` and ``cancel`` ("Fortryd") closes the confirmation.
    Other keys: ``sor_code``, ``last_day`` (default today + 7), ``cascade``, ``reason``.
    """

    apply_label = T["close"]
    date_path = "last_day"

    def __init__(self, reg: Register, sor_code: str | None = None, **kwargs: Any):
        """Build the form for ``sor_code`` (or the unit chosen later)."""
        values = CloseValues(sor_code=sor_code or "", last_day=reg.earliest_date("close"))
        super().__init__(reg, values, **kwargs)
        self.heading = w.HTML()
        self.question = w.HTML()
        confirm = w.Button(description=T["confirm"], button_style="primary")
        cancel = w.Button(description=T["cancel"])
        confirm.on_click(lambda _b: self.confirm())
        cancel.on_click(lambda _b: self.cancel_confirmation())
        self.controls["confirm"] = confirm
        self.controls["cancel"] = cancel
        self.confirmation = w.VBox([self.question, w.HBox([confirm, cancel])])
        self.confirmation.layout.display = "none"
        cascade = w.Checkbox(description=T["cascade"], indent=False)
        self.bind("cascade", cascade, "cascade")
        self.finish(
            [
                self.heading,
                text_field(self, "sor_code", "sor_code", T["unit"]),
                date_field(self, "last_day", "last_day", T["last_day"]),
                cascade,
                w.HTML(f"<i>{T['close_note']}</i>"),
            ]
        )
        self._label()
        if sor_code:
            self.validate()

    def action_row(self, apply: w.Button) -> list[Any]:
        """The "Luk enhed" button, then the confirmation box."""
        return [apply, self.confirmation]

    @property
    def confirming(self) -> bool:
        """True while the confirmation is shown."""
        return bool(self.values.confirming)

    def set_unit(self, sor_code: str | None) -> None:
        """Close ``sor_code`` (the unit selected in the tree)."""
        self.values = replace(self.values, sor_code=sor_code or "", confirming=False)
        self.push_values()
        self._label()
        self.validate()

    def values_changed(self, key: str) -> None:
        """Any edit closes an open confirmation."""
        self.values = replace(self.values, confirming=False)
        if key == "sor_code":
            self._label()

    def _label(self) -> None:
        from sorkit.widgets.details import unit_label

        self.heading.value = (
            f"<h4>{T['tabs_close']}: {unit_label(self.reg, self.values.sor_code)}</h4>"
        )

    def build_change(self) -> Any:
        """CloseUnit(confirm=True): it is only applied from the confirmation's OK."""
        code = sor_code_or_problem(self.values.sor_code)
        return CloseUnit(code, self.values.last_day, confirm=True, cascade=self.values.cascade)

    def submit(self) -> None:
        """Luk enhed: show what closes and ask for OK."""
        state = self.validate()
        if not state.can_apply:
            return
        self.values = replace(self.values, confirming=True)
        self.question.value = confirmation_text(self.reg, state.plan)
        self._render()

    def confirm(self) -> Any:
        """OK in the confirmation: apply the close."""
        if not self.values.confirming:
            return None
        self.values = replace(self.values, confirming=False)
        return self.apply()

    def cancel_confirmation(self) -> None:
        """Fortryd: hide the confirmation, change nothing."""
        self.values = replace(self.values, confirming=False)
        self._render()

    def _render(self) -> None:
        super()._render()
        if hasattr(self, "confirmation"):
            self.confirmation.layout.display = "" if self.values.confirming else "none"


def confirmation_text(reg: Register, plan: Any) -> str:
    """The confirmation question: the unit, its last day, its subtree and location number."""
    change = plan.change
    names = []
    for code in plan.sor_codes:
        try:
            names.append(f"{reg.unit(code).name} ({code})")
        except (SorkitError, ValueError):
            names.append(code)
    unit = names[0] if names else change.sor_code
    parts = [T["confirm_question"].format(unit=html.escape(unit), date=format_da(change.last_day))]
    if len(names) > 1:
        parts.append(T["confirm_subtree"].format(units=html.escape(", ".join(names[1:]))))
    try:
        own = reg.unit(change.sor_code)
    except (SorkitError, ValueError):
        own = None
    holder = own.inherited.get("location_number") if own is not None else None
    if own is not None and own.location_number and holder in (None, own.sor_code):
        parts.append(T["confirm_location"].format(gln=own.location_number.gln))
    return "<br>".join(f"<b>{p}</b>" if i == 0 else p for i, p in enumerate(parts))
