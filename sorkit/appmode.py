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
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

#: The only interface any sorkit server binds to.
HOST = "127.0.0.1"
#: The repository root (``notebooks/`` and ``data/`` live here in a checkout).
ROOT = Path(__file__).resolve().parent.parent
APP_NOTEBOOK = ROOT / "notebooks" / "app.ipynb"
DEMO_REGISTER = ROOT / "data" / "demo.duckdb"
#: Name of the Voila template that serves everything from the machine itself.
TEMPLATE = "sorkit"

_CDN_LINKS = (
    '<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@^5/'
    'css/all.min.css" type="text/css" />',
    '<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@^5/'
    'css/v4-shims.min.css" type="text/css" />',
)

_TEMPLATE_INDEX = """{%- extends 'voila/templates/lab/index.html.j2' -%}
{#- sorkit: the lab template without its CDN links (everything is served from 127.0.0.1). -#}
{%- block notebook_css -%}
{%- set css -%}{{ super() }}{%- endset -%}
{{ css | replace(CDN_0, '') | replace(CDN_1, '') }}
{%- endblock notebook_css -%}
{%- block html_head_js_mermaidjs -%}
{%- endblock html_head_js_mermaidjs -%}
"""

MESSAGES = {
    "serving": "Steward-appen kører på {url} (register {register}); stop med Ctrl+C.",
    "stopped": "Steward-appen er stoppet.",
    "port_busy": "Porten {port} på {host} er optaget; vælg en anden med --port.",
    "no_register": "Registerfilen {register} findes ikke.",
    "no_notebook": "App-notesbogen {notebook} findes ikke.",
    "not_ready": "{name} svarede ikke på {url} inden for {seconds:.0f} sekunder.",
    "exited": "{name} stoppede med kode {code} før den svarede; se {log}.",
}


# -- the register inside the kernel ------------------------------------------------------------


def app_today(env: Mapping[str, str] | None = None) -> dt.date | None:
    """The register's today from ``SORKIT_TODAY`` (ISO date), or None for the real date.

    Raises:
        ValueError: ``SORKIT_TODAY`` is set but is not an ISO date.
    """
    value = (os.environ if env is None else env).get("SORKIT_TODAY", "").strip()
    return dt.date.fromisoformat(value) if value else None


def open_app_register(
    env: Mapping[str, str] | None = None, default: Path | str | None = None
) -> Any:
    """Open the register the app shows, as the environment says (see the module docstring).

    A file named ``demo.duckdb`` is opened with :func:`sorkit.demo_register` (built when empty,
    user ``admin`` unless ``SORKIT_USER`` says otherwise), like the notebooks do.
    """
    import sorkit

    env = os.environ if env is None else env
    path = str(env.get("SORKIT_REGISTER") or default or DEMO_REGISTER)
    today = app_today(env)
    user = env.get("SORKIT_USER") or None
    if path.endswith("demo.duckdb"):
        return sorkit.demo_register(path, today=today, user=user)
    return sorkit.open_register(path, today=today, user=user)


# -- stable DOM hooks ----------------------------------------------------------------------------

#: Parts of a tab besides its ``controls`` that get a DOM class too.
_PARTS = ("findings", "warning_box", "result", "confirmation", "question", "heading")


def add_dom_hooks(app: Any) -> Any:
    """Give the app's widgets stable CSS classes for browser tests and styling; return ``app``.

    ``sorkit-app`` on the app, ``sorkit-tree`` on the tree, ``sorkit-<tab>`` on each tab's
    widget (``details``, ``history``, ``create``, ``edit``, ``move``, ``close``, ``location``,
    ``search``) and ``sorkit-<owner>-<key>`` on every control in a ``controls`` dict
    (``sorkit-app-quick_search``, ``sorkit-tree-tree``, ``sorkit-create-apply``,
    ``sorkit-close-confirm``, ...), plus ``sorkit-<tab>-findings``/``-result``/... on a form's
    messages. Controls a form adds later (``accept_<CODE>``) are tagged when they appear.
    """
    app.add_class("sorkit-app")
    _tag_controls(app, "app")
    tree = getattr(app, "tree", None)
    if tree is not None:
        tree.add_class("sorkit-tree")
        _tag_controls(tree, "tree")
    try:
        from sorkit.widgets.app import TAB_KEYS
    except ImportError:  # pragma: no cover - the widgets package is required by the app
        return app
    import sorkit.widgets.app as app_module

    attributes = getattr(app_module, "TAB_ATTRIBUTES", {})
    for key in TAB_KEYS:
        piece = getattr(app, attributes.get(key, key), None)
        if piece is None or not hasattr(piece, "add_class"):
            continue
        piece.add_class(f"sorkit-{key}")
        _tag_controls(piece, key)
        for part in _PARTS:
            widget: Any = getattr(piece, part, None)
            if widget is not None and hasattr(widget, "add_class"):
                widget.add_class(f"sorkit-{key}-{part}")
        box = getattr(piece, "warning_box", None)
        if box is not None and hasattr(box, "observe"):
            box.observe(
                lambda _change, piece=piece, key=key: _tag_controls(piece, key), names="children"
            )
    return app


def _tag_controls(owner: Any, prefix: str) -> None:
    for key, widget in dict(getattr(owner, "controls", {}) or {}).items():
        name = f"sorkit-{prefix}-{key}"
        if hasattr(widget, "add_class") and name not in widget._dom_classes:
            widget.add_class(name)


# -- ports -------------------------------------------------------------------------------------


def free_port(host: str = HOST) -> int:
    """A TCP port that nothing listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def port_in_use(port: int, host: str = HOST) -> bool:
    """True if something accepts connections on ``host:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def http_answers(url: str, timeout: float = 5.0) -> bool:
    """True if an HTTP server answers ``url`` at all (any status)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or HOST, parts.port or 80, timeout=timeout)
    try:
        conn.request("GET", parts.path or "/")
        conn.getresponse().read()
        return True
    except OSError:
        return False
    finally:
        conn.close()


# -- the Voila template ------------------------------------------------------------------------


def write_template(root: Path) -> Path:
    """Write the ``sorkit`` Voila template under ``root`` (a Jupyter data dir) and return ``root``.

    Add ``root`` to ``JUPYTER_PATH`` and pass ``--template=sorkit``.
    """
    folder = root / "voila" / "templates" / TEMPLATE
    folder.mkdir(parents=True, exist_ok=True)
    index = _TEMPLATE_INDEX
    for i, link in enumerate(_CDN_LINKS):
        index = index.replace(f"CDN_{i}", repr(link))
    (folder / "index.html.j2").write_text(index, encoding="utf-8")
    (folder / "conf.json").write_text('{"base_template": "lab"}\n', encoding="utf-8")
    return root


# -- commands ----------------------------------------------------------------------------------


def voila_command(
    notebook: Path | str = APP_NOTEBOOK,
    port: int = 8866,
    *,
    python: str | None = None,
    template: str | None = TEMPLATE,
    extra: Sequence[str] = (),
) -> list[str]:
    """The Voila command line that serves ``notebook`` as one page, code hidden, on 127.0.0.1."""
    cmd = [
        python or sys.executable,
        "-m",
        "voila",
        str(notebook),
        "--no-browser",
        f"--port={port}",
        f"--Voila.ip={HOST}",
        "--strip_sources=True",
        "--theme=light",
        "--show_tracebacks=True",
        # A busy machine may take long to start the kernel and to send the app's ~1000 widget
        # messages; with nbclient's default 4 s IOPub timeout the output is dropped (blank page).
        "--VoilaExecutor.startup_timeout=300",
        "--VoilaExecutor.iopub_timeout=300",
    ]
    if template:
        cmd.append(f"--template={template}")
    return cmd + list(extra)


def lab_command(
    root_dir: Path | str,
    port: int,
    *,
    python: str | None = None,
    extra: Sequence[str] = (),
) -> list[str]:
    """JupyterLab on ``root_dir``, 127.0.0.1 only, no token, nothing fetched from outside."""
    cmd = [
        python or sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        f"--ServerApp.ip={HOST}",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root_dir}",
        "--IdentityProvider.token=",
        "--ServerApp.password=",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    return cmd + list(extra)


#: JupyterLab user settings for a lab started by sorkit: start the notebook's kernel without
#: asking, keep every cell in the page (no windowing), never fetch news or look for updates.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {
        "autoStartDefaultKernel": True,
        "windowingMode": "none",
    },
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


def write_lab_settings(folder: Path) -> Path:
    """Write :data:`LAB_SETTINGS` as a JupyterLab user-settings folder and return it."""
    import json

    for name, values in LAB_SETTINGS.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values, indent=2) + "\n", encoding="utf-8")
    return folder


def app_environment(
    register: Path | str,
    *,
    today: dt.date | str | None = None,
    user: str | None = None,
    jupyter_path: Path | None = None,
    base: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment of the app's server (its kernels inherit it)."""
    env = dict(os.environ if base is None else base)
    env["SORKIT_REGISTER"] = str(Path(register).resolve())
    if today is not None:
        env["SORKIT_TODAY"] = today if isinstance(today, str) else today.isoformat()
    if user is not None:
        env["SORKIT_USER"] = user
    if jupyter_path is not None:
        paths = [str(jupyter_path), *filter(None, env.get("JUPYTER_PATH", "").split(os.pathsep))]
        env["JUPYTER_PATH"] = os.pathsep.join(paths)
    env.setdefault("PYTHONUNBUFFERED", "1")
    # A server started by sorkit never reaches out: no proxies, no telemetry.
    for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        env.pop(var, None)
    env["no_proxy"] = env["NO_PROXY"] = "127.0.0.1,localhost"
    return env


# -- servers -----------------------------------------------------------------------------------


@dataclass
class Server:
    """A server process in its own process group, on ``HOST:port``."""

    name: str
    process: subprocess.Popen[bytes]
    port: int
    url: str
    log: Path | None = None
    cleanup: list[Path] = field(default_factory=list)

    def wait_ready(self, timeout: float = 120.0, path: str = "/__sorkit_ready__") -> None:
        """Wait until the server answers HTTP (any status) on its port.

        Raises:
            RuntimeError: the process ended, or it did not answer within ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        probe = f"http://{HOST}:{self.port}{path}"
        while True:
            code = self.process.poll()
            if code is not None:
                raise RuntimeError(
                    MESSAGES["exited"].format(name=self.name, code=code, log=self.log)
                )
            if port_in_use(self.port) and http_answers(probe):
                return
            if time.monotonic() > deadline:
                raise RuntimeError(
                    MESSAGES["not_ready"].format(name=self.name, url=probe, seconds=timeout)
                )
            time.sleep(0.25)

    @property
    def running(self) -> bool:
        """True while the server process runs."""
        return self.process.poll() is None

    def stop(self, timeout: float = 15.0) -> None:
        """Stop the whole process group (server and kernels): SIGTERM, then SIGKILL."""
        stop_process_group(self.process, timeout)
        for path in self.cleanup:
            shutil.rmtree(path, ignore_errors=True)

    def kernels(self) -> list[dict[str, Any]]:
        """The server's kernels (``/api/kernels``: id, name, execution_state, ...)."""
        import json

        conn = http.client.HTTPConnection(HOST, self.port, timeout=10)
        try:
            conn.request("GET", "/api/kernels")
            response = conn.getresponse()
            body = response.read()
        finally:
            conn.close()
        return list(json.loads(body)) if response.status == 200 else []

    def log_text(self) -> str:
        """What the server wrote so far (empty without a log file)."""
        if self.log is None or not self.log.exists():
            return ""
        return self.log.read_text(encoding="utf-8", errors="replace")

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def stop_process_group(process: subprocess.Popen[Any], timeout: float = 15.0) -> None:
    """Terminate a process started with ``start_new_session=True`` and everything it started."""
    try:
        pgid = os.getpgid(process.pid)
    except ProcessLookupError:
        pgid = None
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if process.poll() is not None and pgid is None:
            break
        if pgid is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pgid, sig)
        else:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(sig)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            continue
        if pgid is None or not _group_alive(pgid):
            break
        time.sleep(0.5)
        if not _group_alive(pgid):
            break


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def _spawn(
    name: str,
    cmd: list[str],
    port: int,
    env: Mapping[str, str],
    cwd: Path,
    log: Path | None,
    url: str,
    cleanup: list[Path],
) -> Server:
    out: IO[bytes] | int = subprocess.DEVNULL
    if log is not None:
        log.parent.mkdir(parents=True, exist_ok=True)
        out = log.open("wb")
    try:
        process = subprocess.Popen(
            cmd,
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    finally:
        if not isinstance(out, int):
            out.close()
    return Server(name, process, port, url, log, cleanup)


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
    server = _spawn(
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
    server = _spawn("JupyterLab", cmd, port, env, root, log, f"http://{HOST}:{port}/lab", [home])
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


def app_notebook() -> Path:
    """``app.ipynb`` in sorkit's notebook folder (``$SORKIT_NOTEBOOKS`` or ``notebooks/``)."""
    try:
        from sorkit.notebooks import notebook_dir
    except ImportError:  # pragma: no cover - sorkit.notebooks ships with the CLI
        return APP_NOTEBOOK
    return notebook_dir() / "app.ipynb"


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


__all__ = [
    "APP_NOTEBOOK",
    "HOST",
    "Server",
    "add_dom_hooks",
    "app_notebook",
    "app_environment",
    "app_today",
    "free_port",
    "lab_command",
    "open_app_register",
    "running_voila",
    "serve",
    "start_lab",
    "start_voila",
    "voila_command",
    "write_lab_settings",
    "write_template",
]
