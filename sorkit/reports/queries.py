"""Report queries as plain functions returning DataFrames, so report notebooks stay thin.

The scheduled report notebooks in ``notebooks/reports/`` call these; they are just as useful from
any notebook:

- :func:`changes_in_period`: what changed (or was recorded) between two dates;
- :func:`pending_changes`: changes that take effect in the next N days;
- :func:`data_quality`: units without a phone after inheritance, invalid identifiers, units
  without a (known) unit type, location numbers without EDI types or marked inactive, and
  addresses kept without validation;
- :func:`location_numbers`: the location numbers in force, per region and net operator.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pandas as pd

from sorkit import ids, refdata
from sorkit.dates import ONE_DAY
from sorkit.history import describe_event
from sorkit.inherit import resolve
from sorkit.model import Event, Version
from sorkit.search.frames import PathCache
from sorkit.snapshot import Snapshot
from sorkit.texts import OPERATION_LABELS, REPORT_TEXTS

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from sorkit.register import Register

__all__ = [
    "CHANGE_COLUMNS",
    "QUALITY_CHECKS",
    "change_counts",
    "changes_in_period",
    "data_quality",
    "data_quality_summary",
    "location_numbers",
    "location_numbers_by_region",
    "location_numbers_chart",
    "pending_changes",
    "period",
]

CHANGE_COLUMNS = [
    "effective_date",
    "operation",
    "sor_code",
    "name",
    "path",
    "changes",
    "change_id",
    "recorded_by",
    "recorded_at",
    "reason",
    "batch_id",
]

#: The data-quality checks: key -> Danish label.
QUALITY_CHECKS = {
    "no_phone": REPORT_TEXTS["no_phone"],
    "invalid_identifier": REPORT_TEXTS["invalid_identifier"],
    "no_unit_type": REPORT_TEXTS["no_unit_type"],
    "gln_no_edi_types": REPORT_TEXTS["gln_no_edi_types"],
    "gln_inactive": REPORT_TEXTS["gln_inactive"],
    "address_not_validated": REPORT_TEXTS["address_not_validated"],
}
QUALITY_COLUMNS = ["check", "check_label", "sor_code", "name", "level", "path", "detail"]
LOCATION_COLUMNS = [
    "gln",
    "sor_code",
    "name",
    "path",
    "region",
    "region_name",
    "net_operator",
    "net_operator_name",
    "edb_system",
    "system_supplier",
    "administrator",
    "edi_types",
    "only_internal",
    "inactive",
    "inheritors",
]


def _day(value: Any, default: dt.date) -> dt.date:
    if value is None or value == "":
        return default
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def period(
    reg: Register, start: Any = None, end: Any = None, days: int = 30
) -> tuple[dt.date, dt.date]:
    """The report period: ``[start, end]`` (inclusive); defaults to the last ``days`` to today."""
    last = _day(end, reg.today)
    first = _day(start, last - dt.timedelta(days=days))
    return first, last


# -- changes -------------------------------------------------------------------------------


def changes_in_period(
    reg: Register,
    start: Any = None,
    end: Any = None,
    *,
    days: int = 30,
    by: str = "effective",
) -> pd.DataFrame:
    """Changes in a period, one row per changed unit per change (cancelled changes left out).

    Args:
        reg: the register.
        start: first day (default ``end - days``); a date or ISO text.
        end: last day (default today).
        days: the period's length when ``start`` is not given.
        by: ``"effective"`` (the change takes effect in the period; a close counts on its last
            day) or ``"recorded"`` (the change was recorded in the period).

    Returns:
        Columns :data:`CHANGE_COLUMNS`, by date.
    """
    if by not in ("effective", "recorded"):
        raise ValueError("by skal være 'effective' eller 'recorded'")
    first, last = period(reg, start, end, days)
    if by == "effective":
        raw = reg.store.period_events(first, last + ONE_DAY, "effective")
    else:
        raw = reg.store.period_events(first, last, "recorded")
    snap = reg.snapshot()
    caches: dict[dt.date, PathCache] = {}
    rows = []
    for change_id, kind, code, eff, assignments, by_user, at, reason, batch_id in raw:
        shown = eff - ONE_DAY if kind == "close" else eff
        if by == "effective" and not first <= shown <= last:
            continue
        event = Event(None, change_id, code, eff, kind, json.loads(assignments), at, by_user)
        v = snap.reference_version(code, shown)
        cache = caches.setdefault(shown, PathCache(snap, shown))
        rows.append(
            (
                shown,
                OPERATION_LABELS.get(kind, kind),
                code,
                v.name if v is not None else None,
                cache.path(code) if v is not None else "",
                describe_event(snap, event),
                change_id,
                by_user,
                at,
                reason,
                batch_id,
            )
        )
    frame = pd.DataFrame.from_records(rows, columns=CHANGE_COLUMNS)
    return frame.sort_values(["effective_date", "recorded_at"], ignore_index=True, kind="stable")


def change_counts(changes: pd.DataFrame) -> pd.DataFrame:
    """Changes per operation (rows of :func:`changes_in_period`), most frequent first."""
    if changes.empty:
        return pd.DataFrame({"operation": pd.Series(dtype=str), "count": pd.Series(dtype=int)})
    counts = changes.groupby("operation").size().rename("count").reset_index()
    return counts.sort_values(["count", "operation"], ascending=[False, True], ignore_index=True)


def pending_changes(
    reg: Register, days: int = 30, as_of: Any = None, under: Any = None
) -> pd.DataFrame:
    """Changes that take effect after ``as_of`` (default today) and at most ``days`` later.

    Returns:
        :meth:`Register.pending`'s columns plus ``path`` (the unit's place on the date).
    """
    day = _day(as_of, reg.today)
    frame = reg.pending(as_of=day, under=under)
    frame = frame[frame["effective_date"] <= day + dt.timedelta(days=days)].reset_index(drop=True)
    snap = reg.snapshot()
    caches: dict[dt.date, PathCache] = {}
    paths = []
    for code, eff in zip(frame["sor_code"], frame["effective_date"], strict=True):
        cache = caches.setdefault(eff, PathCache(snap, eff))
        paths.append(cache.path(code) if snap.exists(code) else "")
    frame.insert(4, "path", paths)
    return frame


# -- data quality --------------------------------------------------------------------------


def _open_versions(snap: Snapshot, day: dt.date) -> Iterator[Version]:
    """Each unit that is not closed on ``day``, as on ``day`` (a future unit as it starts)."""
    for code in snap.codes():
        if snap.status(code, day) == "closed":
            continue
        v = snap.reference_version(code, day)
        if v is not None:
            yield v


def data_quality(reg: Register, as_of: Any = None) -> pd.DataFrame:
    """Data-quality findings on ``as_of`` (default today), one row per unit per finding.

    Units closed on that date are left out. Checks (:data:`QUALITY_CHECKS`): no phone after
    inheritance; an invalid SOR code, CVR, SHAK, ydernummer, P-number or location number; no or
    an unknown unit type; an own location number without EDI message types, or marked inactive;
    an own address kept without address validation.

    Returns:
        Columns :data:`QUALITY_COLUMNS`, by check and path.
    """
    day = _day(as_of, reg.today)
    snap = reg.snapshot()
    paths = PathCache(snap, day)
    types = refdata.unit_type_names()
    rows: list[tuple[str, str, str, str, str]] = []

    def add(check: str, v: Version, detail: str) -> None:
        rows.append((check, v.sor_code, v.name, v.level, detail))

    for v in _open_versions(snap, day):
        values, inherited = resolve(snap, v, day)
        if not values["phone"]:
            source = "egen" if not v.inherit_electronic else "nedarvet"
            add("no_phone", v, REPORT_TEXTS["no_phone_detail"].format(source=source))
        if not ids.is_valid_sor_code(v.sor_code):
            add("invalid_identifier", v, f"SOR-kode: {v.sor_code}")
        problems = ids.identifier_problems(
            shak=v.shak, ydernummer=v.ydernummer, cvr=v.cvr, p_number=v.p_number
        )
        for name, why in problems.items():
            add("invalid_identifier", v, f"{name}: {why}")
        ln = v.location_number
        if ln is not None and not ids.is_valid_gln(ln.get("gln")):
            add("invalid_identifier", v, f"lokationsnummer: {ln.get('gln')}")
        if not v.unit_type:
            add("no_unit_type", v, REPORT_TEXTS["no_unit_type_detail"])
        elif v.unit_type not in types:
            add("no_unit_type", v, REPORT_TEXTS["unknown_unit_type"].format(code=v.unit_type))
        if ln is not None:
            if not ln.get("edi_types"):
                add("gln_no_edi_types", v, f"lokationsnummer {ln.get('gln')}")
            if ln.get("inactive"):
                add("gln_inactive", v, f"lokationsnummer {ln.get('gln')}")
        for block in ("postal_address", "visiting_address", "activity_address"):
            address = getattr(v, block)
            if address is not None and address.get("skip_validation"):
                text = " ".join(
                    str(address.get(k) or "") for k in ("street", "house_number", "postcode")
                )
                add("address_not_validated", v, f"{REPORT_TEXTS[block]}: {text}")
        del inherited
    frame = pd.DataFrame.from_records(
        [
            (check, QUALITY_CHECKS[check], code, name, level, paths.path(code), detail)
            for check, code, name, level, detail in rows
        ],
        columns=QUALITY_COLUMNS,
    )
    order = {c: i for i, c in enumerate(QUALITY_CHECKS)}
    frame["_order"] = frame["check"].map(order)
    return (
        frame.sort_values(["_order", "path", "sor_code"], kind="stable")
        .drop(columns="_order")
        .reset_index(drop=True)
    )


def data_quality_summary(findings: pd.DataFrame) -> pd.DataFrame:
    """Findings per check (every check listed, also with 0), from :func:`data_quality`."""
    counts: dict[str, int] = {}
    if len(findings):
        counts = {
            str(k): int(v) for k, v in findings.groupby("check")["sor_code"].nunique().items()
        }
    return pd.DataFrame(
        [(check, label, counts.get(check, 0)) for check, label in QUALITY_CHECKS.items()],
        columns=["check", "check_label", "units"],
    )


# -- location numbers ----------------------------------------------------------------------


def location_numbers(reg: Register, as_of: Any = None) -> pd.DataFrame:
    """The location numbers in force on ``as_of`` (default today): one row per number.

    Only units valid on that date count (not future or closed ones). ``inheritors`` counts the
    units that use the number by inheritance on that date.

    Returns:
        Columns :data:`LOCATION_COLUMNS`, by region, net operator and number.
    """
    day = _day(as_of, reg.today)
    snap = reg.snapshot()
    paths = PathCache(snap, day)
    operators = refdata.net_operators()
    holders: list[Version] = []
    inheritors: dict[str, int] = {}
    for code in snap.codes():
        v = snap.version_at(code, day)
        if v is None:
            continue
        if v.location_number is not None:
            holders.append(v)
        elif v.inherit_location_number:
            _values, inherited = resolve(snap, v, day)
            source = inherited.get("location_number")
            if source is not None:
                inheritors[source] = inheritors.get(source, 0) + 1
    rows = []
    for v in holders:
        ln = v.location_number or {}
        region = ln.get("region")
        operator = ln.get("net_operator")
        rows.append(
            (
                ln.get("gln"),
                v.sor_code,
                v.name,
                paths.path(v.sor_code),
                region,
                (refdata.region_name(region) if region else None) or REPORT_TEXTS["unknown"],
                operator,
                operators.get(operator or "", operator) or REPORT_TEXTS["unknown"],
                ln.get("edb_system"),
                ln.get("system_supplier"),
                ln.get("administrator"),
                ", ".join(ln.get("edi_types") or ()),
                bool(ln.get("only_internal")),
                bool(ln.get("inactive")),
                inheritors.get(v.sor_code, 0),
            )
        )
    frame = pd.DataFrame.from_records(rows, columns=LOCATION_COLUMNS)
    return frame.sort_values(["region_name", "net_operator_name", "gln"], ignore_index=True)


def location_numbers_by_region(numbers: pd.DataFrame) -> pd.DataFrame:
    """Counts of location numbers per region (rows) and net operator (columns), with totals."""
    if numbers.empty:
        return pd.DataFrame()
    table = pd.crosstab(
        numbers["region_name"],
        numbers["net_operator_name"],
        margins=True,
        margins_name=REPORT_TEXTS["total"],
    )
    table.index.name = "region"
    table.columns.name = None
    return table


def location_numbers_chart(numbers: pd.DataFrame) -> Figure:
    """A stacked bar chart: location numbers per region, coloured by net operator."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 4.5))
    ax = fig.subplots()
    if numbers.empty:
        ax.set_title(REPORT_TEXTS["chart_title"] + " (ingen)")
        return fig
    table = pd.crosstab(numbers["region_name"], numbers["net_operator_name"])
    bottom = None
    for operator in table.columns:
        values = table[operator]
        ax.bar(table.index, values, bottom=bottom, label=operator)
        bottom = values if bottom is None else bottom + values
    ax.set_title(REPORT_TEXTS["chart_title"])
    ax.set_ylabel(REPORT_TEXTS["chart_y"])
    ax.tick_params(axis="x", labelrotation=20)
    ax.legend(
        title=REPORT_TEXTS["chart_legend"],
        fontsize="small",
        loc="upper left",
        bbox_to_anchor=(1.01, 1),
    )
    fig.tight_layout()
    return fig
