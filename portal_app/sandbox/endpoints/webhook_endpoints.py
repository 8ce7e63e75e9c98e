"""`/v1/webhook_endpoints`: the one endpoint the sandbox delivers its events to.

The sandbox sends every event, signed with the webhook secret, to the portal that embeds it,
so it reports that destination as Stripe reports a configured endpoint (read only: the
destination follows `PORTAL_INTERNAL_URL`).
"""

from typing import Any

from portal_app.sandbox.endpoints import Ctx, RouteSpec
from portal_app.sandbox.errors import not_found
from portal_app.sandbox.events import API_VERSION
from portal_app.sandbox.store import list_object
from portal_app.sandbox.webhooks import webhook_url

ENDPOINT_ID = "we_sandbox_portal"


def _endpoint(ctx: Ctx) -> dict[str, Any]:
    return {
        "id": ENDPOINT_ID,
        "object": "webhook_endpoint",
        "api_version": API_VERSION,
        "application": None,
        "created": 0,
        "description": "The portal that embeds this sandbox",
        "enabled_events": ["*"],
        "livemode": False,
        "metadata": {},
        "secret": None,
        "status": "enabled",
        "url": webhook_url(),
    }


def list_webhook_endpoints(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """`GET /v1/webhook_endpoints`."""
    return list_object([_endpoint(ctx)], "/v1/webhook_endpoints")


def retrieve_webhook_endpoint(ctx: Ctx, params: dict[str, Any], id: str) -> dict[str, Any]:
    """`GET /v1/webhook_endpoints/{id}`."""
    if id != ENDPOINT_ID:
        raise not_found("webhook_endpoint", id)
    return _endpoint(ctx)


ROUTES: list[RouteSpec] = [
    ("GET", "/v1/webhook_endpoints", list_webhook_endpoints),
    ("GET", "/v1/webhook_endpoints/{id}", retrieve_webhook_endpoint),
]
