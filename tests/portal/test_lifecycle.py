"""The account as it is: what the portal shows, checked against what the sandbox then holds.

Each test arranges a customer in the embedded sandbox, lets its webhooks fill the mirror, and
calls the portal's services and state handlers as a tab would.
"""

import asyncio
import inspect
import secrets
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import stripe
from reflex.state import State
from sqlmodel import Session

from portal_app.billing.gateway import Gateway, build_client
from portal_app.billing.sync import customer_version, record
from portal_app.db import get_engine, session_scope
from portal_app.models import AcceptedRetentionOffer, PortalConfiguration, PortalSession
from portal_app.models.configuration import ConfigurationFeatures, default_features
from portal_app.models.mirror import (
    MirrorCustomer,
    MirrorInvoice,
    MirrorSubscription,
    MirrorSubscriptionSchedule,
)
from portal_app.services import customer_actions, payment_methods
from portal_app.services.customer_actions import (
    ActionRefused,
    Actor,
    accept_retention_offer,
    cancel_subscription,
)
from portal_app.services.invoices import pay_invoice, record_latest_invoice
from portal_app.services.portal_view import portal_home
from portal_app.services.subscription_rules import has_pending_change
from portal_app.state import customer_action
from portal_app.state.cancel import CancelState
from portal_app.state.customer_session import CustomerSessionState
from portal_app.state.payment_methods import PaymentMethodsState
from portal_app.state.portal import PortalState
from tests import factories
from tests.support import substate

pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")


def deliver(sandbox: httpx.Client) -> None:
    response = sandbox.post("/v1/test_helpers/deliver_events")
    assert response.status_code == 200, response.text


def now_of(sandbox: httpx.Client, plan: dict[str, Any]) -> int:
    """The frozen time of the plan's customer's test clock."""
    clock = sandbox.get(f"/v1/test_helpers/test_clocks/{plan['clock']}").json()
    return int(clock["frozen_time"])


def advance(
    sandbox: httpx.Client, plan: dict[str, Any], *, seconds: int = 0, to: int | None = None
) -> None:
    """Move the plan's customer's test clock ahead (Stripe's test clock advance)."""
    target = to if to is not None else now_of(sandbox, plan) + seconds
    response = sandbox.post(
        f"/v1/test_helpers/test_clocks/{plan['clock']}/advance", data={"frozen_time": target}
    )
    assert response.status_code == 200, response.text


async def customer_with_plan(
    client: stripe.StripeClient, amount: int = 3000, card: str = "pm_card_visa"
) -> dict[str, Any]:
    """A customer on a test clock of its own, paying `amount` a month with `card` as the
    default."""
    clock = await client.v1.test_helpers.test_clocks.create_async({"frozen_time": int(time.time())})
    customer = await client.v1.customers.create_async(
        {"email": f"{secrets.token_hex(5)}@example.com", "test_clock": clock.id}
    )
    pm = await client.v1.payment_methods.attach_async(card, {"customer": customer.id})
    await client.v1.customers.update_async(
        customer.id, {"invoice_settings": {"default_payment_method": pm.id}}
    )
    product_name = f"Pro {secrets.token_hex(2)}"
    price = await factories.recurring_price_async(
        client, unit_amount=amount, product_name=product_name
    )
    sub = await client.v1.subscriptions.create_async(
        {"customer": customer.id, "items": [{"price": price.id}]}
    )
    return {
        "clock": clock.id,
        "customer": customer.id,
        "pm": pm.id,
        "product": price.product,
        "product_name": product_name,
        "price": price.id,
        "sub": sub.id,
        "period_end": sub.to_dict()["items"]["data"][0]["current_period_end"],
    }


def features(**cancel: Any) -> ConfigurationFeatures:
    data = default_features()
    data["subscription_cancel"].update(cancel)
    return ConfigurationFeatures.model_validate(data)


def actor_for(customer: str, **cancel: Any) -> Actor:
    return Actor(
        session_id=f"bps_{secrets.token_hex(4)}", customer=customer, features=features(**cancel)
    )


def signed_in_tab(customer: str, **cancel: Any) -> State:
    """A tab's root state signed in as `customer` under a configuration with `cancel` settings."""
    now = datetime.now(UTC)
    with session_scope() as db:
        data = default_features()
        data["subscription_cancel"].update(cancel)
        config = factories.configuration(db, features=data)
        live = factories.live_portal_session(
            db, customer=customer, configuration_id=config.id, now=now
        )
        session_id = live.id
    root = State(_reflex_internal_init=True)  # type: ignore[call-arg]
    substate(root, CustomerSessionState)._session_id = session_id
    return root


async def run(handler: Any, state: Any, *args: Any) -> Any:
    result = handler.fn(state, *args)
    if inspect.isasyncgen(result):
        out = []
        async for item in result:
            out.append(item)
        return out
    if inspect.isawaitable(result):
        return await result
    return result


def mirror_sub(sub_id: str) -> MirrorSubscription:
    with Session(get_engine()) as db:
        row = db.get(MirrorSubscription, sub_id)
        assert row is not None
        return row


async def test_a_retention_offer_gives_one_discount_however_often_it_is_accepted(
    gateway: Gateway, stripe_client: stripe.StripeClient, sandbox: httpx.Client
) -> None:
    """Issue 13 M4: six calls, in a row and at once, make one discount in the sandbox."""
    plan = await customer_with_plan(stripe_client)
    coupon = await stripe_client.v1.coupons.create_async({"percent_off": 20, "duration": "once"})
    deliver(sandbox)
    actor = actor_for(plan["customer"], retention={"enabled": True, "coupon": coupon.id})
    richer = await stripe_client.v1.coupons.create_async({"percent_off": 90, "duration": "once"})
    with pytest.raises(ActionRefused, match="no longer available"):
        await accept_retention_offer(  # a coupon the configuration never offered
            gateway=gateway,
            actor=actor,
            subscription_id=plan["sub"],
            coupon_id=richer.id,
            nonce="r",
        )
    await accept_retention_offer(
        gateway=gateway, actor=actor, subscription_id=plan["sub"], coupon_id=coupon.id, nonce="a"
    )
    refused = 0
    for n in range(3):
        try:
            await accept_retention_offer(
                gateway=gateway,
                actor=actor,
                subscription_id=plan["sub"],
                coupon_id=coupon.id,
                nonce=f"again{n}",
            )
        except ActionRefused:
            refused += 1
    results = await asyncio.gather(
        *(
            accept_retention_offer(
                gateway=gateway,
                actor=actor,
                subscription_id=plan["sub"],
                coupon_id=coupon.id,
                nonce=f"race{n}",
            )
            for n in range(2)
        ),
        return_exceptions=True,
    )
    assert refused == 3 and all(isinstance(r, ActionRefused) for r in results)
    remote = await stripe_client.v1.subscriptions.retrieve_async(plan["sub"])
    assert len(remote.to_dict()["discounts"]) == 1
    with Session(get_engine()) as db:
        assert db.get(AcceptedRetentionOffer, plan["sub"]) is not None


async def test_the_cancel_handler_offers_once_and_never_on_a_cancelling_subscription(
    stripe_client: stripe.StripeClient, sandbox: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = await customer_with_plan(stripe_client)
    coupon = await stripe_client.v1.coupons.create_async({"percent_off": 20, "duration": "once"})
    deliver(sandbox)
    retention = {"enabled": True, "coupon": coupon.id}
    root = signed_in_tab(plan["customer"], retention=retention)
    cancel = substate(root, CancelState)
    monkeypatch.setattr(customer_action, "gateway", lambda: Gateway(build_client()))
    await run(CancelState.open, cancel, plan["sub"])
    assert cancel.offer != ""
    for _ in range(6):
        cancel.subscription_id = plan["sub"]  # a hostile tab replays the accepted step
        await run(CancelState.accept_offer, cancel)
    remote = await stripe_client.v1.subscriptions.retrieve_async(plan["sub"])
    assert len(remote.to_dict()["discounts"]) == 1
    await run(CancelState.open, cancel, plan["sub"])
    assert cancel.offer == "" and cancel.subscription_id == plan["sub"]

    other = await customer_with_plan(stripe_client)
    await stripe_client.v1.subscriptions.update_async(other["sub"], {"cancel_at_period_end": True})
    deliver(sandbox)
    tab = substate(signed_in_tab(other["customer"], retention=retention), CancelState)
    await run(CancelState.open, tab, other["sub"])
    assert tab.offer == ""
    with pytest.raises(ActionRefused, match="already set to cancel"):
        await accept_retention_offer(
            gateway=Gateway(build_client()),
            actor=actor_for(other["customer"], retention=retention),
            subscription_id=other["sub"],
            coupon_id=coupon.id,
            nonce="x",
        )


async def test_the_cancel_form_names_the_day_access_ends_and_stripe_agrees(
    gateway: Gateway, stripe_client: stripe.StripeClient, sandbox: httpx.Client
) -> None:
    plan = await customer_with_plan(stripe_client)
    deliver(sandbox)
    tab = substate(signed_in_tab(plan["customer"]), CancelState)
    await run(CancelState.open, tab, plan["sub"])
    assert not tab.ends_now and tab.unused_text == ""
    await cancel_subscription(
        gateway=gateway, actor=actor_for(plan["customer"]), subscription_id=plan["sub"], nonce="c"
    )
    remote = (await stripe_client.v1.subscriptions.retrieve_async(plan["sub"])).to_dict()
    ends = datetime.fromtimestamp(remote["cancel_at"] or plan["period_end"], UTC)
    assert remote["cancel_at_period_end"] and remote["status"] == "active"
    assert tab.ends_on == ends.date().isoformat()
    assert ends.strftime("%B") in tab.access_text and str(ends.year) in tab.access_text


@pytest.mark.parametrize(
    ("proration", "unused"),
    [("none", "not refunded"), ("create_prorations", "credited"), ("always_invoice", "final")],
)
async def test_cancelling_now_says_so_and_treats_unused_time_as_said(
    gateway: Gateway,
    stripe_client: stripe.StripeClient,
    sandbox: httpx.Client,
    proration: str,
    unused: str,
) -> None:
    plan = await customer_with_plan(stripe_client)
    deliver(sandbox)
    settings = {"mode": "immediately", "proration_behavior": proration}
    tab = substate(signed_in_tab(plan["customer"], **settings), CancelState)
    await run(CancelState.open, tab, plan["sub"])
    assert tab.ends_now and tab.ends_on == "" and "now" in tab.access_text
    assert unused in tab.unused_text
    advance(sandbox, plan, seconds=3 * 86400)
    await cancel_subscription(
        gateway=gateway,
        actor=actor_for(plan["customer"], **settings),
        subscription_id=plan["sub"],
        nonce="now",
    )
    remote = (await stripe_client.v1.subscriptions.retrieve_async(plan["sub"])).to_dict()
    assert remote["status"] == "canceled"
    items = (
        await stripe_client.v1.invoice_items.list_async({"customer": plan["customer"]})
    ).to_dict()["data"]
    invoices = (
        await stripe_client.v1.invoices.list_async({"customer": plan["customer"]})
    ).to_dict()["data"]
    credits = [i for i in items if i["amount"] < 0]
    if proration == "none":
        assert credits == [] and len(invoices) == 1
    elif proration == "create_prorations":
        # Pending: taken off the customer's next invoice.
        assert credits and len(invoices) == 1
    else:
        assert len(invoices) == 2 and invoices[0]["total"] < 0


async def test_a_downgrade_that_took_effect_no_longer_blocks_a_change(
    gateway: Gateway, stripe_client: stripe.StripeClient, sandbox: httpx.Client
) -> None:
    plan = await customer_with_plan(stripe_client, amount=5000)
    basic = await stripe_client.v1.prices.create_async(
        {
            "product": plan["product"],
            "unit_amount": 1000,
            "currency": "usd",
            "recurring": {"interval": "month"},
        }
    )
    schedule = await gateway.schedule_change_at_period_end(
        subscription_id=plan["sub"],
        price_id=basic.id,
        quantity=1,
        interval="month",
        interval_count=1,
        intent=f"{plan['sub']}:down",
    )
    with session_scope() as db:
        record(session=db, obj=schedule)
    deliver(sandbox)
    config = PortalConfiguration(id="bpc_view", business_name="Acme", features=_updatable(plan))

    def row() -> Any:
        with Session(get_engine()) as db:
            home = portal_home(session=db, customer_id=plan["customer"], config=config, locale="en")
            return home.subscriptions[0]

    booked = row()
    assert booked.scheduled_change and not booked.can_update
    assert "scheduled" in booked.blocked_reason
    advance(sandbox, plan, to=plan["period_end"] + 60)
    deliver(sandbox)
    landed = row()
    assert landed.scheduled_change == "" and landed.blocked_reason == "" and landed.can_update
    assert "$10.00" in landed.price_line

    # Changing again first releases the spent schedule, so Stripe accepts a new one.
    actor = Actor(
        session_id="bps_down",
        customer=plan["customer"],
        features=ConfigurationFeatures.model_validate(_updatable(plan)),
    )
    await customer_actions.release_spent_schedule(
        gateway=gateway, actor=actor, subscription_id=plan["sub"]
    )
    remote = (await stripe_client.v1.subscriptions.retrieve_async(plan["sub"])).to_dict()
    assert remote["schedule"] is None and mirror_sub(plan["sub"]).schedule is None
    again = await gateway.schedule_change_at_period_end(
        subscription_id=plan["sub"],
        price_id=plan["price"],
        quantity=1,
        interval="month",
        interval_count=1,
        intent=f"{plan['sub']}:again",
    )
    assert again["status"] in ("active", "not_started")


def _updatable(plan: dict[str, Any]) -> dict[str, Any]:
    data = default_features()
    data["subscription_update"].update(
        enabled=True, products=[{"product": plan["product"], "prices": [plan["price"]]}]
    )
    return data


async def past_due_customer(
    stripe_client: stripe.StripeClient, sandbox: httpx.Client
) -> dict[str, Any]:
    """A subscription whose renewal failed on a card that declines: past due, invoice open."""
    plan = await customer_with_plan(stripe_client, amount=2500)
    failing = await stripe_client.v1.payment_methods.attach_async(
        "pm_card_chargeCustomerFail", {"customer": plan["customer"]}
    )
    await stripe_client.v1.customers.update_async(
        plan["customer"], {"invoice_settings": {"default_payment_method": failing.id}}
    )
    advance(sandbox, plan, to=plan["period_end"] + 60)
    deliver(sandbox)
    assert mirror_sub(plan["sub"]).status == "past_due"
    return {**plan, "failing": failing.id}


async def test_the_past_due_banner_states_the_amount_and_paying_clears_it(
    gateway: Gateway, stripe_client: stripe.StripeClient, sandbox: httpx.Client
) -> None:
    plan = await past_due_customer(stripe_client, sandbox)
    config = PortalConfiguration(id="bpc_due", business_name="Acme", features=default_features())
    with Session(get_engine()) as db:
        home = portal_home(session=db, customer_id=plan["customer"], config=config, locale="en")
    due = home.past_due
    remote = (await stripe_client.v1.invoices.retrieve_async(due.invoice_id)).to_dict()
    assert remote["status"] == "open"
    assert remote["parent"]["subscription_details"]["subscription"] == plan["sub"]
    assert (due.amount_minor, due.currency) == (remote["amount_remaining"], "usd") == (2500, "usd")
    assert "$25.00" in due.message and due.amount == "$25.00"
    assert home.subscriptions[0].status_label == "Past due"

    good = await stripe_client.v1.payment_methods.attach_async(
        "pm_card_visa", {"customer": plan["customer"]}
    )
    deliver(sandbox)
    paid = await pay_invoice(
        gateway=gateway,
        actor=actor_for(plan["customer"]),
        invoice_id=due.invoice_id,
        payment_method_id=good.id,
        nonce="p",
    )
    assert paid["amount_paid"] == due.amount_minor
    with Session(get_engine()) as db:
        after = portal_home(session=db, customer_id=plan["customer"], config=config, locale="en")
    assert after.past_due.invoice_id == "" and after.subscriptions[0].status_label == "Active"


async def test_with_two_renewals_overdue_the_banner_states_their_total_and_pays_the_oldest(
    gateway: Gateway, stripe_client: stripe.StripeClient, sandbox: httpx.Client
) -> None:
    plan = await past_due_customer(stripe_client, sandbox)
    advance(sandbox, plan, seconds=31 * 86400)
    deliver(sandbox)
    config = PortalConfiguration(id="bpc_due2", business_name="Acme", features=default_features())
    with Session(get_engine()) as db:
        home = portal_home(session=db, customer_id=plan["customer"], config=config, locale="en")
    due = home.past_due
    remote = await stripe_client.v1.invoices.list_async(
        {"customer": plan["customer"], "status": "open"}
    )
    owed = sorted((i.created, i.id, i.amount_remaining) for i in remote.data)
    assert len(owed) == 2
    assert (due.open_invoices, due.total_minor) == (2, sum(amount for *_, amount in owed))
    assert due.invoice_id == owed[0][1] and due.amount_minor == owed[0][2]
    assert "2 payments totalling $50.00 are past due" in due.message

    good = await stripe_client.v1.payment_methods.attach_async(
        "pm_card_visa", {"customer": plan["customer"]}
    )
    deliver(sandbox)
    await pay_invoice(
        gateway=gateway,
        actor=actor_for(plan["customer"]),
        invoice_id=due.invoice_id,
        payment_method_id=good.id,
        nonce="oldest",
    )
    deliver(sandbox)
    with Session(get_engine()) as db:
        after = portal_home(session=db, customer_id=plan["customer"], config=config, locale="en")
    assert (after.past_due.invoice_id, after.past_due.total_minor) == (owed[1][1], owed[1][2])
    assert "Your payment of $25.00 is past due" in after.past_due.message


async def test_a_new_card_becomes_the_default_everywhere_and_pays_what_is_overdue(
    gateway: Gateway, stripe_client: stripe.StripeClient, sandbox: httpx.Client
) -> None:
    plan = await past_due_customer(stripe_client, sandbox)
    await stripe_client.v1.subscriptions.update_async(
        plan["sub"], {"default_payment_method": plan["failing"]}
    )
    deliver(sandbox)
    actor = actor_for(plan["customer"])
    setup = await payment_methods.start_card_setup(gateway=gateway, actor=actor, nonce="s")
    await stripe_client.v1.setup_intents.confirm_async(
        setup.setup_intent_id, {"payment_method": "pm_card_mastercard"}
    )
    new_pm = await payment_methods.finish_card_setup(
        gateway=gateway, actor=actor, setup_intent_id=setup.setup_intent_id, nonce="s"
    )
    customer = (await stripe_client.v1.customers.retrieve_async(plan["customer"])).to_dict()
    sub = (await stripe_client.v1.subscriptions.retrieve_async(plan["sub"])).to_dict()
    assert customer["invoice_settings"]["default_payment_method"] == new_pm
    assert sub["default_payment_method"] == new_pm
    assert sub["status"] == "active"
    latest = (await stripe_client.v1.invoices.retrieve_async(sub["latest_invoice"])).to_dict()
    assert latest["status"] == "paid"
    with Session(get_engine()) as db:
        mirrored = db.get(MirrorCustomer, plan["customer"])
        assert mirrored is not None and mirrored.default_payment_method == new_pm
        invoice = db.get(MirrorInvoice, latest["id"])
        assert invoice is not None and invoice.status == "paid"
    assert mirror_sub(plan["sub"]).status == "active"


async def test_invoice_rows_say_what_they_were_for_in_the_pages_dates(
    gateway: Gateway, stripe_client: stripe.StripeClient, sandbox: httpx.Client
) -> None:
    plan = await customer_with_plan(stripe_client, amount=3000)
    price = await factories.recurring_price_async(
        stripe_client, unit_amount=9900, product_name="Enterprise"
    )
    advance(sandbox, plan, seconds=4 * 86400)
    remote = (await stripe_client.v1.subscriptions.retrieve_async(plan["sub"])).to_dict()
    changed = await gateway.update_subscription_item(
        subscription_id=plan["sub"],
        item_id=remote["items"]["data"][0]["id"],
        price_id=price.id,
        quantity=1,
        proration_behavior="always_invoice",
        proration_date=now_of(sandbox, plan),
        promotion_code_id=None,
        intent=f"{plan['sub']}:up",
    )
    # The history has the change's invoice at once, before any webhook.
    await record_latest_invoice(gateway=gateway, subscription=changed)
    with Session(get_engine()) as db:
        made = db.get(MirrorInvoice, str(changed["latest_invoice"]))
        assert made is not None and made.billing_reason == "subscription_update"
    deliver(sandbox)
    config = PortalConfiguration(id="bpc_inv", business_name="Acme", features=default_features())
    with Session(get_engine()) as db:
        home = portal_home(session=db, customer_id=plan["customer"], config=config, locale="en")
    change, first = home.invoices
    assert change.summary == "Plan change to Enterprise"
    start = datetime.fromtimestamp(plan["period_end"], UTC) - timedelta(days=1)
    assert first.summary.startswith(f"{plan['product_name']}, ")
    assert " to " in first.summary and str(start.year) in first.summary
    assert "\u00d7" not in change.summary + first.summary  # never Stripe's own line text
    # The same date format as the row's own date column.
    assert first.date.split()[-1] in first.summary


async def test_every_change_to_a_customer_raises_their_counter_and_the_tab_reloads(
    stripe_client: stripe.StripeClient, sandbox: httpx.Client
) -> None:
    plan = await customer_with_plan(stripe_client)
    deliver(sandbox)
    root = signed_in_tab(plan["customer"])
    portal = substate(root, PortalState)
    await run(PortalState.load, portal)
    await run(PortalState.watch, portal)
    ticket = {"ticket": portal._watch_ticket, "hidden": False}
    quiet = await run(PortalState.check_for_changes, portal, ticket)
    assert not isinstance(quiet, list)  # nothing changed: wait again, no reload

    with Session(get_engine()) as db:
        before = customer_version(session=db, customer_id=plan["customer"])
    # A change from outside the portal (the merchant's dashboard in Stripe), by webhook.
    await stripe_client.v1.customers.update_async(plan["customer"], {"name": "Elsewhere"})
    deliver(sandbox)
    with Session(get_engine()) as db:
        assert customer_version(session=db, customer_id=plan["customer"]) > before
    changed = await run(PortalState.check_for_changes, portal, ticket)
    assert isinstance(changed, list) and len(changed) == 2  # reload, then wait again
    await run(PortalState.load, portal)
    assert portal.billing.name == "Elsewhere"
    # A retired loop (an older ticket) stops instead of doubling the polling.
    await run(PortalState.watch, portal)
    assert await run(PortalState.check_for_changes, portal, ticket) is None
    # Checking is not activity: an idle session ends the loop and the tab says so.
    current = {"ticket": portal._watch_ticket, "hidden": False}
    session_id = substate(root, CustomerSessionState)._session_id
    with session_scope() as db:
        row = db.get(PortalSession, session_id)
        assert row is not None
        touched = row.last_activity_at
        row.last_activity_at = datetime.now(UTC) - timedelta(hours=2)
        db.add(row)
    assert await run(PortalState.check_for_changes, portal, current) is None
    assert not portal.signed_in and "expired" in portal.page_error
    with Session(get_engine()) as db:
        row = db.get(PortalSession, session_id)
        assert row is not None and row.last_activity_at is not None and touched is not None
        assert row.last_activity_at < touched  # the checks did not keep it alive


async def test_more_invoices_is_bounded(stripe_client: stripe.StripeClient, sandbox: httpx.Client):
    """Issue 13 L7: without a cursor nothing happens; pages never repeat rows."""
    plan = await customer_with_plan(stripe_client)
    deliver(sandbox)
    root = signed_in_tab(plan["customer"])
    portal = substate(root, PortalState)
    await run(PortalState.load, portal)
    assert portal.invoices_cursor == ""
    shown = list(portal.invoices)
    for _ in range(2000):
        await run(PortalState.more_invoices, portal)
    assert portal.invoices == shown
    portal.invoices_cursor = shown[0].id  # a cursor whose next page holds rows already shown
    portal.invoices = [*shown]
    await run(PortalState.more_invoices, portal)
    assert [i.id for i in portal.invoices] == [i.id for i in shown]


async def test_removing_a_card_needs_a_confirmation(
    stripe_client: stripe.StripeClient, sandbox: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = await customer_with_plan(stripe_client)
    spare = await stripe_client.v1.payment_methods.attach_async(
        "pm_card_mastercard", {"customer": plan["customer"]}
    )
    deliver(sandbox)
    monkeypatch.setattr(customer_action, "gateway", lambda: Gateway(build_client()))
    root = signed_in_tab(plan["customer"])
    await run(PortalState.load, substate(root, PortalState))
    cards = substate(root, PaymentMethodsState)
    await run(PaymentMethodsState.remove, cards, spare.id)  # no question asked: nothing happens
    remote = (await stripe_client.v1.payment_methods.retrieve_async(spare.id)).to_dict()
    assert remote["customer"] == plan["customer"]
    await run(PaymentMethodsState.ask_remove, cards, spare.id)
    assert cards.removing == spare.id
    await run(PaymentMethodsState.keep_card, cards)
    await run(PaymentMethodsState.remove, cards, spare.id)
    remote = (await stripe_client.v1.payment_methods.retrieve_async(spare.id)).to_dict()
    assert remote["customer"] == plan["customer"]
    await run(PaymentMethodsState.ask_remove, cards, spare.id)
    await run(PaymentMethodsState.remove, cards, spare.id)
    remote = (await stripe_client.v1.payment_methods.retrieve_async(spare.id)).to_dict()
    assert remote["customer"] is None and cards.error == ""


@pytest.mark.parametrize(
    ("status", "phases", "current", "pending"),
    [
        ("active", [(100, 200), (200, 300)], (100, 200), True),  # the change is still to come
        ("active", [(100, 200), (200, 300)], (200, 300), False),  # it took effect
        ("completed", [(100, 200), (200, 300)], None, False),
        ("released", [(100, 200), (200, 300)], None, False),
        ("canceled", [(100, 200), (200, 300)], None, False),
        ("not_started", [(100, 200), (200, 300)], (100, 200), True),
    ],
)
def test_only_a_schedule_with_a_phase_to_come_blocks_a_change(
    status: str, phases: list[tuple[int, int]], current: tuple[int, int] | None, pending: bool
) -> None:
    schedule = MirrorSubscriptionSchedule(
        id=f"sub_sched_{secrets.token_hex(4)}",
        customer="cus_x",
        status=status,
        phases=[
            {"start_date": s, "end_date": e, "items": [{"price": "price_x", "quantity": 1}]}
            for s, e in phases
        ],
        current_phase={"start_date": current[0], "end_date": current[1]} if current else None,
    )
    assert has_pending_change(schedule) is pending
    assert has_pending_change(None) is True  # not mirrored yet: the safe answer


async def test_a_one_off_invoice_reads_as_the_merchant_described_it(
    stripe_client: stripe.StripeClient, sandbox: httpx.Client
) -> None:
    plan = await customer_with_plan(stripe_client)
    await stripe_client.v1.invoice_items.create_async(
        {
            "customer": plan["customer"],
            "amount": 25000,
            "currency": "usd",
            "description": "Onboarding workshop",
        }
    )
    draft = await stripe_client.v1.invoices.create_async(
        {"customer": plan["customer"], "collection_method": "send_invoice", "days_until_due": 7}
    )
    await stripe_client.v1.invoices.finalize_invoice_async(str(draft.id))
    deliver(sandbox)
    config = PortalConfiguration(id="bpc_one", business_name="Acme", features=default_features())
    with Session(get_engine()) as db:
        home = portal_home(session=db, customer_id=plan["customer"], config=config, locale="en")
    row = next(i for i in home.invoices if i.id == draft.id)
    assert row.summary == "Onboarding workshop" and row.amount == "$250.00"
