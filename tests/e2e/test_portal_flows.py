"""The customer portal in Chromium against the sandbox's demo data: getting in and each flow."""

import re
import subprocess
import time

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e


def link_for(app_server, email: str) -> str:
    """A fresh one-time portal link for a demo customer, once the mirror has them."""
    deadline = time.monotonic() + 60
    while True:
        try:
            return app_server.cli("session-link", "--email", email)
        except subprocess.CalledProcessError:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)


def open_portal(page: Page, app_server, email: str) -> None:
    page.goto(link_for(app_server, email))
    expect(page).to_have_url(re.compile(r"/portal/?$"))
    expect(page.get_by_role("heading", name="Billing", exact=True)).to_be_visible()


def subscription(page: Page):
    return page.get_by_test_id("subscription").first


def test_session_link_opens_the_portal_home(app_server, page: Page) -> None:
    open_portal(page, app_server, "jenny.rosen@example.com")
    expect(subscription(page)).to_contain_text("Pro")
    expect(subscription(page)).to_contain_text("Renews on")
    card = page.get_by_test_id("payment-method").first
    expect(card).to_contain_text("4242")
    expect(card).to_contain_text("Default")
    expect(page.get_by_test_id("invoice").first).to_be_visible()
    expect(page.get_by_role("region", name="Billing information")).to_contain_text("Jenny Rosen")


def test_a_session_link_works_once(app_server, browser) -> None:
    url = link_for(app_server, "trial@example.com")
    first = browser.new_page()
    first.goto(url)
    expect(first).to_have_url(re.compile(r"/portal/?$"))
    second = browser.new_page()
    second.goto(url)
    expect(second.get_by_test_id("session-link")).to_contain_text("already been used")
    first.close()
    second.close()


def test_sign_out_ends_the_session(app_server, page: Page) -> None:
    open_portal(page, app_server, "trial@example.com")
    page.get_by_test_id("logout").click()
    page.goto(page.url.rsplit("/", 1)[0] + "/portal")
    expect(page.get_by_test_id("signed-out")).to_be_visible()


def test_cancel_with_a_reason_then_renew(app_server, page: Page) -> None:
    open_portal(page, app_server, "team@example.com")
    sub = subscription(page)
    sub.get_by_test_id("cancel-subscription").click()
    panel = page.get_by_test_id("cancel-panel")
    panel.get_by_label("It's too expensive").check()
    panel.get_by_label("Anything else you'd like to share?").fill("Budget cuts")
    panel.get_by_test_id("cancel-confirm").click()
    expect(page.get_by_role("status").filter(has_text="will be canceled")).to_be_visible()
    expect(sub).to_contain_text("Cancels on")
    sub.get_by_test_id("renew-subscription").click()
    expect(sub).to_contain_text("Renews on")
    reason = app_server.python(
        "from sqlmodel import Session, select\n"
        "from portal_app.db import get_engine\n"
        "from portal_app.models import CancellationFeedback, AuditEntry\n"
        "with Session(get_engine()) as s:\n"
        "    f = s.exec(select(CancellationFeedback)).first()\n"
        "    a = sorted(e.action for e in s.exec(select(AuditEntry)).all())\n"
        "    print(f.reason, f.comment, a)"
    )
    assert reason.startswith("too_expensive Budget cuts")
    assert "subscription.cancel" in reason and "subscription.renew" in reason


def add_card(page: Page, number: str) -> None:
    section = page.get_by_test_id("payment-methods")
    section.get_by_test_id("pm-add").click()
    form = page.get_by_test_id("card-form")
    form.get_by_label("Card number").fill(number)
    form.get_by_label("Expiry (MM/YY)").fill("12 / 34")
    form.get_by_label("CVC").fill("123")
    form.get_by_test_id("card-save").click()


def test_payment_methods_add_decline_default_and_remove(app_server, page: Page) -> None:
    open_portal(page, app_server, "canceling@example.com")
    section = page.get_by_test_id("payment-methods")
    cards = section.get_by_test_id("payment-method")
    expect(cards).to_have_count(1)
    cards.first.get_by_test_id("pm-remove").click()
    expect(section.get_by_test_id("pm-error")).to_contain_text("Add a new payment method first")

    add_card(page, "4000 0000 0000 0002")
    expect(section.get_by_test_id("pm-error")).to_contain_text("declined")
    expect(cards).to_have_count(1)
    page.get_by_role("button", name="Cancel", exact=True).click()

    add_card(page, "5555 5555 5555 4444")
    expect(section.get_by_role("status")).to_contain_text("Your card was added.")
    expect(cards).to_have_count(2)
    mastercard = cards.filter(has_text="4444")
    mastercard.get_by_test_id("pm-make-default").click()
    expect(mastercard).to_contain_text("Default")
    cards.filter(has_text="4242").get_by_test_id("pm-remove").click()
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("4444")
