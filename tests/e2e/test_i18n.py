"""The portal in the customer's language: from the session, the browser, or the switcher.

Set `PORTAL_SHOTS_DIR` to also save screenshots of each language at desktop and phone widths.
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests import app_data
from tests.e2e.test_portal_flows import link_for

pytestmark = pytest.mark.e2e

SHOTS = os.environ.get("PORTAL_SHOTS_DIR", "")


def localized_link(app_server, email: str, locale: str | None) -> str:
    """A one-time portal link for a demo customer, created with `locale` like Stripe's API."""
    link_for(app_server, email)  # waits for the mirror
    return app_data.portal_link(app_server, email, locale=locale)


def shoot(page: Page, name: str) -> None:
    """Full-page screenshots at 1280 and 390 pixels wide."""
    if not SHOTS:
        return
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    for width, height in ((1280, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(300)
        page.screenshot(path=f"{SHOTS}/i18n-{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_english_by_default(app_server, page: Page) -> None:
    page.goto(localized_link(app_server, "jenny.rosen@example.com", None))
    expect(page.get_by_role("heading", name="Billing", exact=True)).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("subscription").first).to_contain_text("Renews on")
    shoot(page, "en")


def test_a_french_session_then_switching_to_japanese(app_server, page: Page) -> None:
    page.goto(localized_link(app_server, "jenny.rosen@example.com", "fr"))
    expect(page).to_have_url(re.compile(r"/portal/?$"))
    expect(page.get_by_role("heading", name="Facturation", exact=True)).to_be_visible()
    expect(page.get_by_role("region", name="Moyens de paiement")).to_be_visible()
    expect(page.get_by_role("region", name="Informations de facturation")).to_be_visible()
    expect(page.get_by_role("region", name="Historique des factures")).to_be_visible()
    sub = page.get_by_test_id("subscription").first
    expect(sub).to_contain_text(re.compile(r"Renouvellement le \d{1,2} \S+ 20\d\d"))
    expect(page.locator(".brand-headline")).to_have_text(
        "Acme Cloud s'associe à Billing Portal pour simplifier la facturation."
    )
    expect(sub).to_contain_text(re.compile(r"\d+,00\s\$US par mois"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_label("Langue")).to_have_value("fr")
    shoot(page, "fr")

    page.get_by_label("Langue").select_option("ja")
    expect(page.get_by_role("heading", name="請求情報", exact=True)).to_be_visible()
    expect(page.get_by_role("region", name="支払い方法")).to_be_visible()
    expect(sub).to_contain_text(re.compile(r"20\d\d年\d{1,2}月\d{1,2}日 に更新"))
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    shoot(page, "ja")

    page.reload()  # the choice stays with the tab
    expect(page.get_by_role("region", name="支払い方法")).to_be_visible()


def test_the_browser_language_when_the_session_has_none(app_server, browser) -> None:
    context = browser.new_context(locale="de-DE")  # sends Accept-Language: de-DE
    page = context.new_page()
    try:
        page.goto(localized_link(app_server, "trial@example.com", "auto"))
        expect(page.get_by_role("heading", name="Abrechnung", exact=True)).to_be_visible()
        expect(page.get_by_role("region", name="Zahlungsmethoden")).to_be_visible()
        expect(page.get_by_label("Sprache")).to_have_value("de")
    finally:
        context.close()


def test_the_dashboard_follows_the_browser_and_the_switcher(app_server, browser) -> None:
    """A merchant whose browser asks for French gets the dashboard in French, including the
    server's own messages and the tab title, and can switch to Japanese."""
    from portal_app.i18n.catalog import gettext, ui_messages
    from tests.e2e.test_dashboard import EMAIL, PASSWORD

    fr, ja = ui_messages("fr"), ui_messages("ja")
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(app_server.url + "/dashboard/login")
        expect(page.get_by_role("heading", name=fr["Sign in to your dashboard"])).to_be_visible()
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        page.get_by_label(fr["Email"], exact=True).fill(EMAIL)
        page.get_by_label(fr["Password"], exact=True).fill("not the password")
        page.get_by_role("button", name=fr["Sign in"], exact=True).click()
        expect(page.get_by_test_id("login-error")).to_have_text(
            gettext("Email or password is incorrect.", locale="fr")
        )
        page.get_by_label(fr["Password"], exact=True).fill(PASSWORD)
        page.get_by_role("button", name=fr["Sign in"], exact=True).click()
        heading = fr["Portal configurations"]
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        expect(page).to_have_title(fr["{page} · Dashboard"].replace("{page}", heading))
        shoot(page, "dashboard-fr")

        page.goto(app_server.url + "/dashboard/email")
        expect(page.get_by_role("heading", name=fr["Email"], exact=True)).to_be_visible()
        page.get_by_label(fr["Sender address"]).fill("not an address")
        page.get_by_test_id("save-email-settings").click()
        # The server's message in French (the validator's own reason inside stays English).
        french = gettext("Enter a valid sender address ({reason}).", locale="fr", reason="|")
        assert not french.startswith("Enter")
        expect(page.get_by_test_id("error-sender_address")).to_contain_text(french.split("|")[0])

        page.get_by_label(fr["Language"]).select_option("ja")
        expect(page.get_by_role("heading", name=ja["Email"], exact=True)).to_be_visible()
        expect(page.get_by_role("link", name=ja["Products"], exact=True)).to_be_visible()
        expect(page.locator("html")).to_have_attribute("lang", "ja")
        shoot(page, "dashboard-ja")
    finally:
        context.close()
    assert errors == []


def test_an_unknown_address_gets_a_branded_page_in_the_browsers_language(
    app_server, browser
) -> None:
    from portal_app.i18n.catalog import ui_messages

    context = browser.new_context(locale="de-DE")
    page = context.new_page()
    try:
        page.goto(app_server.url + "/no/such/page")
        heading = ui_messages("de")["Page not found"]
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
        expect(page.get_by_test_id("not-found")).to_contain_text("Acme Cloud")
        expect(page).to_have_title(heading)
    finally:
        context.close()
