"""`POST /api/stripe/webhook`: signed payloads only, each event applied once."""

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlmodel import Session

from portal_app.api import build_api
from portal_app.db import get_engine
from portal_app.models.mirror import MirrorCustomer, ProcessedWebhookEvent
from portal_app.settings import get_settings

URL = "/api/stripe/webhook"


@pytest.fixture
async def client(db_tables: None) -> AsyncIterator[httpx.AsyncClient]:
    # In-process ASGI calls without the lifespan, so no sandbox delivery loop starts.
    transport = httpx.ASGITransport(app=build_api())
    async with httpx.AsyncClient(transport=transport, base_url="http://portal") as client:
        yield client


def sign(body: bytes, *, secret: str, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def customer_event(name: str = "Webhook Ada") -> dict[str, Any]:
    customer_id = f"cus_{secrets.token_hex(6)}"
    return {
        "id": f"evt_{secrets.token_hex(8)}",
        "object": "event",
        "created": int(time.time()),
        "type": "customer.created",
        "data": {"object": {"id": customer_id, "object": "customer", "name": name, "created": 1}},
    }


async def post(client: httpx.AsyncClient, event: dict[str, Any], **sign_options: Any):
    body = json.dumps(event).encode()
    secret = sign_options.pop("secret", get_settings().webhook_secret)
    headers = {"Stripe-Signature": sign(body, secret=secret, **sign_options)}
    return await client.post(URL, content=body, headers=headers)


def stored_name(customer_id: str) -> str | None:
    with Session(get_engine()) as session:
        row = session.get(MirrorCustomer, customer_id)
        return row.name if row else None


async def test_a_signed_event_lands_in_the_mirror(client: httpx.AsyncClient) -> None:
    event = customer_event()
    response = await post(client, event)
    assert response.status_code == 200
    assert response.json() == {"received": True, "duplicate": False}
    assert stored_name(event["data"]["object"]["id"]) == "Webhook Ada"


async def test_a_replayed_event_is_acknowledged_and_applied_once(client: httpx.AsyncClient) -> None:
    event = customer_event()
    assert (await post(client, event)).json()["duplicate"] is False
    with Session(get_engine()) as session:
        first = session.get(ProcessedWebhookEvent, event["id"])
        assert first is not None
        processed_at = first.processed_at
    assert (await post(client, event)).json() == {"received": True, "duplicate": True}
    with Session(get_engine()) as session:
        assert session.get(ProcessedWebhookEvent, event["id"]).processed_at == processed_at


async def test_a_bad_signature_is_refused(client: httpx.AsyncClient) -> None:
    event = customer_event()
    response = await post(client, event, secret="whsec_not_the_right_one")
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "signature_invalid"
    assert stored_name(event["data"]["object"]["id"]) is None


async def test_a_missing_signature_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post(URL, content=json.dumps(customer_event()).encode())
    assert response.status_code == 400


async def test_a_signature_older_than_five_minutes_is_refused(client: httpx.AsyncClient) -> None:
    event = customer_event()
    response = await post(client, event, timestamp=int(time.time()) - 301)
    assert response.status_code == 400
    assert stored_name(event["data"]["object"]["id"]) is None


async def test_a_signed_body_that_is_not_an_event_is_refused(client: httpx.AsyncClient) -> None:
    body = b'{"id": "evt_1", "object": "event"}'
    headers = {"Stripe-Signature": sign(body, secret=get_settings().webhook_secret or "")}
    assert (await client.post(URL, content=body, headers=headers)).status_code == 400


async def test_without_a_secret_webhooks_are_refused(
    client: httpx.AsyncClient, monkeypatch
) -> None:
    monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_test_real_account")
    monkeypatch.delenv("STRIPE_WEBHOOK_SECRET", raising=False)
    get_settings.cache_clear()
    try:
        event = customer_event()
        response = await post(client, event, secret="whsec_anything")
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert response.status_code == 503
    assert response.json()["error"]["type"] == "webhook_secret_missing"
    assert stored_name(event["data"]["object"]["id"]) is None
