"""Addresses in the steward app in a real Chromium (#22): suggestions, city, the register's date.

A steward creates an OE under "Allerød Kommunes Tandpleje" with an own postal address: the
postcode shows the city, typing part of the street lists the register's streets of that postcode
(the combobox's suggestion list) and the street is taken from that list; the house-number box
then suggests the street's numbers. Screenshots: ``test-artifacts/screenshots/addresses/``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from sorkit import appmode
from tests.browser.conftest import (
    SCREENSHOTS,
    TIMEOUT_MS,
    BrowserSession,
    _close_session,
    _failed,
    _open_session,
)
from tests.browser.test_app_browser import accept_warnings, control, node, open_node, tab
from tests.conftest import TODAY

expect.set_options(timeout=TIMEOUT_MS)

NEW_NAME = "Tandplejen Bjarkesvej"


@pytest.fixture(scope="module")
def address_session(
    chromium: Browser, voila_server: appmode.Server, request: pytest.FixtureRequest
) -> Iterator[BrowserSession]:
    """The app loaded once for this module, its screenshots in their own folder."""
    session = _open_session(chromium, SCREENSHOTS / "addresses")
    failed = True
    try:
        session.page.goto(voila_server.url, wait_until="domcontentloaded", timeout=300_000)
        session.page.locator(".sorkit-app .jstree-anchor").first.wait_for(timeout=300_000)
        failed = False
        yield session
        failed = any(
            _failed(item) for item in request.session.items if item.module is request.module
        )
    finally:
        _close_session(session, failed)


def test_create_under_the_dental_care_choosing_the_street_from_the_suggestions(
    address_session: BrowserSession,
) -> None:
    page = address_session.page
    status = page.locator(".sorkit-app .sorkit-address-register")
    expect(status).to_contain_text("Vejregister pr. 02-02-2015")
    expect(status).to_contain_text("mere end et år gammelt")
    address_session.shot("register-status")

    open_node(page, "Allerød Kommune")
    open_node(page, "Sundhed og Omsorg, Allerød")
    node(page, "Allerød Kommunes Tandpleje").first.click()
    tab(page, "Opret OE")
    expect(control(page, "create")).to_contain_text("Allerød Kommunes Tandpleje")
    control(page, "create-name", "input").fill(NEW_NAME)
    control(page, "create-unit_type", "select").select_option(label="tandplejeklinik")
    control(page, "create-phone", "input").fill("48100000")

    # An own postal address: the postcode gives the city.
    control(page, "create-postal_mode", "input").uncheck()
    control(page, "create-postal_postcode", "input").fill("3450")
    city = page.locator(".sorkit-create .sorkit-city").first
    expect(city).to_have_text("Allerød")
    # Typing part of the street lists the register's streets of 3450 as suggestions.
    street = control(page, "create-postal_street", "input")
    street.click()
    street.press_sequentially("Bjar", delay=80)
    suggestions = page.locator(f"datalist[id='{street.get_attribute('list')}'] option")
    expect(suggestions).to_have_count(1)
    expect(suggestions.first).to_have_attribute("value", "Bjarkesvej")
    street.scroll_into_view_if_needed()
    address_session.shot("street-suggestions")
    # Take the street from the list (what clicking the suggestion does: the box gets its value).
    street.fill(suggestions.first.get_attribute("value") or "")
    street.press("Tab")
    numbers = control(page, "create-postal_house_number", "input")
    number_options = page.locator(f"datalist[id='{numbers.get_attribute('list')}'] option")
    expect(number_options).to_have_count(6)
    expect(control(page, "create")).to_contain_text("Husnumre: 2-4 (lige), 1-7 (ulige)")
    numbers.fill("2")
    numbers.press("Tab")
    findings = control(page, "create-findings")
    expect(findings).not_to_contain_text("vejnavnet")
    expect(findings).not_to_contain_text("Fejl")
    numbers.scroll_into_view_if_needed()
    address_session.shot("address-filled")
    accept_warnings(page, "create")
    expect(control(page, "create-apply")).to_be_enabled()
    control(page, "create-apply").click()
    start = TODAY + dt.timedelta(days=7)
    expect(control(page, "create-result")).to_contain_text("er gemt")
    expect(control(page, "create-result")).to_contain_text(start.strftime("%d-%m-%Y"))
    expect(node(page, NEW_NAME)).to_be_visible()
    address_session.shot("created")

    # Detaljer shows the address with the city from the register.
    tree_date = control(page, "tree-as_of", "input")
    tree_date.fill(start.isoformat())
    tree_date.press("Enter")
    tab(page, "Detaljer")
    node(page, NEW_NAME).first.click()
    details = control(page, "details")
    expect(details).to_contain_text(NEW_NAME)
    postal = details.locator("tr").filter(has_text="Postadresse").first
    expect(postal).to_contain_text("Bjarkesvej 2, 3450 Allerød")
    expect(postal).not_to_contain_text("nedarvet")
    address_session.shot("details-with-city")
    assert address_session.offsite == []


def test_a_typed_street_that_is_not_in_the_postcode_is_refused(
    address_session: BrowserSession,
) -> None:
    page = address_session.page
    node(page, "Allerød Kommunes Tandpleje").first.click()
    tab(page, "Opret OE")
    control(page, "create-name", "input").fill("Tandplejen Forkert Vej")
    control(page, "create-postal_mode", "input").uncheck()
    control(page, "create-postal_postcode", "input").fill("3450")
    street = control(page, "create-postal_street", "input")
    street.fill("Bjarkevej")
    street.press("Tab")
    control(page, "create-postal_house_number", "input").fill("2")
    control(page, "create-postal_house_number", "input").press("Tab")
    findings = control(page, "create-findings")
    expect(findings).to_contain_text("vejnavnet 'Bjarkevej' findes ikke i postnummer 3450")
    expect(findings).to_contain_text("Bjarkesvej")
    expect(control(page, "create-apply")).to_be_disabled()
    address_session.shot("street-unknown")
