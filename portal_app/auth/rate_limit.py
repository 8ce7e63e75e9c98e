"""Rate limits on login attempts, counted in Redis when configured (shared by every worker).

Without Redis the portal runs as one backend process (Reflex starts one worker then), so an
in-process moving window is exact there.
"""

from functools import lru_cache

from limits import RateLimitItem, parse
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from portal_app.settings import get_settings

SEND_PER_EMAIL = parse("5/hour")
SEND_PER_CLIENT = parse("20/hour")
VERIFY_PER_EMAIL = parse("10/15 minutes")
VERIFY_PER_CLIENT = parse("30/15 minutes")
# Dashboard sign-ins, counted before Argon2 runs (the growing per-client delays come after).
SIGN_IN_PER_CLIENT = parse("20/minute")


@lru_cache
def _limiter() -> MovingWindowRateLimiter:
    url = get_settings().redis_url
    storage = storage_from_string(url if url else "memory://")
    if not isinstance(storage, Storage):
        raise TypeError(f"rate limits need a synchronous storage, not {type(storage).__name__}")
    return MovingWindowRateLimiter(storage)


def allow(item: RateLimitItem, *identifiers: str) -> bool:
    """Count one attempt; False when the window is already full."""
    return _limiter().hit(item, *identifiers)


def reset() -> None:
    """Forget every counter (tests)."""
    _limiter().storage.reset()
