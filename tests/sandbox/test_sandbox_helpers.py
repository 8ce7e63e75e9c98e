"""Test helpers: the clock, fault injection, events and signed webhook delivery."""

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import stripe
import uvicorn
from conftest_free_port import free_port
from sandbox_helpers import Helpers
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from portal_app.sandbox import webhooks
from portal_app.settings import get_settings


def test_clock_moves_forward_only(helpers: Helpers) -> None:
    before = helpers.now()
    assert helpers.advance(seconds=60) >= before + 60
    response = helpers.http.post("/v1/test_helpers/clock/advance", data={"to": before})
    assert response.status_code == 400


def test_sandbox_timestamps_follow_the_clock(client: stripe.StripeClient, helpers: Helpers) -> None:
    now = helpers.advance(seconds=3600)
    created = client.v1.customers.create(params={"email": "clock@example.com"}).created
    assert now <= created <= now + 5


def test_500_fault_applies_nothing_and_a_retry_makes_one_change(helpers: Helpers) -> None:
    settings = get_settings()
    retrying = stripe.StripeClient(
        settings.sandbox_api_key,
        base_addresses={"api": settings.sandbox_url},
        http_client=stripe.HTTPXClient(allow_sync_methods=True),
        max_network_retries=2,
    )
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
