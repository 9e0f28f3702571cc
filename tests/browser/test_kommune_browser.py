"""The guide's everyday work as the municipal steward ``kommune``, in a real Chromium (#16).

One page (1400×900, as a steward's laptop) on a private copy of the demo register: the header
says who works where; the one search box finds a unit by SOR code, CVR and GLN and lands on its
Detaljer; Opret OE under "Allerød Kommunes Tandpleje" with its own phone, a speciality and a real
address needs no acceptance and shows the notice beside the save button; a pending move is
cancelled from Detaljer. Each step leaves a screenshot in ``test-artifacts/screenshots/kommune/``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

import sorkit
from sorkit.app import mode as appmode
from tests.browser.conftest import (
    LOGS,
    SCREENSHOTS,
    TIMEOUT_MS,
    BrowserSession,
    _close_session,
    _failed,
    _open_session,
)
from tests.browser.test_app_browser import control, details_text, node, tab
from tests.conftest import TODAY

expect.set_options(timeout=TIMEOUT_MS)

TP = "Allerød Kommunes Tandpleje"
NEW_NAME = "Tandplejen Kommunetest"
VISITATION = "Visitationen, Allerød"


@pytest.fixture(scope="module")
def facts(demo_template: Path) -> dict[str, str]:
    """Codes and numbers the scenario types (read from the template, not the served copy)."""
    reg = sorkit.open_register(demo_template, user="kommune", today=TODAY)
    alleroed = reg.search("Allerød Kommune", level="IE").sor_code.iloc[0]
    sub = reg.subtree(alleroed)
    by_name = dict(zip(sub["name"], sub["sor_code"], strict=False))
    tp = by_name[TP]
    pending = reg.pending(under=alleroed)
    move = pending[(pending["operation"] == "Flyt") & (pending["name"] == VISITATION)]
    return {
        "alleroed": alleroed,
        "alleroed_cvr": str(reg.unit(alleroed).cvr),
        "tp": tp,
        "tp_gln": reg.unit(tp).location_number.gln,
        "visitation": by_name[VISITATION],
        "move_date": move["effective_date"].iloc[0].strftime("%d-%m-%Y"),
    }


@pytest.fixture(scope="module")
def kommune_server(register_copy: Path) -> Iterator[appmode.Server]:
    """The app served by Voila as user ``kommune`` on a private register copy."""
    LOGS.mkdir(parents=True, exist_ok=True)
    server = appmode.start_voila(
        register_copy,
        today=TODAY,
        user="kommune",
        log=LOGS / f"voila-kommune-{os.getpid()}.log",
        timeout=180,
    )
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def session(
    chromium: Browser, kommune_server: appmode.Server, request: pytest.FixtureRequest
) -> Iterator[BrowserSession]:
    s = _open_session(chromium, SCREENSHOTS / "kommune")
    s.page.set_viewport_size({"width": 1400, "height": 900})
    failed = True
    try:
        s.page.goto(kommune_server.url, wait_until="domcontentloaded", timeout=300_000)
        s.page.locator(".sorkit-app .jstree-anchor").first.wait_for(timeout=300_000)
        s.shot("loaded")
        failed = False
        yield s
        failed = any(_failed(i) for i in request.session.items if i.module is request.module)
    finally:
        _close_session(s, failed)


def one_box(page: Page, text: str) -> None:
    box = control(page, "app-quick_search", "input")
    box.fill(text)
    box.press("Enter")


def test_header_says_who_works_where(session: BrowserSession) -> None:
    header = session.page.locator(".sorkit-header")
    expect(header).to_contain_text("Bruger: kommune (SOR-administrator)")
    expect(header).to_contain_text("Dato: 01-12-2026")
    expect(header).to_contain_text("Register: demo.duckdb")
    # Every tab title is whole at 1400×900 (no "Lokationsnumm").
    for title in ("Lokationsnummer", "Rediger OE", "Detaljer"):
        t = session.page.locator(".sorkit-app .lm-TabBar-tab").filter(has_text=title).first
        label = t.locator(".lm-TabBar-tabLabel")
        assert label.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), title


@pytest.mark.parametrize("kind", ["sor_code", "cvr", "gln"])
def test_one_box_lands_on_details(
    session: BrowserSession, facts: dict[str, str], kind: str
) -> None:
    page = session.page
    tab(page, "Søg")  # start elsewhere: the search must bring Detaljer to the front
    text, name, code, label = {
        "sor_code": (facts["tp"], TP, facts["tp"], "SOR-kode"),
        "cvr": (facts["alleroed_cvr"], "Allerød Kommune", facts["alleroed"], "CVR-nummer"),
        "gln": (facts["tp_gln"], TP, facts["tp"], "lokationsnummer"),
    }[kind]
    one_box(page, text)
    expect(details_text(page)).to_contain_text(name)
    expect(details_text(page)).to_contain_text(code)
    expect(page.locator(".sorkit-app .lm-TabBar-tab.lm-mod-current")).to_contain_text("Detaljer")
    expect(page.locator(".sorkit-app")).to_contain_text(f"Søgt på {label}: 1 enhed fundet.")
    expect(node(page, name).first).to_have_class(re.compile("jstree-clicked"))
    session.shot(f"one-box-{kind}")


def test_create_with_own_phone_speciality_and_address(
    session: BrowserSession, facts: dict[str, str]
) -> None:
    page = session.page
    one_box(page, facts["tp"])
    expect(details_text(page)).to_contain_text(TP)
    tab(page, "Opret OE")
    create = control(page, "create")
    expect(create).to_contain_text(f"Opret OE: {TP}")
    control(page, "create-name", "input").fill(NEW_NAME)
    control(page, "create-unit_type", "select").select_option(label="tandplejeklinik")
    control(page, "create-postal_mode", "input").uncheck()
    control(page, "create-postal_postcode", "input").fill("2300")
    control(page, "create-postal_street", "input").fill("Eliasgade")
    control(page, "create-postal_house_number", "input").fill("1")
    control(page, "create-phone", "input").fill("48 10 20 30")
    control(page, "create-specialities", "select").select_option(label="almen medicin")
    findings = control(page, "create-findings")
    expect(findings).to_contain_text("Ingen fejl.")
    notice = control(page, "create-notice_box")
    expect(notice).to_contain_text("OBS")
    expect(notice).to_contain_text("borgervendte")
    # Nothing to accept: no checkbox, the save button is enabled.
    assert page.locator(".sorkit-create-warning_box input[type=checkbox]").count() == 0
    apply = control(page, "create-apply")
    expect(apply).to_be_enabled()
    apply.scroll_into_view_if_needed()
    session.shot("create-ready-notice")
    apply.click()
    result = control(page, "create-result")
    expect(result).to_contain_text(re.compile(rf"{re.escape(NEW_NAME)} \(\d+\): ændringen er gemt"))
    start = (TODAY + dt.timedelta(days=7)).strftime("%d-%m-%Y")
    expect(result).to_contain_text(start)
    session.shot("create-applied")
    expect(node(page, NEW_NAME)).to_be_visible()


CUT_LABELS = """() => [...document.querySelectorAll(
    '.sorkit-app .widget-label, .sorkit-app .widget-label-basic, .sorkit-app label,'
    + ' .sorkit-app .lm-TabBar-tabLabel, .sorkit-app button')]
  .filter(e => e.offsetParent !== null && e.innerText.trim()
          && e.scrollWidth > e.clientWidth + 1)
  .map(e => e.innerText.trim())"""


@pytest.mark.parametrize(
    "title", ["Opret OE", "Rediger OE", "Flyt OE", "Luk OE", "Lokationsnummer", "Søg"]
)
def test_every_label_is_whole_at_1400x900(
    session: BrowserSession, facts: dict[str, str], title: str
) -> None:
    page = session.page
    if title == "Opret OE":
        one_box(page, facts["tp"])
        expect(details_text(page)).to_contain_text(TP)
    tab(page, title)
    page.wait_for_timeout(500)
    cut = page.evaluate(CUT_LABELS)
    session.shot(f"labels-{title.replace(' ', '-')}")
    assert cut == [], cut


def test_cancel_pending_move_from_details(session: BrowserSession, facts: dict[str, str]) -> None:
    page = session.page
    one_box(page, facts["visitation"])
    expect(details_text(page)).to_contain_text(VISITATION)
    pending = control(page, "details-pending")
    expect(pending).to_contain_text("Flyt")
    expect(pending).to_contain_text(facts["move_date"])
    pending.get_by_role("button", name="Annuller ændring").first.click()
    expect(pending).to_contain_text("Vil du annullere ændringen (flyt pr.")
    ok = pending.get_by_role("button", name="Annuller ændringen")
    expect(ok).to_be_disabled()  # a reason first
    pending.locator("input[type=text]").fill("flyttet ved en fejl")
    expect(ok).to_be_enabled()
    session.shot("cancel-confirm")
    ok.click()
    expect(pending).to_contain_text("er annulleret")
    expect(pending).to_contain_text("Ingen ventende ændringer.")
    session.shot("cancel-done")
    tab(page, "Historik")
    history = control(page, "history")
    expect(history).to_contain_text(f"Historik for {VISITATION}")
    history.get_by_text("Vis annullerede ændringer").click()
    expect(history).to_contain_text("flyttet ved en fejl")
    session.shot("cancel-history")
