"""Subscriptions and subscription schedules."""

import typing
from typing import Any

import stripe

from portal_app.sandbox.billing import schedules, subscriptions
from portal_app.sandbox.endpoints import Ctx, RouteSpec
from portal_app.sandbox.errors import invalid_request
from portal_app.sandbox.params import get_bool, get_dict, get_str


def create_subscription(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """`POST /v1/subscriptions`."""
    return subscriptions.create_subscription(ctx, params)


def retrieve_subscription(ctx: Ctx, params: dict[str, Any], id: str) -> dict[str, Any]:
    """`GET /v1/subscriptions/{id}`."""
    return ctx.store.get(id, "subscription")


def update_subscription(ctx: Ctx, params: dict[str, Any], id: str) -> dict[str, Any]:
    """`POST /v1/subscriptions/{id}`."""
    return subscriptions.update_subscription(ctx, params, id)


def cancel_subscription(ctx: Ctx, params: dict[str, Any], id: str) -> dict[str, Any]:
    """`DELETE /v1/subscriptions/{id}` with `invoice_now` and `prorate`."""
    return subscriptions.cancel_now(
        ctx,
        id,
        invoice_now=bool(get_bool(params, "invoice_now", False)),
        prorate=bool(get_bool(params, "prorate", False)),
        details=get_dict(params, "cancellation_details"),
    )


def list_subscriptions(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """`GET /v1/subscriptions` by `customer` and `status` (default: every status but canceled)."""
    status = get_str(params, "status")
    # Filtered in the query (not after it), so a page of `limit` holds `limit` matches.
    wanted: str | tuple[str, ...] | None
    if status is None:
        wanted = tuple(s for s in STATUSES if s not in subscriptions.ENDED)
    elif status == "ended":
        wanted = tuple(subscriptions.ENDED)
    elif status == "all":
        wanted = None
    else:
        wanted = status
    return ctx.store.page(
        "subscription",
        params,
        "/v1/subscriptions",
        customer=get_str(params, "customer"),
        status=wanted,
    )


def delete_discount(ctx: Ctx, params: dict[str, Any], id: str) -> dict[str, Any]:
    """`DELETE /v1/subscriptions/{id}/discount`: removes every discount."""
    sub = ctx.store.get(id, "subscription")
    if not sub["discounts"]:
        raise invalid_request("This subscription has no discount.", code="resource_missing")
    subscriptions.update_subscription(ctx, {"discounts": ""}, id)
    return {"object": "discount", "deleted": True, "subscription": id}


def create_schedule(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """`POST /v1/subscription_schedules`."""
    return schedules.create_schedule(ctx, params)


def retrieve_schedule(ctx: Ctx, params: dict[str, Any], id: str) -> dict[str, Any]:
    """`GET /v1/subscription_schedules/{id}`."""
    return ctx.store.get(id, "subscription_schedule")


def list_schedules(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """`GET /v1/subscription_schedules` by `customer`."""
    return ctx.store.page(
        "subscription_schedule",
        params,
        "/v1/subscription_schedules",
        customer=get_str(params, "customer"),
    )


def update_schedule(ctx: Ctx, params: dict[str, Any], id: str) -> dict[str, Any]:
    """`POST /v1/subscription_schedules/{id}`."""
    return schedules.update_schedule(ctx, params, id)


def release_schedule(ctx: Ctx, params: dict[str, Any], id: str) -> dict[str, Any]:
    """`POST /v1/subscription_schedules/{id}/release`."""
    return schedules.release_schedule(ctx, params, id)


def cancel_schedule(ctx: Ctx, params: dict[str, Any], id: str) -> dict[str, Any]:
    """`POST /v1/subscription_schedules/{id}/cancel`."""
    return schedules.cancel_schedule(ctx, params, id)


# Every status a subscription can have, from the pinned SDK's resource class.
STATUSES: tuple[str, ...] = tuple(
    str(v)
    for arg in typing.get_args(stripe.Subscription.__annotations__["status"])
    for v in typing.get_args(arg)
)

ROUTES: list[RouteSpec] = [
    ("POST", "/v1/subscriptions", create_subscription),
    ("GET", "/v1/subscriptions", list_subscriptions),
    ("GET", "/v1/subscriptions/{id}", retrieve_subscription),
    ("POST", "/v1/subscriptions/{id}", update_subscription),
    ("DELETE", "/v1/subscriptions/{id}", cancel_subscription),
    ("DELETE", "/v1/subscriptions/{id}/discount", delete_discount),
    ("POST", "/v1/subscription_schedules", create_schedule),
    ("GET", "/v1/subscription_schedules", list_schedules),
    ("GET", "/v1/subscription_schedules/{id}", retrieve_schedule),
    ("POST", "/v1/subscription_schedules/{id}", update_schedule),
    ("POST", "/v1/subscription_schedules/{id}/release", release_schedule),
    ("POST", "/v1/subscription_schedules/{id}/cancel", cancel_schedule),
]
