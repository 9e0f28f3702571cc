"""The analyst notebooks as an analyst reads them: executed, rendered to HTML without inputs.

Fails on a raw pandas dump (``dtype:``, ``Name: count``) and on English statuses, operations,
kinds of difference or raw values (True/False/NaN/None/JSON) in any displayed table, plain or
interactive (itables keeps its rows as JSON in the page).
"""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from nbconvert import HTMLExporter
from nbconvert.preprocessors import ExecutePreprocessor

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
ANALYST = ["02_search", "03_explore", "04_history_and_audit", "05_questions"]

ENGLISH = {
    "active",
    "future",
    "closing",
    "closed",
    "create",
    "edit",
    "move",
    "close",
    "import",
    "location_number",
    "cancel",
    "new",
    "moved",
    "renamed",
    "type_changed",
    "location_number_changed",
    "true",
    "false",
    "nan",
    "none",
    "nat",
    "<na>",
    "{}",
}
_CELL = re.compile(r"<t[dh][^>]*>(.*?)</t[dh]>", re.S)
_DATA = re.compile(r'"data_json": "((?:[^"\\]|\\.)*)"')
_HEAD = re.compile(r'"table_html": "((?:[^"\\]|\\.)*)"')
_TAG = re.compile(r"<[^>]+>")


def displayed_cells(page: str) -> list[str]:
    """Every cell text of every table in the page: HTML tables and itables' JSON rows."""
    cells = [html.unescape(_TAG.sub("", c)).strip() for c in _CELL.findall(page)]
    for blob in _DATA.findall(page):
        rows = json.loads(json.loads(f'"{blob}"'))
        cells += [str(v).strip() for row in rows for v in row]
    for blob in _HEAD.findall(page):
        head = json.loads(f'"{blob}"')
        cells += [html.unescape(_TAG.sub("", c)).strip() for c in _CELL.findall(head)]
    return cells


def problems(page: str) -> list[str]:
    """What an analyst should not see in the page."""
    found = [f"raw dump: {m}" for m in ("dtype:", "Name: count") if m in page]
    for cell in displayed_cells(page):
        if cell.casefold() in ENGLISH or cell.startswith(("{", "[")):
            found.append(f"cell: {cell!r}")
    return found


def test_the_checker_catches_what_the_old_notebooks_showed() -> None:
    old = "<pre>IE    5\nName: count, dtype: int64</pre><table><tr><td>active</td><td>{}</td></tr></table>"
    assert len(problems(old)) == 4
    good = "<table><tr><th>Status</th><td>aktiv</td><td>01-12-2026</td></tr></table>"
    assert problems(good) == []


@pytest.mark.slow
@pytest.mark.parametrize("name", ANALYST)
def test_notebook_reads_well_as_html(name: str, demo_template: Path, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    register = tmp_path / "demo.duckdb"
    shutil.copy(demo_template, register)
    monkeypatch.setenv("SORKIT_REGISTER", str(register))
    book = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    ExecutePreprocessor(timeout=600, kernel_name="python3").preprocess(
        book, {"metadata": {"path": str(NOTEBOOKS)}}
    )
    page, _ = HTMLExporter(exclude_input=True, exclude_input_prompt=True,
                           exclude_output_prompt=True).from_notebook_node(book)  # fmt: skip
    (tmp_path / f"{name}.html").write_text(page, encoding="utf-8")
    assert displayed_cells(page), "no table shown"
    assert problems(page) == []
    assert "Traceback" not in page
