"""Recording Stripe events for every change; webhooks.py delivers them."""

import copy
from typing import Any

from sqlmodel import col, select

from portal_app.sandbox.context import Ctx
from portal_app.sandbox.errors import not_found
from portal_app.sandbox.models import SandboxEvent
from portal_app.sandbox.schema_objects import shape, shape_previous
from portal_app.sandbox.store import list_object, new_object_id

API_VERSION = "2026-10-28.endive"


def record(
    ctx: Ctx,
    type_: str,
    obj: dict[str, Any],
    previous: dict[str, Any] | None = None,
) -> None:
    """Store an event whose `data.object` is a snapshot of `obj` as it is now."""
    data: dict[str, Any] = {"object": copy.deepcopy(obj)}
    if previous:
        data["previous_attributes"] = copy.deepcopy(previous)
    ctx.session.add(
        SandboxEvent(
            id=new_object_id("evt"),
            type=type_,
            created=ctx.now,
            data=data,
            next_attempt_at=0.0,
            request_id=ctx.request_id,
            idempotency_key=ctx.idempotency_key,
        )
    )


def changed(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Stripe's `previous_attributes`: the old values of the top-level fields that changed."""
    return {key: before.get(key) for key in after if before.get(key) != after[key]}


def record_update(ctx: Ctx, type_: str, before: dict[str, Any], after: dict[str, Any]) -> None:
    """Record an `*.updated` event when anything changed."""
    # A change only to the sandbox's internal fields is no change Stripe would announce.
    previous = shape_previous(str(after.get("object")), changed(before, after))
    if previous:
        record(ctx, type_, after, previous)


def render(event: SandboxEvent) -> dict[str, Any]:
    """The event as Stripe serves it (and POSTs it to webhook endpoints)."""
    # Stored snapshots keep the sandbox's internal fields; what is sent has the class's fields.
    obj = event.data["object"]
    data: dict[str, Any] = {"object": shape(obj)}
    if "previous_attributes" in event.data:
        data["previous_attributes"] = shape_previous(
            str(obj.get("object")), event.data["previous_attributes"]
        )
    return {
        "id": event.id,
        "object": "event",
        "api_version": API_VERSION,
        "context": None,
        "created": event.created,
        "data": data,
        "livemode": False,
        "pending_webhooks": 1 if event.status == "pending" else 0,
        "request": {"id": event.request_id, "idempotency_key": event.idempotency_key},
        "type": event.type,
    }


def list_events(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """`GET /v1/events`: newest first, by `type` and `delivery_success`, with cursor pagination."""
    limit = max(1, min(100, int(params.get("limit") or 10)))
    query = select(SandboxEvent)
    if params.get("type"):
        query = query.where(SandboxEvent.type == params["type"])
    delivered = params.get("delivery_success")
    if delivered in ("true", "false"):
        # Stripe's filter: `false` lists the events still waiting for a webhook delivery.
        query = query.where(
            SandboxEvent.status == ("delivered" if delivered == "true" else "pending")
        )
    if params.get("starting_after"):
        anchor = _event(ctx, str(params["starting_after"]))
        query = query.where(col(SandboxEvent.seq) < anchor.seq)
    rows = list(ctx.session.exec(query.order_by(col(SandboxEvent.seq).desc()).limit(limit + 1)))
    return list_object([render(e) for e in rows[:limit]], "/v1/events", has_more=len(rows) > limit)


def get_event(ctx: Ctx, event_id: str) -> dict[str, Any]:
    """`GET /v1/events/{id}`."""
    return render(_event(ctx, event_id))


def _event(ctx: Ctx, event_id: str) -> SandboxEvent:
    found = ctx.session.exec(select(SandboxEvent).where(SandboxEvent.id == event_id)).first()
    if found is None:
        raise not_found("event", event_id)
    return found
