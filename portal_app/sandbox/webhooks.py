"""Delivering recorded events to the portal's webhook endpoint, signed exactly like Stripe."""

import asyncio
import hashlib
import hmac
import json
import logging
import secrets
import time

import httpx
from anyio import to_thread
from sqlalchemy import update
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from portal_app.sandbox.database import get_sandbox_engine
from portal_app.sandbox.events import render
from portal_app.sandbox.models import SandboxEvent
from portal_app.settings import get_settings

log = logging.getLogger(__name__)

CLAIM_SECONDS = 60.0
MAX_BACKOFF_SECONDS = 3600.0
LOOP_INTERVAL_SECONDS = 2.0


def sign(payload: str, secret: str, timestamp: int) -> str:
    """The `Stripe-Signature` header value for a payload."""
    signed = f"{timestamp}.{payload}".encode()
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def webhook_url() -> str:
    """Where the portal receives Stripe webhooks."""
    return f"{get_settings().internal_url.rstrip('/')}/api/stripe/webhook"


def _claim(*, force: bool) -> list[tuple[str, str]]:
    """Claim due pending events for this worker; returns (id, payload) pairs in order."""
    now = time.time()
    token = secrets.token_hex(8)
    with Session(get_sandbox_engine()) as session:
        due = select(SandboxEvent.seq).where(
            SandboxEvent.status == "pending", col(SandboxEvent.claimed_until) < now
        )
        if not force:
            due = due.where(col(SandboxEvent.next_attempt_at) <= now)
        due = due.order_by(col(SandboxEvent.seq)).limit(200)
        # One conditional update is the claim: a row another worker claimed first is skipped.
        session.execute(
            update(SandboxEvent)
            .where(
                col(SandboxEvent.seq).in_(list(session.exec(due))),
                col(SandboxEvent.status) == "pending",
                col(SandboxEvent.claimed_until) < now,
            )
            .values(claimed_until=now + CLAIM_SECONDS, claim_token=token)
        )
        session.commit()
        claimed = session.exec(
            select(SandboxEvent)
            .where(SandboxEvent.claim_token == token)
            .order_by(col(SandboxEvent.seq))
        )
        return [(event.id, json.dumps(render(event))) for event in claimed]


def _finish(event_id: str, *, error: str | None) -> None:
    with Session(get_sandbox_engine()) as session:
        event = session.exec(select(SandboxEvent).where(SandboxEvent.id == event_id)).one()
        event.attempts += 1
        event.claimed_until = 0.0
        event.claim_token = None
        if error is None:
            event.status = "delivered"
            event.last_error = None
        else:
            event.last_error = error[:500]
            backoff = min(2.0 ** (event.attempts - 1) * 5, MAX_BACKOFF_SECONDS)
            event.next_attempt_at = time.time() + backoff
        session.add(event)
        session.commit()


def _in_flight() -> int:
    with Session(get_sandbox_engine()) as session:
        rows = session.exec(
            select(SandboxEvent.id).where(
                SandboxEvent.status == "pending", col(SandboxEvent.claimed_until) >= time.time()
            )
        )
        return len(list(rows))


async def _post(client: httpx.AsyncClient, event_id: str, payload: str) -> bool:
    secret = get_settings().webhook_secret or ""
    headers = {
        "Content-Type": "application/json",
        "Stripe-Signature": sign(payload, secret, int(time.time())),
        "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
    }
    error: str | None
    try:
        response = await client.post(webhook_url(), content=payload, headers=headers)
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"
    else:
        error = None if response.is_success else f"HTTP {response.status_code}"
    if error is not None:
        # The webhook endpoint may not be up yet; the event stays pending and is retried.
        log.warning("sandbox webhook %s not delivered: %s", event_id, error)
    await to_thread.run_sync(lambda: _finish(event_id, error=error))
    return error is None


async def deliver_due(*, force: bool = False) -> int:
    """Deliver pending events that are due (all pending ones with `force`); returns how many."""
    claimed = await to_thread.run_sync(lambda: _claim(force=force))
    if not claimed:
        return 0
    delivered = 0
    async with httpx.AsyncClient(timeout=10.0) as client:
        for event_id, payload in claimed:
            delivered += await _post(client, event_id, payload)
    return delivered


async def deliver_all() -> int:
    """Deliver every pending event now, waiting for deliveries other tasks have in flight."""
    delivered = await deliver_due(force=True)
    deadline = time.monotonic() + 15
    while await to_thread.run_sync(_in_flight) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    return delivered


_running: set[asyncio.Task[None]] = set()
_rerun = {"wanted": False}


async def _deliver_until_quiet() -> None:
    while True:
        _rerun["wanted"] = False
        try:
            await deliver_due()
        except SQLAlchemyError as exc:
            log.warning("sandbox webhook delivery pass failed: %s", exc)
        if not _rerun["wanted"]:
            return


def schedule_delivery() -> None:
    """Deliver due events soon, off the request (one task per process; extra calls coalesce).

    A detached task rather than a response background task: those hold the keep-alive
    connection, so the client's next call would wait for the webhook round trip.
    """
    if _running:
        _rerun["wanted"] = True
        return
    task = asyncio.get_running_loop().create_task(_deliver_until_quiet())
    _running.add(task)
    task.add_done_callback(_running.discard)


async def delivery_loop() -> None:
    """Run forever in the app's lifespan: deliver due events, including retries with backoff."""
    while get_settings().sandbox_mode:
        try:
            await deliver_due()
        except SQLAlchemyError as exc:
            log.warning("sandbox webhook delivery pass failed: %s", exc)
        await asyncio.sleep(LOOP_INTERVAL_SECONDS)
