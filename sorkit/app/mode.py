"""App mode: the steward app as a web page, served by Voila on the loopback interface only.

``sorkit app`` (and ``make app``) call :func:`serve`; the browser tests use :func:`start_voila`
and :func:`start_lab`, which start a server in a process group of its own on a free loopback
port, wait until it answers, and stop it again (:meth:`Server.stop`).

The page is ``notebooks/app.ipynb`` with its code hidden (``--strip_sources=True``). The kernel
finds its register in the environment (read by :func:`open_app_register`):

- ``SORKIT_REGISTER``: the register file (default ``data/demo.duckdb``, built on first use);
- ``SORKIT_TODAY``: the register's today as an ISO date (default the real date);
- ``SORKIT_USER``: who works in it (default as :func:`sorkit.open_register`; ``admin`` on a
  demo register).

No request leaves the machine: Voila's ``lab`` template links Font Awesome from a CDN, so the
app uses the template ``sorkit`` (:func:`write_template`), the same page without those links; the
icons come from the Font Awesome copy bundled in Voila's own static files (and the page never
imports mermaid.js from cdnjs either).

The pieces: :mod:`sorkit.app.setup` (commands, template, settings, environment),
:mod:`sorkit.app.kernel` (the register and DOM hooks inside the kernel) and
:mod:`sorkit.app.server` (ports and server processes); this module starts and serves.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from sorkit.app.kernel import add_dom_hooks, app_today, open_app_register
from sorkit.app.server import (
    MESSAGES,
    Server,
    free_port,
    http_answers,
    port_in_use,
    spawn_server,
    stop_process_group,
)
from sorkit.app.setup import (
    APP_NOTEBOOK,
    CDN_LINKS,
    DEMO_REGISTER,
    HOST,
    LAB_SETTINGS,
    ROOT,
    TEMPLATE,
    app_environment,
    app_notebook,
    lab_command,
    voila_command,
    write_lab_settings,
    write_template,
)

__all__ = [
    "APP_NOTEBOOK",
    "DEMO_REGISTER",
    "HOST",
    "LAB_SETTINGS",
    "MESSAGES",
    "ROOT",
    "TEMPLATE",
    "Server",
    "add_dom_hooks",
    "app_notebook",
    "app_environment",
    "app_today",
    "free_port",
    "http_answers",
    "lab_command",
    "open_app_register",
    "port_in_use",
    "running_voila",
    "serve",
    "start_lab",
    "start_voila",
    "stop_process_group",
    "voila_command",
    "write_lab_settings",
    "write_template",
]

# The old private names, still used by tests.
_CDN_LINKS = CDN_LINKS
_spawn = spawn_server


def start_voila(
    register: Path | str,
    *,
    port: int | None = None,
    notebook: Path | str | None = None,
    today: dt.date | str | None = None,
    user: str | None = None,
    log: Path | None = None,
    timeout: float = 120.0,
    extra: Sequence[str] = (),
) -> Server:
    """Start Voila serving the app on ``register`` and wait until it answers.

    The page is at ``server.url``; the kernel starts when the page is opened. Stop it with
    :meth:`Server.stop` (or use the server as a context manager).
    """
    notebook = Path(notebook or app_notebook()).resolve()
    port = port or free_port()
    templates = Path(tempfile.mkdtemp(prefix="sorkit-voila-"))
    write_template(templates)
    env = app_environment(register, today=today, user=user, jupyter_path=templates)
    cmd = voila_command(notebook, port, extra=extra)
    server = spawn_server(
        "Voila", cmd, port, env, notebook.parent, log, f"http://{HOST}:{port}/", [templates]
    )
    try:
        server.wait_ready(timeout)
    except BaseException:
        server.stop()
        raise
    return server


def start_lab(
    root_dir: Path | str,
    *,
    register: Path | str | None = None,
    port: int | None = None,
    today: dt.date | str | None = None,
    user: str | None = None,
    log: Path | None = None,
    timeout: float = 120.0,
    extra: Sequence[str] = (),
) -> Server:
    """Start JupyterLab on ``root_dir`` with its own config, runtime and workspace folders.

    With ``register`` its kernels see ``SORKIT_REGISTER`` (and ``SORKIT_TODAY``,
    ``SORKIT_USER``). The lab is at ``server.url`` (no token).
    """
    root = Path(root_dir).resolve()
    port = port or free_port()
    home = Path(tempfile.mkdtemp(prefix="sorkit-lab-"))
    base = dict(os.environ)
    base.update(
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        IPYTHONDIR=str(home / "ipython"),
        TMPDIR=str(home / "tmp"),  # what notebooks put in tempfile folders goes with the server
    )
    (home / "tmp").mkdir()
    if register is not None:
        env = app_environment(register, today=today, user=user, base=base)
    else:
        env = app_environment(root, base=base)
        env.pop("SORKIT_REGISTER")
    settings = write_lab_settings(home / "settings")
    own = [
        f"--LabApp.workspaces_dir={home / 'workspaces'}",
        f"--LabApp.user_settings_dir={settings}",
    ]
    cmd = lab_command(root, port, extra=[*own, *extra])
    server = spawn_server(
        "JupyterLab", cmd, port, env, root, log, f"http://{HOST}:{port}/lab", [home]
    )
    try:
        server.wait_ready(timeout, path="/api/status")
    except BaseException:
        server.stop()
        raise
    return server


@contextlib.contextmanager
def running_voila(register: Path | str, **options: Any) -> Iterator[Server]:
    """Start Voila as a context manager: the server is stopped on exit."""
    server = start_voila(register, **options)
    try:
        yield server
    finally:
        server.stop()


def serve(
    register: Path | str | None = None,
    port: int = 8866,
    *,
    today: dt.date | str | None = None,
    user: str | None = None,
    notebook: Path | str | None = None,
) -> int:
    """Serve the steward app on ``http://127.0.0.1:<port>/`` until Ctrl-C; return an exit code.

    ``register`` defaults to the demo register (built on first use). Used by ``sorkit app``.
    """
    register = Path(register) if register is not None else DEMO_REGISTER
    notebook = Path(notebook) if notebook is not None else app_notebook()
    if not notebook.exists():
        print(MESSAGES["no_notebook"].format(notebook=notebook), file=sys.stderr)
        return 2
    if not register.exists() and not register.name.endswith("demo.duckdb"):
        print(MESSAGES["no_register"].format(register=register), file=sys.stderr)
        return 2
    if port_in_use(port):
        print(MESSAGES["port_busy"].format(port=port, host=HOST), file=sys.stderr)
        return 2
    templates = Path(tempfile.mkdtemp(prefix="sorkit-voila-"))
    previous = _stop_on_sigterm()
    try:
        write_template(templates)
        env = app_environment(register, today=today, user=user, jupyter_path=templates)
        cmd = voila_command(notebook.resolve(), port)
        print(_serving_text(port, register), flush=True)
        # Voila (and its kernels) in a process group of its own: Ctrl-C reaches only us, and we
        # stop the whole group (a single SIGINT would only make Voila ask for confirmation).
        process = subprocess.Popen(
            cmd, cwd=notebook.resolve().parent, env=env, start_new_session=True
        )
        try:
            return process.wait()
        except KeyboardInterrupt:
            stop_process_group(process)
            print(MESSAGES["stopped"], flush=True)
            return 0
    finally:
        shutil.rmtree(templates, ignore_errors=True)
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _stop_on_sigterm() -> Any:
    """Treat SIGTERM like Ctrl-C (so the server is stopped and the temp files removed)."""
    try:
        return signal.signal(signal.SIGTERM, _interrupt)
    except ValueError:  # not the main thread
        return None


def _serving_text(port: int, register: Path) -> str:
    from sorkit import texts

    template = getattr(texts, "CLI_TEXTS", {}).get("app")
    if template:
        return str(template.format(port=port, register=register))
    url = f"http://{HOST}:{port}/"
    return MESSAGES["serving"].format(url=url, register=register)
