"""Every object the sandbox serves has the top-level fields and JSON types of Stripe's own
example of it (`../shared/stripe-openapi/fixtures3.json`)."""

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import stripe

from portal_app.settings import get_settings

ROOT = Path(__file__).resolve().parents[2]
# The checkout's parent holds `shared/`; a worktree of it sits one level deeper.
FIXTURES = next(
    (
        base / "shared" / "stripe-openapi" / "fixtures3.json"
        for base in (ROOT.parent, ROOT.parent.parent)
        if (base / "shared" / "stripe-openapi" / "fixtures3.json").exists()
    ),
    ROOT.parent / "shared" / "stripe-openapi" / "fixtures3.json",
)

pytestmark = pytest.mark.skipif(
    not FIXTURES.exists(), reason=f"Stripe's fixtures are not at {FIXTURES}"
)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


def _mismatches(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    problems = []
    for key, example in expected.items():
        if key not in actual:
            problems.append(f"missing {key}")
        elif (
            example is not None and actual[key] is not None and _kind(example) != _kind(actual[key])
        ):
            problems.append(f"{key}: {_kind(actual[key])} where Stripe has {_kind(example)}")
    return problems


@pytest.fixture(scope="module")
def served(client: stripe.StripeClient) -> dict[str, dict[str, Any]]:
    """One of each object type, created through the SDK and read back as raw JSON."""
    settings = get_settings()
    http = httpx.Client(
        base_url=settings.sandbox_url,
        headers={"Authorization": f"Bearer {settings.sandbox_api_key}"},
    )

    def raw(path: str, **params: Any) -> dict[str, Any]:
        response = http.get(path, params=params)
        assert response.status_code == 200, response.text
        return dict(response.json())

    customer = client.v1.customers.create(params={"email": "contract@example.com", "name": "C"})
    intent = client.v1.setup_intents.create(
        params={"customer": customer.id, "payment_method": "pm_card_visa", "confirm": True}
    )
    client.v1.customers.update(
        customer.id, params={"invoice_settings": {"default_payment_method": intent.payment_method}}
    )
    tax_id = client.v1.customers.tax_ids.create(
        customer.id, params={"type": "eu_vat", "value": "FR12345678901"}
    )
    product = client.v1.products.create(params={"name": "Contract"})
    price = client.v1.prices.create(
        params={
            "product": product.id,
            "unit_amount": 1000,
            "currency": "usd",
            "recurring": {"interval": "month"},
        }
    )
    coupon = client.v1.coupons.create(params={"percent_off": 10, "duration": "forever"})
    promo = client.v1.promotion_codes.create(
        params={"promotion": {"type": "coupon", "coupon": coupon.id}}
    )
    sub = client.v1.subscriptions.create(
        params={
            "customer": customer.id,
            "items": [{"price": price.id}],
            "discounts": [{"promotion_code": promo.id}],
        }
    )
    schedule = client.v1.subscription_schedules.create(params={"from_subscription": sub.id})
    item = client.v1.invoice_items.create(
        params={"customer": customer.id, "amount": 100, "currency": "usd"}
    )
    invoice = raw(f"/v1/invoices/{sub.latest_invoice}")
    subscription = raw(f"/v1/subscriptions/{sub.id}")
    payment_intent = raw("/v1/payment_intents", customer=customer.id)["data"][0]
    return {
        "customer": raw(f"/v1/customers/{customer.id}"),
        "setup_intent": raw(f"/v1/setup_intents/{intent.id}"),
        "payment_method": raw(f"/v1/payment_methods/{intent.payment_method}"),
        "tax_id": raw(f"/v1/customers/{customer.id}/tax_ids/{tax_id.id}"),
        "product": raw(f"/v1/products/{product.id}"),
        "price": raw(f"/v1/prices/{price.id}"),
        "coupon": raw(f"/v1/coupons/{coupon.id}"),
        "promotion_code": raw(f"/v1/promotion_codes/{promo.id}"),
        "subscription": subscription,
        "subscription_item": subscription["items"]["data"][0],
        "subscription_schedule": raw(f"/v1/subscription_schedules/{schedule.id}"),
        "discount": raw(f"/v1/subscriptions/{sub.id}", **{"expand[]": "discounts"})["discounts"][0],
        "invoice": invoice,
        "line_item": invoice["lines"]["data"][0],
        "invoiceitem": raw(f"/v1/invoiceitems/{item.id}"),
        "payment_intent": payment_intent,
        "event": raw("/v1/events", limit=1)["data"][0],
    }


KINDS = [
    "customer",
    "setup_intent",
    "payment_method",
    "tax_id",
    "product",
    "price",
    "coupon",
    "promotion_code",
    "subscription",
    "subscription_item",
    "subscription_schedule",
    "discount",
    "invoice",
    "line_item",
    "invoiceitem",
    "payment_intent",
    "event",
]


@pytest.mark.parametrize("kind", KINDS)
def test_object_matches_stripe_fixture(kind: str, served: dict[str, dict[str, Any]]) -> None:
    expected = json.loads(FIXTURES.read_text())["resources"][kind]
    actual = served[kind]
    assert actual["object"] == expected["object"]
    assert _mismatches(expected, actual) == []
