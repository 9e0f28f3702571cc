"""Historik: one row per change of the selected unit (the guide's blue "h")."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import ipywidgets as w
import pandas as pd

from sorkit.dates import format_da
from sorkit.errors import SorkitError
from sorkit.texts import WIDGET_TEXTS, rule_title
from sorkit.widgets.details import pending_of
from sorkit.widgets.pending import PendingChanges

if TYPE_CHECKING:
    from sorkit.register import Register

T = WIDGET_TEXTS

#: Column headings of the history table (no internal ids: change ids stay in ``history``).
HISTORY_HEADINGS = {
    "effective_date": "Dato",
    "operation": "Ændring",
    "changes": "Indhold",
    "recorded_by": "Af",
    "recorded_at": "Registreret",
    "reason": "Begrundelse",
    "accepted": "Accepterede advarsler",
    "cancelled": "Annulleret",
    "cancel_reason": "Begrundelse for annullering",
}


class HistoryPanel(w.VBox):
    """The history of one unit, its pending changes first (each with "Annuller ændring").

    ``controls``: ``title``, ``pending`` (a :class:`PendingChanges`), ``include_cancelled``
    and ``table`` (HTML, dates dd-mm-åååå, ja/nej, no internal ids). ``history`` holds the DataFrame from ``reg.history`` for the shown unit.
    """

    def __init__(self, reg: Register, sor_code: str | None = None, **kwargs: Any):
        """Show the history of ``sor_code`` (or nothing until :meth:`set_unit`)."""
        super().__init__(**kwargs)
        self.reg = reg
        self.sor_code: str | None = None
        self.history = pd.DataFrame()
        cancelled = w.Checkbox(description=T["include_cancelled"], indent=False)
        cancelled.observe(lambda _c: self.refresh(), names="value")
        self.pending_box = PendingChanges(reg)
        self.pending_box.on_cancelled(lambda _id: self.refresh())
        self.controls: dict[str, Any] = {
            "include_cancelled": cancelled,
            "title": w.HTML(),
            "table": w.HTML(),
            "pending": self.pending_box,
        }
        self.children = [
            self.controls["title"],
            self.pending_box,
            cancelled,
            self.controls["table"],
        ]
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
            self.pending_box.show(pd.DataFrame())
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
        self.pending_box.show(pending_of(self.reg, self.sor_code), keep_message=True)


def history_html(frame: pd.DataFrame) -> str:
    """The history as a compact HTML table a steward reads.

    Danish headings, dates dd-mm-åååå on one line, "ja"/"nej" (with the reason of a
    cancellation), accepted warnings by their Danish title, no internal ids, no empty columns.
    """
    if not len(frame):
        return ""
    cols = [c for c in HISTORY_HEADINGS if c in frame.columns]
    shown = frame[cols].copy()
    shown["effective_date"] = shown["effective_date"].map(format_da)
    if "recorded_at" in shown:
        shown["recorded_at"] = shown["recorded_at"].map(
            lambda t: "" if pd.isna(t) else t.strftime("%d-%m-%Y %H:%M")
        )
    if "cancelled" in shown:
        why = shown.pop("cancel_reason") if "cancel_reason" in shown else None
        shown["cancelled"] = [
            ("ja" + (f": {w}" if isinstance(w, str) and w else "")) if bool(c) else "nej"
            for c, w in zip(
                shown["cancelled"], why if why is not None else [None] * len(shown), strict=True
            )
        ]
    if "accepted" in shown:
        shown["accepted"] = shown["accepted"].map(accepted_text)
    shown = shown.fillna("")
    shown = shown[[c for c in shown.columns if (shown[c].astype(str) != "").any()]]
    shown = shown.rename(columns=HISTORY_HEADINGS)
    style = (
        "<style>.sorkit-history-table { border-collapse: collapse; font-size: 12px; width: 100%; }"
        " .sorkit-history-table th, .sorkit-history-table td { text-align: left;"
        " vertical-align: top; padding: 2px 6px; border-bottom: 1px solid #ddd; }"
        " .sorkit-history-table td:first-child, .sorkit-history-table td:nth-child(5)"
        " { white-space: nowrap; }</style>"
    )
    table = shown.to_html(
        index=False, escape=True, na_rep="", border=0, classes="sorkit-history-table"
    )
    return style + table


def accepted_text(value: object) -> str:
    """``"CODE: why; ..."`` from the history with each code as its Danish rule title."""
    if not isinstance(value, str) or not value:
        return ""
    parts = []
    for item in value.split("; "):
        code, _, why = item.partition(": ")
        parts.append(f"{rule_title(code)}: {why}" if why else rule_title(code))
    return "; ".join(parts)
