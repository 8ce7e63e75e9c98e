"""What the plan-change review tells a customer is exactly what the change then does.

A data-driven matrix against the sandbox: for each change, the values behind the review's QA
hooks (`review-due-today`, `review-next-invoice`) must equal the invoice the change creates
and the next upcoming invoice after it (to one minor unit), and its date the renewal date.
"""

import secrets
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, cast

import pytest
import stripe

from portal_app.billing.gateway import Gateway, build_client
from portal_app.billing.sync import record
from portal_app.db import session_scope
from portal_app.models.configuration import (
    ConfigurationFeatures,
    ScheduleAtPeriodEnd,
    ScheduleCondition,
    SubscriptionUpdate,
    SubscriptionUpdateProduct,
)
from portal_app.services.customer_actions import ActionRefused, Actor
from portal_app.services.plan_change import (
    Review,
    ReviewLine,
    apply_change,
    card_text,
    check_change,
    review_change,
    review_hooks,
    review_items,
    review_lines,
)
from tests.factories import sandbox_client

pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")

DAY = 86400
# Starter, Pro, Enterprise monthly; Pro yearly; Seats per seat monthly.
PLANS = {
    "starter": ("Starter", 1000, "month"),
    "pro": ("Pro", 2900, "month"),
    "enterprise": ("Enterprise", 9900, "month"),
    "pro_yearly": ("Pro", 29000, "year"),
    "seats": ("Seats", 800, "month"),
}


@dataclass(frozen=True)
class Scenario:
    name: str
    start: str
    target: str
    behavior: str
    start_quantity: int = 1
    quantity: int = 1
    promotion: str | None = None  # "repeating" (SAVE20-like) or "once"
    trial_days: int = 0
    schedule_downgrades: bool = False
    trial_update: str = "end_trial"  # the configuration's trial_update_behavior
    anchor: str | None = None  # the configuration's billing_cycle_anchor


SCENARIOS = [
    Scenario("pro-enterprise-always_invoice", "pro", "enterprise", "always_invoice"),
    Scenario("pro-enterprise-create_prorations", "pro", "enterprise", "create_prorations"),
    Scenario("pro-enterprise-none", "pro", "enterprise", "none"),
    Scenario("promo-20pct-always_invoice", "pro", "enterprise", "always_invoice", promotion="rep"),
    Scenario(
        "promo-20pct-create_prorations", "pro", "enterprise", "create_prorations", promotion="rep"
    ),
    Scenario("promo-once-always_invoice", "pro", "enterprise", "always_invoice", promotion="once"),
    Scenario("seats-8-12-always_invoice", "seats", "seats", "always_invoice", 8, 12),
    Scenario("seats-8-12-create_prorations", "seats", "seats", "create_prorations", 8, 12),
    Scenario("seats-12-8-create_prorations", "seats", "seats", "create_prorations", 12, 8),
    Scenario("seats-8-12-none", "seats", "seats", "none", 8, 12),
    Scenario("monthly-yearly-always_invoice", "pro", "pro_yearly", "always_invoice"),
    Scenario("monthly-yearly-create_prorations", "pro", "pro_yearly", "create_prorations"),
    Scenario("monthly-yearly-none", "pro", "pro_yearly", "none"),
    Scenario("downgrade-now-always_invoice", "enterprise", "pro", "always_invoice"),
    Scenario("downgrade-now-create_prorations", "enterprise", "starter", "create_prorations"),
    Scenario(
        "downgrade-scheduled", "enterprise", "starter", "always_invoice", schedule_downgrades=True
    ),
    Scenario(
        "yearly-monthly-scheduled",
        "pro_yearly",
        "pro",
        "create_prorations",
        schedule_downgrades=True,
    ),
    Scenario("trial-end-always_invoice", "pro", "enterprise", "always_invoice", trial_days=14),
    Scenario(
        "trial-end-create_prorations", "pro", "enterprise", "create_prorations", trial_days=14
    ),
    Scenario(
        "trial-continue-always_invoice",
        "pro",
        "enterprise",
        "always_invoice",
        trial_days=14,
        trial_update="continue_trial",
    ),
    Scenario(
        "trial-continue-promo",
        "pro",
        "enterprise",
        "create_prorations",
        promotion="rep",
        trial_days=14,
        trial_update="continue_trial",
    ),
    Scenario(
        "anchor-now-create_prorations", "pro", "enterprise", "create_prorations", anchor="now"
    ),
    Scenario("anchor-now-seats-none", "seats", "seats", "none", 8, 12, anchor="now"),
]


@dataclass
class Arranged:
    """A subscription for one scenario, its customer and the catalogue, in the sandbox."""

    scenario: Scenario
    customer: str
    subscription: dict[str, Any]
    prices: dict[str, dict[str, Any]]
    promotion_code: str


def keep(obj: Any) -> dict[str, Any]:
    data = obj if isinstance(obj, dict) else obj.to_dict(for_json=True)
    with session_scope() as db:
        record(session=db, obj=data)
    return data


@pytest.fixture(scope="module")
def client(api_server: str) -> stripe.StripeClient:
    """The stripe SDK on the sandbox, synchronous, for arranging and checking."""
    return sandbox_client()


@pytest.fixture(scope="module")
def arranged(client: stripe.StripeClient) -> dict[str, Arranged]:
    """Every scenario's subscription, started together, then a third of a month later."""
    run = secrets.token_hex(3)
    prices: dict[str, dict[str, Any]] = {}
    products: dict[str, str] = {}
    for key, (name, amount, interval) in PLANS.items():
        if name not in products:
            product = keep(client.v1.products.create({"name": f"{name} {run}"}))
            products[name] = product["id"]
        prices[key] = keep(
            client.v1.prices.create(
                {
                    "product": products[name],
                    "unit_amount": amount,
                    "currency": "usd",
                    "recurring": {"interval": cast(Any, interval)},
                }
            )
        )
    repeating = keep(
        client.v1.coupons.create(
            {"percent_off": 20, "duration": "repeating", "duration_in_months": 3}
        )
    )
    once = keep(
        client.v1.coupons.create({"amount_off": 500, "currency": "usd", "duration": "once"})
    )
    codes = {
        "rep": keep(
            client.v1.promotion_codes.create(
                {"promotion": {"type": "coupon", "coupon": repeating["id"]}, "code": f"S20{run}"}
            )
        ),
        "once": keep(
            client.v1.promotion_codes.create(
                {"promotion": {"type": "coupon", "coupon": once["id"]}, "code": f"ONCE{run}"}
            )
        ),
    }
    # Every scenario's customer lives on one Stripe test clock, which then moves ahead.
    clock = keep(
        client.v1.test_helpers.test_clocks.create(
            {"frozen_time": int(time.time()), "name": f"invariant {run}"}
        )
    )
    found: dict[str, Arranged] = {}
    for scenario in SCENARIOS:
        customer = keep(
            client.v1.customers.create(
                {"email": f"{run}-{scenario.name}@ex.com", "test_clock": clock["id"]}
            )
        )
        pm = keep(client.v1.payment_methods.attach("pm_card_visa", {"customer": customer["id"]}))
        keep(
            client.v1.customers.update(
                customer["id"], {"invoice_settings": {"default_payment_method": pm["id"]}}
            )
        )
        params: dict[str, Any] = {
            "customer": customer["id"],
            "items": [{"price": prices[scenario.start]["id"], "quantity": scenario.start_quantity}],
        }
        if scenario.trial_days:
            params["trial_period_days"] = scenario.trial_days
        sub = keep(client.v1.subscriptions.create(cast(Any, params)))
        code = codes[scenario.promotion]["code"] if scenario.promotion else ""
        found[scenario.name] = Arranged(scenario, customer["id"], sub, prices, code)
    client.v1.test_helpers.test_clocks.advance(
        clock["id"], {"frozen_time": clock["frozen_time"] + 10 * DAY + 4321}
    )
    keep(client.v1.test_helpers.test_clocks.retrieve(clock["id"]))
    for item in found.values():
        item.subscription = keep(client.v1.subscriptions.retrieve(item.subscription["id"]))
    return found


def actor_for(arranged: Arranged) -> Actor:
    scenario = arranged.scenario
    by_product: dict[str, list[str]] = {}
    for price in arranged.prices.values():
        by_product.setdefault(price["product"], []).append(price["id"])
    conditions = (
        [
            ScheduleCondition(type="decreasing_item_amount"),
            ScheduleCondition(type="shortening_interval"),
        ]
        if scenario.schedule_downgrades
        else []
    )
    features = ConfigurationFeatures(
        subscription_update=SubscriptionUpdate(
            enabled=True,
            products=[
                SubscriptionUpdateProduct(product=product, prices=ids)
                for product, ids in by_product.items()
            ],
            proration_behavior=cast(Any, scenario.behavior),
            schedule_at_period_end=ScheduleAtPeriodEnd(conditions=conditions),
            trial_update_behavior=cast(Any, scenario.trial_update),
            billing_cycle_anchor=cast(Any, scenario.anchor),
        )
    )
    return Actor(
        session_id=f"bps_inv{secrets.token_hex(3)}", customer=arranged.customer, features=features
    )


def day_of(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).date().isoformat()


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
async def test_review_equals_what_the_change_does(
    scenario: Scenario, arranged: dict[str, Arranged], client: stripe.StripeClient
) -> None:
    setup = arranged[scenario.name]
    sub = setup.subscription
    actor = actor_for(setup)
    gateway = Gateway(build_client())
    with session_scope() as db:
        request = check_change(
            session=db,
            actor=actor,
            subscription_id=sub["id"],
            price_id=setup.prices[scenario.target]["id"],
            quantity=str(scenario.quantity),
            promotion_code=setup.promotion_code,
        )
    assert request.scheduled is scenario.schedule_downgrades
    review = await review_change(gateway=gateway, actor=actor, request=request)
    shown = review_hooks(review)
    assert shown.currency == "usd"

    before = sub["latest_invoice"]
    await apply_change(gateway=gateway, actor=actor, request=request, review=review, nonce="n")
    after = client.v1.subscriptions.retrieve(sub["id"]).to_dict(for_json=True)
    if after["latest_invoice"] != before:
        made = client.v1.invoices.retrieve(after["latest_invoice"]).to_dict(for_json=True)
        charged = made["amount_due"]
    else:
        charged = 0
    assert abs(shown.due_today_amount - charged) <= 1, (shown, charged)

    upcoming = client.v1.invoices.create_preview({"subscription": sub["id"]}).to_dict(for_json=True)
    assert abs(shown.next_invoice_amount - upcoming["amount_due"]) <= 1, (shown, upcoming)
    items = after["items"]["data"]
    renewal = (
        after["trial_end"]
        if after["status"] == "trialing"
        else min(item["current_period_end"] for item in items)
    )
    assert shown.next_invoice_date == day_of(renewal) == day_of(upcoming["period_end"])
    if scenario.schedule_downgrades:
        assert items[0]["price"]["id"] == setup.prices[scenario.start]["id"]
        assert shown.due_today_amount == 0
    else:
        assert items[0]["price"]["id"] == setup.prices[scenario.target]["id"]
        assert items[0]["quantity"] == scenario.quantity


class NoWrites:
    """Any gateway call fails the test: a refused change must not reach Stripe."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"the change reached Stripe: {name}")


async def test_a_change_other_than_the_reviewed_one_is_refused(
    arranged: dict[str, Arranged],
) -> None:
    """The write uses the review's proration date and code; a request that differs from what
    was reviewed (another quantity, no code) is refused before anything is sent."""
    setup = arranged["seats-8-12-always_invoice"]
    actor = actor_for(setup)
    gateway = Gateway(build_client())
    with session_scope() as db:
        reviewed = check_change(
            session=db,
            actor=actor,
            subscription_id=setup.subscription["id"],
            price_id=setup.prices["seats"]["id"],
            quantity="20",
        )
        other = check_change(
            session=db,
            actor=actor,
            subscription_id=setup.subscription["id"],
            price_id=setup.prices["seats"]["id"],
            quantity="30",
        )
    review = await review_change(gateway=gateway, actor=actor, request=reviewed)
    with pytest.raises(ActionRefused):
        await apply_change(
            gateway=cast(Any, NoWrites()), actor=actor, request=other, review=review, nonce="x"
        )


def test_review_words_follow_the_numbers() -> None:
    base = Review(
        subscription_id="sub_1",
        price_id="price_1",
        quantity=1,
        scheduled=False,
        bills_now=True,
        effective_at=None,
        currency="usd",
        due_today=0,
        lines=[ReviewLine("credit", -6600), ReviewLine("charge", 1933)],
        next_invoice_amount=0,
        next_invoice_at=1_798_761_600,  # 2027-01-01
        proration_date=1_790_000_000,
        promotion_code_id=None,
        card_brand="visa",
        card_last4="4242",
        credit_left=4667,
    )
    today, following = review_lines(base, "Pro", "en")
    assert today == "You will be credited $46.67 on your next invoice."
    assert following == "Your next invoice on January 1, 2027 will be $0.00."
    items = review_items(base, old_plan="1 x Enterprise", new_plan="1 x Pro", locale="en")
    assert [(i.label, i.amount) for i in items] == [
        ("Unused time on 1 x Enterprise", -6600),
        ("Remaining time on 1 x Pro", 1933),
    ]
    assert card_text(base, "en") == "Visa ending in 4242"
    assert review_hooks(base).next_invoice_date == "2027-01-01"
    trial = replace(base, ends_trial=True, due_today=9900, credit_left=0)
    assert review_lines(trial, "Pro", "en")[:2] == [
        "Your trial ends today.",
        "You will be charged $99.00 today.",
    ]
