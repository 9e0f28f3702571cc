"""Søg: free-text and hierarchical search (guide p.4-6), results as a table to pick from."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as w
import pandas as pd

from sorkit import refdata
from sorkit.dates import format_da
from sorkit.errors import SorkitError
from sorkit.texts import FIELD_LABELS, LEVEL_LABELS, STATUS_LABELS, WIDGET_TEXTS
from sorkit.widgets.results_table import ResultsTable

if TYPE_CHECKING:
    from sorkit.register import Register

T = WIDGET_TEXTS
_STYLE = {"description_width": "190px"}
RESULT_HEADINGS = {
    "sor_code": FIELD_LABELS["sor_code"],
    "name": FIELD_LABELS["name"],
    "level": FIELD_LABELS["level"],
    "unit_type_name": FIELD_LABELS["unit_type"],
    "path": FIELD_LABELS["path"],
    "valid_from": FIELD_LABELS["valid_from"],
    "last_day": FIELD_LABELS["last_day"],
    "status": FIELD_LABELS["status"],
}


class SearchPanel(w.VBox):
    """Search units with ``reg.search`` and open one from the results table.

    Keys of ``controls``: ``text`` (name with wildcards ``*``/``?``, or a SOR code, CVR number or
    location number: ``reg.search`` tells them apart), ``under`` (SOR code: only units under
    it), ``unit_type``, ``level``, ``include_closed``, ``search`` (button), ``count`` (what was
    searched and how many found) and ``table`` (a :class:`ResultsTable`; clicking a row's name
    calls the :meth:`on_select` callbacks). Enter in either text field searches.
    ``results`` holds the last DataFrame.
    """

    def __init__(self, reg: Register, **kwargs: Any):
        """Build the panel for ``reg``."""
        super().__init__(**kwargs)
        self.reg = reg
        self.results = pd.DataFrame()
        self._listeners: list[Callable[[str], None]] = []
        types = refdata.unit_types()
        c = self.controls = {
            "text": w.Text(
                description=T["search_text"],
                style=_STYLE,
                placeholder="*blovstrød*, SOR-kode, CVR- eller lokationsnummer",
                continuous_update=False,
                layout=w.Layout(width="560px"),
            ),
            "under": w.Text(description=T["search_under"], style=_STYLE, continuous_update=False),
            "unit_type": w.Dropdown(
                options=[(T["any"], None)]
                + sorted(
                    zip(types["name"], types["code"], strict=True), key=lambda p: p[0].casefold()
                ),
                description=T["search_type"],
                style=_STYLE,
            ),
            "level": w.Dropdown(
                options=[(T["any"], None)] + [(v, k) for k, v in LEVEL_LABELS.items()],
                description=T["search_level"],
                style=_STYLE,
            ),
            "include_closed": w.Checkbox(description=T["search_closed"], indent=False),
            "search": w.Button(
                description=T["search_button"], button_style="primary", icon="search"
            ),
            "table": ResultsTable(),
        }
        c["count"] = c["table"].controls["count"]
        c["search"].on_click(lambda _b: self.search())
        self._quiet = False
        c["text"].observe(self._on_enter, names="value")  # Enter (or leaving the field)
        c["under"].observe(self._on_enter, names="value")
        c["table"].on_select(self._on_pick)
        self.children = [
            c["text"],
            c["under"],
            w.HBox([c["unit_type"], c["level"]]),
            c["include_closed"],
            c["search"],
            c["table"],
        ]

    def on_select(self, callback: Callable[[str], None]) -> None:
        """Call ``callback(sor_code)`` when a result is picked."""
        self._listeners.append(callback)

    def criteria(self) -> dict[str, Any]:
        """The search arguments the controls ask for."""
        c = self.controls
        text = c["text"].value.strip()
        out: dict[str, Any] = {"include_closed": c["include_closed"].value}
        if text:
            out["text"] = text
        if c["under"].value.strip():
            out["under"] = c["under"].value.strip()
        for key in ("unit_type", "level"):
            if c[key].value:
                out[key] = c[key].value
        return out

    def search(self) -> pd.DataFrame:
        """Run the search and show the results (errors are shown, not raised)."""
        criteria = self.criteria()
        if len(criteria) == 1:  # nothing typed or chosen: no search of the whole register
            return self.results
        text = criteria.pop("text", None)
        try:
            self.results = self.reg.search(text, **criteria)
        except (SorkitError, ValueError, ImportError) as exc:
            self.results = pd.DataFrame()
            self.controls["table"].show_error(str(exc))
            return self.results
        self.controls["table"].show(self.results)
        return self.results

    def _on_enter(self, _change: dict[str, Any]) -> None:
        if not self._quiet:
            self.search()

    def search_for(self, text: str) -> pd.DataFrame:
        """Search ``text`` alone (the one search box): other fields are cleared first."""
        self._quiet = True
        try:
            self.controls["text"].value = text
            self.controls["under"].value = ""
            self.controls["unit_type"].index = 0  # "(alle)"
            self.controls["level"].index = 0
        finally:
            self._quiet = False
        return self.search()

    def _on_pick(self, sor_code: str) -> None:
        for listener in list(self._listeners):
            listener(sor_code)

    def export_csv(self, path: str | Path) -> Path:
        """Write the last results to a CSV file (UTF-8 with BOM, so Excel reads æøå)."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        self.results.to_csv(target, index=False, encoding="utf-8-sig")
        return target

    def refresh(self) -> None:
        """Run the last search again (after a change), if there was one."""
        if len(self.results) or self.controls["count"].value:
            self.controls["count"].value = ""
            self.search()


def results_html(frame: pd.DataFrame) -> str:
    """The results as a table with Danish headings, levels, statuses and dates."""
    if not len(frame):
        return ""
    cols = [c for c in RESULT_HEADINGS if c in frame.columns]
    shown = frame[cols].copy()
    for col in ("valid_from", "last_day"):
        if col in shown:
            shown[col] = shown[col].map(_date_text)
    if "status" in shown:
        shown["status"] = shown["status"].map(lambda s: STATUS_LABELS.get(s, s))
    return shown.rename(columns=RESULT_HEADINGS).to_html(index=False, escape=True, na_rep="")


def _date_text(value: Any) -> str:
    return "" if value is None or pd.isna(value) else format_da(value)
