"""Test helpers: Stripe's test clocks, fault injection, events and signed webhook delivery."""

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import stripe
import uvicorn
from sandbox_helpers import Helpers
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from portal_app.sandbox import webhooks
from portal_app.settings import get_settings
from tests.factories import sandbox_client
from tests.harness import free_port

DAY = 86400


def test_test_clock_create_retrieve_list_delete(helpers: Helpers) -> None:
    frozen = int(time.time()) - 30 * DAY
    created = helpers.http.post(
        "/v1/test_helpers/test_clocks", data={"frozen_time": frozen, "name": "Lifecycle"}
    ).json()
    assert created["object"] == "test_helpers.test_clock"
    assert created["id"].startswith("clock_")
    assert (created["frozen_time"], created["name"], created["status"]) == (
        frozen,
        "Lifecycle",
        "ready",
    )
    # Every field of the pinned version, null when unset.
    assert created["status_details"] == {"advancing": None}
    assert created["deletes_after"] > created["created"]
    assert created["livemode"] is False
    fetched = helpers.http.get(f"/v1/test_helpers/test_clocks/{created['id']}").json()
    assert fetched == created
    listed = helpers.http.get("/v1/test_helpers/test_clocks", params={"limit": 100}).json()
    assert listed["object"] == "list"
    assert created["id"] in [c["id"] for c in listed["data"]]
    deleted = helpers.http.delete(f"/v1/test_helpers/test_clocks/{created['id']}").json()
    assert deleted == {"id": created["id"], "object": "test_helpers.test_clock", "deleted": True}
    gone = helpers.http.get(f"/v1/test_helpers/test_clocks/{created['id']}")
    assert gone.status_code == 404
    assert gone.json()["error"]["type"] == "invalid_request_error"


def test_test_clock_needs_a_frozen_time(helpers: Helpers) -> None:
    response = helpers.http.post("/v1/test_helpers/test_clocks", data={"name": "No time"})
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "frozen_time"


def test_test_clock_moves_forward_only(helpers: Helpers) -> None:
    clock = helpers.new_clock()
    before = helpers.now()
    assert helpers.advance(seconds=60) == before + 60
    for target in (before, before + 60):
        response = helpers.http.post(
            f"/v1/test_helpers/test_clocks/{clock}/advance", data={"frozen_time": target}
        )
        assert response.status_code == 400
        assert response.json()["error"]["param"] == "frozen_time"


def test_advance_answers_advancing_then_reads_ready_with_its_events(helpers: Helpers) -> None:
    clock = helpers.new_clock()
    before = helpers.now()
    answer = helpers.http.post(
        f"/v1/test_helpers/test_clocks/{clock}/advance", data={"frozen_time": before + DAY}
    ).json()
    assert answer["status"] == "advancing"
    assert answer["frozen_time"] == before
    assert answer["status_details"] == {"advancing": {"target_frozen_time": before + DAY}}
    ready = helpers.test_clock()
    assert (ready["status"], ready["frozen_time"], ready["status_details"]) == (
        "ready",
        before + DAY,
        {"advancing": None},
    )
    for type_, created in (
        ("test_helpers.test_clock.created", before),
        ("test_helpers.test_clock.advancing", before),
        ("test_helpers.test_clock.ready", before + DAY),
    ):
        found = [e for e in helpers.events(type_) if e["data"]["object"]["id"] == clock]
        assert [e["created"] for e in found] == [created], type_


def test_objects_of_a_clock_customer_live_at_its_frozen_time(
    client: stripe.StripeClient, helpers: Helpers
) -> None:
    frozen = int(time.time()) - 40 * DAY
    clock = helpers.new_clock(frozen_time=frozen)
    customer = client.v1.customers.create(
        params={"email": "clock@example.com", "test_clock": clock}
    )
    assert (customer.created, customer.test_clock) == (frozen, clock)
    client.v1.payment_methods.attach("pm_card_visa", params={"customer": customer.id})
    product = client.v1.products.create(params={"name": "Clocked"})
    assert product.created >= int(time.time()) - 5  # not on a clock: real time
    price = client.v1.prices.create(
        params={
            "product": product.id,
            "unit_amount": 1000,
            "currency": "usd",
            "recurring": {"interval": "month"},
        }
    )
    pm = client.v1.payment_methods.list(params={"customer": customer.id}).data[0]
    sub = client.v1.subscriptions.create(
        params={
            "customer": customer.id,
            "items": [{"price": price.id}],
            "default_payment_method": pm.id,
        }
    )
    assert (sub.created, sub.test_clock) == (frozen, clock)
    assert client.v1.invoices.retrieve(str(sub.latest_invoice)).test_clock == clock
    end = sub["items"].data[0].current_period_end
    helpers.advance(to=end + 60)
    renewed = client.v1.subscriptions.retrieve(sub.id)
    assert renewed["items"].data[0].current_period_start == end
    invoices = client.v1.invoices.list(params={"customer": customer.id}).data
    assert [i.created for i in invoices] == [end, frozen]


def test_a_customer_on_another_clock_does_not_move(
    client: stripe.StripeClient, helpers: Helpers
) -> None:
    frozen = int(time.time())
    other = client.v1.customers.create(
        params={"email": "other@example.com", "test_clock": helpers.new_clock(frozen_time=frozen)}
    )
    moved = client.v1.customers.create(
        params={"email": "moved@example.com", "test_clock": helpers.new_clock(frozen_time=frozen)}
    )
    helpers.advance(seconds=10 * DAY)
    assert client.v1.customers.update(moved.id, params={"name": "Moved"}).created == frozen
    updated = helpers.events("customer.updated")
    stamped = {e["data"]["object"]["id"]: e["created"] for e in updated}
    assert stamped[moved.id] == frozen + 10 * DAY
    client.v1.customers.update(other.id, params={"name": "Other"})
    assert {e["data"]["object"]["id"]: e["created"] for e in helpers.events("customer.updated")}[
        other.id
    ] == frozen


def test_deleting_a_clock_deletes_its_customers(
    client: stripe.StripeClient, helpers: Helpers
) -> None:
    clock = helpers.new_clock()
    customer = client.v1.customers.create(params={"email": "gone@example.com", "test_clock": clock})
    helpers.http.delete(f"/v1/test_helpers/test_clocks/{clock}")
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.customers.retrieve(customer.id)


def test_a_clock_can_take_an_existing_customer(
    client: stripe.StripeClient, helpers: Helpers
) -> None:
    customer = client.v1.customers.create(params={"email": "later@example.com"})
    assert customer.test_clock is None
    created = helpers.http.post(
        "/v1/test_helpers/test_clocks",
        data={"frozen_time": int(time.time()), "customer": customer.id},
    ).json()
    assert client.v1.customers.retrieve(customer.id).test_clock == created["id"]
    again = helpers.http.post(
        "/v1/test_helpers/test_clocks",
        data={"frozen_time": int(time.time()), "customer": customer.id},
    )
    assert again.status_code == 400


def test_the_old_global_clock_route_is_gone(helpers: Helpers) -> None:
    assert helpers.http.get("/v1/test_helpers/clock").status_code == 404


def test_500_fault_applies_nothing_and_a_retry_makes_one_change(helpers: Helpers) -> None:
    retrying = sandbox_client(max_network_retries=2)
    email = f"fault-{time.time_ns()}@example.com"
    helpers.fault(mode="500", count=1, path_prefix="/v1/customers")
    created = retrying.v1.customers.create(params={"email": email})
    listed = retrying.v1.customers.list(params={"email": email})
    assert [c.id for c in listed.data] == [created.id]


def test_429_fault_is_a_rate_limit_error(client: stripe.StripeClient, helpers: Helpers) -> None:
    helpers.fault(mode="429", count=2, path_prefix="/v1/products")
    for _ in range(2):
        with pytest.raises(stripe.RateLimitError) as caught:
            client.v1.products.list()
        assert caught.value.http_status == 429
    client.v1.products.list()


def test_timeout_fault_sleeps_and_does_not_write(helpers: Helpers) -> None:
    email = f"timeout-{time.time_ns()}@example.com"
    helpers.fault(mode="timeout", count=1, delay_ms=300, path_prefix="/v1/customers")
    started = time.monotonic()
    response = helpers.http.post("/v1/customers", data={"email": email})
    assert time.monotonic() - started >= 0.3
    assert response.status_code >= 500
    assert helpers.http.get("/v1/customers", params={"email": email}).json()["data"] == []


def test_rate_fault_and_clear(client: stripe.StripeClient, helpers: Helpers) -> None:
    helpers.fault(mode="500", rate=1.0, path_prefix="/v1/coupons")
    with pytest.raises(stripe.APIError):
        client.v1.coupons.list()
    helpers.clear_faults()
    client.v1.coupons.list()


class _Capture:
    """A stand-in webhook endpoint that records what the sandbox POSTs."""

    def __init__(self) -> None:
        self.received: list[tuple[bytes, str]] = []

    async def handle(self, request: Request) -> Response:
        self.received.append((await request.body(), request.headers["stripe-signature"]))
        return Response("ok")


@pytest.fixture
def capture(monkeypatch: pytest.MonkeyPatch, api_server: str) -> Iterator[_Capture]:
    found = _Capture()
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            Starlette(routes=[Route("/hook", found.handle, methods=["POST"])]),
            port=port,
            log_level="warning",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    # The sandbox serves from this process (a uvicorn thread), so patching reaches it.
    monkeypatch.setattr(webhooks, "webhook_url", lambda: f"http://127.0.0.1:{port}/hook")
    yield found
    server.should_exit = True
    thread.join(timeout=5)


def test_events_are_delivered_signed_like_stripe(
    client: stripe.StripeClient, helpers: Helpers, capture: _Capture
) -> None:
    helpers.deliver()
    customer = client.v1.customers.create(params={"email": "hooks@example.com"})
    client.v1.customers.update(customer.id, params={"name": "Hooked"})
    assert helpers.deliver() >= 0
    secret = get_settings().webhook_secret
    assert secret is not None
    seen: dict[str, Any] = {}
    for payload, signature in capture.received:
        event = stripe.Webhook.construct_event(payload.decode(), signature, secret)
        seen[f"{event.type}:{event.data.object.to_dict().get('id', '')}"] = event
    assert f"customer.created:{customer.id}" in seen
    updated = seen[f"customer.updated:{customer.id}"]
    assert updated.data.object.name == "Hooked"
    assert updated.data.previous_attributes.name is None
    listed = client.v1.events.list(params={"type": "customer.updated"})
    assert any(e.data.object.id == customer.id for e in listed.data)
    ids = [json.loads(p)["id"] for p, _ in capture.received]
    assert len(ids) == len(set(ids))


def test_unreachable_webhook_endpoint_stays_pending(
    client: stripe.StripeClient, helpers: Helpers, monkeypatch: pytest.MonkeyPatch
) -> None:
    helpers.deliver()
    monkeypatch.setattr(webhooks, "webhook_url", lambda: f"http://127.0.0.1:{free_port()}/x")
    client.v1.customers.create(params={"email": "pending@example.com"})
    assert helpers.deliver() == 0
    pending = httpx.get(
        f"{get_settings().sandbox_url}/v1/events",
        params={"type": "customer.created", "limit": 1},
        headers={"Authorization": f"Bearer {get_settings().sandbox_api_key}"},
    ).json()["data"][0]
    assert pending["pending_webhooks"] == 1


def test_events_filter_by_delivery_success(
    client: stripe.StripeClient, helpers: Helpers, monkeypatch: pytest.MonkeyPatch
) -> None:
    helpers.deliver()
    monkeypatch.setattr(webhooks, "webhook_url", lambda: f"http://127.0.0.1:{free_port()}/x")
    customer = client.v1.customers.create(params={"email": "undelivered@example.com"})
    waiting = helpers.http.get("/v1/events", params={"delivery_success": "false", "limit": 100})
    ids = [e["data"]["object"].get("id") for e in waiting.json()["data"]]
    assert customer.id in ids
    delivered = helpers.http.get("/v1/events", params={"delivery_success": "true", "limit": 100})
    assert customer.id not in [e["data"]["object"].get("id") for e in delivered.json()["data"]]
