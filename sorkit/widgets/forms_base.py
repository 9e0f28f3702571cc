"""What every steward form shares: bound controls, live planning, warnings to accept, apply.

A form keeps its field values in a frozen dataclass (``form.values``, from
:mod:`sorkit.widgets.state`) and its findings in a :class:`~.state.FormState` (``form.state``).
Each control is bound to a dotted path in the values; every edit replaces the values, builds the
change value and calls ``reg.plan`` so the steward sees the violations while typing. Warnings
get an "Accepter" checkbox and a reason box (keys ``accept_<CODE>``, ``reason_<CODE>``); the
apply button (``controls["apply"]``) is enabled only when nothing blocks.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from sorkit.dates import format_da
from sorkit.errors import ChangeRejected, RegisterBusy, SorkitError
from sorkit.ids import clean_digits, is_valid_sor_code
from sorkit.texts import BUSY, WIDGET_TEXTS
from sorkit.widgets.state import FormState, get_at, replace_at

if TYPE_CHECKING:
    from sorkit.engine.values import Applied
    from sorkit.register import Register

T = WIDGET_TEXTS


class InputProblem(Exception):
    """The form's values cannot make a change value yet (shown instead of violations)."""


def sor_code_or_problem(value: Any) -> str:
    """A clean SOR code from typed text.

    Raises:
        InputProblem: the text is empty or not a valid SOR code.
    """
    text = "" if value is None else str(value).strip()
    if not text:
        raise InputProblem(T["choose_unit"])
    code = clean_digits(text) if text.replace(" ", "").isdigit() else text
    if not is_valid_sor_code(code):
        raise InputProblem(T["invalid_code"].format(value=text))
    return code


class FormBase(w.VBox):
    """Base of the steward forms (a VBox, so it displays in any notebook).

    Subclasses set ``values`` and implement :meth:`build_change`; they call :meth:`bind` for
    every control and :meth:`finish` once the controls exist.
    """

    apply_label = T["save"]
    #: The path of the form's date in ``values`` (used to complete the findings, see below).
    date_path: str | None = None

    def __init__(self, reg: Register, values: Any, **kwargs: Any):
        """Bind the form to a register with initial field values."""
        super().__init__(**kwargs)
        self.reg = reg
        self.values = values
        self.state = FormState()
        self.controls: dict[str, Any] = {}
        self._bindings: dict[str, tuple[str, Callable[..., Any] | None, Any, bool]] = {}
        self._enable: list[tuple[list[Any], Callable[[Any], bool]]] = []
        self._quiet = 0
        self._listeners: list[Callable[[Applied], None]] = []
        self.last_applied: Applied | None = None
        self._warning_rows: dict[str, w.HBox] = {}
        self.findings = w.HTML()
        self.warning_box = w.VBox()
        self.result = w.HTML()

    # -- binding ---------------------------------------------------------------------------

    def bind(
        self,
        key: str,
        widget: Any,
        path: str,
        to_state: Callable[..., Any] | None = None,
        from_state: Callable[[Any], Any] | None = None,
        whole: bool = False,
    ) -> Any:
        """Register ``widget`` under ``key`` and keep ``values.<path>`` in step with it.

        Args:
            key: the stable control name (``form.controls[key]``).
            widget: the ipywidget (its ``value`` is observed).
            path: dotted path in ``form.values``.
            to_state: converts the widget value (with ``whole``: ``(value, current)``).
            from_state: converts the state value back for the widget.
            whole: ``to_state`` also receives the current value at ``path``.
        """
        self.controls[key] = widget
        self._bindings[key] = (path, to_state, from_state, whole)
        widget.observe(partial(self._on_control, key), names="value")
        return widget

    def enable_when(self, widgets: Iterable[Any], predicate: Callable[[Any], bool]) -> None:
        """Disable ``widgets`` whenever ``predicate(values)`` is false."""
        self._enable.append((list(widgets), predicate))

    def _on_control(self, key: str, change: dict[str, Any]) -> None:
        if self._quiet:
            return
        path, to_state, _from, whole = self._bindings[key]
        value = change["new"]
        if to_state is not None:
            value = to_state(value, get_at(self.values, path)) if whole else to_state(value)
        self.values = replace_at(self.values, path, value)
        self.values_changed(key)
        self.validate()

    def values_changed(self, key: str) -> None:
        """Hook: a control changed ``values`` (before validation)."""

    def push_values(self) -> None:
        """Show ``self.values`` in the controls (without re-validating per control)."""
        from sorkit.widgets.controls import ensure_option

        self._quiet += 1
        try:
            for key, (path, _to, from_state, _whole) in self._bindings.items():
                widget = self.controls[key]
                value = get_at(self.values, path)
                if from_state is not None:
                    value = from_state(value)
                if hasattr(widget, "options") and not isinstance(widget, w.Combobox):
                    ensure_option(widget, value)
                widget.value = value
        finally:
            self._quiet -= 1
        self._sync_enabled()

    def _sync_enabled(self) -> None:
        for widgets, predicate in self._enable:
            on = bool(predicate(self.values))
            for widget in widgets:
                widget.disabled = not on

    def finish(self, children: list[Any]) -> None:
        """Lay out the form: its own controls, then findings, warnings, apply and result."""
        apply = w.Button(description=self.apply_label, button_style="primary", disabled=True)
        apply.on_click(lambda _b: self.submit())
        reason = w.Textarea(
            description=T["reason"],
            style={"description_width": "150px"},
            layout=w.Layout(width="420px"),
        )
        self.bind("reason", reason, "reason")
        self.controls["apply"] = apply
        self.children = [
            *children,
            reason,
            self.findings,
            self.warning_box,
            *self.action_row(apply),
            self.result,
        ]
        self.push_values()
        self._render()

    def action_row(self, apply: w.Button) -> list[Any]:
        """The widgets below the findings (the apply button; close adds its confirmation)."""
        return [apply]

    # -- planning and applying -------------------------------------------------------------

    def build_change(self) -> Any:
        """The change value the form's values ask for.

        Raises:
            InputProblem: the values cannot make a change yet.
        """
        raise NotImplementedError

    def validate(self) -> FormState:
        """Plan the change as it stands and show the findings."""
        keep = replace(FormState(), accepted=self.state.accepted, reasons=self.state.reasons)
        try:
            change = self.build_change()
            plan = self.reg.plan(change)
        except InputProblem as exc:
            self.state = replace(keep, problem=str(exc))
        except (SorkitError, ValueError, TypeError) as exc:
            self.state = replace(keep, problem=str(exc))
        else:
            found = tuple(plan.violations)
            self.state = replace(keep, violations=found, plan=plan)
        self._render()
        return self.state

    def apply(self) -> Applied | None:
        """Re-plan and apply; show the change id and date, or why it was refused."""
        state = self.validate()
        if not state.can_apply:
            return None
        reason = (self.values.reason or "").strip() or None
        try:
            applied = self.reg.apply(state.plan, accept=state.accept, reason=reason)
        except ChangeRejected as exc:
            lines = "".join(f"<li>{html.escape(v.message)}</li>" for v in exc.violations)
            self.state = replace(
                state,
                violations=tuple(exc.violations),
                plan=None,
                message=f"<b>{T['rejected']}</b><ul>{lines}</ul>",
            )
            self._render()
            return None
        except RegisterBusy:
            self.state = replace(state, plan=None, message=html.escape(BUSY))
            self._render()
            return None
        text = T["applied_close" if state.plan.change.operation == "close" else "applied"]
        message = text.format(change_id=applied.change_id, date=format_da(applied.effective_date))
        self.last_applied = applied
        self.state = replace(
            state, plan=None, message=html.escape(message), applied=applied.change_id
        )
        self._render()
        self.after_apply(applied)
        for listener in list(self._listeners):
            listener(applied)
        return applied

    def submit(self) -> Any:
        """What the apply button does: apply (Luk OE asks for confirmation first)."""
        return self.apply()

    def after_apply(self, applied: Applied) -> None:
        """Hook: the change was applied (forms reset or reload here)."""

    def on_applied(self, callback: Callable[[Applied], None]) -> None:
        """Call ``callback(applied)`` after every successful apply."""
        self._listeners.append(callback)

    # -- rendering -------------------------------------------------------------------------

    def _render(self) -> None:
        state = self.state
        parts = []
        if state.problem:
            parts.append(f"<p style='color:#a00'>{html.escape(state.problem)}</p>")
        if state.errors:
            items = "".join(f"<li>{html.escape(v.message)}</li>" for v in state.errors)
            parts.append(
                f"<b style='color:#a00'>{T['errors']}</b><ul style='color:#a00'>{items}</ul>"
            )
        if state.warnings:
            items = "".join(f"<li>{html.escape(v.message)}</li>" for v in state.warnings)
            parts.append(f"<b style='color:#b60'>{T['warnings']}</b><ul>{items}</ul>")
        if state.plan is not None and not state.violations:
            parts.append(f"<span style='color:#070'>{T['no_errors']}</span>")
        self.findings.value = "".join(parts)
        rows = [self._warning_row(c) for c in _codes(state.warnings)]
        if tuple(rows) != tuple(self.warning_box.children):
            self.warning_box.children = rows
        self.result.value = state.message
        if "apply" in self.controls:
            self.controls["apply"].disabled = not state.can_apply
        self._sync_enabled()

    def _warning_row(self, code: str) -> w.HBox:
        key = f"accept_{code}"
        if code not in self._warning_rows:
            box = w.Checkbox(description=f"{T['accept']} {code}", indent=False)
            reason = w.Text(placeholder=T["accept_reason"], layout=w.Layout(width="360px"))
            box.observe(partial(self._on_accept, code), names="value")
            reason.observe(partial(self._on_reason, code), names="value")
            self.controls[key] = box
            self.controls[f"reason_{code}"] = reason
            self._warning_rows[code] = w.HBox([box, reason])
        return self._warning_rows[code]

    def _on_accept(self, code: str, change: dict[str, Any]) -> None:
        accepted = set(self.state.accepted)
        accepted.add(code) if change["new"] else accepted.discard(code)
        self.state = replace(self.state, accepted=frozenset(accepted))
        self._render()

    def _on_reason(self, code: str, change: dict[str, Any]) -> None:
        self.state = replace(self.state, reasons={**self.state.reasons, code: change["new"]})
        self._render()


def _codes(violations: Iterable[Any]) -> list[str]:
    return list(dict.fromkeys(v.code for v in violations))
