"""Tables as an analyst reads them: Danish labels and values, dd-mm-åååå, interactive when long.

The read API answers in English identifiers (``status == "active"``, ``operation`` codes,
``datetime.date``) so code can filter on them; notebooks show :func:`readable` copies: columns
renamed with :data:`sorkit.texts.FIELD_LABELS` / :data:`~sorkit.texts.ANALYST_LABELS`, statuses,
operations and reg.compare's kinds in Danish, dates as dd-mm-åååå, yes/no as ja/nej and
nothing shown for a missing value. :func:`table` shows one: a plain table up to
:data:`INTERACTIVE_FROM` rows, above that an interactive one (itables, in offline mode: the
library is embedded in the notebook by :func:`interactive_mode`, so the HTML works without
network).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

import pandas as pd

from sorkit.texts import (
    ANALYST_LABELS,
    COMPARE_KIND_LABELS,
    FIELD_LABELS,
    OPERATION_LABELS,
    STATUS_LABELS,
)

__all__ = ["INTERACTIVE_FROM", "counts", "interactive_mode", "readable", "table"]

#: Tables with more rows than this are shown as interactive tables (search, sort, pages).
INTERACTIVE_FROM = 20

#: The interactive table's own texts in Danish (DataTables' language option).
DATATABLE_LANGUAGE: dict[str, Any] = {
    "search": "Søg:",
    "thousands": ".",
    "decimal": ",",
    "lengthMenu": "_MENU_ rækker pr. side",
    "info": "Viser _START_ til _END_ af _TOTAL_ rækker",
    "infoEmpty": "Ingen rækker",
    "infoFiltered": "(udvalgt blandt _MAX_ rækker)",
    "zeroRecords": "Ingen rækker passer på søgningen",
    "emptyTable": "Ingen rækker",
    "paginate": {"first": "Første", "last": "Sidste", "next": "Næste", "previous": "Forrige"},
    "aria": {"sortAscending": ": sorter stigende", "sortDescending": ": sorter faldende"},
}

_VALUE_LABELS: dict[str, Mapping[str, str]] = {
    "status": STATUS_LABELS,
    "operation": OPERATION_LABELS,
    "kind": OPERATION_LABELS,
}


def label(column: str) -> str:
    """The Danish label of a column (the name itself if it has none)."""
    return ANALYST_LABELS.get(column) or FIELD_LABELS.get(column) or column


def readable(frame: pd.DataFrame, labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """A copy of ``frame`` for reading: Danish labels and values, every cell text.

    Args:
        frame: a table from the read API (or any table with such columns).
        labels: column labels that take precedence over the standard ones.

    Returns:
        The same rows and columns (index dropped), every value as display text.
    """
    out = pd.DataFrame(index=range(len(frame)))
    names: dict[str, str] = {}
    for column in frame.columns:
        values = frame[column].tolist()
        mapping = _VALUE_LABELS.get(str(column))
        if column == "kinds":
            shown = [_kinds(v) for v in values]
        elif column == "accepted":
            shown = [_accepted(v) for v in values]
        else:
            shown = [_cell(v, mapping) for v in values]
        key = f"c{len(names)}"
        out[key] = pd.Series(shown, dtype=object)
        name = (labels or {}).get(str(column)) or label(str(column))
        if name in names.values():  # two columns with one label: keep them apart
            name = str(column) if str(column) not in names.values() else f"{name} ({key})"
        names[key] = name
    return out.rename(columns=names)


def table(
    frame: pd.DataFrame, labels: Mapping[str, str] | None = None, caption: str | None = None
) -> Any:
    """Show ``frame`` readably: a plain table, or an interactive one above 20 rows.

    Returns:
        An object the notebook displays (a pandas Styler without the index, or the itables
        HTML of the table).
    """
    shown = readable(frame, labels)
    if len(shown) > INTERACTIVE_FROM:
        from IPython.display import HTML
        from itables import to_html_datatable

        return HTML(
            to_html_datatable(
                shown,
                connected=False,
                caption=caption,
                showIndex=False,
                pageLength=15,
                lengthMenu=[15, 50, 100, 500],
                classes="display compact",
                columnDefs=[{"className": "dt-left", "targets": "_all"}],
                style="table-layout:auto;width:100%;margin:0",
                language=DATATABLE_LANGUAGE,
                maxBytes=0,  # every row: itables would otherwise drop rows of a large table
            )
        )
    styler = shown.style.hide(axis="index").set_table_styles(
        [{"selector": "th, td", "props": "text-align: left;"}]
    )
    return styler.set_caption(caption) if caption else styler


def counts(values: pd.Series, what: str, of: str = "Antal") -> pd.DataFrame:
    """How often each value occurs, as a two-column table (most frequent first).

    Args:
        values: the values to count (English codes are translated as :func:`readable` does).
        what: the label of the value column.
        of: the label of the count column.
    """
    found = values.value_counts()
    column = str(values.name) if values.name is not None else ""
    mapping = _VALUE_LABELS.get(column)
    shown = [_kinds(v) if column == "kinds" else _cell(v, mapping) for v in found.index]
    return pd.DataFrame({what: shown, of: found.to_numpy().tolist()})


def interactive_mode() -> None:
    """Embed the interactive-table library in the notebook (offline: no network needed)."""
    from itables import init_notebook_mode

    init_notebook_mode(all_interactive=False, connected=False)


def _cell(value: Any, mapping: Mapping[str, str] | None) -> str:
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return ""
    if value is pd.NA:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, pd.Timestamp):
        if value.hour or value.minute or value.second:
            return value.strftime("%d-%m-%Y %H:%M")
        return value.strftime("%d-%m-%Y")
    if isinstance(value, dt.datetime):
        return value.strftime("%d-%m-%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d-%m-%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    if mapping is not None:
        return mapping.get(text, text)
    return text


def _kinds(value: Any) -> str:
    if not isinstance(value, str) or not value:
        return ""
    return ", ".join(COMPARE_KIND_LABELS.get(k, k) for k in value.split(", "))


def _accepted(value: Any) -> str:
    """Accepted warnings (JSON ``{code: reason}`` or text) as ``code: reason; ...``."""
    if not isinstance(value, str) or value.strip() in ("", "{}"):
        return "" if not isinstance(value, str) or value.strip() == "{}" else value
    try:
        data = json.loads(value)
    except ValueError:
        return value
    if isinstance(data, dict):
        return "; ".join(f"{k}: {v}" for k, v in data.items())
    return value
