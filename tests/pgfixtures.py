"""Pytest fixtures for the PostgreSQL engine (a plugin loaded by ``tests/conftest.py``).

- ``pg_url``: the server for the whole session (:func:`tests.pgserver.server_url`: a private
  throwaway cluster, or ``SORKIT_TEST_PG``). Without one the PostgreSQL tests skip, except when
  ``CI=true``: then no server is a failure.
- ``pg_database``: a fresh empty, migrated database per test (copied from a template).
- ``pg_demo_url``: a fresh copy of the demo register per test (from a demo template database).
- ``engine``: ``"duckdb"`` unless a test module opts in to both engines with
  ``pytestmark = pytest.mark.engines``; then every test of it that uses ``demo``, ``empty`` or
  ``engine`` runs once per engine (the PostgreSQL run is marked ``postgresql``).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests import pgserver

ENGINES = ("duckdb", "postgresql")
_TEMPLATE = "sorkit_template_empty"
_DEMO = "sorkit_template_demo"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "engine" in metafunc.fixturenames and metafunc.definition.get_closest_marker("engines"):
        metafunc.parametrize(
            "engine",
            [
                pytest.param("duckdb"),
                pytest.param("postgresql", marks=pytest.mark.postgresql),
            ],
            indirect=True,
        )


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A PostgreSQL server for the session (its maintenance-database URL)."""
    try:
        with pgserver.server_url() as url:
            yield url
    except pgserver.NoServer as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI: PostgreSQL-testene skal køre: {exc}")
        pytest.skip(str(exc))


@pytest.fixture(scope="session")
def pg_template(pg_url: str) -> str:
    """The name of a database holding an empty, migrated register (the copy source)."""
    import sorkit

    pgserver.drop_database(pg_url, _TEMPLATE)
    url = pgserver.create_database(pg_url, name=_TEMPLATE)
    reg = sorkit.open_register(url, user="tester")
    reg.store.close()
    return _TEMPLATE


@pytest.fixture(scope="session")
def pg_demo_template(pg_url: str) -> str:
    """The name of a database holding the demo register (built once per session)."""
    import sorkit
    from tests.helpers import TODAY

    pgserver.drop_database(pg_url, _DEMO)
    url = pgserver.create_database(pg_url, name=_DEMO)
    reg = sorkit.demo_register(url, today=TODAY)
    assert len(reg.snapshot()) > 2000
    reg.store.close()
    return _DEMO


def _fresh(pg_url: str, template: str) -> Iterator[str]:
    url = pgserver.create_database(pg_url, template=template)
    try:
        yield url
    finally:
        pgserver.drop_database(pg_url, url.rsplit("/", 1)[1].split("?")[0])


@pytest.fixture
def pg_database(pg_url: str, pg_template: str) -> Iterator[str]:
    """The URL of a fresh, empty register database (dropped after the test)."""
    yield from _fresh(pg_url, pg_template)


@pytest.fixture
def pg_demo_url(pg_url: str, pg_demo_template: str) -> Iterator[str]:
    """The URL of a fresh copy of the demo register (dropped after the test)."""
    yield from _fresh(pg_url, pg_demo_template)


@pytest.fixture
def engine(request: pytest.FixtureRequest) -> str:
    """The engine a register fixture uses (see the module docstring)."""
    return str(getattr(request, "param", "duckdb"))


_NEW_REGISTER: list[Callable[[str, dt.date], Any]] = []


def new_register(user: str, today: dt.date) -> Any:
    """A new, empty register on the engine of the running test (in memory for DuckDB)."""
    import sorkit

    if _NEW_REGISTER:
        return _NEW_REGISTER[-1](user, today)
    return sorkit.open_register(None, user=user, today=today)


@pytest.fixture(autouse=True)
def _new_registers_on_the_engine(engine: str, request: pytest.FixtureRequest) -> Iterator[None]:
    """Let :func:`new_register` make PostgreSQL registers in a test that runs on PostgreSQL."""
    if engine != "postgresql":
        yield
        return
    import sorkit

    server = request.getfixturevalue("pg_url")
    template = request.getfixturevalue("pg_template")
    made: list[tuple[Any, str]] = []

    def make(user: str, today: dt.date) -> Any:
        url = pgserver.create_database(server, template=template)
        reg = sorkit.open_register(url, user=user, today=today)
        made.append((reg, url))
        return reg

    _NEW_REGISTER.append(make)
    try:
        yield
    finally:
        _NEW_REGISTER.remove(make)
        for reg, url in made:
            reg.store.close()
            pgserver.drop_database(server, url.rsplit("/", 1)[1])
