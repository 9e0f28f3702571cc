"""The steward app in app mode (Voila) in a real Chromium: what a steward sees and clicks.

One page is loaded for the module (``app_session``); the tests run in order on it, as a steward
would: open a municipality in the tree, search, then create, move and close a unit. Widgets are
found by the stable classes of :func:`sorkit.app.mode.add_dom_hooks` (``sorkit-<tab>-<key>``).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

import sorkit
from tests.browser.conftest import LOCAL, TIMEOUT_MS, BrowserSession
from tests.helpers import TODAY

expect.set_options(timeout=TIMEOUT_MS)

NEW_NAME = "Tandplejen Browsertest"
TABS = ["Detaljer", "Historik", "Opret OE", "Rediger OE", "Flyt OE", "Luk OE", "Lokationsnummer"]


@pytest.fixture(scope="module")
def codes(demo_template: Path) -> dict[str, str]:
    """SOR codes of the units the scenario uses (read from the template, not the served copy)."""
    reg = sorkit.open_register(demo_template, user="admin", today=TODAY)
    roots = reg.roots()
    alleroed = roots[roots["name"] == "Allerød Kommune"].sor_code.iloc[0]
    sub = reg.subtree(alleroed)
    by_name = dict(zip(sub["name"], sub["sor_code"], strict=False))
    return {
        "alleroed": alleroed,
        "si": by_name["Sundhed og Omsorg, Allerød"],
        "tandpleje": by_name["Allerød Kommunes Tandpleje"],
    }


# -- helpers -----------------------------------------------------------------------------------


def tab(page: Page, title: str) -> None:
    """Bring the app's tab ``title`` to the front."""
    page.locator(".sorkit-app .lm-TabBar-tab").filter(
        has_text=re.compile(rf"^\s*{re.escape(title)}\s*$")
    ).first.click()


def node(page: Page, name: str) -> Locator:
    """The tree node (its anchor) whose label starts with ``name``."""
    return page.locator(".sorkit-tree a.jstree-anchor").filter(
        has_text=re.compile(rf"^\s*{re.escape(name)}(\s|\(|$)")
    )


def open_node(page: Page, name: str) -> None:
    """Click the +/- in front of a node (loads its children)."""
    anchor = node(page, name).first
    anchor.scroll_into_view_if_needed()
    anchor.locator("xpath=preceding-sibling::i[contains(@class, 'jstree-ocl')]").click()


def control(page: Page, key: str, inner: str = "") -> Locator:
    """A control by its stable class ``sorkit-<key>`` (and an inner element such as input)."""
    base = page.locator(f".sorkit-{key}")
    return base.locator(inner).first if inner else base.first


def accept_warnings(page: Page, form: str) -> list[str]:
    """Tick every "Accepter" box the form shows and give a reason; return the codes."""
    accepted = []
    boxes = page.locator(f".sorkit-{form}-warning_box input[type=checkbox]")
    for i in range(boxes.count()):
        box = boxes.nth(i)
        if not box.is_checked():
            box.check()
        row = box.locator("xpath=ancestor::div[contains(@class, 'widget-hbox')][1]")
        row.locator("input[type=text]").fill("browsertest")
        accepted.append(row.inner_text())
    return accepted


def details_text(page: Page) -> Locator:
    return control(page, "details")


# -- the tests, in the order a steward works ---------------------------------------------------


def test_app_is_one_local_page_without_code(app_session: BrowserSession) -> None:
    page = app_session.page
    for title in TABS:
        expect(
            page.locator(".sorkit-app .lm-TabBar-tab").filter(has_text=title).first
        ).to_be_visible()
    # App mode: no code cells, no prompts, no editor; one page with the app on it.
    assert page.locator(".jp-InputArea, .jp-CodeMirrorEditor, .cm-editor").count() == 0
    html = page.content()
    for source in (
        "open_app_register",
        "add_dom_hooks",
        "StewardApp(reg)",
        "warnings.simplefilter",
    ):
        assert source not in html  # the notebook's code is not even in the page
    assert page.locator(".sorkit-app").count() == 1
    # Nothing left the machine: every request went to 127.0.0.1 (or was data:/blob:).
    assert app_session.offsite == []
    assert app_session.requests and all(LOCAL.match(url) for url in app_session.requests)
    # The register's today inside the app is SORKIT_TODAY (the tree's date).
    expect(control(page, "tree-as_of", "input")).to_have_value(TODAY.isoformat())
    app_session.shot("no-code")


def test_open_municipality_in_tree(app_session: BrowserSession, codes: dict[str, str]) -> None:
    page = app_session.page
    expect(node(page, "Allerød Kommune")).to_have_count(1)
    open_node(page, "Allerød Kommune")
    expect(node(page, "Sundhed og Omsorg, Allerød")).to_be_visible()
    app_session.shot("alleroed-children")
    open_node(page, "Sundhed og Omsorg, Allerød")
    expect(node(page, "Allerød Kommunes Tandpleje")).to_be_visible()
    expect(node(page, "Blovstrød Skole")).to_be_visible()
    app_session.shot("alleroed-open")
    node(page, "Allerød Kommune").first.click()
    tab(page, "Detaljer")
    expect(details_text(page)).to_contain_text("Allerød Kommune")
    expect(details_text(page)).to_contain_text(codes["alleroed"])
    app_session.shot("alleroed-details")


def test_search_and_pick_result(app_session: BrowserSession, codes: dict[str, str]) -> None:
    page = app_session.page
    tab(page, "Søg")
    # Free text with wildcards, limited to the units under Allerød Kommune (guide p.4-6).
    control(page, "search-text", "input").fill("*tandpleje*")
    control(page, "search-under", "input").fill(codes["alleroed"])
    control(page, "search-search").click()
    expect(control(page, "search-count")).to_contain_text(re.compile(r"\d+ enheder"))
    expect(control(page, "search-results")).to_contain_text("Allerød Kommunes Tandpleje")
    app_session.shot("search-results")
    pick = control(page, "search-pick", "select")
    label = pick.locator("option").filter(has_text=codes["tandpleje"]).first.inner_text()
    found = re.search(r"^(.*\S)\s*\((\d+)\)\s*$", label.strip())
    assert found, label
    pick.select_option(label=label)
    tab(page, "Detaljer")
    expect(details_text(page)).to_contain_text(found.group(1))
    expect(details_text(page)).to_contain_text(found.group(2))
    expect(node(page, "Allerød Kommunes Tandpleje").first).to_have_class(
        re.compile("jstree-clicked")
    )
    app_session.shot("search-picked")


def test_create_move_close(app_session: BrowserSession, codes: dict[str, str]) -> None:
    page = app_session.page
    start = TODAY + dt.timedelta(days=7)

    # Opret OE under "Sundhed og Omsorg, Allerød": the blank form lists what is missing.
    node(page, "Sundhed og Omsorg, Allerød").first.click()
    tab(page, "Opret OE")
    create = control(page, "create")
    expect(create).to_contain_text("Sundhed og Omsorg, Allerød")
    findings = control(page, "create-findings")
    expect(findings).to_contain_text("Navn skal udfyldes")
    expect(control(page, "create-apply")).to_be_disabled()
    app_session.shot("create-blank")
    control(page, "create-name", "input").fill(NEW_NAME)
    expect(findings).not_to_contain_text("Navn skal udfyldes")
    expect(findings).to_contain_text("enhedstype")
    control(page, "create-unit_type", "select").select_option(label="tandplejeklinik")
    expect(findings).to_contain_text("Telefonnummer")
    app_session.shot("create-violations")
    control(page, "create-phone", "input").fill("48100000")
    expect(findings).not_to_contain_text("Telefonnummer")
    expect(findings).not_to_contain_text("Fejl")
    accept_warnings(page, "create")
    expect(control(page, "create-apply")).to_be_enabled()
    app_session.shot("create-ready")
    control(page, "create-apply").click()
    expect(control(page, "create-result")).to_contain_text("er gemt")
    expect(control(page, "create-result")).to_contain_text(start.strftime("%d-%m-%Y"))
    # ... and it is in the tree at once, and found by the next search.
    expect(node(page, NEW_NAME)).to_be_visible()
    app_session.shot("create-applied")
    tab(page, "Søg")
    control(page, "search-under", "input").fill("")
    control(page, "search-text", "input").fill("*browsertest*")
    control(page, "search-search").click()
    expect(control(page, "search-results")).to_contain_text(NEW_NAME)
    new_code = re.search(
        r"\((\d{6,})\)",
        control(page, "search-pick", "select")
        .locator("option")
        .filter(has_text=NEW_NAME)
        .first.inner_text(),
    )
    assert new_code, "the new unit's SOR code is in the result list"
    new_code_text = new_code.group(1)
    app_session.shot("create-found")

    # Flyt OE: to "Allerød Kommunes Tandpleje", typed as a SOR code; too early a date first.
    node(page, NEW_NAME).first.click()
    tab(page, "Flyt OE")
    expect(control(page, "move-sor_code", "input")).to_have_value(new_code_text)
    control(page, "move-new_parent", "input").fill(codes["tandpleje"])
    expect(control(page, "move")).to_contain_text("Allerød Kommunes Tandpleje")
    move_findings = control(page, "move-findings")
    expect(move_findings).to_contain_text("for tidlig")
    expect(control(page, "move-apply")).to_be_disabled()
    app_session.shot("move-too-early")
    control(page, "move-effective_from", "input").fill(start.isoformat())
    expect(move_findings).not_to_contain_text("for tidlig")
    accept_warnings(page, "move")
    expect(control(page, "move-apply")).to_be_enabled()
    control(page, "move-apply").click()
    expect(control(page, "move-result")).to_contain_text("er gemt")
    app_session.shot("move-applied")
    parent_li = node(page, "Allerød Kommunes Tandpleje").first.locator("xpath=..")
    expect(parent_li.locator("a.jstree-anchor").filter(has_text=NEW_NAME)).to_have_count(1)

    # Luk OE: "Luk enhed" asks first; OK closes.
    node(page, NEW_NAME).first.click()
    tab(page, "Luk OE")
    expect(control(page, "close-sor_code", "input")).to_have_value(new_code_text)
    last_day = dt.date(2027, 1, 31)
    control(page, "close-last_day", "input").fill(last_day.isoformat())
    expect(control(page, "close-apply")).to_be_enabled()
    control(page, "close-apply").click()
    question = control(page, "close-confirmation")
    expect(question).to_be_visible()
    expect(question).to_contain_text(NEW_NAME)
    expect(question).to_contain_text("31-01-2027")
    app_session.shot("close-confirm")
    control(page, "close-confirm").click()
    expect(control(page, "close-result")).to_contain_text("31-01-2027")
    expect(question).to_be_hidden()
    app_session.shot("close-applied")
    assert app_session.offsite == []
