"""Subscription rows: the next invoice's amount, discounts, and what may be done."""

from datetime import UTC, datetime

from portal_app.billing.views import (
    DiscountView,
    PlanView,
    ScheduledChangeView,
    SubscriptionItemView,
    SubscriptionView,
)
from portal_app.models.mirror_catalog import MirrorCoupon
from portal_app.services.portal_view import Features, subscription_row

SEATS = PlanView(
    price_id="price_seats",
    product_id="prod_seats",
    product_name="Team seats",
    unit_amount=1200,
    currency="usd",
    interval="month",
    interval_count=1,
    unit_label="seat",
)
STARTER = SEATS.model_copy(
    update={
        "price_id": "price_s",
        "product_name": "Starter",
        "unit_amount": 900,
        "unit_label": None,
    }
)
FLAGS = Features(update_subscription=True, cancel_subscription=True)
END = datetime(2026, 12, 17, tzinfo=UTC)


def view(**changes) -> SubscriptionView:
    base = SubscriptionView(
        id="sub_1",
        status="active",
        items=[SubscriptionItemView(id="si_1", plan=SEATS, quantity=5)],
        current_period_end=END,
        cancel_at_period_end=False,
        cancel_at=None,
        trial_end=None,
        schedule_id=None,
        scheduled_change=None,
    )
    return base.model_copy(update=changes)


def test_next_invoice_is_price_times_quantity() -> None:
    row = subscription_row(view(), FLAGS, None, "en")
    assert row.next_invoice == "Next invoice: $60.00"
    assert row.quantity_line == "5 seats" and row.timeline == "Renews on December 17, 2026"


def test_a_scheduled_change_sets_the_next_invoice() -> None:
    change = ScheduledChangeView(effective_at=END, plan=STARTER, quantity=1)
    row = subscription_row(
        view(scheduled_change=change, schedule_id="sub_sched_1"), FLAGS, None, "en"
    )
    assert row.next_invoice == "Next invoice: $9.00"
    assert row.scheduled_change.startswith("Changes to Starter")


def test_a_discount_whose_coupon_is_unknown_is_flagged_not_guessed() -> None:
    row = subscription_row(view(discounts=[DiscountView(coupon=None, end=None)]), FLAGS, None, "fr")
    assert row.next_invoice == "" and row.discount == "Remise appliquée"


def test_nothing_is_due_once_cancelling() -> None:
    row = subscription_row(view(cancel_at_period_end=True), FLAGS, None, "en")
    assert row.next_invoice == "" and row.can_renew and not row.can_cancel


PERCENT = MirrorCoupon(id="SAVE20", percent_off=20.0, duration="repeating", duration_in_months=3)
FIVE_OFF = MirrorCoupon(id="FIVE", amount_off=500, currency="usd", duration="forever")
COUPONS = {c.id: c for c in (PERCENT, FIVE_OFF)}


def test_applied_coupons_are_described_and_taken_off_the_next_invoice() -> None:
    sub = view(discounts=[DiscountView(coupon="SAVE20", end=None)])
    row = subscription_row(sub, FLAGS, None, "en", COUPONS)
    assert row.discount == "20% off for 3 months"
    assert row.next_invoice == "Next invoice: $48.00"  # 5 seats x $12, less 20%


def test_percentages_come_off_before_fixed_amounts() -> None:
    both = [DiscountView(coupon="FIVE", end=None), DiscountView(coupon="SAVE20", end=None)]
    row = subscription_row(view(discounts=both), FLAGS, None, "en", COUPONS)
    assert row.next_invoice == "Next invoice: $43.00"  # $60 - $12 - $5


def test_a_discount_ending_before_the_next_invoice_does_not_reduce_it() -> None:
    ended = DiscountView(coupon="SAVE20", end=datetime(2026, 12, 1, tzinfo=UTC))
    row = subscription_row(view(discounts=[ended]), FLAGS, None, "en", COUPONS)
    assert row.discount == "20% off for 3 months" and row.next_invoice == "Next invoice: $60.00"


def test_a_fixed_discount_never_makes_the_invoice_negative() -> None:
    big = MirrorCoupon(id="BIG", amount_off=10_000, currency="usd", duration="once")
    sub = view(discounts=[DiscountView(coupon="BIG", end=None)])
    row = subscription_row(sub, FLAGS, None, "en", {"BIG": big})
    assert row.next_invoice == "Next invoice: $0.00"
