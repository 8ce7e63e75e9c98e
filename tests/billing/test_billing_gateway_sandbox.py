"""Every gateway operation against the embedded sandbox, faults, and the mirror it feeds."""

import asyncio
import hashlib
import hmac
import json
import random
import secrets
import time
from typing import Any, cast

import httpx
import pytest
import stripe
from sqlmodel import Session, select

from portal_app.billing.errors import (
    CardDeclined,
    InvalidRequest,
    RateLimited,
    StripeUnavailable,
)
from portal_app.billing.gateway import Gateway, build_client
from portal_app.billing.sync import account_now, apply_event, full_sync, record
from portal_app.db import get_engine, session_scope
from portal_app.models.mirror import (
    MirrorCustomer,
    MirrorPaymentMethod,
    MirrorSubscription,
    MirrorSubscriptionItem,
    MirrorTaxId,
)
from portal_app.settings import get_settings
from tests.factories import recurring_price_async

# The stripe SDK hands httpx its form body as `data=`; httpx 0.28 deprecates that spelling.
pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")


async def new_customer(stripe_client: stripe.StripeClient, **params: Any) -> dict[str, Any]:
    email = f"{secrets.token_hex(5)}@example.com"
    customer = await stripe_client.v1.customers.create_async(cast(Any, {"email": email, **params}))
    return customer.to_dict()


async def new_clock(stripe_client: stripe.StripeClient) -> str:
    """A Stripe test clock at real time, for a customer whose time a test moves."""
    clock = await stripe_client.v1.test_helpers.test_clocks.create_async(
        {"frozen_time": int(time.time())}
    )
    return clock.id


async def advance_clock(stripe_client: stripe.StripeClient, clock_id: str, *, to: int) -> None:
    """Advance a test clock as with Stripe: ask, then wait until it is `ready` again."""
    clocks = stripe_client.v1.test_helpers.test_clocks
    await clocks.advance_async(clock_id, {"frozen_time": to})
    while (await clocks.retrieve_async(clock_id)).status != "ready":
        await asyncio.sleep(0.05)


async def customer_with_card(
    stripe_client: stripe.StripeClient, card: str = "pm_card_visa", **params: Any
):
    customer = await new_customer(stripe_client, **params)
    pm = await stripe_client.v1.payment_methods.attach_async(card, {"customer": customer["id"]})
    await stripe_client.v1.customers.update_async(
        customer["id"], {"invoice_settings": {"default_payment_method": pm.id}}
    )
    return customer, pm.to_dict()


async def new_plan(stripe_client: stripe.StripeClient, amount: int, interval: str = "month"):
    price = await recurring_price_async(
        stripe_client, unit_amount=amount, product_name=f"Plan {amount}", interval=interval
    )
    return price.to_dict()


async def new_subscription(stripe_client: stripe.StripeClient, customer_id: str, price_id: str):
    sub = await stripe_client.v1.subscriptions.create_async(
        {"customer": customer_id, "items": [{"price": price_id, "quantity": 1}]}
    )
    return sub.to_dict()


def fault(sandbox: httpx.Client, mode: str, count: int, **extra: Any) -> None:
    response = sandbox.post("/v1/test_helpers/faults", data={"mode": mode, "count": count, **extra})
    assert response.status_code == 200, response.text


def keep(obj: dict[str, Any]) -> None:
    with session_scope() as session:
        record(session=session, obj=obj)


def mirrored(model: Any, object_id: str) -> Any:
    with Session(get_engine()) as session:
        return session.get(model, object_id)


async def test_customer_details_update_once_per_intent(gateway, stripe_client) -> None:
    customer = await new_customer(stripe_client, name="Before")
    intent = f"bps_test:{customer['id']}:details:{secrets.token_hex(4)}"
    changes = {
        "name": "Ada Lovelace",
        "phone": "+441234567890",
        "address": {"line1": "1 Analytical St", "city": "London", "country": "GB"},
        "shipping": {"name": "Ada", "address": {"line1": "2 Engine Rd", "country": "GB"}},
        "preferred_locales": ["en-GB"],
    }
    updated = await gateway.update_customer(
        customer_id=customer["id"], changes=changes, intent=intent
    )
    keep(updated)
    row = mirrored(MirrorCustomer, customer["id"])
    assert (row.name, row.address["city"], row.preferred_locales) == (
        "Ada Lovelace",
        "London",
        ["en-GB"],
    )
    await gateway.update_customer(
        customer_id=customer["id"], changes={"name": "Later"}, intent=intent + ":2"
    )
    replayed = await gateway.update_customer(
        customer_id=customer["id"], changes=changes, intent=intent
    )
    assert replayed["name"] == "Ada Lovelace"  # the stored answer, not a second change
    assert (await gateway.retrieve_customer(customer_id=customer["id"]))["name"] == "Later"
    found = await gateway.find_customers_by_email(email=customer["email"])
    assert [c["id"] for c in found] == [customer["id"]]
    assert gateway.stats.writes["customers.update"] == 3
    assert gateway.stats.reads["customers.retrieve"] == 1


async def test_tax_ids_add_list_remove(gateway, stripe_client) -> None:
    customer = await new_customer(stripe_client)
    intent = f"{customer['id']}:tax:{secrets.token_hex(4)}"
    tax_id = await gateway.add_tax_id(
        customer_id=customer["id"], type="eu_vat", value="DE123456789", intent=intent
    )
    keep(tax_id)
    assert [t["id"] async for t in gateway.iter_tax_ids(customer_id=customer["id"])] == [
        tax_id["id"]
    ]
    removed = await gateway.remove_tax_id(
        customer_id=customer["id"], tax_id=tax_id["id"], intent=intent
    )
    keep(removed)
    assert mirrored(MirrorTaxId, tax_id["id"]).deleted
    with pytest.raises(InvalidRequest) as raised:
        await gateway.add_tax_id(
            customer_id=customer["id"], type="eu_vat", value="nope", intent=intent + ":bad"
        )
    assert raised.value.user_message


async def test_catalogue_products_and_prices(gateway) -> None:
    run = secrets.token_hex(4)
    product = await gateway.create_product(
        name="Team",
        intent=f"catalogue:{run}:product",
        images=["https://example.com/team.png"],
        statement_descriptor="ACME TEAM",
        unit_label="seat",
        tax_code="txcd_10103001",
    )
    assert (product["unit_label"], product["images"]) == ("seat", ["https://example.com/team.png"])
    price = await gateway.create_price(
        product_id=product["id"],
        unit_amount=1200,
        currency="usd",
        interval="month",
        interval_count=3,
        intent=f"catalogue:{run}:price",
    )
    assert price["recurring"]["interval_count"] == 3
    renamed = await gateway.update_product(
        product_id=product["id"], changes={"name": "Team Plus"}, intent=f"catalogue:{run}:rename"
    )
    assert renamed["name"] == "Team Plus"
    prices = [p["id"] async for p in gateway.iter_prices(product_id=product["id"])]
    assert prices == [price["id"]]
    assert not (await gateway.archive_price(price_id=price["id"], intent=f"{run}:a"))["active"]
    assert not (await gateway.archive_product(product_id=product["id"], intent=f"{run}:b"))[
        "active"
    ]
    assert product["id"] in [p["id"] async for p in gateway.iter_products(active=False)]


async def test_payment_methods_setup_default_and_detach(gateway, stripe_client) -> None:
    customer, pm = await customer_with_card(stripe_client)
    run = secrets.token_hex(4)
    setup_intent = await gateway.create_setup_intent(customer_id=customer["id"], intent=run)
    assert setup_intent["client_secret"] and setup_intent["customer"] == customer["id"]
    fetched = await gateway.retrieve_setup_intent(setup_intent_id=setup_intent["id"])
    assert fetched["id"] == setup_intent["id"]
    second = await stripe_client.v1.payment_methods.attach_async(
        "pm_card_mastercard", {"customer": customer["id"]}
    )
    cards = [c["id"] async for c in gateway.iter_cards(customer_id=customer["id"])]
    assert set(cards) == {pm["id"], second.id}
    updated = await gateway.set_default_payment_method(
        customer_id=customer["id"], payment_method_id=second.id, intent=f"{run}:default"
    )
    keep(updated)
    assert mirrored(MirrorCustomer, customer["id"]).default_payment_method == second.id
    detached = await gateway.detach_payment_method(payment_method_id=pm["id"], intent=run)
    keep(detached)
    assert mirrored(MirrorPaymentMethod, pm["id"]).customer is None


async def test_subscription_lifecycle(gateway, stripe_client) -> None:
    customer, _ = await customer_with_card(stripe_client)
    basic, pro = await new_plan(stripe_client, 1000), await new_plan(stripe_client, 3000)
    sub = await new_subscription(stripe_client, customer["id"], basic["id"])
    item_id = sub["items"]["data"][0]["id"]
    run = f"bps_test:{sub['id']}:{secrets.token_hex(4)}"
    listed = [s["id"] async for s in gateway.iter_subscriptions(customer_id=customer["id"])]
    assert listed == [sub["id"]]
    with session_scope() as db:
        proration_date = account_now(db)  # other tests may have moved the sandbox clock
    preview = await gateway.preview_subscription_change(
        customer_id=customer["id"],
        subscription_id=sub["id"],
        item_id=item_id,
        price_id=pro["id"],
        quantity=2,
        proration_behavior="always_invoice",
        proration_date=proration_date,
    )
    assert preview["object"] == "invoice" and preview["amount_due"] > 0
    switched = await gateway.update_subscription_item(
        subscription_id=sub["id"],
        item_id=item_id,
        price_id=pro["id"],
        quantity=2,
        proration_behavior="always_invoice",
        proration_date=proration_date,
        intent=f"{run}:switch",
    )
    keep(switched)
    assert switched["items"]["data"][0]["quantity"] == 2
    canceling = await gateway.cancel_subscription(
        subscription_id=sub["id"],
        at_period_end=True,
        feedback="too_expensive",
        comment="Cheaper elsewhere",
        intent=f"{run}:cancel",
    )
    assert canceling["cancel_at_period_end"]
    assert canceling["cancellation_details"]["feedback"] == "too_expensive"
    renewed = await gateway.renew_subscription(subscription_id=sub["id"], intent=f"{run}:renew")
    assert not renewed["cancel_at_period_end"]
    keep(renewed)
    assert not mirrored(MirrorSubscription, sub["id"]).cancel_at_period_end
    ended = await gateway.cancel_subscription(
        subscription_id=sub["id"], at_period_end=False, intent=f"{run}:end"
    )
    keep(ended)
    assert mirrored(MirrorSubscription, sub["id"]).status == "canceled"
    retrieved = await gateway.retrieve_subscription(subscription_id=sub["id"])
    assert retrieved["status"] == "canceled"


async def test_a_downgrade_waits_for_the_period_end(gateway, stripe_client) -> None:
    customer, _ = await customer_with_card(stripe_client)
    pro, basic = await new_plan(stripe_client, 3000), await new_plan(stripe_client, 1000)
    sub = await new_subscription(stripe_client, customer["id"], pro["id"])
    run = f"{sub['id']}:{secrets.token_hex(4)}"
    schedule = await gateway.schedule_change_at_period_end(
        subscription_id=sub["id"],
        price_id=basic["id"],
        quantity=1,
        interval="month",
        interval_count=1,
        intent=f"{run}:downgrade",
    )
    assert len(schedule["phases"]) == 2
    assert schedule["phases"][1]["items"][0]["price"] in (basic["id"], {"id": basic["id"]})
    assert schedule["phases"][1]["start_date"] == schedule["phases"][0]["end_date"]
    keep(schedule)
    schedules = [
        s["id"] async for s in gateway.iter_subscription_schedules(customer_id=customer["id"])
    ]
    assert schedule["id"] in schedules
    released = await gateway.release_schedule(schedule_id=schedule["id"], intent=f"{run}:keep")
    assert released["status"] == "released"


async def test_invoices_list_retrieve_and_pay(gateway, stripe_client) -> None:
    customer, pm = await customer_with_card(stripe_client, card="pm_card_chargeCustomerFail")
    price = await new_plan(stripe_client, 2500)
    sub = await stripe_client.v1.subscriptions.create_async(
        {
            "customer": customer["id"],
            "items": [{"price": price["id"]}],
            "payment_behavior": "allow_incomplete",
        }
    )
    invoices = [i async for i in gateway.iter_invoices(customer_id=customer["id"])]
    assert [i["id"] for i in invoices] == [sub.latest_invoice]
    invoice = await gateway.retrieve_invoice(invoice_id=str(sub.latest_invoice))
    assert invoice["status"] == "open"
    assert invoice["hosted_invoice_url"] and invoice["invoice_pdf"]
    run = f"{invoice['id']}:{secrets.token_hex(4)}"
    with pytest.raises(CardDeclined) as declined:
        await gateway.pay_invoice(
            invoice_id=invoice["id"], payment_method_id=pm["id"], intent=f"{run}:1"
        )
    assert declined.value.user_message == "Your card was declined."
    assert declined.value.decline_code == "generic_decline"
    good = await stripe_client.v1.payment_methods.attach_async(
        "pm_card_visa", {"customer": customer["id"]}
    )
    paid = await gateway.pay_invoice(
        invoice_id=invoice["id"], payment_method_id=good.id, intent=f"{run}:2"
    )
    assert paid["status"] == "paid"


async def test_coupons_and_promotion_codes(gateway, stripe_client) -> None:
    code = f"SAVE{secrets.token_hex(3).upper()}"
    coupon = await stripe_client.v1.coupons.create_async({"percent_off": 20, "duration": "once"})
    await stripe_client.v1.promotion_codes.create_async(
        {"promotion": {"type": "coupon", "coupon": coupon.id}, "code": code}
    )
    assert (await gateway.retrieve_coupon(coupon_id=coupon.id))["percent_off"] == 20
    found = await gateway.find_promotion_code(code=code)
    assert found is not None and found["code"] == code
    assert await gateway.find_promotion_code(code="NO-SUCH-CODE") is None
    assert coupon.id in [c["id"] async for c in gateway.iter_coupons()]
    assert found["id"] in [p["id"] async for p in gateway.iter_promotion_codes()]


async def test_a_rate_limit_is_reported_not_retried(gateway, stripe_client, sandbox) -> None:
    customer = await new_customer(stripe_client)
    fault(sandbox, "429", 1)
    with pytest.raises(RateLimited) as raised:
        await gateway.retrieve_customer(customer_id=customer["id"])
    assert "try again" in raised.value.user_message
    assert (await gateway.retrieve_customer(customer_id=customer["id"]))["id"] == customer["id"]


async def test_one_server_error_is_retried_with_the_same_key(gateway, stripe_client, sandbox):
    customer = await new_customer(stripe_client)
    fault(sandbox, "500", 1)
    intent = f"{customer['id']}:tax:{secrets.token_hex(4)}"
    tax_id = await gateway.add_tax_id(
        customer_id=customer["id"], type="eu_vat", value="DE123456789", intent=intent
    )
    again = await gateway.add_tax_id(
        customer_id=customer["id"], type="eu_vat", value="DE123456789", intent=intent
    )
    assert again["id"] == tax_id["id"]
    assert [t["id"] async for t in gateway.iter_tax_ids(customer_id=customer["id"])] == [
        tax_id["id"]
    ]


@pytest.mark.parametrize("mode", ["500", "timeout"])
async def test_an_outage_is_reported_and_a_retry_makes_one_change(
    stripe_client, sandbox, mode
) -> None:
    # A short timeout, so the "timeout" fault's 3 s delay is an outage to the SDK.
    gateway = Gateway(build_client(timeout=1.5))
    customer = await new_customer(stripe_client)
    fault(sandbox, mode, 3, delay_ms=3000)  # more than the SDK's two retries
    intent = f"{customer['id']}:tax:{secrets.token_hex(4)}"
    with pytest.raises(StripeUnavailable) as raised:
        await gateway.add_tax_id(
            customer_id=customer["id"], type="eu_vat", value="DE123456789", intent=intent
        )
    assert raised.value.user_message == StripeUnavailable.user_message
    assert "sk_" not in str(raised.value)
    for _ in range(2):
        await gateway.add_tax_id(
            customer_id=customer["id"], type="eu_vat", value="DE123456789", intent=intent
        )
    tax_ids = [t async for t in gateway.iter_tax_ids(customer_id=customer["id"])]
    assert len(tax_ids) == 1


def _events_for(sandbox: httpx.Client, object_id: str) -> list[dict[str, Any]]:
    events = sandbox.get("/v1/events", params={"limit": 100}).json()["data"]
    return [e for e in events if e["data"]["object"].get("id") == object_id]


def _post_signed(event: dict[str, Any]) -> httpx.Response:
    settings = get_settings()
    body = json.dumps(event).encode()
    timestamp = int(time.time())
    secret = (settings.webhook_secret or "").encode()
    digest = hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return httpx.post(
        f"{settings.internal_url}/api/stripe/webhook",
        content=body,
        headers={"Stripe-Signature": f"t={timestamp},v1={digest}"},
    )


async def test_sandbox_webhooks_converge_the_mirror(stripe_client, sandbox) -> None:
    clock = await new_clock(stripe_client)
    customer = await new_customer(stripe_client, name="v0", test_clock=clock)
    for n in range(1, 4):
        # A minute apart on the customer's test clock, so each snapshot has its own second.
        await advance_clock(stripe_client, clock, to=customer["created"] + 60 * n)
        await stripe_client.v1.customers.update_async(customer["id"], {"name": f"v{n}"})
    delivered = sandbox.post("/v1/test_helpers/deliver_events")
    assert delivered.status_code == 200, delivered.text
    assert mirrored(MirrorCustomer, customer["id"]).name == "v3"

    events = _events_for(sandbox, customer["id"])
    assert len(events) == 4
    for event in events:
        replay = _post_signed(event)
        assert replay.status_code == 200 and replay.json()["duplicate"] is True

    shuffled = [{**e, "id": f"evt_re_{secrets.token_hex(6)}"} for e in events]
    random.Random(7).shuffle(shuffled)
    with Session(get_engine()) as session:
        stale = session.get(MirrorCustomer, customer["id"])
        session.delete(stale)
        session.flush()
        for event in shuffled + shuffled[::-1]:
            apply_event(session=session, event=event)
        assert session.get(MirrorCustomer, customer["id"]).name == "v3"
        session.rollback()


async def test_a_scheduled_downgrade_lands_at_the_period_end(gateway, stripe_client, sandbox):
    clock = await new_clock(stripe_client)
    customer, _ = await customer_with_card(stripe_client, test_clock=clock)
    pro, basic = await new_plan(stripe_client, 3000), await new_plan(stripe_client, 1000)
    sub = await new_subscription(stripe_client, customer["id"], pro["id"])
    schedule = await gateway.schedule_change_at_period_end(
        subscription_id=sub["id"],
        price_id=basic["id"],
        quantity=1,
        interval="month",
        interval_count=1,
        intent=f"{sub['id']}:downgrade",
    )
    # A second change while one is booked reuses the schedule.
    rebooked = await gateway.schedule_change_at_period_end(
        subscription_id=sub["id"],
        schedule_id=schedule["id"],
        price_id=basic["id"],
        quantity=2,
        interval="month",
        interval_count=1,
        intent=f"{sub['id']}:downgrade:2",
    )
    assert rebooked["id"] == schedule["id"]
    assert rebooked["phases"][1]["items"][0]["quantity"] == 2
    period_end = sub["items"]["data"][0]["current_period_end"]
    await advance_clock(stripe_client, clock, to=period_end + 60)
    delivered = sandbox.post("/v1/test_helpers/deliver_events")
    assert delivered.status_code == 200, delivered.text
    with Session(get_engine()) as session:
        items = session.exec(
            select(MirrorSubscriptionItem).where(MirrorSubscriptionItem.subscription == sub["id"])
        ).all()
        assert [(i.price, i.quantity) for i in items] == [(basic["id"], 2)]


async def test_cancelling_a_schedule_cancels_its_subscription(gateway, stripe_client) -> None:
    customer, _ = await customer_with_card(stripe_client)
    price, other = await new_plan(stripe_client, 3000), await new_plan(stripe_client, 1000)
    sub = await new_subscription(stripe_client, customer["id"], price["id"])
    schedule = await gateway.schedule_change_at_period_end(
        subscription_id=sub["id"],
        price_id=other["id"],
        quantity=1,
        interval="month",
        interval_count=1,
        intent=f"{sub['id']}:change",
    )
    canceled = await gateway.cancel_schedule(schedule_id=schedule["id"], intent=f"{sub['id']}:x")
    assert canceled["status"] == "canceled"
    keep(await gateway.retrieve_subscription(subscription_id=sub["id"]))
    assert mirrored(MirrorSubscription, sub["id"]).status == "canceled"


async def test_a_promotion_code_applies_to_a_plan_change(gateway, stripe_client) -> None:
    customer, _ = await customer_with_card(stripe_client)
    price = await new_plan(stripe_client, 4000)
    sub = await new_subscription(stripe_client, customer["id"], price["id"])
    coupon = await stripe_client.v1.coupons.create_async({"percent_off": 50, "duration": "once"})
    code = f"HALF{secrets.token_hex(3).upper()}"
    await stripe_client.v1.promotion_codes.create_async(
        {"promotion": {"type": "coupon", "coupon": coupon.id}, "code": code}
    )
    promotion = await gateway.find_promotion_code(code=code)
    assert promotion is not None
    updated = await gateway.update_subscription_item(
        subscription_id=sub["id"],
        item_id=sub["items"]["data"][0]["id"],
        price_id=price["id"],
        quantity=1,
        proration_behavior="none",
        promotion_code_id=promotion["id"],
        intent=f"{sub['id']}:promo:{code}",
    )
    assert len(updated["discounts"]) == 1
    keep(updated)
    assert len(mirrored(MirrorSubscription, sub["id"]).discounts) == 1


async def test_full_sync_copies_the_sandbox_into_the_mirror(gateway, stripe_client) -> None:
    customer, pm = await customer_with_card(stripe_client)
    price = await new_plan(stripe_client, 1500)
    sub = await new_subscription(stripe_client, customer["id"], price["id"])
    await stripe_client.v1.customers.tax_ids.create_async(
        customer["id"], {"type": "eu_vat", "value": "DE123456789"}
    )
    with Session(get_engine(), expire_on_commit=False) as session:
        counts = await full_sync(session=session, gateway=gateway)
    for kind in ("customer", "product", "price", "subscription", "invoice", "payment_method"):
        assert counts[kind] >= 1, kind
    assert counts["tax_id"] >= 1
    assert gateway.stats.total_writes == 0
    assert mirrored(MirrorSubscription, sub["id"]).customer == customer["id"]
    assert mirrored(MirrorPaymentMethod, pm["id"]).customer == customer["id"]


def test_the_sync_command_reports_what_it_copied(sandbox, capsys) -> None:
    from portal_app.billing.gateway import get_gateway
    from portal_app.cli import main

    try:
        assert main(["sync"]) == 0
    finally:
        # The cached gateway's connections belong to the loop the command ran; drop them.
        get_gateway.cache_clear()
    assert capsys.readouterr().out.startswith("Synced ")


async def test_listed_subscriptions_carry_their_discounts_expanded(
    gateway: Gateway, stripe_client: stripe.StripeClient
) -> None:
    customer, _ = await customer_with_card(stripe_client)
    plan = await new_plan(stripe_client, 2000)
    coupon = await stripe_client.v1.coupons.create_async({"percent_off": 10, "duration": "forever"})
    await stripe_client.v1.subscriptions.create_async(
        {
            "customer": customer["id"],
            "items": [{"price": plan["id"]}],
            "discounts": [{"coupon": coupon.id}],
        }
    )
    [listed] = [s async for s in gateway.iter_subscriptions(customer_id=customer["id"])]
    [discount] = listed["discounts"]
    assert isinstance(discount, dict) and discount["source"]["coupon"] == coupon.id


async def test_every_public_gateway_method_is_accepted_by_the_strict_sandbox(
    gateway: Gateway, stripe_client: stripe.StripeClient
) -> None:
    """Each public method, with the arguments the portal passes, gets 2xx from a sandbox that
    refuses whatever Stripe refuses (unknown, removed or malformed parameters)."""
    called: set[str] = set()
    tag = secrets.token_hex(4)

    async def call(method: str, /, **kwargs: Any) -> Any:
        called.add(method)
        if "intent" in kwargs:
            kwargs["intent"] = f"{tag}-{method}-{kwargs['intent']}"
        result = getattr(gateway, method)(**kwargs)
        if hasattr(result, "__aiter__"):
            return [item async for item in result]
        return await result

    customer, card = await customer_with_card(stripe_client)
    cid = customer["id"]
    address = {"line1": "1 Main St", "city": "Berlin", "postal_code": "10115", "country": "DE"}
    await call("retrieve_customer", customer_id=cid)
    await call(
        "update_customer",
        customer_id=cid,
        changes={
            "name": "Every Method",
            "email": customer["email"],
            "phone": "+49301234567",
            "address": address,
            "shipping": {"name": "Every Method", "address": address},
            "preferred_locales": ["de", "en"],
        },
        intent="1",
    )
    assert [c["id"] for c in await call("find_customers_by_email", email=customer["email"])] == [
        cid
    ]
    assert cid in {c["id"] for c in await call("iter_customers")}
    tax_id = await call(
        "add_tax_id", customer_id=cid, type="eu_vat", value="DE123456789", intent="1"
    )
    assert [t["id"] for t in await call("iter_tax_ids", customer_id=cid)] == [tax_id["id"]]
    await call("remove_tax_id", customer_id=cid, tax_id=tax_id["id"], intent="1")

    product = await call(
        "create_product",
        name="Every",
        description="All of it",
        statement_descriptor="EVERY PLAN",
        unit_label="seat",
        metadata={"tier": "every"},
        intent="1",
    )
    await call(
        "update_product",
        product_id=product["id"],
        changes={"description": "", "unit_label": "", "images": ""},
        intent="1",
    )
    assert product["id"] in {p["id"] for p in await call("iter_products", active=True)}
    price = await call(
        "create_price",
        product_id=product["id"],
        unit_amount=2000,
        currency="usd",
        interval="month",
        nickname="Monthly",
        lookup_key=f"every-{tag}",
        intent="1",
    )
    cheaper = await call(
        "create_price",
        product_id=product["id"],
        unit_amount=1000,
        currency="usd",
        interval="month",
        intent="2",
    )
    one_off = await call(
        "create_price", product_id=product["id"], unit_amount=500, currency="usd", intent="3"
    )
    await call("update_price", price_id=price["id"], changes={"nickname": "Month"}, intent="1")
    assert (await call("retrieve_price", price_id=price["id"]))["nickname"] == "Month"
    again = await call("retrieve_mirrored", object_type="price", object_id=price["id"])
    assert again["nickname"] == "Month"
    listed = await call("iter_prices", product_id=product["id"], active=True)
    assert {price["id"], cheaper["id"], one_off["id"]} <= {p["id"] for p in listed}

    sub = await new_subscription(stripe_client, cid, cheaper["id"])
    item_id = sub["items"]["data"][0]["id"]
    await call("retrieve_subscription", subscription_id=sub["id"])
    assert sub["id"] in {s["id"] for s in await call("iter_subscriptions", customer_id=cid)}
    assert await call("iter_subscriptions", customer_id=cid, status="active")
    preview = await call(
        "preview_subscription_change",
        customer_id=cid,
        subscription_id=sub["id"],
        item_id=item_id,
        price_id=price["id"],
        quantity=2,
        proration_behavior="create_prorations",
        proration_date=sub["items"]["data"][0]["current_period_start"] + 60,
    )
    assert preview["object"] == "invoice"

    coupon = await stripe_client.v1.coupons.create_async({"percent_off": 10, "duration": "forever"})
    promo = await stripe_client.v1.promotion_codes.create_async(
        {"promotion": {"type": "coupon", "coupon": coupon.id}, "code": f"EVERY{tag}".upper()}
    )
    await call("retrieve_coupon", coupon_id=coupon.id)
    assert coupon.id in {c["id"] for c in await call("iter_coupons")}
    found = await call("find_promotion_code", code=f"EVERY{tag}".upper())
    assert found is not None and found["id"] == promo.id
    assert promo.id in {p["id"] for p in await call("iter_promotion_codes")}
    await call(
        "update_subscription_item",
        subscription_id=sub["id"],
        item_id=item_id,
        price_id=price["id"],
        quantity=2,
        proration_behavior="create_prorations",
        promotion_code_id=promo.id,
        intent="1",
    )
    await call("apply_coupon", subscription_id=sub["id"], coupon_id=coupon.id, intent="1")

    schedule = await call(
        "schedule_change_at_period_end",
        subscription_id=sub["id"],
        price_id=cheaper["id"],
        quantity=1,
        interval="month",
        interval_count=1,
        intent="1",
    )
    assert schedule["id"] in {
        s["id"] for s in await call("iter_subscription_schedules", customer_id=cid)
    }
    await call("release_schedule", schedule_id=schedule["id"], intent="1")

    invoices = await call("iter_invoices", customer_id=cid)
    await call("retrieve_invoice", invoice_id=invoices[0]["id"])
    await stripe_client.v1.invoice_items.create_async(
        {"customer": cid, "amount": 700, "currency": "usd"}
    )
    draft = await stripe_client.v1.invoices.create_async(
        {"customer": cid, "pending_invoice_items_behavior": "include", "auto_advance": False}
    )
    await stripe_client.v1.invoices.finalize_invoice_async(draft.id, {"auto_advance": False})
    paid = await call("pay_invoice", invoice_id=draft.id, payment_method_id=card["id"], intent="1")
    assert paid["status"] == "paid"

    setup = await call("create_setup_intent", customer_id=cid, intent="1")
    assert setup["allowed_payment_method_types"] == ["card"]
    await call("retrieve_setup_intent", setup_intent_id=setup["id"])
    second = await stripe_client.v1.payment_methods.attach_async(
        "pm_card_mastercard", {"customer": cid}
    )
    assert {card["id"], second.id} <= {c["id"] for c in await call("iter_cards", customer_id=cid)}
    await call(
        "set_default_payment_method", customer_id=cid, payment_method_id=second.id, intent="1"
    )
    charged = await call(
        "set_subscription_payment_method",
        subscription_id=sub["id"],
        payment_method_id=second.id,
        intent="1",
    )
    assert charged["default_payment_method"] == second.id
    await call("detach_payment_method", payment_method_id=card["id"], intent="1")

    await call(
        "cancel_subscription",
        subscription_id=sub["id"],
        at_period_end=True,
        feedback="too_expensive",
        comment="Testing every method",
        intent="1",
    )
    await call("renew_subscription", subscription_id=sub["id"], intent="1")
    other = await new_subscription(stripe_client, cid, cheaper["id"])
    other_schedule = await call(
        "schedule_change_at_period_end",
        subscription_id=other["id"],
        price_id=price["id"],
        quantity=1,
        interval="month",
        interval_count=1,
        intent="2",
    )
    await call("cancel_schedule", schedule_id=other_schedule["id"], intent="1")
    await call("cancel_subscription", subscription_id=sub["id"], at_period_end=False, intent="2")
    await call("archive_price", price_id=one_off["id"], intent="1")
    await call("archive_product", product_id=product["id"], intent="1")

    endpoints = await call("iter_webhook_endpoints")
    assert [e["url"] for e in endpoints] == [get_settings().internal_url + "/api/stripe/webhook"]

    public = {
        name
        for name, member in vars(Gateway).items()
        if callable(member) and not name.startswith("_")
    }
    assert called == public, f"not called: {sorted(public - called)}"
