"""The portal's "now" for a customer on a Stripe test clock, learnt only from Stripe's API
and webhooks (the sandbox here, reached over HTTP like Stripe)."""

import time
from collections.abc import Iterator

import pytest
import stripe
from sqlmodel import Session

from portal_app.billing.gateway import plain
from portal_app.billing.sync import account_now, apply_event, record
from portal_app.db import get_engine
from portal_app.models.mirror import MirrorCustomer, MirrorSubscription, MirrorTestClock
from tests.factories import recurring_price, sandbox_client, sandbox_http

DAY = 86400

pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")


@pytest.fixture
def client(api_server: str) -> stripe.StripeClient:
    return sandbox_client()


@pytest.fixture
def deliver(api_server: str) -> Iterator[object]:
    with sandbox_http() as http:

        def run() -> None:
            answer = http.post("/v1/test_helpers/deliver_events")
            assert answer.status_code == 200, answer.text

        yield run


def _advance(client: stripe.StripeClient, clock: str, to: int) -> None:
    client.v1.test_helpers.test_clocks.advance(clock, params={"frozen_time": to})
    while client.v1.test_helpers.test_clocks.retrieve(clock).status != "ready":
        time.sleep(0.05)


def _subscribed_customer_on_clock(client: stripe.StripeClient, frozen: int) -> tuple[str, str, str]:
    clock = client.v1.test_helpers.test_clocks.create(params={"frozen_time": frozen}).id
    customer = client.v1.customers.create(
        params={"email": "clocked@example.com", "test_clock": clock}
    )
    pm = client.v1.payment_methods.attach("pm_card_visa", params={"customer": customer.id})
    price = recurring_price(client, unit_amount=1500, product_name="Clocked plan")
    sub = client.v1.subscriptions.create(
        params={
            "customer": customer.id,
            "items": [{"price": price.id}],
            "default_payment_method": pm.id,
        }
    )
    return clock, customer.id, sub.id


def test_a_customer_on_a_test_clock_lives_at_its_mirrored_frozen_time(
    client: stripe.StripeClient, deliver
) -> None:
    frozen = int(time.time()) - 20 * DAY
    clock, customer, _ = _subscribed_customer_on_clock(client, frozen)
    deliver()
    with Session(get_engine()) as session:
        assert account_now(session, customer_id=customer) == frozen
        assert session.get(MirrorTestClock, clock).status == "ready"
    _advance(client, clock, frozen + 45 * DAY)
    deliver()
    with Session(get_engine()) as session:
        assert account_now(session, customer_id=customer) == frozen + 45 * DAY
        # Not on a clock (or unknown to the mirror): real time.
        before = int(time.time())
        assert before <= account_now(session) <= int(time.time())
        assert before <= account_now(session, customer_id="cus_unknown") <= int(time.time())


def test_a_write_on_a_clock_ahead_of_real_time_beats_its_late_events(
    client: stripe.StripeClient, deliver
) -> None:
    """The response of a write is stamped on the customer's clock, so an event of that clock
    that was still in flight (stamped with its frozen time) cannot undo it."""
    now = int(time.time())
    clock, _, sub_id = _subscribed_customer_on_clock(client, now)
    _advance(client, clock, now + 40 * DAY)
    deliver()
    frozen = now + 40 * DAY
    before = plain(client.v1.subscriptions.retrieve(sub_id))
    after = plain(client.v1.subscriptions.update(sub_id, params={"cancel_at_period_end": True}))
    late = {
        "id": "evt_late_clock",
        "object": "event",
        "type": "customer.subscription.updated",
        "created": frozen,
        "livemode": False,
        "data": {"object": before},
    }
    with Session(get_engine()) as session:
        record(session=session, obj=after)
        apply_event(session=session, event=late)
        assert session.get(MirrorSubscription, sub_id).cancel_at_period_end is True
        session.rollback()


def test_an_outside_change_in_the_same_clock_second_as_a_write_reaches_the_mirror(
    client: stripe.StripeClient, deliver
) -> None:
    """On a clock that stands still every event carries the same second, so whether an event
    came before or after the portal's own write cannot be told from it: the webhook reads the
    object again, and the mirror ends as Stripe is."""
    frozen = int(time.time()) - 5 * DAY
    _, customer, _ = _subscribed_customer_on_clock(client, frozen)
    deliver()
    written = plain(client.v1.customers.update(customer, params={"name": "Written by the portal"}))
    with Session(get_engine()) as session:
        record(session=session, obj=written)
        session.commit()
    client.v1.customers.update(customer, params={"name": "Changed by the merchant"})
    deliver()
    with Session(get_engine()) as session:
        assert session.get(MirrorCustomer, customer).name == "Changed by the merchant"
