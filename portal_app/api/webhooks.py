"""`POST /api/stripe/webhook`: signed Stripe events into the mirror, each event id once."""

import logging
from typing import Any

from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from portal_app.billing.errors import BillingError, WebhookSignatureInvalid
from portal_app.billing.gateway import get_gateway, verify_webhook
from portal_app.billing.sync import apply_event, record, unordered_objects
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
        event = verify_webhook(
            payload=payload,
            signature=request.headers.get("stripe-signature"),
            secret=secret,
        )
    except WebhookSignatureInvalid as error:
        logger.warning("webhook refused: %s", error)
        return _error(400, "signature_invalid", "The Stripe-Signature header did not verify.")
    if not isinstance(event.get("data"), dict) or "object" not in event["data"]:
        logger.warning("webhook refused: event %s has no data.object", event.get("id"))
        return _error(400, "event_malformed", "The event has no data.object.")
    applied, unordered = await run_in_threadpool(_apply, event)
    for object_type, object_id in unordered:
        await _read_again(object_type, object_id)
    return JSONResponse({"received": True, "duplicate": not applied})


def _apply(event: dict[str, Any]) -> tuple[bool, set[tuple[str, str]]]:
    try:
        with session_scope() as session:
            applied = apply_event(session=session, event=event)
            return applied, unordered_objects(session)
    except IntegrityError:
        # Another worker recorded the same event id first: it is applied, nothing to do.
        with session_scope() as session:
            if session.get(ProcessedWebhookEvent, event["id"]) is None:
                raise
        return False, set()


async def _read_again(object_type: str, object_id: str) -> None:
    """Store the object as Stripe has it now, when an event's order could not be told."""
    try:
        obj = await get_gateway().retrieve_mirrored(object_type=object_type, object_id=object_id)
    except BillingError as error:
        # The event is stored; the next event or the full sync brings the object up to date.
        logger.warning("could not read %s %s again: %s", object_type, object_id, error)
        return

    def store() -> None:
        with session_scope() as session:
            record(session=session, obj=obj)

    await run_in_threadpool(store)


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"type": code, "message": message}}, status_code=status)
