"""Shared fixtures: the demo register is built once per session; each test gets its own copy."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import sorkit
from tests.helpers import TODAY

#: The fixed today of every test register (so dates in tests never drift).


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo register built once, as a file."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    reg = sorkit.demo_register(path, today=TODAY)
    assert len(reg.snapshot()) > 2000
    return path


@pytest.fixture
def demo(demo_template: Path, tmp_path: Path) -> sorkit.Register:
    """A private copy of the demo register, opened as admin with today = TODAY."""
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_template, path)
    return sorkit.open_register(path, user="admin", today=TODAY)


@pytest.fixture
def empty() -> sorkit.Register:
    """An empty in-memory register (unmanaged: the user is sds_admin)."""
    return sorkit.open_register(None, user="tester", today=TODAY)
