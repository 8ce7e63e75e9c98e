"""The dashboard's email page and /dev/outbox in Chromium (outbox mode, sandbox)."""

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests import app_data

pytestmark = pytest.mark.e2e

EMAIL = "merchant@example.com"
PASSWORD = "demo-merchant-password"


def queue(app_server: Any) -> None:
    """A login code email in the server's outbox."""
    app_data.queue_outbox_email(
        app_server,
        kind="login_code",
        to="outbox.e2e@example.com",
        subject="Your Acme Cloud login code",
        text="314159",
    )


def test_email_settings_and_the_outbox(app_server: Any, page: Page) -> None:
    queue(app_server)
    page.goto(app_server.url + "/dashboard/login")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Portal configurations").wait_for()
    page.get_by_role("navigation", name="Dashboard").get_by_role("link", name="Email").click()
    page.get_by_role("heading", name="Email", exact=True).wait_for()

    expect(page.get_by_test_id("outbox-mode")).to_be_visible()
    row = page.get_by_test_id("outbox-row").filter(has_text="outbox.e2e@example.com")
    expect(row).to_contain_text("In outbox (no SMTP)")
    expect(page.get_by_label("Sender name")).to_have_value(re.compile(r".+"))

    page.get_by_label("Sender address").fill("not an address")
    page.get_by_test_id("save-email-settings").click()
    expect(page.get_by_test_id("error-sender_address")).to_be_visible()
    page.get_by_label("Sender address").fill("billing@acme.example")
    page.get_by_label("Confirm cancellations").check()
    page.get_by_test_id("save-email-settings").click()
    expect(page.get_by_test_id("notice")).to_have_text("Saved.")
    page.reload()
    expect(page.get_by_label("Sender address")).to_have_value("billing@acme.example")
    expect(page.get_by_label("Confirm cancellations")).to_be_checked()
    expect(page.get_by_label("Confirm plan changes")).not_to_be_checked()


def test_dev_outbox_shows_the_queued_code_to_a_signed_in_merchant_only(
    app_server: Any, page: Page
) -> None:
    queue(app_server)
    page.goto(app_server.url + "/dev/outbox")
    page.wait_for_url(re.compile(r"/dashboard/login/?$"))
    expect(page.get_by_text("314159")).to_have_count(0)
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Portal configurations").wait_for()
    page.goto(app_server.url + "/dev/outbox")
    page.get_by_role("heading", name="Development outbox").wait_for()
    expect(page.get_by_test_id("outbox-row").first).to_contain_text("314159")
