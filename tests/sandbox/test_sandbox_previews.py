"""`invoices.create_preview` answers as Stripe's, and each preview matches what then happens.

Stripe's upcoming invoice is dated at the renewal (`period_end` is the renewal date itself,
`next_payment_attempt` when it will be charged); a change that bills at once previews the
invoice made now; a schedule's next phase bills its own prices.
"""

from typing import Any, cast

import pytest
import stripe
from sandbox_helpers import Helpers

from tests.factories import period_price as price
from tests.factories import subscribe

DAY = 86400
PERIOD = 30 * DAY


def upcoming(client: stripe.StripeClient, sub_id: str) -> Any:
    return client.v1.invoices.create_preview(params={"subscription": sub_id})


def latest_invoice(client: stripe.StripeClient, sub_id: str) -> Any:
    return client.v1.subscriptions.retrieve(sub_id, params={"expand": ["latest_invoice"]})[
        "latest_invoice"
    ]


def test_upcoming_invoice_is_dated_at_the_renewal_and_matches_it(
    client: stripe.StripeClient, customer: Any, helpers: Helpers
) -> None:
    plan = price(client, 3000)
    sub = subscribe(client, customer, plan.id)
    start = sub["items"].data[0].current_period_start
    end = sub["items"].data[0].current_period_end
    preview = upcoming(client, sub.id)
    assert (preview.period_start, preview.period_end) == (start, end)
    assert preview.next_payment_attempt == end
    assert preview.billing_reason == "upcoming" and preview.amount_due == 3000
    (line,) = preview.lines.data
    assert (line.period.start, line.period.end) == (end, end + PERIOD)
    helpers.advance(to=end + 1)
    renewal = latest_invoice(client, sub.id)
    assert renewal.billing_reason == "subscription_cycle"
    assert (renewal.period_start, renewal.period_end) == (start, end)
    assert renewal.amount_paid == preview.amount_due


def test_preview_with_proration_date_and_promotion_code_is_what_the_update_bills(
    client: stripe.StripeClient, customer: Any
) -> None:
    old, new = price(client, 3000, "Basic"), price(client, 6000, "Pro")
    coupon = client.v1.coupons.create(params={"percent_off": 20, "duration": "forever"})
    promo = client.v1.promotion_codes.create(
        params={"promotion": {"type": "coupon", "coupon": coupon.id}}
    )
    sub = subscribe(client, customer, old.id)
    item = sub["items"].data[0]
    at = item.current_period_start + PERIOD // 3
    change: dict[str, Any] = {
        "items": [{"id": item.id, "price": new.id}],
        "proration_behavior": "always_invoice",
        "proration_date": at,
    }
    preview = client.v1.invoices.create_preview(
        params=cast(
            Any,
            {
                "subscription": sub.id,
                "subscription_details": change,
                "discounts": [{"promotion_code": promo.id}],
            },
        )
    )
    assert preview.billing_reason == "subscription_update"
    assert all(line.period.start == at for line in preview.lines.data)
    assert preview.total_discount_amounts and preview.total < preview.subtotal
    assert client.v1.promotion_codes.retrieve(promo.id).times_redeemed == 0
    client.v1.subscriptions.update(
        sub.id, params=cast(Any, {**change, "discounts": [{"promotion_code": promo.id}]})
    )
    charged = latest_invoice(client, sub.id)
    assert (charged.subtotal, charged.total, charged.amount_paid) == (
        preview.subtotal,
        preview.total,
        preview.amount_due,
    )
    # The renewal after it bills the new price with the discount kept.
    after = upcoming(client, sub.id)
    assert after.amount_due == 6000 - 1200
    assert after.period_end == item.current_period_end


def test_upcoming_invoice_follows_the_schedule(
    client: stripe.StripeClient, customer: Any, helpers: Helpers
) -> None:
    pro, starter = price(client, 6000, "Pro"), price(client, 3000, "Starter")
    sub = subscribe(client, customer, pro.id)
    schedule = client.v1.subscription_schedules.create(params={"from_subscription": sub.id})
    phase = schedule.phases[0]
    client.v1.subscription_schedules.update(
        schedule.id,
        params={  # type: ignore[arg-type]
            "phases": [
                {
                    "items": [{"price": pro.id, "quantity": 1}],
                    "start_date": phase.start_date,
                    "end_date": phase.end_date,
                },
                {
                    "items": [{"price": starter.id, "quantity": 2}],
                    "duration": {"interval": "month", "interval_count": 1},
                },
            ],
        },
    )
    preview = upcoming(client, sub.id)
    assert preview.period_end == phase.end_date
    (line,) = preview.lines.data
    assert (line.pricing.price_details.price, line.quantity, preview.amount_due) == (
        starter.id,
        2,
        6000,
    )
    helpers.advance(to=phase.end_date + 1)
    assert latest_invoice(client, sub.id).amount_paid == preview.amount_due


def test_trial_previews_the_first_charge_at_the_trial_end(
    client: stripe.StripeClient, customer: Any, helpers: Helpers
) -> None:
    plan = price(client, 3000)
    sub = subscribe(client, customer, plan.id, trial_period_days=7)
    preview = upcoming(client, sub.id)
    assert preview.period_end == sub.trial_end == preview.next_payment_attempt
    assert preview.amount_due == 3000
    (line,) = preview.lines.data
    assert line.period.end == sub.trial_end + PERIOD
    helpers.advance(to=sub.trial_end + 1)
    assert latest_invoice(client, sub.id).amount_paid == 3000


def test_billing_cycle_anchor_now_bills_a_new_period_at_once(
    client: stripe.StripeClient, customer: Any
) -> None:
    plan = price(client, 3000)
    sub = subscribe(client, customer, plan.id)
    start = sub["items"].data[0].current_period_start
    at = start + PERIOD // 2
    details: Any = {"billing_cycle_anchor": {"type": "now"}, "proration_date": at}
    preview = client.v1.invoices.create_preview(
        params={"subscription": sub.id, "subscription_details": details}
    )
    assert sorted(line.amount for line in preview.lines.data) == [-1500, 3000]
    assert preview.amount_due == 1500
    updated = client.v1.subscriptions.update(sub.id, params=details)
    assert updated["items"].data[0].current_period_start == at
    assert latest_invoice(client, sub.id).amount_paid == 1500
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.subscriptions.update(sub.id, params=cast(Any, {"billing_cycle_anchor": "later"}))


def test_no_upcoming_invoice_when_cancelling_at_period_end(
    client: stripe.StripeClient, customer: Any
) -> None:
    plan = price(client, 3000)
    sub = subscribe(client, customer, plan.id)
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.invoices.create_preview(
            params={"subscription": sub.id, "subscription_details": {"cancel_at_period_end": True}}
        )
    assert raised.value.code == "invoice_upcoming_none"


def test_failed_renewal_retries_and_the_preview_shows_when(
    client: stripe.StripeClient, customer: Any, helpers: Helpers
) -> None:
    plan = price(client, 3000)
    sub = subscribe(client, customer, plan.id)
    end = sub["items"].data[0].current_period_end
    declining = client.v1.payment_methods.attach(
        "pm_card_chargeCustomerFail", params={"customer": customer.id}
    )
    client.v1.subscriptions.update(sub.id, params={"default_payment_method": declining.id})
    helpers.advance(to=end + 1)
    failed = latest_invoice(client, sub.id)
    assert failed.status == "open" and failed.attempt_count == 1
    assert failed.next_payment_attempt is not None and failed.next_payment_attempt > end
    assert client.v1.subscriptions.retrieve(sub.id).status == "past_due"
    client.v1.subscriptions.update(
        sub.id, params={"default_payment_method": customer.invoice_settings.default_payment_method}
    )
    helpers.advance(to=failed.next_payment_attempt + 1)
    retried = client.v1.invoices.retrieve(failed.id)
    assert retried.status == "paid" and retried.attempt_count == 2
    assert client.v1.subscriptions.retrieve(sub.id).status == "active"


def test_paused_collection_charges_nothing_then_resumes(
    client: stripe.StripeClient, customer: Any, helpers: Helpers
) -> None:
    """Each behaviour on its own subscription, all renewing at once (one clock move each)."""
    plan = price(client, 3000)
    expected = {"keep_as_draft": "draft", "void": "void", "mark_uncollectible": "uncollectible"}
    subs = {behavior: subscribe(client, customer, plan.id) for behavior in expected}
    end = max(sub["items"].data[0].current_period_end for sub in subs.values())
    resumes = end + PERIOD // 2
    for behavior, sub in subs.items():
        paused = client.v1.subscriptions.update(
            sub.id,
            params={"pause_collection": {"behavior": cast(Any, behavior), "resumes_at": resumes}},
        )
        assert paused.pause_collection is not None
        assert paused.pause_collection.behavior == behavior
    helpers.advance(to=end + 1)
    for behavior, sub in subs.items():
        renewal = latest_invoice(client, sub.id)
        assert renewal.billing_reason == "subscription_cycle"
        assert (renewal.status, renewal.amount_paid) == (expected[behavior], 0)
        assert client.v1.subscriptions.retrieve(sub.id).status == "active"
    helpers.advance(to=end + PERIOD + 1)  # collection resumes half-way, before the renewal
    for sub in subs.values():
        assert client.v1.subscriptions.retrieve(sub.id).pause_collection is None
        assert latest_invoice(client, sub.id).amount_paid == 3000


def test_pause_collection_is_checked_and_can_be_lifted(
    client: stripe.StripeClient, customer: Any
) -> None:
    plan = price(client, 3000)
    sub = subscribe(client, customer, plan.id)
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.subscriptions.update(
            sub.id, params={"pause_collection": {"behavior": cast(Any, "later")}}
        )
    assert raised.value.param == "pause_collection[behavior]"
    client.v1.subscriptions.update(sub.id, params={"pause_collection": {"behavior": "void"}})
    lifted = client.v1.subscriptions.update(sub.id, params={"pause_collection": ""})
    assert lifted.pause_collection is None


def test_preview_discounts_take_a_coupon_or_drop_the_inherited_ones(
    client: stripe.StripeClient, customer: Any
) -> None:
    plan = price(client, 3000)
    kept = client.v1.coupons.create(params={"percent_off": 10, "duration": "forever"})
    sub = subscribe(client, customer, plan.id, discounts=[{"coupon": kept.id}])
    assert upcoming(client, sub.id).amount_due == 2700
    other = client.v1.coupons.create(
        params={"amount_off": 1000, "currency": "usd", "duration": "once"}
    )
    with_coupon = client.v1.invoices.create_preview(
        params={"subscription": sub.id, "discounts": [{"coupon": other.id}]}
    )
    assert with_coupon.amount_due == 2000
    without = client.v1.invoices.create_preview(params={"subscription": sub.id, "discounts": ""})
    assert without.amount_due == 3000 and without.total_discount_amounts == []
    # Previews redeem nothing.
    assert client.v1.coupons.retrieve(other.id).times_redeemed == 0
    assert upcoming(client, sub.id).amount_due == 2700
