"""Søg: free-text and hierarchical search (guide p.4-6), results as a table to pick from."""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as w
import pandas as pd

from sorkit import refdata
from sorkit.dates import format_da
from sorkit.errors import SorkitError
from sorkit.texts import FIELD_LABELS, LEVEL_LABELS, STATUS_LABELS, WIDGET_TEXTS

if TYPE_CHECKING:
    from sorkit.register import Register

T = WIDGET_TEXTS
_STYLE = {"description_width": "150px"}
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
    """Search units with ``reg.search`` and pick one from the results.

    Keys of ``controls``: ``text`` (name, wildcards ``*``/``?``, or a SOR code), ``under``
    (SOR code: only units under it), ``unit_type``, ``level``, ``include_closed``, ``search``
    (button), ``results`` (HTML table) and ``pick`` (a dropdown of the results; choosing one
    calls the :meth:`on_select` callbacks). ``results`` holds the last DataFrame.
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
                placeholder="*blovstrød*",
                continuous_update=False,
            ),
            "under": w.Text(description=T["search_under"], style=_STYLE),
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
            "count": w.HTML(),
            "pick": w.Dropdown(options=[], description=T["search_pick"], style=_STYLE),
            "results": w.HTML(),
        }
        c["search"].on_click(lambda _b: self.search())
        c["text"].observe(lambda _c: self.search(), names="value")
        c["pick"].observe(self._on_pick, names="value")
        self.children = [
            c["text"],
            c["under"],
            w.HBox([c["unit_type"], c["level"]]),
            c["include_closed"],
            c["search"],
            c["count"],
            c["pick"],
            c["results"],
        ]

    def on_select(self, callback: Callable[[str], None]) -> None:
        """Call ``callback(sor_code)`` when a result is picked."""
        self._listeners.append(callback)

    def criteria(self) -> dict[str, Any]:
        """The search arguments the controls ask for."""
        c = self.controls
        text = c["text"].value.strip()
        out: dict[str, Any] = {"include_closed": c["include_closed"].value}
        if text.replace(" ", "").isdigit() and len(text.replace(" ", "")) >= 8:
            out["sor_code"] = text
        elif text:
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
        text = criteria.pop("text", None)
        try:
            self.results = self.reg.search(text, **criteria)
        except (SorkitError, ValueError, ImportError) as exc:
            self.results = pd.DataFrame()
            self.controls[
                "count"
            ].value = f"<span style='color:#a00'>{html.escape(str(exc))}</span>"
            self.controls["results"].value = ""
            self.controls["pick"].options = []
            return self.results
        count = len(self.results)
        self.controls["count"].value = (
            T["search_count"].format(count=count) if count else T["search_none"]
        )
        # A blank first choice: the browser's <select> shows (and may send back) index 0 when
        # the options change, which must not pick a unit (and reset every form) on its own.
        self.controls["pick"].options = [(T["choose"], None)] + [
            (f"{row.name} ({row.sor_code})", row.sor_code) for row in self.results.itertuples()
        ]
        self.controls["pick"].value = None
        self.controls["results"].value = results_html(self.results)
        return self.results

    def _on_pick(self, change: dict[str, Any]) -> None:
        if change["new"]:
            for listener in list(self._listeners):
                listener(change["new"])

    def export_csv(self, path: str | Path) -> Path:
        """Write the last results to a CSV file (UTF-8 with BOM, so Excel reads æøå)."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        self.results.to_csv(target, index=False, encoding="utf-8-sig")
        return target

    def refresh(self) -> None:
        """Run the last search again (after a change), if there was one."""
        if len(self.results) or self.controls["count"].value:
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
