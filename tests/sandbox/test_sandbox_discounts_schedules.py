"""Coupons, promotion codes and subscription schedules (downgrades at period end)."""

from typing import Any

import pytest
import stripe
from sandbox_helpers import Helpers
from test_sandbox_subscriptions import DAY

from tests.factories import card_customer, subscribe
from tests.factories import period_price as price


def test_repeating_percent_coupon_applies_for_its_months(
    client: stripe.StripeClient, customer: Any, helpers: Helpers
) -> None:
    coupon = client.v1.coupons.create(
        params={"percent_off": 20, "duration": "repeating", "duration_in_months": 2}
    )
    assert coupon.percent_off == 20.0 and coupon.valid is True
    plan = price(client, 3000, interval="month")
    sub = subscribe(client, customer, plan.id, discounts=[{"coupon": coupon.id}])
    totals = [client.v1.invoices.retrieve(sub.latest_invoice).total]
    for _ in range(2):
        end = client.v1.subscriptions.retrieve(sub.id)["items"].data[0].current_period_end
        helpers.advance(to=end + 1)
        totals.append(
            client.v1.invoices.retrieve(
                client.v1.subscriptions.retrieve(sub.id).latest_invoice
            ).total
        )
    assert totals == [2400, 2400, 3000]
    assert client.v1.coupons.retrieve(coupon.id).times_redeemed == 1


def test_once_amount_off_coupon_is_used_up(client: stripe.StripeClient, customer: Any) -> None:
    coupon = client.v1.coupons.create(
        params={"amount_off": 500, "currency": "usd", "duration": "once"}
    )
    plan = price(client, 3000)
    sub = subscribe(client, customer, plan.id, discounts=[{"coupon": coupon.id}])
    invoice = client.v1.invoices.retrieve(sub.latest_invoice)
    assert (invoice.subtotal, invoice.total) == (3000, 2500)
    assert invoice.total_discount_amounts[0].amount == 500
    assert client.v1.subscriptions.retrieve(sub.id).discounts == []


def test_promotion_code_rules(client: stripe.StripeClient, helpers: Helpers) -> None:
    coupon = client.v1.coupons.create(params={"percent_off": 50, "duration": "once"})
    now = helpers.now()
    promo = client.v1.promotion_codes.create(
        params={
            "promotion": {"type": "coupon", "coupon": coupon.id},
            "code": "HALF-OFF-TEST",
            "max_redemptions": 1,
            "expires_at": now + 30 * DAY,
            "restrictions": {
                "first_time_transaction": True,
                "minimum_amount": 1000,
                "minimum_amount_currency": "usd",
            },
        }
    )
    assert client.v1.promotion_codes.list(params={"code": "half-off-test"}).data[0].id == promo.id
    cheap, plan = price(client, 500), price(client, 3000)

    def new_customer() -> Any:
        return card_customer(client, email="promo@example.com")

    first = new_customer()
    with pytest.raises(stripe.InvalidRequestError, match="minimum"):
        subscribe(client, first, cheap.id, discounts=[{"promotion_code": promo.id}])
    sub = subscribe(client, first, plan.id, discounts=[{"promotion_code": promo.id}])
    assert client.v1.invoices.retrieve(sub.latest_invoice).total == 1500
    with pytest.raises(stripe.InvalidRequestError, match="maximum"):
        subscribe(client, new_customer(), plan.id, discounts=[{"promotion_code": promo.id}])
    returning = client.v1.promotion_codes.create(
        params={
            "promotion": {"type": "coupon", "coupon": coupon.id},
            "restrictions": {"first_time_transaction": True},
        }
    )
    with pytest.raises(stripe.InvalidRequestError, match="prior transactions"):
        client.v1.subscriptions.update(
            sub.id, params={"discounts": [{"promotion_code": returning.id}]}
        )
    inactive = client.v1.promotion_codes.update(returning.id, params={"active": False})
    assert inactive.active is False


def test_schedule_downgrades_at_period_end(
    client: stripe.StripeClient, customer: Any, helpers: Helpers
) -> None:
    pro, starter = price(client, 6000, "Pro"), price(client, 3000, "Starter")
    sub = subscribe(client, customer, pro.id)
    schedule = client.v1.subscription_schedules.create(params={"from_subscription": sub.id})
    assert schedule.status == "active" and schedule.subscription == sub.id
    phase = schedule.phases[0]
    updated = client.v1.subscription_schedules.update(
        schedule.id,
        params={
            "end_behavior": "release",
            "phases": [
                {
                    "items": [{"price": pro.id, "quantity": 1}],
                    "start_date": phase.start_date,
                    "end_date": phase.end_date,
                },
                {
                    "items": [{"price": starter.id, "quantity": 1}],
                    "duration": {"interval": "month"},
                },
            ],
        },
    )
    assert updated.phases[1].start_date == phase.end_date
    assert client.v1.subscriptions.retrieve(sub.id).schedule == schedule.id
    helpers.advance(to=phase.end_date + 1)
    switched = client.v1.subscriptions.retrieve(sub.id, params={"expand": ["latest_invoice"]})
    assert switched["items"].data[0].price.id == starter.id
    assert switched.latest_invoice.total == 3000
    after_first = client.v1.subscription_schedules.retrieve(schedule.id)
    assert after_first.current_phase.start_date == phase.end_date
    helpers.advance(to=updated.phases[1].end_date + 1)
    released = client.v1.subscription_schedules.retrieve(schedule.id)
    assert released.status == "released" and released.released_subscription == sub.id
    assert client.v1.subscriptions.retrieve(sub.id).schedule is None


def test_schedule_release_and_cancel(client: stripe.StripeClient, customer: Any) -> None:
    plan = price(client, 3000)
    sub = subscribe(client, customer, plan.id)
    schedule = client.v1.subscription_schedules.create(params={"from_subscription": sub.id})
    released = client.v1.subscription_schedules.release(schedule.id)
    assert released.status == "released"
    again = client.v1.subscription_schedules.create(params={"from_subscription": sub.id})
    client.v1.subscription_schedules.cancel(again.id)
    assert client.v1.subscription_schedules.retrieve(again.id).status == "canceled"
    assert client.v1.subscriptions.retrieve(sub.id).status == "canceled"


def test_discount_events_carry_the_discount(
    client: stripe.StripeClient, customer: Any, helpers: Helpers
) -> None:
    """Like Stripe: `customer.discount.created` when a subscription gets a coupon, and
    `customer.discount.deleted` when it loses it (the subscription's events name it by id)."""
    coupon = client.v1.coupons.create(params={"percent_off": 10, "duration": "forever"})
    sub = subscribe(client, customer, price(client, 3000).id)
    client.v1.subscriptions.update(sub.id, params={"discounts": [{"coupon": coupon.id}]})
    created = [
        e
        for e in helpers.events("customer.discount.created")
        if e["data"]["object"]["subscription"] == sub.id
    ]
    assert len(created) == 1
    assert created[0]["data"]["object"]["source"]["coupon"] == coupon.id
    client.v1.subscriptions.delete_discount(sub.id)
    deleted = helpers.events("customer.discount.deleted")
    assert created[0]["data"]["object"]["id"] in [e["data"]["object"]["id"] for e in deleted]
