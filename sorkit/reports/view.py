"""How a report notebook shows its findings to the people who read the HTML copy.

The report queries (:mod:`sorkit.reports`) return DataFrames with English column keys; the CSV
files keep those keys for other programs. What a reader sees goes through here: a short header
(register, date, when it ran, the parameters), tables with Danish column names only (internal
keys such as ``check`` left out, dates dd-mm-åååå, yes/no in Danish, no row numbers), and charts
(matplotlib), each saved as a PNG next to the CSV files and shown in the page.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from sorkit.store.engines import is_url
from sorkit.texts import REPORT_COLUMNS, REPORT_PARAMETERS, REPORT_TEXTS

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from sorkit.register import Register

__all__ = [
    "MAX_ROWS",
    "changes_per_week_chart",
    "chart_html",
    "danish_table",
    "header",
    "pending_per_day_chart",
    "quality_by_region",
    "quality_chart",
    "save_chart",
    "table_html",
]

#: Rows a table shows in the HTML copy (the CSV file holds them all).
MAX_ROWS = 500

#: Internal columns a reader never sees (their Danish label is in another column).
_HIDDEN = {"check", "region", "net_operator", "change_id", "batch_id", "_order"}
_STYLE = (
    "<style>.sorkit-report td, .sorkit-report th {text-align: left !important;"
    " vertical-align: top; padding: 3px 5px !important;} .sorkit-report {font-size: 11px !important;}</style>"
)


def _date(value: Any) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        return f"{value:%d-%m-%Y %H:%M}"
    if isinstance(value, dt.date):
        return f"{value:%d-%m-%Y}"
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return f"{dt.date.fromisoformat(value):%d-%m-%Y}"
        except ValueError:
            return value
    return str(value)


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return REPORT_TEXTS["yes"] if value else REPORT_TEXTS["no"]
    if isinstance(value, (dt.date, pd.Timestamp)):
        return _date(value)
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return value


def danish_table(frame: pd.DataFrame, *, crosstab: bool = False) -> pd.DataFrame:
    """The frame as a reader sees it: Danish column names, internal keys left out.

    Args:
        frame: a report query's result.
        crosstab: the columns are values (regions, net operators: already readable), only the
            index is named.

    Raises:
        KeyError: a column has no Danish name in :data:`sorkit.texts.REPORT_COLUMNS` (so no
            internal key can slip into a report).
    """
    if crosstab:
        out = frame.copy()
        out.index.name = REPORT_COLUMNS.get(str(frame.index.name), frame.index.name)
        out.columns.name = None
        return out
    shown = frame.drop(columns=[c for c in frame.columns if c in _HIDDEN])
    missing = [c for c in shown.columns if str(c) not in REPORT_COLUMNS]
    if missing:
        raise KeyError(f"ingen dansk kolonnetekst for {missing}")
    out = shown.rename(columns={c: REPORT_COLUMNS[str(c)] for c in shown.columns})
    for column in out.columns:
        out[column] = [_cell(v) for v in out[column]]
    if isinstance(out.index, pd.RangeIndex):
        return out.reset_index(drop=True)
    out.index = [REPORT_COLUMNS.get(str(i), str(i)) for i in out.index]
    out.index.name = REPORT_COLUMNS.get(str(frame.index.name), frame.index.name)
    return out


def table_html(frame: pd.DataFrame, *, limit: int = MAX_ROWS, crosstab: bool = False) -> str:
    """A Danish table as HTML (no row numbers unless the index means something)."""
    table = danish_table(frame, crosstab=crosstab)
    keep_index = not isinstance(table.index, pd.RangeIndex)
    note = ""
    if len(table) > limit:
        note = (
            "<p>"
            + html.escape(REPORT_TEXTS["rows_shown"].format(shown=limit, total=len(table)))
            + "</p>"
        )
        table = table.head(limit)
    body = table.to_html(index=keep_index, border=0, classes="sorkit-report", na_rep="")
    return _STYLE + body + note


def header(reg: Register, title: str, parameters: Mapping[str, Any]) -> str:
    """The report's header as Markdown: title, register, date, when it ran, parameters."""
    if not reg.path:
        register = REPORT_TEXTS["in_memory"]
    elif is_url(str(reg.path)):
        register = reg.label  # server and database, never the password
    else:
        register = Path(str(reg.path)).name
    lines = [
        f"# {title}",
        "",
        f"**{REPORT_TEXTS['register']}:** {register} · "
        f"**{REPORT_TEXTS['date']}:** {reg.today:%d-%m-%Y} · "
        f"**{REPORT_TEXTS['ran']}:** {dt.datetime.now():%d-%m-%Y %H:%M}",
    ]
    shown = [
        f"{REPORT_PARAMETERS.get(k, k)}: {_date(v) if v not in (None, '') else '–'}"
        for k, v in parameters.items()
    ]
    if shown:
        lines += ["", f"**{REPORT_TEXTS['parameters']}:** " + " · ".join(shown)]
    return "\n".join(lines)


def save_chart(fig: Figure, folder: str | Path, name: str) -> Path:
    """Save the chart as ``<folder>/<name>.png`` (next to the CSV files) and return the path."""
    path = Path(folder) / f"{name}.png"
    fig.savefig(path, dpi=100)
    return path


def chart_html(fig: Figure, folder: str | Path, name: str) -> str:
    """Save the chart (:func:`save_chart`) and return it as an ``<img>`` with its title as alt text."""
    path = save_chart(fig, folder, name)
    title = fig.axes[0].get_title() if fig.axes else name
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<img alt="{html.escape(title)}" src="data:image/png;base64,{data}">'


def _figure(title: str) -> tuple[Figure, Any]:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 4.5))
    ax = fig.subplots()
    ax.set_title(title)
    return fig, ax


def _integer_ticks() -> Any:
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator(integer=True)


def _stacked(ax: Any, table: pd.DataFrame, legend: str) -> None:
    bottom = None
    labels = [str(i) for i in table.index]
    for column in table.columns:
        values = table[column].to_numpy()
        ax.bar(labels, values, bottom=bottom, label=str(column))
        bottom = values if bottom is None else bottom + values
    ax.legend(title=legend, fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1))


def quality_by_region(findings: pd.DataFrame, regions: Mapping[str, str]) -> pd.DataFrame:
    """Units with findings per check (rows, Danish labels) and region (columns)."""
    if findings.empty:
        return pd.DataFrame()
    frame = findings.assign(
        region=[regions.get(c, REPORT_TEXTS["unknown"]) for c in findings["sor_code"]]
    )
    return (
        pd.crosstab(
            frame["check_label"], frame["region"], values=frame["sor_code"], aggfunc="nunique"
        )
        .fillna(0)
        .astype(int)
    )


def quality_chart(table: pd.DataFrame) -> Figure:
    """Data quality: units with findings per check, coloured by region (horizontal bars)."""
    fig, ax = _figure(REPORT_TEXTS["quality_chart_title"])
    if table.empty:
        ax.set_title(REPORT_TEXTS["quality_chart_title"] + " " + REPORT_TEXTS["none"])
        return fig
    left = None
    for region in table.columns:
        values = table[region].to_numpy()
        ax.barh([str(i) for i in table.index], values, left=left, label=str(region))
        left = values if left is None else left + values
    ax.set_xlabel(REPORT_TEXTS["quality_chart_x"])
    ax.xaxis.set_major_locator(_integer_ticks())
    ax.invert_yaxis()
    ax.legend(
        title=REPORT_TEXTS["region"], fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1)
    )
    fig.tight_layout()
    return fig


def changes_per_week_chart(changes: pd.DataFrame) -> Figure:
    """Changes per week (Monday's date), stacked by operation."""
    fig, ax = _figure(REPORT_TEXTS["changes_chart_title"])
    if changes.empty:
        ax.set_title(REPORT_TEXTS["changes_chart_title"] + " " + REPORT_TEXTS["none"])
        return fig
    days = pd.to_datetime(changes["effective_date"])
    weeks = (days - pd.to_timedelta(days.dt.day_of_week, unit="D")).dt.date
    table = pd.crosstab(weeks, changes["operation"]).sort_index()
    table.index = [f"{d:%d-%m-%Y}" for d in table.index]
    _stacked(ax, table, REPORT_TEXTS["operation"])
    ax.set_xlabel(REPORT_TEXTS["changes_chart_x"])
    ax.set_ylabel(REPORT_TEXTS["count"])
    ax.yaxis.set_major_locator(_integer_ticks())
    ax.tick_params(axis="x", labelrotation=45)
    fig.tight_layout()
    return fig


def pending_per_day_chart(pending: pd.DataFrame) -> Figure:
    """Pending changes per day they take effect, stacked by operation."""
    fig, ax = _figure(REPORT_TEXTS["pending_chart_title"])
    if pending.empty:
        ax.set_title(REPORT_TEXTS["pending_chart_title"] + " " + REPORT_TEXTS["none"])
        return fig
    table = pd.crosstab(pending["effective_date"], pending["operation"]).sort_index()
    table.index = [f"{d:%d-%m-%Y}" for d in table.index]
    _stacked(ax, table, REPORT_TEXTS["operation"])
    ax.set_xlabel(REPORT_TEXTS["pending_chart_x"])
    ax.set_ylabel(REPORT_TEXTS["count"])
    ax.yaxis.set_major_locator(_integer_ticks())
    ax.tick_params(axis="x", labelrotation=45)
    fig.tight_layout()
    return fig
