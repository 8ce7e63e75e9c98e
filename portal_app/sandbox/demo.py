"""Demo data for `python -m portal_app.cli init --demo`, written straight into the sandbox's
own database (the server is not running yet; the portal learns it all from the webhooks).

Catalogue (usd): Starter 900/month or 9000/year, Pro 2900/month or 29000/year,
Enterprise 9900/month or 99000/year, and "Team seats" at 1200 per seat per month.
Coupons: `SAVE20` is a promotion code for 20% off for 3 months; the coupon `RETENTION50`
(50% off once) is there for cancellation offers.

Customers (sign in to the portal with the email and the one-time code from the outbox):
- jenny.rosen@example.com, "Jenny Rosen": Pro monthly, active, default Visa ending 4242,
  three paid invoices and one open invoice (an onboarding workshop), an EU VAT id.
  An older customer record with the same email (no subscription) exists too.
- trial@example.com, "Tom Trial": Starter monthly, trialing for 14 days, Mastercard 4444.
- past.due@example.com, "Pat Pastdue": Pro monthly, past_due: the last renewal failed on the
  card 4000 0000 0000 0341, whose invoice is open.
- canceling@example.com, "Cara Cancel": Starter yearly, active, cancels at period end.
- team@example.com, "Northwind Traders": 5 x Team seats monthly, Visa 4242.

Every demo customer is on the test clock "Demo", which stands at the moment the demo loaded;
the catalogue and coupons follow real time. Its events stay pending, so the first server
start delivers them and fills the mirror.
"""

from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from portal_app.sandbox.account import update_account_settings
from portal_app.sandbox.billing import subscriptions
from portal_app.sandbox.clock import real_now
from portal_app.sandbox.context import Ctx
from portal_app.sandbox.database import get_sandbox_engine
from portal_app.sandbox.endpoints import (
    catalog,
    coupons,
    customers,
    helpers,
    invoices,
    payment_methods,
)
from portal_app.sandbox.schema import check_request
from portal_app.sandbox.store import Store

DAY = 86400
_STATE_KEY = "demo"

CATALOGUE = [
    ("prod_starter", "Starter", "For individuals getting started.", 900, 9000),
    ("prod_pro", "Pro", "For growing teams that need more.", 2900, 29000),
    ("prod_enterprise", "Enterprise", "For organisations at scale.", 9900, 99000),
]


# Every call is checked as the HTTP API checks it, so the demo sends only what Stripe accepts.
_ROUTE_OF: dict[Any, tuple[str, str]] = {
    handler: (method, template)
    for module in (catalog, coupons, customers, helpers, invoices, payment_methods)
    for method, template, handler in module.ROUTES
}


def _api_as(method: str, template: str, handler: Callable[..., Any]) -> Callable[..., Any]:
    def call(ctx: Ctx, params: dict[str, Any], *path: str) -> Any:
        check_request(method, template, params)
        return handler(ctx, params, *path)

    return call


def _api(handler: Callable[..., Any]) -> Callable[..., Any]:
    return _api_as(*_ROUTE_OF[handler], handler)


def load_demo() -> dict[str, list[str]] | None:
    """Load the demo once; returns its catalogue (product id to price ids), or None when it
    was already loaded."""
    with Session(get_sandbox_engine(), expire_on_commit=False) as session:
        store = Store(session)
        store.lock_for_write()
        if store.state(_STATE_KEY).get("loaded"):
            return None
        now = real_now()
        # The demo merchant's name (the portal's demo configuration) on its invoices too.
        update_account_settings(store, {"business_name": "Acme Cloud"})
        catalogue = _load(Ctx(session, now - 95 * DAY), now)
        store.set_state(_STATE_KEY, {"loaded": True, "at": now})
        session.commit()
    return catalogue


def _customer(
    ctx: Ctx, clock: dict[str, Any], email: str, name: str, card: str | None
) -> dict[str, Any]:
    params = {"email": email, "name": name, "test_clock": clock["id"]}
    customer = _api(customers.create_customer)(ctx, params)
    if card is not None:
        pm = _api(payment_methods.attach_payment_method)(ctx, {"customer": customer["id"]}, card)
        customer = _api(customers.update_customer)(
            ctx, {"invoice_settings": {"default_payment_method": pm["id"]}}, customer["id"]
        )
    return customer


def _subscribe(ctx: Ctx, customer: dict[str, Any], price: str, **extra: Any) -> dict[str, Any]:
    params = {"customer": customer["id"], "items": [{"price": price, **extra.pop("item", {})}]}
    return _api_as("POST", "/v1/subscriptions", subscriptions.create_subscription)(
        ctx, {**params, **extra}
    )


def _advance(ctx: Ctx, clock: dict[str, Any], to: int) -> None:
    _api(helpers.advance_test_clock)(ctx, {"frozen_time": str(to)}, clock["id"])


def _load(ctx: Ctx, now: int) -> dict[str, list[str]]:
    # Every demo customer is on one test clock, which stops at the moment the demo loaded.
    clock = _api(helpers.create_test_clock)(ctx, {"frozen_time": str(ctx.now), "name": "Demo"})
    _customer(ctx, clock, "jenny.rosen@example.com", "Jenny Rosen", None)
    _advance(ctx, clock, now - 65 * DAY)
    prices: dict[str, str] = {}
    for product_id, name, description, monthly, yearly in CATALOGUE:
        _api(catalog.create_product)(
            ctx, {"id": product_id, "name": name, "description": description}
        )
        for interval, amount in (("month", monthly), ("year", yearly)):
            price = _api(catalog.create_price)(
                ctx,
                {
                    "product": product_id,
                    "unit_amount": str(amount),
                    "currency": "usd",
                    "recurring": {"interval": interval},
                    "lookup_key": f"{name.lower()}_{interval}ly",
                },
            )
            prices[f"{name.lower()}_{interval}"] = price["id"]
        _api(catalog.update_product)(
            ctx, {"default_price": prices[f"{name.lower()}_month"]}, product_id
        )
    _api(catalog.create_product)(
        ctx,
        {
            "id": "prod_team_seats",
            "name": "Team seats",
            "unit_label": "seat",
            "description": "Pay per member of your team.",
        },
    )
    seats = _api(catalog.create_price)(
        ctx,
        {
            "product": "prod_team_seats",
            "unit_amount": "1200",
            "currency": "usd",
            "recurring": {"interval": "month"},
            "lookup_key": "team_seats_monthly",
        },
    )
    coupon = _api(coupons.create_coupon)(
        ctx,
        {
            "id": "SAVE20_3M",
            "name": "20% off for 3 months",
            "percent_off": "20",
            "duration": "repeating",
            "duration_in_months": "3",
        },
    )
    _api(coupons.create_promotion_code)(
        ctx, {"promotion": {"type": "coupon", "coupon": coupon["id"]}, "code": "SAVE20"}
    )
    _api(coupons.create_coupon)(
        ctx,
        {
            "id": "RETENTION50",
            "name": "50% off your next invoice",
            "percent_off": "50",
            "duration": "once",
        },
    )

    jenny = _customer(ctx, clock, "jenny.rosen@example.com", "Jenny Rosen", "pm_card_visa")
    _api(customers.update_customer)(
        ctx,
        {
            "address": {
                "line1": "27 Fredrick Ave",
                "city": "Brothers",
                "postal_code": "97712",
                "state": "OR",
                "country": "US",
            },
            "phone": "+15555550123",
        },
        jenny["id"],
    )
    _api(customers.create_tax_id)(ctx, {"type": "eu_vat", "value": "DE123456789"}, jenny["id"])
    _subscribe(ctx, jenny, prices["pro_month"])
    past_due = _customer(ctx, clock, "past.due@example.com", "Pat Pastdue", "pm_card_visa")
    _subscribe(ctx, past_due, prices["pro_month"])
    failing = _api(payment_methods.attach_payment_method)(
        ctx, {"customer": past_due["id"]}, "pm_card_chargeCustomerFail"
    )
    _api(customers.update_customer)(
        ctx, {"invoice_settings": {"default_payment_method": failing["id"]}}, past_due["id"]
    )
    team = _customer(ctx, clock, "team@example.com", "Northwind Traders", "pm_card_visa")
    _subscribe(ctx, team, seats["id"], item={"quantity": "5"})

    _advance(ctx, clock, now)

    trial = _customer(ctx, clock, "trial@example.com", "Tom Trial", "pm_card_mastercard")
    _subscribe(ctx, trial, prices["starter_month"], trial_period_days="14")
    cara = _customer(ctx, clock, "canceling@example.com", "Cara Cancel", "pm_card_visa")
    sub = _subscribe(ctx, cara, prices["starter_year"])
    _api_as("POST", "/v1/subscriptions/{id}", subscriptions.update_subscription)(
        ctx,
        {
            "cancel_at_period_end": "true",
            "cancellation_details": {"feedback": "switched_service", "comment": "Moving on."},
        },
        sub["id"],
    )
    _api(invoices.create_invoice_item)(
        ctx,
        {
            "customer": jenny["id"],
            "amount": "25000",
            "currency": "usd",
            "description": "Onboarding workshop",
        },
    )
    workshop = _api(invoices.create_invoice)(
        ctx, {"customer": jenny["id"], "collection_method": "send_invoice", "days_until_due": "14"}
    )
    _api(invoices.finalize_invoice)(ctx, {}, workshop["id"])
    catalogue: dict[str, list[str]] = {"prod_team_seats": [seats["id"]]}
    for product_id, name, *_ in CATALOGUE:
        catalogue[product_id] = [prices[f"{name.lower()}_{i}"] for i in ("month", "year")]
    return catalogue
