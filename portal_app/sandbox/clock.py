"""The global sandbox clock: real time plus a persisted offset that test helpers move forward."""

import time

from portal_app.sandbox.store import Store

_KEY = "clock"


def real_now() -> int:
    """Wall-clock unix seconds."""
    return int(time.time())


def sandbox_now(store: Store) -> int:
    """The sandbox's current unix time (every sandbox timestamp comes from here)."""
    return real_now() + int(store.state(_KEY).get("offset", 0))


def set_sandbox_now(store: Store, to: int) -> None:
    """Move the clock so that it reads `to` now (callers make sure it only moves forward)."""
    store.set_state(_KEY, {"offset": to - real_now()})
