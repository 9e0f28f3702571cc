"""A private, throwaway PostgreSQL server for the tests (and the benchmarks).

:func:`private_server` runs Debian's ``initdb`` in a temporary folder (as the ``postgres`` user
when we are root: initdb refuses root), starts the cluster with ``pg_ctl`` on a free port on
127.0.0.1 with ``fsync=off`` (nothing here needs to survive a crash), yields its URL and stops
and removes it afterwards. ``SORKIT_TEST_PG=postgresql://...`` points at an existing server
instead (:func:`server_url`).

Each test gets a fresh database copied from a migrated template (:func:`create_database`):
``CREATE DATABASE ... TEMPLATE ...`` copies files, far cheaper than running the migrations or
building the demo register again.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import sql


class NoServer(RuntimeError):
    """No PostgreSQL binaries here and no SORKIT_TEST_PG: the PostgreSQL tests cannot run."""


def binaries() -> Path | None:
    """The newest installed PostgreSQL bin folder (Debian layout), or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version_key)
    return Path(found[-1]).parent if found else None


def _version_key(path: str) -> int:
    try:
        return int(Path(path).parts[-3])
    except ValueError:
        return 0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_server_user(cmd: list[str]) -> list[str]:
    """Run as ``postgres`` when we are root (initdb and postgres refuse root)."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


@contextmanager
def private_server() -> Iterator[str]:
    """Start a throwaway cluster; yield its superuser URL; stop and remove it afterwards.

    Raises:
        NoServer: PostgreSQL is not installed (run scripts/ensure-postgresql).
    """
    bin_dir = binaries()
    if bin_dir is None:
        raise NoServer("PostgreSQL er ikke installeret (scripts/ensure-postgresql)")
    root = Path(tempfile.mkdtemp(prefix="sorkit-pg-"))
    data = root / "data"
    data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(data, "postgres")
    log = root / "server.log"
    try:
        subprocess.run(
            _as_server_user(
                [
                    str(bin_dir / "initdb"),
                    "-D",
                    str(data),
                    "-A",
                    "trust",
                    "-U",
                    "postgres",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                ]
            ),
            check=True,
            capture_output=True,
        )
        port = _free_port()
        options = (
            f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        subprocess.run(
            _as_server_user(
                [
                    str(bin_dir / "pg_ctl"),
                    "-D",
                    str(data),
                    "-o",
                    options,
                    "-l",
                    str(log),
                    "-w",
                    "start",
                ]
            ),
            check=True,
            capture_output=True,
        )
        try:
            yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
        finally:
            subprocess.run(
                _as_server_user(
                    [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]
                ),
                check=False,
                capture_output=True,
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def server_url() -> Iterator[str]:
    """``SORKIT_TEST_PG`` if set, else a private server for as long as the block runs."""
    given = os.environ.get("SORKIT_TEST_PG")
    if given:
        yield given
        return
    with private_server() as url:
        yield url


def with_database(url: str, dbname: str) -> str:
    """The same server URL naming another database."""
    base, _, _ = url.rpartition("/")
    query = ""
    if "?" in url:
        query = "?" + url.split("?", 1)[1]
    return f"{base}/{dbname}{query}"


def create_database(url: str, template: str | None = None, name: str | None = None) -> str:
    """Create a new database (a copy of ``template`` if given); return its URL."""
    name = name or f"sorkit_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as con:
        if template is None:
            con.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        else:
            con.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(name), sql.Identifier(template)
                )
            )
    return with_database(url, name)


def drop_database(url: str, name: str) -> None:
    """Drop a database, ending any connection still using it."""
    with psycopg.connect(url, autocommit=True) as con:
        con.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
