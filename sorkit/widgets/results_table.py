"""Search results as a table whose rows open the unit (name, SOR code, type, path, status).

The table replaces the narrow "Vælg enhed" dropdown: each row's name is a button (key
``row_<SOR code>`` in ``controls``); clicking it calls the :meth:`ResultsTable.on_select`
callbacks. The line above the table says what the search looked for (name, SOR code, CVR,
location number) and how many units it found, with "viser 200 af N" when the result was cut.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from functools import partial
from typing import Any

import ipywidgets as w
import pandas as pd

from sorkit.texts import FIELD_LABELS, SEARCH_KIND_LABELS, STATUS_LABELS, WIDGET_TEXTS

T = WIDGET_TEXTS
#: Columns of the table: result column -> Danish heading.
COLUMNS = {
    "name": FIELD_LABELS["name"],
    "sor_code": FIELD_LABELS["sor_code"],
    "unit_type_name": FIELD_LABELS["unit_type"],
    "path": FIELD_LABELS["path"],
    "status": FIELD_LABELS["status"],
}
#: Two widgets a row (the name's button, the rest as one HTML laid out by the same inner grid),
#: so 200 rows are 400 widgets rather than 1,000.
_GRID = "minmax(180px, 2fr) minmax(420px, 5fr)"
_INNER = (
    "display:grid;grid-template-columns:150px minmax(110px,1.2fr) minmax(180px,3fr) 80px;"
    "column-gap:8px;line-height:1.3"
)


def count_text(frame: pd.DataFrame) -> str:
    """The line above the results: what was searched and how many units were found.

    Examples: "Søgt på SOR-kode: 1 enhed fundet.", "Søgt på navn: viser 200 af 1.969 enheder."
    """
    kind = frame.attrs.get("search_kind", "name")
    shown = len(frame)
    total = int(frame.attrs.get("total", shown))
    head = T["search_kind"].format(kind=SEARCH_KIND_LABELS.get(kind, SEARCH_KIND_LABELS["name"]))
    if total == 0:
        body = T["search_none"]
    elif shown < total:
        body = T["search_cut"].format(shown=_number(shown), total=_number(total))
    elif total == 1:
        body = T["search_one"]
    else:
        body = T["search_count"].format(count=_number(total))
    return f"{head} {body}" if kind != "criteria" else body


def _number(n: int) -> str:
    return f"{n:,}".replace(",", ".")


class ResultsTable(w.VBox):
    """The results of a search as a table; clicking a row's name opens the unit.

    ``controls``: ``count`` (the line above), ``table`` (the grid) and ``row_<SOR code>`` for
    each row's button. ``frame`` holds the results shown.
    """

    def __init__(self, **kwargs: Any):
        """An empty table."""
        super().__init__(**kwargs)
        self.frame = pd.DataFrame()
        self._listeners: list[Callable[[str], None]] = []
        self.controls: dict[str, Any] = {
            "count": w.HTML(),
            "table": w.GridBox(
                layout=w.Layout(grid_template_columns=_GRID, grid_gap="0px 8px", width="100%")
            ),
        }
        self.children = [self.controls["count"], self.controls["table"]]

    def on_select(self, callback: Callable[[str], None]) -> None:
        """Call ``callback(sor_code)`` when a row is clicked."""
        self._listeners.append(callback)

    def show(self, frame: pd.DataFrame) -> None:
        """Show a search result (its ``attrs`` say what was searched and the total)."""
        self.frame = frame
        for key in [k for k in self.controls if k.startswith("row_")]:
            del self.controls[key]
        self.controls["count"].value = html.escape(count_text(frame))
        cells: list[Any] = []
        if len(frame):
            heads = list(COLUMNS.values())
            cells = [
                w.HTML(f"<div style='line-height:1.3'><b>{html.escape(heads[0])}</b></div>"),
                w.HTML(_row_html([f"<b>{html.escape(h)}</b>" for h in heads[1:]])),
            ]
        for row in frame.itertuples():
            button = w.Button(
                description=str(row.name),
                tooltip=str(row.name),
                layout=w.Layout(width="auto", height="auto"),
            )
            button.add_class("sorkit-result-row")
            button.on_click(partial(self._clicked, str(row.sor_code)))
            self.controls[f"row_{row.sor_code}"] = button
            status = STATUS_LABELS.get(str(row.status), str(row.status))
            rest = [str(row.sor_code), _text(row.unit_type_name), _text(row.path), status]
            cells += [button, w.HTML(_row_html([html.escape(t) for t in rest]))]
        self.controls["table"].children = cells

    def show_error(self, message: str) -> None:
        """Show why the search could not run (and no rows)."""
        self.frame = pd.DataFrame()
        self.controls["count"].value = f"<span style='color:#a00'>{html.escape(message)}</span>"
        self.controls["table"].children = []

    def click(self, sor_code: str) -> None:
        """Open the unit of a row (what clicking its name does)."""
        self.controls[f"row_{sor_code}"].click()

    def _clicked(self, sor_code: str, _button: Any = None) -> None:
        for listener in list(self._listeners):
            listener(sor_code)


def _row_html(cells: list[str]) -> str:
    """SOR code, type, path and status side by side (already escaped)."""
    return f"<div style='{_INNER}'>" + "".join(f"<div>{c}</div>" for c in cells) + "</div>"


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
