"""Test factories: sandbox objects through the stripe SDK or the sandbox's HTTP API, and the
portal's own rows (mirror customers and subscriptions, portal sessions).

Sandbox objects are made as a test makes them in Stripe's test mode: a customer with a saved
default card (optionally on a test clock, `/v1/test_helpers/test_clocks`), a monthly price,
a subscription. Mirror rows are added to a SQLModel session the caller commits.
"""

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

import httpx
import stripe
from sqlmodel import Session

from portal_app.models import PortalConfiguration, PortalSession
from portal_app.models.mirror import MirrorCustomer, MirrorSubscription, MirrorSubscriptionItem
from portal_app.settings import get_settings

if TYPE_CHECKING:
    from stripe.params import CustomerCreateParams


def sandbox_client(*, max_network_retries: int = 0) -> stripe.StripeClient:
    """The stripe SDK on the sandbox, synchronous, as the portal's gateway points it."""
    settings = get_settings()
    return stripe.StripeClient(
        settings.sandbox_api_key,
        base_addresses={"api": settings.sandbox_url},
        http_client=stripe.HTTPXClient(allow_sync_methods=True),
        max_network_retries=max_network_retries,
    )


@contextmanager
def sandbox_http() -> Iterator[httpx.Client]:
    """An HTTP client on the sandbox's API and test helpers, with the gateway's key."""
    settings = get_settings()
    headers = {"Authorization": f"Bearer {settings.sandbox_api_key}"}
    with httpx.Client(base_url=settings.sandbox_url, headers=headers, timeout=30) as client:
        yield client


def card_customer(
    client: stripe.StripeClient,
    *,
    email: str,
    card: str = "pm_card_visa",
    **params: Any,
) -> stripe.Customer:
    """A sandbox customer whose default payment method is a saved test `card`; `params` go to
    customer creation (name, test_clock, ...)."""
    created = client.v1.customers.create(
        params=cast("CustomerCreateParams", {"email": email, **params})
    )
    pm = client.v1.payment_methods.attach(card, params={"customer": created.id})
    return client.v1.customers.update(
        created.id, params={"invoice_settings": {"default_payment_method": pm.id}}
    )


def recurring_price(
    client: stripe.StripeClient,
    *,
    unit_amount: int,
    product_name: str = "Pro",
    currency: str = "usd",
    **recurring: Any,
) -> stripe.Price:
    """A fresh product with one recurring price (monthly unless `recurring` says otherwise)."""
    product = client.v1.products.create(params={"name": product_name})
    params: Any = {
        "product": product.id,
        "unit_amount": unit_amount,
        "currency": currency,
        "recurring": recurring or {"interval": "month"},
    }
    return client.v1.prices.create(params=params)


async def recurring_price_async(
    client: stripe.StripeClient,
    *,
    unit_amount: int,
    product_name: str = "Pro",
    currency: str = "usd",
    **recurring: Any,
) -> stripe.Price:
    """`recurring_price` for an async client (the gateway's, built by `build_client`)."""
    product = await client.v1.products.create_async(params={"name": product_name})
    params: Any = {
        "product": product.id,
        "unit_amount": unit_amount,
        "currency": currency,
        "recurring": recurring or {"interval": "month"},
    }
    return await client.v1.prices.create_async(params=params)


def period_price(
    client: stripe.StripeClient, amount: int, name: str = "Plan", **recurring: Any
) -> stripe.Price:
    """A price renewing every 30 days unless `recurring` says otherwise (the sandbox tests'
    plan: a period of a fixed length makes the proration arithmetic exact)."""
    recurring = recurring or {"interval": "day", "interval_count": 30}
    return recurring_price(client, unit_amount=amount, product_name=name, **recurring)


def subscribe(
    client: stripe.StripeClient, customer: stripe.Customer, price_id: str, **extra: Any
) -> stripe.Subscription:
    """`customer` subscribed to one `price_id`; `extra` goes to subscription creation."""
    params: Any = {"customer": customer.id, "items": [{"price": price_id}], **extra}
    return client.v1.subscriptions.create(params=params)


def mirror_customer(db: Session, *, customer_id: str | None = None, **fields: Any) -> str:
    """A mirrored customer (a fresh `cus_` id unless given); its id."""
    cid = customer_id or f"cus_{secrets.token_hex(5)}"
    db.add(MirrorCustomer(id=cid, **fields))
    return cid


def mirror_subscription(
    db: Session,
    *,
    customer: str,
    subscription_id: str | None = None,
    status: str = "active",
    price: str | None = None,
    quantity: int = 1,
    item_id: str | None = None,
    **fields: Any,
) -> str:
    """A mirrored subscription of `customer`, with one item on `price` when given; its id."""
    sid = subscription_id or f"sub_{secrets.token_hex(5)}"
    db.add(MirrorSubscription(id=sid, customer=customer, status=status, **fields))
    if price is not None:
        db.add(
            MirrorSubscriptionItem(
                id=item_id or f"si_{secrets.token_hex(5)}",
                subscription=sid,
                price=price,
                quantity=quantity,
            )
        )
    return sid


def configuration(db: Session, **fields: Any) -> PortalConfiguration:
    """A portal configuration (business "Acme", a fresh `bpc_` id unless given), flushed."""
    row = PortalConfiguration(
        **{"id": f"bpc_{secrets.token_hex(6)}", "business_name": "Acme", **fields}
    )
    db.add(row)
    db.flush()
    return row


def live_portal_session(
    db: Session, *, customer: str, configuration_id: str, now: datetime | None = None, **fields: Any
) -> PortalSession:
    """A portal session whose link was redeemed and that was active `now` (unless `fields`
    say otherwise), flushed."""
    now = now or datetime.now(UTC)
    row = PortalSession(
        **{
            "customer": customer,
            "configuration_id": configuration_id,
            "link_expires_at": now,
            "redeemed_at": now,
            "last_activity_at": now,
            **fields,
        }
    )
    db.add(row)
    db.flush()
    return row
