"""`POST /api/stripe/webhook`: signed Stripe events into the mirror, each event id once."""

import logging
from typing import Any

from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from portal_app.billing.errors import WebhookSignatureInvalid
from portal_app.billing.gateway import verify_webhook
from portal_app.billing.sync import apply_event
from portal_app.db import session_scope
from portal_app.models.mirror import ProcessedWebhookEvent
from portal_app.settings import get_settings

logger = logging.getLogger(__name__)


async def stripe_webhook(request: Request) -> JSONResponse:
    """Verify the signature (never skipped), then apply the event in one transaction."""
    settings = get_settings()
    secret = settings.webhook_secret
    if not secret:
        logger.warning("webhook refused: STRIPE_WEBHOOK_SECRET is not configured")
        return _error(503, "webhook_secret_missing", "STRIPE_WEBHOOK_SECRET is not configured.")
    payload = await request.body()
    try:
        # The sandbox's test clock runs ahead of the wall clock and dates its events by it;
        # Stripe's events are never dated ahead, so one that is was forged.
        event = verify_webhook(
            payload=payload,
            signature=request.headers.get("stripe-signature"),
            secret=secret,
            reject_future=not settings.sandbox_mode,
        )
    except WebhookSignatureInvalid as error:
        logger.warning("webhook refused: %s", error)
        return _error(400, "signature_invalid", "The Stripe-Signature header did not verify.")
    if not isinstance(event.get("data"), dict) or "object" not in event["data"]:
        logger.warning("webhook refused: event %s has no data.object", event.get("id"))
        return _error(400, "event_malformed", "The event has no data.object.")
    applied = await run_in_threadpool(_apply, event)
    return JSONResponse({"received": True, "duplicate": not applied})


def _apply(event: dict[str, Any]) -> bool:
    try:
        with session_scope() as session:
            return apply_event(session=session, event=event)
    except IntegrityError:
        # Another worker recorded the same event id first: it is applied, nothing to do.
        with session_scope() as session:
            if session.get(ProcessedWebhookEvent, event["id"]) is None:
                raise
        return False


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"type": code, "message": message}}, status_code=status)
