"""The customer portal in Chromium against the sandbox's demo data: getting in and each flow."""

import datetime
import re
import subprocess
import time
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests import app_data

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
    sent: list[str] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda frame: sent.append(str(frame))))
    open_portal(page, app_server, "jenny.rosen@example.com")
    # One page load: the link's page redeems the link and shows the home in the same
    # event; no client navigation to /portal runs a second on_load.
    assert sum("hydrate_and_load" in frame for frame in sent) == 1
    assert not [frame for frame in sent if "on_load_internal" in frame]
    assert page.title() == "Billing"
    expect(subscription(page)).to_contain_text("Pro")
    expect(subscription(page)).to_contain_text("Renews on")
    expect(subscription(page).get_by_test_id("next-invoice")).to_have_text("Next invoice: $29.00")
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
    # One cancel action at a time: the card's own button gives way to the form's.
    expect(sub.get_by_test_id("cancel-subscription")).to_have_count(0)
    terms = panel.get_by_test_id("cancel-terms")
    expect(terms).to_contain_text("You keep access until")
    assert terms.get_attribute("data-ends-now") == "false"
    ends_on = terms.get_attribute("data-date")
    panel.get_by_test_id("cancel-confirm").click()
    expect(page.get_by_role("status").filter(has_text="will be canceled")).to_be_visible()
    expect(sub).to_contain_text("Cancels on")
    raw = app_data.first_subscription(
        app_server, app_data.customer(app_server, "team@example.com").id
    ).raw
    at = raw.get("cancel_at") or raw["items"]["data"][0]["current_period_end"]
    assert datetime.datetime.fromtimestamp(at, datetime.UTC).date().isoformat() == ends_on
    sub.get_by_test_id("renew-subscription").click()
    expect(sub).to_contain_text("Renews on")
    feedback = app_data.cancellation_feedback(app_server)
    assert feedback is not None
    assert (feedback.reason, feedback.comment) == ("too_expensive", "Budget cuts")
    actions = app_data.audit_actions(app_server)
    assert "subscription.cancel" in actions and "subscription.renew" in actions


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
    confirmation = cards.first.get_by_test_id("pm-remove-confirmation")
    expect(confirmation).to_contain_text("Remove the card ending 4242?")
    confirmation.get_by_test_id("pm-remove-confirm").click()
    expect(section.get_by_test_id("pm-error")).to_contain_text("Add a new payment method first")

    add_card(page, "4000 0000 0000 0002")
    expect(page.get_by_test_id("card-form-error")).to_contain_text("declined")
    expect(cards).to_have_count(1)
    page.get_by_role("button", name="Cancel", exact=True).click()

    add_card(page, "5555 5555 5555 4444")
    expect(section.get_by_role("status")).to_contain_text("Your card was added.")
    expect(cards).to_have_count(2)
    # As in Stripe's portal, the card just added is the one charged from now on.
    mastercard, visa = cards.filter(has_text="4444"), cards.filter(has_text="4242")
    expect(mastercard).to_contain_text("Default")
    visa.get_by_test_id("pm-make-default").click()
    expect(visa).to_contain_text("Default")
    mastercard.get_by_test_id("pm-make-default").click()
    expect(mastercard).to_contain_text("Default")
    visa.get_by_test_id("pm-remove").click()
    visa.get_by_test_id("pm-remove-cancel").click()
    expect(cards).to_have_count(2)
    visa.get_by_test_id("pm-remove").click()
    visa.get_by_test_id("pm-remove-confirm").click()
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("4444")


def choose_plan(page: Page, name: str, interval: str) -> None:
    panel = page.get_by_test_id("plan-panel")
    option = panel.get_by_test_id("plan-option").filter(has_text=name).filter(has_text=interval)
    option.get_by_role("radio").check()


def test_plan_upgrade_bad_promotion_code_and_scheduled_downgrade(app_server, page: Page) -> None:
    open_portal(page, app_server, "jenny.rosen@example.com")
    sub = subscription(page)
    sub.get_by_test_id("update-subscription").click()
    panel = page.get_by_test_id("plan-panel")
    expect(panel.get_by_test_id("plan-option").filter(has_text="Current")).to_contain_text("Pro")
    enterprise = panel.get_by_test_id("plan-option").filter(has_text="Enterprise").first
    expect(enterprise).to_contain_text("For organisations at scale.")

    choose_plan(page, "Enterprise", "per month")
    panel.get_by_label("Promotion code").fill("NOPE")
    panel.get_by_test_id("plan-continue").click()
    expect(panel.get_by_role("alert")).to_contain_text("The promotion code NOPE is not valid.")

    panel.get_by_label("Promotion code").fill("SAVE20")
    panel.get_by_test_id("plan-continue").click()
    review = panel.get_by_test_id("plan-review")
    expect(review).to_contain_text("You will be charged")
    expect(review).to_contain_text("Your next invoice on")
    expect(panel.get_by_role("link", name="terms of service")).to_be_visible()
    panel.get_by_test_id("review-confirm").click()
    expect(
        page.get_by_role("status").filter(has_text="Your plan has been updated.")
    ).to_be_visible()
    expect(sub).to_contain_text("Enterprise")
    expect(sub).to_contain_text("$99.00 per month")
    expect(sub).to_contain_text("20% off for 3 months")

    sub.get_by_test_id("update-subscription").click()
    choose_plan(page, "Starter", "per month")
    panel.get_by_test_id("plan-continue").click()
    expect(panel.get_by_test_id("plan-review")).to_contain_text("Nothing is charged today.")
    panel.get_by_test_id("review-confirm").click()
    change = sub.get_by_test_id("scheduled-change")
    expect(change).to_contain_text("Changes to Starter")
    expect(sub).to_contain_text("Enterprise")
    change.get_by_test_id("cancel-scheduled-change").click()
    expect(sub.get_by_test_id("scheduled-change")).to_have_count(0)
    expect(sub.get_by_test_id("update-subscription")).to_be_visible()


def test_view_more_walks_the_invoice_history(app_server, page: Page) -> None:
    """Older invoices come a page at a time, newest first, each once, until none are left."""
    customer = app_data.customer(app_server, "canceling@example.com").id
    older = app_data.add_paid_invoices(app_server, customer, 15, total=1234)
    open_portal(page, app_server, "canceling@example.com")
    rows = page.get_by_role("region", name="Invoice history").get_by_test_id("invoice")
    expect(rows).to_have_count(10)
    recent = 10 - len([r for r in rows.all() if r.get_attribute("data-invoice-id") in older])
    more = page.get_by_test_id("invoices-more")
    while more.is_visible():
        shown = rows.count()
        more.click()
        expect(rows).not_to_have_count(shown)
    expect(rows).to_have_count(recent + len(older))
    ids = [row.get_attribute("data-invoice-id") for row in rows.all()]
    assert ids[-len(older) :] == older
    last = rows.last
    expect(last).to_contain_text("$12.34")
    expect(last).to_contain_text("2020")
    expect(last).to_contain_text("Paid")


def test_email_code_login(app_server, page: Page) -> None:
    token = app_data.login_page_token(app_server)
    link_for(app_server, "past.due@example.com")  # the mirror has the demo customers
    page.goto(f"{app_server.url}/login/{token}?prefilled_email=past.due@example.com")
    email = page.get_by_label("Email")
    expect(email).to_have_value("past.due@example.com")
    page.get_by_test_id("login-send").click()
    expect(page.get_by_role("status")).to_contain_text("we sent it a 6-digit code")
    page.get_by_label("Login code").fill("000000")
    page.get_by_test_id("login-verify").click()
    expect(page.get_by_role("alert")).to_contain_text("incorrect or has expired")
    code = app_data.latest_login_code(app_server, "past.due@example.com")
    page.get_by_label("Login code").fill(code)
    page.get_by_test_id("login-verify").click()
    expect(page).to_have_url(re.compile(r"/portal/?$"))
    expect(subscription(page)).to_contain_text("Past due")


def test_login_link_off_says_not_available(app_server, page: Page) -> None:
    page.goto(f"{app_server.url}/login/not-a-real-token")
    expect(page.get_by_test_id("login-card")).to_contain_text("not available")


def test_billing_information_validation_and_tax_ids(app_server, page: Page) -> None:
    allowed = ["name", "email", "address", "phone", "tax_id"]
    app_data.configure(app_server, {"features": {"customer_update": {"allowed_updates": allowed}}})
    open_portal(page, app_server, "trial@example.com")
    section = page.get_by_role("region", name="Billing information")
    section.get_by_test_id("billing-edit").click()
    form = section.get_by_test_id("billing-form")
    form.get_by_label("Country").select_option("FR")
    form.get_by_label("Address line 1").fill("8 rue de Rivoli")
    form.get_by_label("City").fill("Paris")
    form.get_by_label("Postal code").fill("750")
    form.get_by_label("Phone (optional)").fill("12")
    form.get_by_test_id("billing-save").click()
    expect(form).to_contain_text("does not look right for this country (for example 33380)")
    expect(form).to_contain_text("Enter a valid phone number")
    form.get_by_label("Postal code").fill("75001")
    form.get_by_label("Phone (optional)").fill("06 12 34 56 78")
    form.get_by_test_id("billing-save").click()
    details = section.get_by_test_id("billing-details")
    expect(details).to_contain_text("8 rue de Rivoli")
    # A French number for a French address is written as the French write it.
    expect(details).to_contain_text("06 12 34 56 78")

    section.get_by_label("Tax ID type").select_option("eu_vat")
    section.get_by_label("Tax ID", exact=True).fill("FR12345")
    section.get_by_test_id("tax-add").click()
    expect(section.get_by_role("alert")).to_contain_text("That EU VAT number is not valid")
    section.get_by_label("Tax ID", exact=True).fill("FR 40 303 265 045")
    section.get_by_test_id("tax-add").click()
    expect(section.get_by_test_id("tax-id")).to_contain_text("FR40303265045")
    section.get_by_label("Tax ID type").select_option("eu_vat")
    section.get_by_label("Tax ID", exact=True).fill("FR40303265045")
    section.get_by_test_id("tax-add").click()
    expect(section.get_by_test_id("tax-error")).to_contain_text("already on your account")
    expect(section.get_by_test_id("tax-id")).to_have_count(1)
    section.get_by_test_id("tax-id").get_by_role("button", name="Remove").click()
    expect(section.get_by_test_id("tax-id")).to_have_count(0)


def test_past_due_banner_pay_panel_and_a_new_card_that_settles_it(app_server, page: Page) -> None:
    open_portal(page, app_server, "past.due@example.com")
    banner = page.get_by_test_id("past-due-banner")
    # The demo's failing card left two renewals open: the banner names their total, and Pay
    # settles the oldest first.
    expect(banner).to_contain_text("2 payments totalling $58.00 are past due")
    assert banner.get_attribute("data-amount") == "2900"
    assert banner.get_attribute("data-total-amount") == "5800"
    assert banner.get_attribute("data-open-invoices") == "2"
    assert banner.get_attribute("data-currency") == "usd"
    invoice_id = banner.get_attribute("data-invoice-id")
    invoices = page.get_by_role("region", name="Invoice history")
    open_row = invoices.locator(f"[data-invoice-id='{invoice_id}']")
    open_row.get_by_test_id("invoice-pay").click()
    # The panel opens under its own row and names the invoice and what is left to pay.
    panel_row = open_row.locator("xpath=following-sibling::tr[1]")
    summary = panel_row.get_by_test_id("pay-summary")
    expect(summary).to_have_text(re.compile(r"^Pay invoice [A-Z0-9]+-\d+: \$29\.00$"))
    assert summary.get_attribute("data-amount") == "2900"
    panel_row.get_by_test_id("invoice-pay-confirm").click()
    expect(panel_row.get_by_test_id("pay-panel").get_by_role("alert")).to_contain_text("declined")
    panel_row.get_by_role("button", name="Cancel", exact=True).click()

    # A new card becomes the default and pays what is overdue: the banner goes, and so does
    # "Past due", without a reload.
    add_card(page, "4242 4242 4242 4242")
    expect(page.get_by_test_id("payment-method").filter(has_text="12/2034")).to_contain_text(
        "Default"
    )
    expect(banner).to_have_count(0)
    expect(subscription(page)).not_to_contain_text("Past due")
    expect(open_row).to_contain_text("Paid")
    paid = app_data.invoice(app_server, invoice_id)
    assert paid is not None and paid.status == "paid"


def flow_link(app_server, email: str, flow_data: app_data.FlowData) -> str:
    """A portal link opening on `flow_data(sub, item, price)` (the customer's first
    subscription, its item, and the Team seats price)."""
    link_for(app_server, email)  # the mirror has the demo customers
    return app_data.portal_link(app_server, email, flow_data=flow_data)


def seats_confirm(quantity: int) -> app_data.FlowData:
    """flow_data confirming the Team seats at `quantity` on the first subscription."""

    def build(sub: str, item: str, price: str) -> dict[str, Any]:
        return {
            "type": "subscription_update_confirm",
            "subscription_update_confirm": {
                "subscription": sub,
                "items": [{"id": item, "price": price, "quantity": quantity}],
            },
        }

    return build


def test_payment_method_flow_ends_on_a_hosted_confirmation(app_server, page: Page) -> None:
    page.goto(
        flow_link(
            app_server,
            "jenny.rosen@example.com",
            lambda sub, item, price: {
                "type": "payment_method_update",
                "after_completion": {
                    "type": "hosted_confirmation",
                    "hosted_confirmation": {"custom_message": "Card saved!"},
                },
            },
        )
    )
    form = page.get_by_test_id("card-form")
    expect(form).to_be_visible()
    expect(page.get_by_test_id("logout")).to_have_count(0)
    expect(page.get_by_role("region", name="Invoice history")).to_have_count(0)
    form.get_by_label("Card number").fill("4242 4242 4242 4242")
    form.get_by_label("Expiry (MM/YY)").fill("01/33")
    form.get_by_label("CVC").fill("321")
    form.get_by_test_id("card-save").click()
    expect(page.get_by_test_id("flow-done")).to_contain_text("Card saved!")


def test_update_confirm_flow_opens_on_the_review(app_server, page: Page) -> None:
    page.goto(flow_link(app_server, "team@example.com", seats_confirm(7)))
    review = page.get_by_test_id("plan-review")
    expect(review).to_contain_text("You will be charged")
    page.get_by_test_id("review-confirm").click()
    expect(page.get_by_test_id("logout")).to_be_visible()
    expect(subscription(page)).to_contain_text("7 seats")


def test_review_hooks_state_what_the_seat_change_then_charges(app_server, page: Page) -> None:
    """The three QA hooks, read in the browser, equal the invoice the change makes."""
    page.goto(flow_link(app_server, "team@example.com", seats_confirm(9)))
    due = page.get_by_test_id("review-due-today")
    upcoming = page.get_by_test_id("review-next-invoice")
    expect(due).to_have_attribute("data-currency", "usd")
    expect(upcoming).to_have_attribute("data-date", re.compile(r"^\d{4}-\d{2}-\d{2}$"))
    expect(page.get_by_test_id("review-to")).to_contain_text("9")
    due_amount = int(due.get_attribute("data-amount") or "-1")
    next_amount = int(upcoming.get_attribute("data-amount") or "-1")
    assert due_amount >= 0 and next_amount > 0
    page.get_by_test_id("review-confirm").click()
    expect(page.get_by_test_id("logout")).to_be_visible()
    expect(subscription(page)).to_contain_text("9 seats")
    team = app_data.customer(app_server, "team@example.com").id
    assert due_amount > 0  # the demo's configuration invoices prorations at once
    deadline = time.monotonic() + 30
    while True:  # the invoice reaches the mirror by webhook (an earlier change's may be first)
        latest = app_data.latest_invoice(app_server, team)
        assert latest is not None
        if (
            latest.billing_reason == "subscription_update"
            and abs(latest.amount_due - due_amount) <= 1
        ):
            break
        assert time.monotonic() < deadline, (latest, due_amount)
        time.sleep(0.5)


def test_cancel_flow_offers_the_retention_coupon_then_redirects(app_server, page: Page) -> None:
    url = flow_link(
        app_server,
        "past.due@example.com",
        lambda sub, item, price: {
            "type": "subscription_cancel",
            "subscription_cancel": {
                "subscription": sub,
                "retention": {"type": "coupon_offer", "coupon_offer": {"coupon": "RETENTION50"}},
            },
            "after_completion": {
                "type": "redirect",
                "redirect": {"return_url": f"{app_server.url}/?kept=1"},
            },
        },
    )
    page.goto(url)
    offer = page.get_by_test_id("retention-offer")
    expect(offer).to_contain_text("50% off your next invoice")
    offer.get_by_test_id("retention-accept").click()
    expect(page).to_have_url(re.compile(r"/\?kept=1$"))


def test_a_change_made_elsewhere_shows_in_every_open_tab(app_server, browser) -> None:
    first, second = browser.new_page(), browser.new_page()
    open_portal(first, app_server, "trial@example.com")
    open_portal(second, app_server, "trial@example.com")
    details = [p.get_by_test_id("billing-details") for p in (first, second)]
    # Outside the portal (the merchant, in Stripe): the change arrives by webhook.
    trial = app_data.customer(app_server, "trial@example.com").id
    app_server.stripe().v1.customers.update(trial, {"name": "Tomasz Trial"})
    for shown in details:
        expect(shown).to_contain_text("Tomasz Trial", timeout=15_000)
    # In one tab: the other follows without a reload.
    subscription(first).get_by_test_id("cancel-subscription").click()
    first.get_by_test_id("cancel-confirm").click()
    expect(subscription(second)).to_contain_text("Cancels on", timeout=15_000)
    subscription(second).get_by_test_id("renew-subscription").click()
    expect(subscription(first)).to_contain_text("Trial ends on", timeout=15_000)
    first.close()
    second.close()
