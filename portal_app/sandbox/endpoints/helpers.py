"""Test helpers that live in one transaction like any write: the sandbox clock."""

from typing import Any

from portal_app.sandbox.account import account_settings, update_account_settings
from portal_app.sandbox.billing.clockwork import advance_to
from portal_app.sandbox.endpoints import Ctx, RouteSpec
from portal_app.sandbox.errors import invalid_request
from portal_app.sandbox.events import get_event, list_events
from portal_app.sandbox.params import get_int


def _clock(ctx: Ctx) -> dict[str, Any]:
    return {"object": "test_helpers.sandbox_clock", "now": ctx.now, "frozen_time": ctx.now}


def read_clock(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """`GET /v1/test_helpers/clock`: the sandbox's current time."""
    return _clock(ctx)


def advance_clock(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """`POST /v1/test_helpers/clock/advance` with `to` (unix time) or `seconds`.

    Everything due on the way happens in order: renewals, trial ends, period-end
    cancellations and schedule phases.
    """
    to = get_int(params, "to")
    seconds = get_int(params, "seconds")
    if to is None and seconds is None:
        raise invalid_request("Pass `to` (unix time) or `seconds`.", param="to")
    target = to if to is not None else ctx.now + (seconds or 0)
    if target < ctx.now:
        raise invalid_request(
            "The sandbox clock only moves forward.", param="to" if to is not None else "seconds"
        )
    advance_to(ctx, target)
    return _clock(ctx)


def read_account(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """`GET /v1/test_helpers/account`: the business name and branding on invoices."""
    return {"object": "test_helpers.sandbox_account", **account_settings(ctx.store)}


def update_account(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """`POST /v1/test_helpers/account` with `business_name`, `primary_color`, `logo_url`."""
    return {"object": "test_helpers.sandbox_account", **update_account_settings(ctx.store, params)}


def retrieve_event(ctx: Ctx, params: dict[str, Any], id: str) -> dict[str, Any]:
    """`GET /v1/events/{id}`."""
    return get_event(ctx, id)


def events_list(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """`GET /v1/events`."""
    return list_events(ctx, params)


ROUTES: list[RouteSpec] = [
    ("GET", "/v1/test_helpers/clock", read_clock),
    ("POST", "/v1/test_helpers/clock/advance", advance_clock),
    ("GET", "/v1/test_helpers/account", read_account),
    ("POST", "/v1/test_helpers/account", update_account),
    ("GET", "/v1/events", events_list),
    ("GET", "/v1/events/{id}", retrieve_event),
]
