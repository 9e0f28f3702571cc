"""Shared fixtures: the demo register is built once per session; each test gets its own copy.

``demo`` and ``empty`` are DuckDB registers, or PostgreSQL ones in modules that run on both
engines (``pytestmark = pytest.mark.engines``, see :mod:`tests.pgfixtures`).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

import sorkit
from tests.helpers import TODAY

pytest_plugins = ["tests.pgfixtures"]

#: The fixed today of every test register (so dates in tests never drift).


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo register built once, as a file."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    reg = sorkit.demo_register(path, today=TODAY)
    assert len(reg.snapshot()) > 2000
    return path


@pytest.fixture
def demo(engine: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sorkit.Register]:
    """A private copy of the demo register, opened as admin with today = TODAY."""
    if engine == "postgresql":
        url = request.getfixturevalue("pg_demo_url")
        reg = sorkit.open_register(url, user="admin", today=TODAY)
        yield reg
        reg.store.close()
        return
    path = tmp_path / "demo.duckdb"
    shutil.copy(request.getfixturevalue("demo_template"), path)
    yield sorkit.open_register(path, user="admin", today=TODAY)


@pytest.fixture
def empty(engine: str, request: pytest.FixtureRequest) -> Iterator[sorkit.Register]:
    """An empty register (unmanaged: the user is sds_admin): in memory, or a new database."""
    if engine == "postgresql":
        url = request.getfixturevalue("pg_database")
        reg = sorkit.open_register(url, user="tester", today=TODAY)
        yield reg
        reg.store.close()
        return
    yield sorkit.open_register(None, user="tester", today=TODAY)
