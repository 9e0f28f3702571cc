"""sorkit.analysis.readable: tables as an analyst reads them."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from sorkit.analysis.readable import INTERACTIVE_FROM, counts, readable, table


@pytest.mark.parametrize(
    ("column", "value", "shown"),
    [
        ("status", "active", "aktiv"),
        ("status", "closing", "lukker"),
        ("operation", "create", "Opret"),
        ("kind", "location_number", "Lokationsnummer"),
        ("kinds", "moved, renamed", "flyttet, omdøbt"),
        ("kinds", "location_number_changed", "nyt lokationsnummer"),
        ("valid_from", dt.date(2026, 12, 1), "01-12-2026"),
        ("recorded_at", pd.Timestamp("2026-11-29 09:05:00"), "29-11-2026 09:05"),
        ("recorded_at", pd.Timestamp("2026-11-29"), "29-11-2026"),
        ("cancelled", True, "ja"),
        ("cancelled", False, "nej"),
        ("name", None, ""),
        ("name", np.nan, ""),
        ("last_day", pd.NaT, ""),
        ("accepted", "{}", ""),
        ("accepted", '{"GLN_MISSING": "aftalt"}', "GLN_MISSING: aftalt"),
        ("count", 3.0, "3"),
    ],
)
def test_values_are_shown_in_danish(column: str, value: object, shown: str) -> None:
    out = readable(pd.DataFrame({column: pd.Series([value], dtype=object)}))
    assert out.iloc[0, 0] == shown


def test_labels_are_danish_and_never_collide() -> None:
    frame = pd.DataFrame(
        {"sor_code": ["1"], "status": ["active"], "region": ["x"], "Region": ["y"]}
    )
    out = readable(frame, labels={"sor_code": "Kode"})
    assert list(out.columns) == ["Kode", "Status", "Region", "Region (c3)"]


def test_counts_is_a_table_not_a_series_dump() -> None:
    out = counts(pd.Series(["active", "active", "closed"], name="status"), "Status")
    assert out.to_dict("list") == {"Status": ["aktiv", "lukket"], "Antal": [2, 1]}


def test_long_tables_are_interactive_in_danish_with_every_row() -> None:
    short = pd.DataFrame({"status": ["active"] * INTERACTIVE_FROM})
    assert "aktiv" in table(short).to_html()
    long = pd.DataFrame({"name": [f"Enhed {i}" for i in range(5000)], "status": "active"})
    page = table(long).data
    assert "_MENU_ r\\u00e6kker pr. side" in page and "S\\u00f8g:" in page  # JSON-escaped
    assert "Enhed 4999" in page  # nothing dropped to keep the page small
    assert '\\"active\\"' not in page and '\\"aktiv\\"' in page
