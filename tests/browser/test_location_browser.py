"""Issue #17 in a real Chromium: as ``kommune``, give Blovstrød Skole a new location number.

The app is served by Voila as the municipal steward ``kommune`` (its own server, on a private
copy of the demo register). The steward picks "Nyt lokationsnummer", fills the EDI codes from
the suggestions, sees the number that will be given, accepts the MedCom warning with the
agreement as the reason, saves, and finds the number in Detaljer (the pending change) and in
Historik (the audit, with the MedCom agreement). Screenshots go to
``test-artifacts/screenshots/location/``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from sorkit import appmode
from sorkit.gln import codes as codevalues
from tests.browser.conftest import (
    LOGS,
    SCREENSHOTS,
    TIMEOUT_MS,
    BrowserSession,
    _close_session,
    _failed,
    _open_session,
)
from tests.browser.test_app_browser import control, node, open_node, tab
from tests.conftest import TODAY

expect.set_options(timeout=TIMEOUT_MS)

MEDCOM_REASON = "Aftalt med MedCom (sor@medcom.dk) 01-12-2026"


@pytest.fixture(scope="module")
def kommune_server(register_copy: Path) -> Iterator[appmode.Server]:
    """The app served as the municipal steward ``kommune``."""
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
        assert not server.running


@pytest.fixture(scope="module")
def kommune_session(
    chromium: Browser, kommune_server: appmode.Server, request: pytest.FixtureRequest
) -> Iterator[BrowserSession]:
    session = _open_session(chromium, SCREENSHOTS / "location")
    failed = True
    try:
        session.page.goto(kommune_server.url, wait_until="domcontentloaded", timeout=300_000)
        session.page.locator(".sorkit-app .jstree-anchor").first.wait_for(timeout=300_000)
        session.shot("loaded")
        failed = False
        yield session
        failed = any(
            _failed(item) for item in request.session.items if item.module is request.module
        )
    finally:
        _close_session(session, failed)


def fill_code(session: BrowserSession, key: str, text: str) -> None:
    """Type into a code field (a combobox with suggestions) and leave it."""
    box = control(session.page, f"location-{key}", "input")
    box.fill(text)
    box.press("Tab")


def test_kommune_gives_blovstrod_skole_a_new_location_number(
    kommune_session: BrowserSession,
) -> None:
    session = kommune_session
    page = session.page
    open_node(page, "Allerød Kommune")
    open_node(page, "Sundhed og Omsorg, Allerød")
    node(page, "Blovstrød Skole").first.click()
    tab(page, "Lokationsnummer")
    form = control(page, "location")
    expect(form).to_contain_text("Blovstrød Skole")
    form.locator("label").filter(has_text="Nyt lokationsnummer").first.click()
    expect(control(page, "location-gln", "input")).to_be_disabled()
    fill_code(session, "region", "Region Hovedstaden (1084)")
    fill_code(session, "edb_system", "221000045007 (ukendt kode)")
    fill_code(session, "system_supplier", "641000055002 (ukendt kode)")
    fill_code(session, "net_operator", "KMD (41000035001)")
    fill_code(session, "administrator", "116 (ukendt kode)")
    fdis20 = dict((code, label) for label, code in codevalues.suggestions("edi_types"))["FDIS20"]
    control(page, "location-edi_types", "select").select_option(label=fdis20)
    note = control(page, "location-number_note")
    expect(note).to_contain_text(re.compile(r"lokationsnummeret 579\d{10}"))
    found = re.search(r"579\d{10}", note.inner_text())
    assert found, note.inner_text()
    gln = found.group(0)
    findings = control(page, "location-findings")
    expect(findings).to_contain_text("sor@medcom.dk")
    expect(control(page, "location-apply")).to_be_disabled()
    session.shot("new-number-planned")

    # Accept the MedCom warning with the agreement as the reason, and save.
    control(page, "location-accept_GLN_MUNICIPAL_CONTACT_MEDCOM", "input").check()
    control(page, "location-reason_GLN_MUNICIPAL_CONTACT_MEDCOM", "input").fill(MEDCOM_REASON)
    expect(control(page, "location-apply")).to_be_enabled()
    session.shot("medcom-accepted")
    control(page, "location-apply").click()
    result = control(page, "location-result")
    expect(result).to_contain_text("er gemt")
    expect(result).to_contain_text(gln)
    session.shot("saved")

    # Detaljer: the pending change gives the number (from tomorrow).
    tab(page, "Detaljer")
    pending = control(page, "details-pending")
    expect(pending).to_contain_text(gln)
    pending.scroll_into_view_if_needed()
    session.shot("details")

    # Historik (the audit): the change with the number and the MedCom agreement.
    tab(page, "Historik")
    history = control(page, "history-table")
    expect(history).to_contain_text(gln)
    expect(history).to_contain_text(MEDCOM_REASON)
    session.shot("history")
    assert session.offsite == []
