"""Time in the sandbox, as Stripe keeps it: objects of a customer on a test clock live at the
clock's frozen time; every other object follows real time.

A request happens at the time of the customer it concerns: the `test_clock` it creates a
customer on, the customer (or subscription, invoice, ...) named in its path or parameters.
"""

import time
from collections.abc import Mapping
from typing import Any

from portal_app.sandbox.store import Store

CLOCK_OBJECT = "test_helpers.test_clock"

# Parameters that name an object whose customer decides the request's clock.
_OWNER_PARAMS = ("customer", "subscription", "from_subscription", "invoice")


def real_now() -> int:
    """Wall-clock unix seconds."""
    return int(time.time())


def clock_of(store: Store, object_id: str) -> str | None:
    """The test clock an object lives on (a clock is its own), or None for real time."""
    row = store.find(object_id)
    if row is None:
        return None
    if row.object == CLOCK_OBJECT:
        return row.id
    if row.object == "customer":
        return row.parent  # a customer's clock is indexed as its parent
    if row.customer:
        return clock_of(store, row.customer)
    return None


def clock_time(store: Store, clock_id: str | None) -> int:
    """The frozen time of a test clock; real time without one."""
    if clock_id is None:
        return real_now()
    row = store.find(clock_id)
    return int(row.data["frozen_time"]) if row is not None else real_now()


def request_clock(
    store: Store, params: Mapping[str, Any], path_params: Mapping[str, str]
) -> str | None:
    """The test clock a request's objects live on, or None for real time."""
    named = params.get("test_clock")
    if isinstance(named, str) and named:
        return named
    candidates = [*path_params.values(), *(params.get(name) for name in _OWNER_PARAMS)]
    for candidate in candidates:
        if isinstance(candidate, str) and candidate:
            found = clock_of(store, candidate)
            if found is not None:
                return found
    return None


def request_now(store: Store, params: Mapping[str, Any], path_params: Mapping[str, str]) -> int:
    """Now, for the objects one request reads and writes."""
    return clock_time(store, request_clock(store, params, path_params))
