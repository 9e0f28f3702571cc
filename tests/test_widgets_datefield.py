"""The Danish date field: typed and shown dd-mm-åååå; bad text stops the form with a message."""

from __future__ import annotations

import datetime as dt

import pytest

from sorkit.widgets import MoveForm
from sorkit.widgets.datefield import DanishDateField, parse_da

ROWS = [
    ("08-12-2026", dt.date(2026, 12, 8)),
    ("8-12-2026", dt.date(2026, 12, 8)),
    ("08.12.2026", dt.date(2026, 12, 8)),
    ("08/12/2026", dt.date(2026, 12, 8)),
    ("2026-12-08", dt.date(2026, 12, 8)),
    ("", None),
]


@pytest.mark.parametrize("text,day", ROWS)
def test_parse_da(text: str, day: dt.date | None) -> None:
    assert parse_da(text) == day


@pytest.mark.parametrize("text", ["31-02-2026", "12/08", "i morgen", "2026-13-01"])
def test_parse_da_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="dd-mm-åååå"):
        parse_da(text)


def test_field_shows_dd_mm_yyyy_both_ways() -> None:
    field = DanishDateField("Gældende fra", value=dt.date(2026, 12, 8))
    assert field.text.value == "08-12-2026"
    field.text.value = "1.1.2027"
    assert field.value == dt.date(2027, 1, 1) and field.text.value == "01-01-2027"
    field.value = dt.date(2027, 2, 3)
    assert field.text.value == "03-02-2027"
    field.text.value = "3 februar"
    assert field.value is None and "dd-mm-åååå" in field.problem


def test_a_form_with_a_bad_date_says_so_and_cannot_save(demo) -> None:
    form = MoveForm(demo)
    form.controls["effective_from"].text.value = "32-12-2026"
    assert "dd-mm-åååå" in form.state.problem
    assert form.controls["apply"].disabled
