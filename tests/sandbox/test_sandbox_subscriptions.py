"""Subscriptions, proration to the second, invoices, renewals and cancellation.

Prices bill every 30 days (2,592,000 s) so that "halfway" is exact and amounts can be
checked by hand.
"""

from typing import Any

import httpx
import pytest
import stripe
from sandbox_helpers import Helpers

from tests.factories import period_price as price
from tests.factories import subscribe

DAY = 86400
PERIOD = 30 * DAY


def test_create_charges_first_invoice_and_numbers_it(
    client: stripe.StripeClient, customer: Any
) -> None:
    basic = price(client, 3000, "Basic")
    sub = subscribe(
        client,
        customer,
        basic.id,
        expand=["latest_invoice", "customer", "items.data.price.product"],
    )
    assert sub.status == "active"
    item = sub["items"].data[0]
    assert item.current_period_end - item.current_period_start == PERIOD
    assert item.price.product.name == "Basic"
    assert sub.customer.id == customer.id
    invoice = sub.latest_invoice
    assert invoice.status == "paid"
    assert (invoice.subtotal, invoice.total, invoice.amount_due, invoice.amount_paid) == (
        3000,
        3000,
        3000,
        3000,
    )
    assert invoice.amount_remaining == 0
    assert invoice.number == f"{sub.customer.invoice_prefix}-0001"
    assert invoice.billing_reason == "subscription_create"
    assert invoice.parent.subscription_details.subscription == sub.id
    lines = client.v1.invoices.line_items.list(
        invoice.id, params={"expand": ["data.pricing.price_details.price"]}
    )
    assert lines.data[0].pricing.price_details.price.id == basic.id


def test_price_change_halfway_with_always_invoice(
    client: stripe.StripeClient, customer: Any
) -> None:
    """3000 per 30 days, switched to 6000 exactly halfway: +3000 charge, -1500 credit, net 1500."""
    old, new = price(client, 3000), price(client, 6000)
    sub = subscribe(client, customer, old.id)
    item = sub["items"].data[0]
    halfway = item.current_period_start + PERIOD // 2
    updated = client.v1.subscriptions.update(
        sub.id,
        params={
            "items": [{"id": item.id, "price": new.id}],
            "proration_behavior": "always_invoice",
            "proration_date": halfway,
            "expand": ["latest_invoice"],
        },
    )
    invoice = updated.latest_invoice
    amounts = sorted(line.amount for line in invoice.lines.data)
    assert amounts == [-1500, 3000]
    assert (invoice.total, invoice.amount_paid, invoice.status) == (1500, 1500, "paid")
    assert invoice.number.endswith("-0002")
    credit = next(line for line in invoice.lines.data if line.amount < 0)
    assert credit.description.startswith("Unused time on 1 \u00d7 Plan")
    assert credit.period.start == halfway
    assert updated["items"].data[0].price.id == new.id


def test_proration_is_to_the_second_at_the_sandbox_clock(
    client: stripe.StripeClient, customer: Any, helpers: Helpers
) -> None:
    old, new = price(client, 3000), price(client, 6000)
    sub = subscribe(client, customer, old.id)
    item = sub["items"].data[0]
    helpers.advance(seconds=10 * DAY + 1234)
    preview = client.v1.invoices.create_preview(
        params={
            "subscription": sub.id,
            "subscription_details": {
                "items": [{"id": item.id, "price": new.id}],
                "proration_behavior": "always_invoice",
            },
        }
    )
    at = preview.lines.data[0].period.start
    remaining = item.current_period_end - at

    def prorated(amount: int) -> int:
        return (2 * amount * remaining + PERIOD) // (2 * PERIOD)

    assert sorted(line.amount for line in preview.lines.data) == [-prorated(3000), prorated(6000)]
    assert preview.amount_due == prorated(6000) - prorated(3000)
    # The preview changed nothing.
    assert client.v1.subscriptions.retrieve(sub.id)["items"].data[0].price.id == old.id


def test_quantity_change_with_create_prorations_waits_for_renewal(
    client: stripe.StripeClient, customer: Any, helpers: Helpers
) -> None:
    seat = price(client, 1000, "Seats")
    sub = subscribe(client, customer, seat.id)
    item = sub["items"].data[0]
    halfway = item.current_period_start + PERIOD // 2
    client.v1.subscriptions.update(
        sub.id,
        params={
            "items": [{"id": item.id, "quantity": 3}],
            "proration_behavior": "create_prorations",
            "proration_date": halfway,
        },
    )
    pending = client.v1.invoice_items.list(params={"customer": customer.id, "pending": True})
    assert sorted(i.amount for i in pending.data) == [-500, 1500]
    preview = client.v1.invoices.create_preview(params={"subscription": sub.id})
    assert preview.total == 3000 + 1000
    helpers.advance(to=item.current_period_end + 1)
    renewed = client.v1.subscriptions.retrieve(sub.id, params={"expand": ["latest_invoice"]})
    invoice = renewed.latest_invoice
    assert invoice.billing_reason == "subscription_cycle"
    assert invoice.total == 4000 and invoice.status == "paid"
    assert renewed["items"].data[0].current_period_start == item.current_period_end
    assert (
        client.v1.invoice_items.list(params={"customer": customer.id, "pending": True}).data == []
    )


def test_proration_none_changes_price_without_lines(
    client: stripe.StripeClient, customer: Any
) -> None:
    old, new = price(client, 3000), price(client, 6000)
    sub = subscribe(client, customer, old.id)
    item = sub["items"].data[0]
    updated = client.v1.subscriptions.update(
        sub.id,
        params={"items": [{"id": item.id, "price": new.id}], "proration_behavior": "none"},
    )
    assert updated["items"].data[0].price.id == new.id
    assert (
        client.v1.invoice_items.list(params={"customer": customer.id, "pending": True}).data == []
    )
    assert updated.latest_invoice == sub.latest_invoice


def test_cancel_at_period_end_then_renew_then_cancel_for_real(
    client: stripe.StripeClient, customer: Any, helpers: Helpers
) -> None:
    plan = price(client, 3000)
    sub = subscribe(client, customer, plan.id)
    end = sub["items"].data[0].current_period_end
    canceling = client.v1.subscriptions.update(
        sub.id,
        params={
            "cancel_at_period_end": True,
            "cancellation_details": {"feedback": "too_expensive", "comment": "pricey"},
        },
    )
    assert canceling.cancel_at == end and canceling.cancellation_details.feedback == "too_expensive"
    renewed = client.v1.subscriptions.update(sub.id, params={"cancel_at_period_end": False})
    assert renewed.cancel_at is None and renewed.cancel_at_period_end is False
    client.v1.subscriptions.update(sub.id, params={"cancel_at_period_end": True})
    helpers.advance(to=end + 5)
    ended = client.v1.subscriptions.retrieve(sub.id)
    assert ended.status == "canceled" and ended.ended_at == end
    invoices = client.v1.invoices.list(params={"subscription": sub.id})
    assert len(invoices.data) == 1
    deleted = [
        e
        for e in helpers.events("customer.subscription.deleted")
        if e["data"]["object"]["id"] == sub.id
    ]
    assert len(deleted) == 1


def test_cancel_now_with_proration_credits_the_balance(
    client: stripe.StripeClient, customer: Any
) -> None:
    plan = price(client, 3000)
    sub = subscribe(client, customer, plan.id)
    canceled = client.v1.subscriptions.cancel(sub.id, params={"prorate": True, "invoice_now": True})
    assert canceled.status == "canceled"
    final = client.v1.invoices.retrieve(canceled.latest_invoice)
    assert final.total < 0 and final.amount_due == 0
    assert client.v1.customers.retrieve(customer.id).balance == final.total
    listed = client.v1.subscriptions.list(params={"customer": customer.id})
    assert sub.id not in [s.id for s in listed.data]
    everything = client.v1.subscriptions.list(params={"customer": customer.id, "status": "all"})
    assert sub.id in [s.id for s in everything.data]


def test_failed_renewal_goes_past_due_until_paid(
    client: stripe.StripeClient, customer: Any, helpers: Helpers
) -> None:
    plan = price(client, 3000)
    sub = subscribe(client, customer, plan.id)
    failing = client.v1.payment_methods.attach(
        "pm_card_chargeCustomerFail", params={"customer": customer.id}
    )
    client.v1.subscriptions.update(sub.id, params={"default_payment_method": failing.id})
    helpers.advance(to=sub["items"].data[0].current_period_end + 1)
    past_due = client.v1.subscriptions.retrieve(sub.id, params={"expand": ["latest_invoice"]})
    assert past_due.status == "past_due"
    assert past_due.latest_invoice.status == "open"
    assert past_due.latest_invoice.attempt_count == 1
    with pytest.raises(stripe.CardError) as caught:
        client.v1.invoices.pay(past_due.latest_invoice.id)
    assert caught.value.code == "card_declined"
    visa = client.v1.customers.retrieve(customer.id).invoice_settings.default_payment_method
    paid = client.v1.invoices.pay(past_due.latest_invoice.id, params={"payment_method": visa})
    assert paid.status == "paid"
    assert client.v1.subscriptions.retrieve(sub.id).status == "active"


def test_trial_then_first_charge(
    client: stripe.StripeClient, customer: Any, helpers: Helpers
) -> None:
    plan = price(client, 3000)
    sub = subscribe(client, customer, plan.id, trial_period_days=7)
    assert sub.status == "trialing"
    assert sub.trial_end - sub.trial_start == 7 * DAY
    trial_invoice = client.v1.invoices.retrieve(sub.latest_invoice)
    assert trial_invoice.total == 0 and trial_invoice.status == "paid"
    helpers.advance(to=sub.trial_end + 1)
    active = client.v1.subscriptions.retrieve(sub.id, params={"expand": ["latest_invoice"]})
    assert active.status == "active"
    assert active.latest_invoice.total == 3000 and active.latest_invoice.status == "paid"
    assert active["items"].data[0].current_period_start == sub.trial_end


def test_monthly_to_yearly_restarts_the_cycle(client: stripe.StripeClient, customer: Any) -> None:
    monthly = price(client, 3000, interval="month")
    yearly = price(client, 30000, interval="year")
    sub = subscribe(client, customer, monthly.id)
    item = sub["items"].data[0]
    updated = client.v1.subscriptions.update(
        sub.id,
        params={
            "items": [{"id": item.id, "price": yearly.id}],
            "proration_date": item.current_period_start,
            "expand": ["latest_invoice"],
        },
    )
    assert sorted(line.amount for line in updated.latest_invoice.lines.data) == [-3000, 30000]
    new_item = updated["items"].data[0]
    assert new_item.current_period_start == item.current_period_start
    assert new_item.current_period_end - new_item.current_period_start >= 365 * DAY


def test_send_invoice_collection_and_invoice_actions(
    client: stripe.StripeClient, customer: Any
) -> None:
    plan = price(client, 2500)
    sub = subscribe(client, customer, plan.id, collection_method="send_invoice", days_until_due=14)
    invoice = client.v1.invoices.retrieve(sub.latest_invoice)
    assert invoice.status == "open" and invoice.due_date == invoice.created + 14 * DAY
    page = httpx.get(invoice.hosted_invoice_url)
    assert page.status_code == 200 and invoice.number in page.text
    pdf = httpx.get(invoice.invoice_pdf)
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert httpx.get(invoice.hosted_invoice_url + "x").status_code == 404
    voided = client.v1.invoices.void_invoice(invoice.id)
    assert voided.status == "void"
    item = client.v1.invoice_items.create(
        params={"customer": customer.id, "amount": 999, "currency": "usd", "description": "Setup"}
    )
    draft = client.v1.invoices.create(
        params={"customer": customer.id, "collection_method": "send_invoice", "days_until_due": 7}
    )
    assert draft.status == "draft" and draft.total == 999
    assert draft.lines.data[0].parent.invoice_item_details.invoice_item == item.id
    opened = client.v1.invoices.finalize_invoice(draft.id)
    assert opened.status == "open"
    uncollectible = client.v1.invoices.mark_uncollectible(opened.id)
    assert uncollectible.status == "uncollectible"
    listed = client.v1.invoices.list(params={"customer": customer.id, "status": "uncollectible"})
    assert [i.id for i in listed.data] == [opened.id]


def test_downgrade_credit_goes_to_the_balance_and_pays_the_next_invoice(
    client: stripe.StripeClient, customer: Any, helpers: Helpers
) -> None:
    """3 seats at 1000, cut to 1 halfway: -1500 + 500 = -1000 credit; renewal of 1000 is free."""
    seat = price(client, 1000, "Seats")
    sub = subscribe(client, customer, seat.id, items=[{"price": seat.id, "quantity": 3}])
    item = sub["items"].data[0]
    updated = client.v1.subscriptions.update(
        sub.id,
        params={
            "items": [{"id": item.id, "quantity": 1}],
            "proration_behavior": "always_invoice",
            "proration_date": item.current_period_start + PERIOD // 2,
            "expand": ["latest_invoice"],
        },
    )
    credit_note = updated.latest_invoice
    assert (credit_note.total, credit_note.amount_due, credit_note.ending_balance) == (
        -1000,
        0,
        -1000,
    )
    assert client.v1.customers.retrieve(customer.id).balance == -1000
    helpers.advance(to=item.current_period_end + 1)
    renewal = client.v1.invoices.retrieve(client.v1.subscriptions.retrieve(sub.id).latest_invoice)
    assert (renewal.total, renewal.starting_balance, renewal.amount_due) == (1000, -1000, 0)
    assert renewal.status == "paid"
    assert client.v1.customers.retrieve(customer.id).balance == 0


def test_failed_payment_is_retried_with_the_new_default_card(
    client: stripe.StripeClient, helpers: Helpers
) -> None:
    customer = client.v1.customers.create(
        params={"email": "dunning@example.com", "test_clock": helpers.new_clock()}
    )
    failing = client.v1.payment_methods.attach(
        "pm_card_chargeCustomerFail", params={"customer": customer.id}
    )
    client.v1.customers.update(
        customer.id, params={"invoice_settings": {"default_payment_method": failing.id}}
    )
    plan = price(client, 3000)
    sub = subscribe(client, customer, plan.id, trial_period_days=1)
    helpers.advance(to=sub.trial_end + 1)
    past_due = client.v1.subscriptions.retrieve(sub.id, params={"expand": ["latest_invoice"]})
    assert past_due.status == "past_due"
    retry_at = past_due.latest_invoice.next_payment_attempt
    assert retry_at == sub.trial_end + 3 * DAY
    visa = client.v1.payment_methods.attach("pm_card_visa", params={"customer": customer.id})
    client.v1.customers.update(
        customer.id, params={"invoice_settings": {"default_payment_method": visa.id}}
    )
    helpers.advance(to=retry_at + 1)
    recovered = client.v1.subscriptions.retrieve(sub.id, params={"expand": ["latest_invoice"]})
    assert recovered.latest_invoice.status == "paid"
    assert recovered.latest_invoice.attempt_count == 2
    assert recovered.status == "active"
