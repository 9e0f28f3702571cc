"""Historik: one row per change of the selected unit (the guide's blue "h")."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import ipywidgets as w
import pandas as pd

from sorkit.dates import format_da
from sorkit.errors import SorkitError
from sorkit.texts import WIDGET_TEXTS

if TYPE_CHECKING:
    from sorkit.register import Register

T = WIDGET_TEXTS

#: Column headings of the history table.
HISTORY_HEADINGS = {
    "effective_date": "Dato",
    "operation": "Ændring",
    "changes": "Indhold",
    "recorded_by": "Af",
    "recorded_at": "Registreret",
    "reason": "Begrundelse",
    "accepted": "Accepterede advarsler",
    "change_id": "Ændrings-id",
    "cancelled": "Annulleret",
}


class HistoryPanel(w.VBox):
    """The history of one unit: ``controls["include_cancelled"]`` and ``controls["table"]``.

    ``history`` holds the DataFrame from ``reg.history`` for the shown unit.
    """

    def __init__(self, reg: Register, sor_code: str | None = None, **kwargs: Any):
        """Show the history of ``sor_code`` (or nothing until :meth:`set_unit`)."""
        super().__init__(**kwargs)
        self.reg = reg
        self.sor_code: str | None = None
        self.history = pd.DataFrame()
        cancelled = w.Checkbox(description=T["include_cancelled"], indent=False)
        cancelled.observe(lambda _c: self.refresh(), names="value")
        self.controls = {"include_cancelled": cancelled, "title": w.HTML(), "table": w.HTML()}
        self.children = [self.controls["title"], cancelled, self.controls["table"]]
        self.set_unit(sor_code)

    def set_unit(self, sor_code: str | None, load: bool = True) -> None:
        """Show the history of ``sor_code`` (``load=False``: read it on the next refresh)."""
        self.sor_code = sor_code or None
        if load:
            self.refresh()

    def refresh(self) -> None:
        """Re-read the history (after a change)."""
        title, table = self.controls["title"], self.controls["table"]
        if not self.sor_code:
            self.history = pd.DataFrame()
            title.value, table.value = T["no_unit"], ""
            return
        try:
            name = self.reg.unit(self.sor_code).name
            self.history = self.reg.history(
                self.sor_code, include_cancelled=self.controls["include_cancelled"].value
            )
        except (SorkitError, ValueError) as exc:
            self.history = pd.DataFrame()
            title.value, table.value = html.escape(str(exc)), ""
            return
        title.value = (
            "<h4>"
            + html.escape(T["history_title"].format(name=name, sor_code=self.sor_code))
            + "</h4>"
        )
        table.value = history_html(self.history)


def history_html(frame: pd.DataFrame) -> str:
    """The history as an HTML table with Danish headings and dd-mm-åååå dates."""
    if not len(frame):
        return ""
    cols = [c for c in HISTORY_HEADINGS if c in frame.columns]
    shown = frame[cols].copy()
    shown["effective_date"] = shown["effective_date"].map(format_da)
    if "recorded_at" in shown:
        shown["recorded_at"] = shown["recorded_at"].map(
            lambda t: "" if pd.isna(t) else t.strftime("%d-%m-%Y %H:%M")
        )
    shown = shown.rename(columns=HISTORY_HEADINGS)
    return shown.to_html(index=False, escape=True, na_rep="")
