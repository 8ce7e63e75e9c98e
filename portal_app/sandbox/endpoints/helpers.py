"""Test helpers that live in one transaction like any write: Stripe's test clocks, and events.

`/v1/test_helpers/test_clocks` as Stripe serves it: create a clock at a `frozen_time`,
attach customers to it (`customers.create(test_clock=...)`, or `customer` here), and
`advance` it; everything due for its customers on the way happens in time order (renewals,
trial ends, period-end cancellations, schedule phases, payment retries), with the events
`test_helpers.test_clock.advancing` and `.ready` around them. Stripe advances in the
background and answers `advancing`; the sandbox finishes within the request, so the clock
reads `ready` as soon as the answer arrives.
"""

import copy
from typing import Any

from sqlmodel import col, select

from portal_app.sandbox import events
from portal_app.sandbox.account import account_settings, update_account_settings
from portal_app.sandbox.billing.clockwork import advance_clock_objects, clock_customers
from portal_app.sandbox.clock import CLOCK_OBJECT, real_now
from portal_app.sandbox.endpoints import Ctx, RouteSpec
from portal_app.sandbox.errors import invalid_request
from portal_app.sandbox.events import get_event, list_events
from portal_app.sandbox.models import SandboxObject
from portal_app.sandbox.params import get_int, get_str
from portal_app.sandbox.store import new_object_id

# Stripe deletes a test clock (and its objects) this long after creating it; the sandbox
# reports the date but keeps clocks until they are deleted, so the demo's stays.
DELETES_AFTER_SECONDS = 7 * 86400
MAX_AHEAD_SECONDS = 2 * 366 * 86400


def _frozen_time(params: dict[str, Any]) -> int:
    value = get_int(params, "frozen_time")
    if value is None:
        raise invalid_request(
            "Missing required param: frozen_time.", param="frozen_time", code="parameter_missing"
        )
    return value


def create_test_clock(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """`POST /v1/test_helpers/test_clocks` with `frozen_time`, `name`, `customer`."""
    created = real_now()
    frozen_time = _frozen_time(params)
    clock: dict[str, Any] = {
        "id": new_object_id("clock"),
        "object": CLOCK_OBJECT,
        "created": created,
        "deletes_after": created + DELETES_AFTER_SECONDS,
        "frozen_time": frozen_time,
        "livemode": False,
        "name": get_str(params, "name"),
        "status": "ready",
        "status_details": {},
    }
    customer_id = get_str(params, "customer")
    ctx.store.insert(clock)
    ctx.now = frozen_time
    events.record(ctx, "test_helpers.test_clock.created", clock)
    if customer_id is not None:
        row = ctx.store.row(customer_id, "customer")
        if row.parent is not None:
            raise invalid_request(
                f"The customer {customer_id} is already attached to a test clock.",
                param="customer",
            )
        customer = copy.deepcopy(row.data)
        customer["test_clock"] = clock["id"]
        ctx.store.save(customer, parent=clock["id"])
    return clock


def retrieve_test_clock(ctx: Ctx, params: dict[str, Any], id: str) -> dict[str, Any]:
    """`GET /v1/test_helpers/test_clocks/{id}`."""
    return ctx.store.get(id, CLOCK_OBJECT)


def list_test_clocks(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """`GET /v1/test_helpers/test_clocks`, newest first."""
    return ctx.store.page(CLOCK_OBJECT, params, "/v1/test_helpers/test_clocks")


def delete_test_clock(ctx: Ctx, params: dict[str, Any], id: str) -> dict[str, Any]:
    """`DELETE /v1/test_helpers/test_clocks/{id}`: the clock and every object of its customers."""
    clock = ctx.store.get(id, CLOCK_OBJECT)
    customers = clock_customers(ctx, id)
    owned = ctx.session.exec(
        select(SandboxObject).where(
            col(SandboxObject.customer).in_(customers) | col(SandboxObject.id).in_(customers)
        )
    )
    for row in owned:
        ctx.session.delete(row)
    ctx.store.delete(id)
    events.record(ctx, "test_helpers.test_clock.deleted", clock)
    return {"id": id, "object": CLOCK_OBJECT, "deleted": True}


def advance_test_clock(ctx: Ctx, params: dict[str, Any], id: str) -> dict[str, Any]:
    """`POST /v1/test_helpers/test_clocks/{id}/advance` with `frozen_time` (only forward)."""
    clock = ctx.store.get(id, CLOCK_OBJECT)
    target = _frozen_time(params)
    if target <= clock["frozen_time"]:
        raise invalid_request(
            "The test clock can only be advanced to a time after its current frozen_time.",
            param="frozen_time",
        )
    if target > clock["frozen_time"] + MAX_AHEAD_SECONDS:
        raise invalid_request(
            "A test clock cannot advance more than two years at once.", param="frozen_time"
        )
    ctx.now = clock["frozen_time"]
    advancing = {
        **clock,
        "status": "advancing",
        "status_details": {"advancing": {"target_frozen_time": target}},
    }
    events.record(ctx, "test_helpers.test_clock.advancing", advancing)
    advance_clock_objects(ctx, id, target)
    ready = {**clock, "frozen_time": target, "status": "ready", "status_details": {}}
    ctx.store.save(ready)
    ctx.now = target
    events.record(ctx, "test_helpers.test_clock.ready", ready)
    return advancing


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
    ("POST", "/v1/test_helpers/test_clocks", create_test_clock),
    ("GET", "/v1/test_helpers/test_clocks", list_test_clocks),
    ("GET", "/v1/test_helpers/test_clocks/{id}", retrieve_test_clock),
    ("DELETE", "/v1/test_helpers/test_clocks/{id}", delete_test_clock),
    ("POST", "/v1/test_helpers/test_clocks/{id}/advance", advance_test_clock),
    ("GET", "/v1/test_helpers/account", read_account),
    ("POST", "/v1/test_helpers/account", update_account),
    ("GET", "/v1/events", events_list),
    ("GET", "/v1/events/{id}", retrieve_event),
]
