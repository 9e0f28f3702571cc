"""What the app's servers are started with: commands, the Voila template, settings, environment.

Voila's ``lab`` template links Font Awesome from a CDN, so the app uses the template ``sorkit``
(:func:`write_template`), the same page without those links; a JupyterLab started by sorkit gets
user settings that never fetch news or look for updates (:func:`write_lab_settings`), and the
server's environment drops proxies (:func:`app_environment`). Starting and stopping the servers
is :mod:`sorkit.app.mode`.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

__all__ = [
    "APP_NOTEBOOK",
    "CDN_LINKS",
    "DEMO_REGISTER",
    "HOST",
    "LAB_SETTINGS",
    "ROOT",
    "TEMPLATE",
    "app_environment",
    "app_notebook",
    "lab_command",
    "voila_command",
    "write_lab_settings",
    "write_template",
]

#: The only interface any sorkit server binds to.
HOST = "127.0.0.1"
#: The repository root (``notebooks/`` and ``data/`` live here in a checkout).
ROOT = Path(__file__).resolve().parents[2]
APP_NOTEBOOK = ROOT / "notebooks" / "app.ipynb"
DEMO_REGISTER = ROOT / "data" / "demo.duckdb"
#: Name of the Voila template that serves everything from the machine itself.
TEMPLATE = "sorkit"
#: The CDN links of Voila's ``lab`` template that the ``sorkit`` template leaves out.
CDN_LINKS = (
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

# -- the Voila template ------------------------------------------------------------------------


def write_template(root: Path) -> Path:
    """Write the ``sorkit`` Voila template under ``root`` (a Jupyter data dir) and return ``root``.

    Add ``root`` to ``JUPYTER_PATH`` and pass ``--template=sorkit``.
    """
    folder = root / "voila" / "templates" / TEMPLATE
    folder.mkdir(parents=True, exist_ok=True)
    index = _TEMPLATE_INDEX
    for i, link in enumerate(CDN_LINKS):
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


def app_notebook() -> Path:
    """``app.ipynb`` in sorkit's notebook folder (``$SORKIT_NOTEBOOKS`` or ``notebooks/``)."""
    try:
        from sorkit.notebooks import notebook_dir
    except ImportError:  # pragma: no cover - sorkit.notebooks ships with the CLI
        return APP_NOTEBOOK
    return notebook_dir() / "app.ipynb"
