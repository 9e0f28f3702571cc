"""Run sorkit's parameterised notebooks unattended (papermill), keeping every artefact.

A run executes the notebook with papermill's Python API (kernel ``python3``, no progress bar,
the kernel shut down at once), writes the executed notebook and an HTML copy (nbconvert) into
the output folder, and says whether it succeeded. A failing notebook is kept as it failed (the
error is in its output and in the HTML copy); the readable message is in ``NotebookRun.error``.

The notebooks live in ``notebooks/`` of the repository (``$SORKIT_NOTEBOOKS`` overrides it):
``batch/reorganise.ipynb`` and ``reports/<name>.ipynb``.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "KERNEL",
    "NOTEBOOK_ONLY_TAG",
    "NotebookRun",
    "batch_notebook",
    "notebook_dir",
    "report_names",
    "report_notebook",
    "run_batch",
    "run_notebook",
    "run_report",
    "write_html",
]

#: The Jupyter kernel the notebooks run in (``make`` installs it into the venv).
KERNEL = "python3"


def notebook_dir() -> Path:
    """The folder with sorkit's notebooks: ``$SORKIT_NOTEBOOKS`` or the repository's ``notebooks/``."""
    env = os.environ.get("SORKIT_NOTEBOOKS")
    return Path(env) if env else Path(__file__).resolve().parents[1] / "notebooks"


def batch_notebook() -> Path:
    """The batch reorganisation notebook."""
    return notebook_dir() / "batch" / "reorganise.ipynb"


def report_names() -> list[str]:
    """The report notebooks' names (``changes_in_period``, ``data_quality``, ...)."""
    return sorted(p.stem for p in (notebook_dir() / "reports").glob("*.ipynb"))


def report_notebook(name: str) -> Path:
    """The report notebook called ``name``.

    Raises:
        ValueError: no report has that name (the message lists the reports there are).
    """
    path = notebook_dir() / "reports" / f"{Path(name).stem}.ipynb"
    if not path.exists():
        raise ValueError(
            f"rapporten '{name}' findes ikke; vælg en af: {', '.join(report_names()) or '(ingen)'}"
        )
    return path


@dataclass
class NotebookRun:
    """What a notebook run left behind.

    Attributes:
        notebook: the executed notebook (kept also when the run failed).
        html: its HTML copy (None if nbconvert could not write it).
        output_dir: the folder with every artefact.
        ok: True when every cell ran without error.
        error: the readable message of the failure (the exception's own text), else None.
        error_name: the exception's class name (e.g. ``PlanError``), else None.
        seconds: how long the run took.
    """

    notebook: Path
    html: Path | None
    output_dir: Path
    ok: bool
    error: str | None = None
    error_name: str | None = None
    seconds: float = 0.0
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def files(self) -> list[Path]:
        """Every file in the output folder, sorted."""
        return sorted(p for p in self.output_dir.iterdir() if p.is_file())

    def files_like(self, pattern: str) -> list[Path]:
        """Files in the output folder matching a glob pattern."""
        return sorted(self.output_dir.glob(pattern))


def run_notebook(
    notebook: str | Path,
    output_dir: str | Path,
    parameters: Mapping[str, Any] | None = None,
    *,
    name: str | None = None,
    html: bool = True,
    kernel_name: str = KERNEL,
    timeout: int | None = None,
    cwd: str | Path | None = None,
    progress: bool = False,
    hide_code: bool = False,
) -> NotebookRun:
    """Execute a notebook through papermill, keep the executed notebook and an HTML copy.

    Args:
        notebook: the notebook to run.
        output_dir: where the executed notebook, its HTML copy and the notebook's own files go
            (created if missing).
        parameters: values for the cell tagged ``parameters``.
        name: the file stem of the artefacts (default: the notebook's).
        html: also write the HTML copy.
        kernel_name: the Jupyter kernel.
        timeout: seconds a cell may run (None: no limit).
        cwd: the folder the kernel starts in (default: the output folder).
        progress: show papermill's tqdm progress bar over the cells (the command line does
            when it runs in a terminal).
        hide_code: the HTML copy leaves out code cells' input (see :func:`write_html`); the
            executed notebook keeps it for the record.

    Returns:
        The :class:`NotebookRun`; a failing notebook does not raise.
    """
    import papermill

    source = Path(notebook)
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    stem = name or source.stem
    target = out / f"{stem}.ipynb"
    params = {k: _plain(v) for k, v in (parameters or {}).items()}
    started = time.monotonic()
    ok, error, error_name = True, None, None
    try:
        papermill.execute_notebook(
            str(source),
            str(target),
            parameters=params,
            kernel_name=kernel_name,
            progress_bar=progress,
            shutdown_kernel="immediate",
            execution_timeout=timeout,
            cwd=str(cwd or out),
        )
    except papermill.PapermillExecutionError as exc:
        ok, error, error_name = False, _readable(exc), exc.ename
    seconds = time.monotonic() - started
    page = write_html(target, hide_code=hide_code) if html and target.exists() else None
    return NotebookRun(target, page, out, ok, error, error_name, seconds, params)


def _plain(value: Any) -> Any:
    """Parameters as papermill can write them into a cell (paths and dates as text)."""
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _readable(exc: Any) -> str:
    value = str(getattr(exc, "evalue", "") or "").strip()
    return value or str(getattr(exc, "ename", "") or exc)


#: Cells tagged so are notes for whoever opens the notebook; the hidden-code HTML leaves them out.
NOTEBOOK_ONLY_TAG = "remove_cell"


def write_html(notebook: str | Path, *, hide_code: bool = False) -> Path | None:
    """Write an HTML copy next to an executed notebook; None if nbconvert fails.

    With ``hide_code`` (the reports) the copy is for the people who read the findings: no code
    cell input, no ``In``/``Out`` prompts, and no cells tagged :data:`NOTEBOOK_ONLY_TAG`.
    """
    import nbformat
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    path = Path(notebook)
    config = Config()
    if hide_code:
        config.HTMLExporter.exclude_input = True
        config.HTMLExporter.exclude_input_prompt = True
        config.HTMLExporter.exclude_output_prompt = True
        config.TagRemovePreprocessor.enabled = True
        config.TagRemovePreprocessor.remove_cell_tags = {NOTEBOOK_ONLY_TAG}
    try:
        exporter = HTMLExporter(config=config)
        body, _resources = exporter.from_notebook_node(nbformat.read(path, as_version=4))
    except Exception:  # noqa: BLE001 - the notebook artefact is the record; HTML is a copy
        return None
    page = path.with_suffix(".html")
    page.write_text(body, encoding="utf-8")
    return page


def _stamp() -> str:
    return dt.datetime.now().strftime("%Y%m%d-%H%M%S")


def run_batch(
    register: str | Path,
    plan: str | Path,
    output_dir: str | Path | None = None,
    *,
    progress: bool = False,
    **parameters: Any,
) -> NotebookRun:
    """Run the batch reorganisation notebook on a register and a plan file.

    Args:
        register: the register file.
        plan: the plan file (CSV, XLSX or YAML).
        output_dir: the artefact folder (default ``output/reorganise-<time>``).
        progress: show a progress bar over the notebook's cells.
        **parameters: further notebook parameters (``dry_run``, ``effective_date``, ``user``,
            ``reason``, ``max_closures``, ``accept``, ``today``).
    """
    out = Path(output_dir) if output_dir else Path("output") / f"reorganise-{_stamp()}"
    params = {
        "register": _register_param(register),
        "plan": str(Path(plan).resolve()),
        "out": str(out.resolve()),
        **parameters,
    }
    return run_notebook(batch_notebook(), out, params, progress=progress)


def run_report(
    name: str,
    register: str | Path,
    output_dir: str | Path | None = None,
    *,
    progress: bool = False,
    **parameters: Any,
) -> NotebookRun:
    """Run the report notebook called ``name`` on a register.

    Args:
        name: ``changes_in_period``, ``pending_changes``, ``data_quality`` or
            ``location_numbers``.
        register: the register file.
        output_dir: the artefact folder (default ``output/<name>-<time>``).
        progress: show a progress bar over the notebook's cells.
        **parameters: further notebook parameters (``as_of``, ``start``, ``end``, ``days``,
            ``today``).

    Raises:
        ValueError: no report has that name.
    """
    notebook = report_notebook(name)
    out = Path(output_dir) if output_dir else Path("output") / f"{notebook.stem}-{_stamp()}"
    params = {"register": _register_param(register), "out": str(out.resolve()), **parameters}
    return run_notebook(notebook, out, params, progress=progress, hide_code=True)


def _register_param(register: str | Path) -> str:
    """The notebook's ``register`` parameter: an absolute file path, or a PostgreSQL URL.

    The parameter is written into the executed notebook and its HTML copy, so a URL goes in
    without its password; the report's kernel (a child of this process) gets the password
    through ``PGPASSWORD`` instead, unless that is set already.
    """
    from urllib.parse import unquote, urlsplit, urlunsplit

    from sorkit.store.engines import is_url

    if not is_url(register):
        return str(Path(register).resolve())
    parts = urlsplit(str(register))
    if parts.password is None:
        return str(register)
    os.environ.setdefault("PGPASSWORD", unquote(parts.password))
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = f"{parts.username}@" if parts.username else ""
    return urlunsplit((parts.scheme, user + netloc, parts.path, parts.query, parts.fragment))
