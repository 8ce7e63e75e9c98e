"""Subscription rows: the next invoice's amount, discounts, and what may be done."""

from datetime import UTC, datetime

from portal_app.billing.views import (
    PlanView,
    ScheduledChangeView,
    SubscriptionItemView,
    SubscriptionView,
)
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


def test_discounts_are_flagged_not_guessed() -> None:
    row = subscription_row(view(discount_count=1), FLAGS, None, "fr")
    assert row.next_invoice == "" and row.discount == "Remise appliquée"


def test_nothing_is_due_once_cancelling() -> None:
    row = subscription_row(view(cancel_at_period_end=True), FLAGS, None, "en")
    assert row.next_invoice == "" and row.can_renew and not row.can_cancel


def test_applied_coupons_are_described() -> None:
    row = subscription_row(
        view(discount_count=1), FLAGS, None, "en", discounts=["20% off for 3 months"]
    )
    assert row.discount == "20% off for 3 months" and row.next_invoice == ""
