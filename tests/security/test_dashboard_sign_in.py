"""M1 and L9: dashboard sign-in hashes off the event loop, a few at a time, after a per-client
limit; wrong passwords slow the client that sent them, never the merchant elsewhere."""

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from reflex.state import State
from sqlmodel import Session, delete

from portal_app.auth import merchants, rate_limit
from portal_app.auth.merchants import create_merchant
from portal_app.db import get_engine
from portal_app.models import Merchant, MerchantLoginThrottle, MerchantSession
from portal_app.state.dashboard_auth import DashboardAuthState
from tests.support import substate

EMAIL = "flood-owner@example.com"
PASSWORD = "correct horse battery"


@pytest.fixture
def owner(db_tables: None) -> Iterator[None]:
    rate_limit.reset()
    with Session(get_engine()) as db:
        merchant = create_merchant(session=db, email=EMAIL, password=PASSWORD)
        db.commit()
        yield
        db.exec(delete(MerchantSession).where(MerchantSession.merchant_id == merchant.id))  # type: ignore[call-overload]
        db.exec(delete(MerchantLoginThrottle))  # type: ignore[call-overload]
        db.exec(delete(Merchant).where(Merchant.id == merchant.id))  # type: ignore[call-overload]
        db.commit()
    rate_limit.reset()


def _auth() -> Any:
    root = State(_reflex_internal_init=True)  # type: ignore[call-arg]
    return substate(root, DashboardAuthState)


@pytest.fixture
def hashing(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Records where and how many Argon2 verifications run at once."""
    seen: dict[str, Any] = {"calls": 0, "on_loop_thread": 0, "running": 0, "peak": 0}
    lock = threading.Lock()
    real = merchants._hasher.verify
    loop_thread = threading.get_ident()

    def verify(password_hash: str, password: str) -> bool:
        with lock:
            seen["calls"] += 1
            seen["running"] += 1
            seen["peak"] = max(seen["peak"], seen["running"])
            seen["on_loop_thread"] += threading.get_ident() == loop_thread
        try:
            return real(password_hash, password)
        finally:
            with lock:
                seen["running"] -= 1

    class Recording:
        def __getattr__(self, name: str) -> Any:
            return getattr(real.__self__, name)

    recording = Recording()
    recording.verify = verify  # type: ignore[attr-defined]
    monkeypatch.setattr(merchants, "_hasher", recording)
    return seen


async def test_hashing_runs_in_worker_threads_a_few_at_a_time(
    owner: None, hashing: dict[str, Any]
) -> None:
    tabs = [_auth() for _ in range(8)]
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0)
            ticks += 1

    beat = asyncio.create_task(ticker())
    try:
        results = await asyncio.gather(
            *(
                DashboardAuthState.log_in.fn(tab, {"email": EMAIL, "password": f"wrong {i}"})
                for i, tab in enumerate(tabs)
            )
        )
    finally:
        beat.cancel()
    assert results == [None] * 8
    assert all("incorrect" in tab.login_error or "Too many" in tab.login_error for tab in tabs)
    assert hashing["calls"] >= 3 and hashing["on_loop_thread"] == 0
    assert hashing["peak"] <= merchants.HASH_SLOTS
    # The loop kept running other work while the hashes ran.
    assert ticks > hashing["calls"]


async def test_a_flooding_client_is_refused_before_hashing(
    owner: None, hashing: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Growing delays would stop the flood too; switch them off to see the limit before them.
    monkeypatch.setattr(merchants, "retry_delay", lambda failures: merchants.timedelta(0))
    monkeypatch.setattr(rate_limit, "SIGN_IN_PER_CLIENT", rate_limit.parse("4/minute"))
    limit = 4
    tab = _auth()
    for _ in range(limit + 5):
        await DashboardAuthState.log_in.fn(tab, {"email": EMAIL, "password": "wrong password"})
    assert hashing["calls"] == limit
    assert "Too many attempts" in tab.login_error


async def test_wrong_passwords_slow_that_client_and_the_merchant_still_signs_in(
    owner: None,
) -> None:
    tab = _auth()
    for _ in range(merchants.FREE_TRIES + 4):
        await DashboardAuthState.log_in.fn(tab, {"email": EMAIL, "password": "wrong password"})
    assert "Too many attempts" in tab.login_error
    # The same credentials from another client (another router address) are not delayed.
    other = _auth()
    other.router = other.router.__class__(
        **{**other.router.__dict__, "session": other.router.session.__class__(client_ip="10.9.9.9")}
    )
    redirect = await DashboardAuthState.log_in.fn(other, {"email": EMAIL, "password": PASSWORD})
    assert "/dashboard" in str(redirect) and other._merchant_session_id
