"""Real-browser fixtures: Debian's chromium driven by playwright, against servers we start here.

Every server (Voila for the app, JupyterLab for the notebooks) runs in a process group of its
own on a free 127.0.0.1 port, on a private copy of the demo register (today = 2026-12-01), and
is stopped (the whole group) when its fixture ends. Every request the browser makes is recorded;
anything not addressed to the machine itself is aborted and reported (``BrowserSession.offsite``).
Each step leaves a screenshot in ``test-artifacts/screenshots/<test>/`` (a failure adds
``zz-failure.png``), so a red run shows where it stopped.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from sorkit.app import mode as appmode
from tests.helpers import TODAY

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
LOGS = ARTIFACTS / "logs"
NOTEBOOKS = ROOT / "notebooks"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Generous: the machine is a noisy 2-core box.
TIMEOUT_MS = 180_000
LOCAL = re.compile(r"^(https?|wss?)://(127\.0\.0\.1|localhost)(:\d+)?/|^(data|blob|about):")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under tests/browser drives a real browser (pytest -m browser / -m 'not browser')."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the item, so fixtures know whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


# -- browser -----------------------------------------------------------------------------------


def chromium_path() -> str:
    """Debian's chromium (never a playwright download)."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail(
            "chromium is missing: run `bash scripts/ensure-chromium` (apt-get install chromium)",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def chromium(
    playwright_driver: Playwright, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Browser]:
    browser = playwright_driver.chromium.launch(
        executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True, timeout=TIMEOUT_MS
    )
    yield browser
    browser.close()


@dataclass
class BrowserSession:
    """A page plus what it requested, and numbered screenshots of the steps."""

    page: Page
    context: BrowserContext
    folder: Path
    requests: list[str] = field(default_factory=list)
    offsite: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    step: int = 0
    started: float = field(default_factory=time.monotonic)
    timings: list[str] = field(default_factory=list)

    def shot(self, name: str) -> Path:
        """Save a screenshot of the page as ``NN-name.png``."""
        self.step += 1
        path = self.folder / f"{self.step:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=False)
        self.timings.append(f"{time.monotonic() - self.started:7.1f}s  {path.name}")
        return path


def _open_session(browser: Browser, folder: Path) -> BrowserSession:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1500, "height": 1000}, locale="da-DK")
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    session = BrowserSession(context.new_page(), context, folder)

    # The handler runs only while playwright has control: wait with page.wait_for_timeout or
    # expect(), never time.sleep(), or the page's requests stall.
    def route(r: Any) -> None:
        if LOCAL.match(r.request.url):
            r.continue_()
        else:  # nothing leaves the machine, and the test says what tried to
            session.offsite.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    context.on("request", lambda req: session.requests.append(req.url))
    session.page.on(
        "console",
        lambda msg: session.console_errors.append(msg.text) if msg.type == "error" else None,
    )
    return session


def _close_session(session: BrowserSession, failed: bool) -> None:
    if failed:
        try:
            session.page.screenshot(path=str(session.folder / "zz-failure.png"), full_page=True)
        except Exception:  # noqa: BLE001 - the page may be gone; the test already failed
            pass
    (session.folder / "requests.txt").write_text("\n".join(session.requests) + "\n")
    (session.folder / "timings.txt").write_text("\n".join(session.timings) + "\n")
    session.context.close()


def _failed(node: Any) -> bool:
    return any(
        getattr(getattr(node, f"report_{when}", None), "failed", False)
        for when in ("setup", "call")
    )


# -- servers -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def register_copy(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the demo register (built with today = 2026-12-01) for one module."""
    path = tmp_path_factory.mktemp("register") / "demo.duckdb"
    shutil.copy(demo_template, path)
    return path


@pytest.fixture(scope="module")
def voila_server(register_copy: Path) -> Iterator[appmode.Server]:
    """``notebooks/app.ipynb`` served by Voila on a free loopback port (stopped afterwards)."""
    LOGS.mkdir(parents=True, exist_ok=True)
    server = appmode.start_voila(
        register_copy,
        today=TODAY,
        user="admin",
        log=LOGS / f"voila-{os.getpid()}.log",
        timeout=180,
    )
    try:
        yield server
    finally:
        server.stop()
        assert not server.running


@pytest.fixture(scope="module")
def lab_server(
    register_copy: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[appmode.Server]:
    """JupyterLab on a temp copy of notebooks/, its kernels on a temp copy of the register."""
    root = tmp_path_factory.mktemp("lab") / "notebooks"
    shutil.copytree(NOTEBOOKS, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    LOGS.mkdir(parents=True, exist_ok=True)
    server = appmode.start_lab(
        root,
        register=register_copy,
        today=TODAY,
        user="admin",
        log=LOGS / f"jupyterlab-{os.getpid()}.log",
        timeout=180,
    )
    server.cleanup.append(root.parent)
    try:
        yield server
    finally:
        server.stop()
        assert not server.running


@pytest.fixture(scope="module")
def app_session(
    chromium: Browser, voila_server: appmode.Server, request: pytest.FixtureRequest
) -> Iterator[BrowserSession]:
    """The steward app loaded once per module (loading it is the slow part)."""
    session = _open_session(chromium, SCREENSHOTS / "app")
    failed = True
    try:
        session.page.goto(voila_server.url, wait_until="domcontentloaded", timeout=300_000)
        session.page.locator(".sorkit-app .jstree-anchor").first.wait_for(timeout=300_000)
        session.shot("loaded")
        failed = False
        yield session
        failed = any(
            _failed(item) for item in request.session.items if item.module is request.module
        )
    finally:
        _close_session(session, failed)


@pytest.fixture
def lab_session(chromium: Browser, request: pytest.FixtureRequest) -> Iterator[BrowserSession]:
    """A fresh browser page for one JupyterLab test."""
    session = _open_session(chromium, SCREENSHOTS / request.node.name)
    try:
        yield session
    finally:
        _close_session(session, _failed(request.node))
