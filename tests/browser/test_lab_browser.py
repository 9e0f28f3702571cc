"""The steward notebook in JupyterLab in a real Chromium: run all cells, then click in the tree.

JupyterLab serves a temp copy of ``notebooks/``; its kernels open a temp copy of the demo
register (``SORKIT_REGISTER``), so the real ``data/demo.duckdb`` is never touched.
"""

from __future__ import annotations

import re
import time

from playwright.sync_api import Page, expect

from sorkit.app import mode as appmode
from tests.browser.conftest import LOCAL, TIMEOUT_MS, BrowserSession

expect.set_options(timeout=TIMEOUT_MS)

NOTEBOOK = "01_steward_app.ipynb"

#: JavaScript: true once every code cell has run (a number in its prompt, none is "[*]").
ALL_CELLS_RAN = """() => {
  const prompts = [...document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell .jp-InputPrompt')];
  return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
}"""


def run_all_cells(page: Page) -> None:
    """Run > Run All Cells, from the menu bar."""
    page.locator(".lm-MenuBar-itemLabel").filter(has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel").filter(has_text=re.compile(r"^Run All Cells$")).click()


def wait_for_idle_kernel(page: Page, server: appmode.Server, timeout: float = 300) -> None:
    """Wait until the lab has a kernel that has started and is idle.

    Waits with ``page.wait_for_timeout`` (not ``time.sleep``): the page's requests pass through
    the session's route handler, which only runs while playwright has control.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(k.get("execution_state") == "idle" for k in server.kernels()):
            return
        page.wait_for_timeout(1000)
    raise AssertionError(f"no idle kernel after {timeout} s: {server.kernels()}")


def test_steward_notebook_runs_in_jupyterlab(
    lab_server: appmode.Server, lab_session: BrowserSession
) -> None:
    page = lab_session.page
    page.goto(f"{lab_server.url}/tree/{NOTEBOOK}", wait_until="domcontentloaded")
    panel = page.locator(".jp-NotebookPanel")
    expect(panel.locator(".jp-Cell").first).to_be_visible()
    # The kernel is up when the server says it is idle and the page has connected to it.
    wait_for_idle_kernel(page, lab_server)
    expect(page.locator(".jp-StatusBar-Item").filter(has_text="Idle").first).to_be_visible()
    lab_session.shot("opened")

    run_all_cells(page)
    page.wait_for_function(ALL_CELLS_RAN, timeout=300_000, polling=1000)
    lab_session.shot("ran-all")
    errors = panel.locator(".jp-OutputArea-output").filter(
        has_text=re.compile(r"Traceback|Error\b")
    )
    assert errors.count() == 0, errors.all_inner_texts()

    # The app is in the output: the notebook opened Allerød Kommune; click a child in the tree.
    tree = panel.locator(".jp-OutputArea .jstree")
    child = tree.locator("a.jstree-anchor").filter(
        has_text=re.compile(r"^\s*Sundhed og Omsorg, Allerød\s*$")
    )
    child.first.scroll_into_view_if_needed()
    expect(child.first).to_be_visible()
    lab_session.shot("tree")
    child.first.click()
    heading = panel.locator(".jp-OutputArea h4").filter(
        has_text=re.compile(r"^\s*Sundhed og Omsorg, Allerød\s*$")
    )
    expect(heading.first).to_be_visible()
    expect(child.first).to_have_class(re.compile("jstree-clicked"))
    lab_session.shot("clicked")

    assert lab_session.offsite == []
    assert all(LOCAL.match(url) for url in lab_session.requests)
