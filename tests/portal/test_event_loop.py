"""The portal's read paths never make the event loop wait on the database (issue 14).

Every SQL statement is made slow, and the loop runs in asyncio's debug mode, which logs each
callback that holds the loop longer than `slow_callback_duration`. A database call made on
the loop holds it for at least one statement's wait, so it shows up as a slow callback.
"""

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import Session

from portal_app.auth.portal_sessions import create_session
from portal_app.db import get_engine, session_scope
from portal_app.models import PortalSession
from portal_app.state.customer_session import CustomerSessionState
from portal_app.state.portal import PortalState
from portal_app.state.session_link import SessionLinkState
from tests.portal.test_handler_security import call, world  # noqa: F401  (fixture)
from tests.support import substate, tab_at

# Each statement waits this long; a callback holding the loop as long is reported.
STATEMENT_WAIT = 0.08


@contextmanager
def slow_database() -> Iterator[None]:
    def wait(*_args: Any) -> None:
        time.sleep(STATEMENT_WAIT)

    engine = get_engine()
    event.listen(engine, "before_cursor_execute", wait)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", wait)


@asynccontextmanager
async def loop_watch(caplog: pytest.LogCaptureFixture) -> AsyncIterator[list[str]]:
    """Yields the slow-callback warnings logged while the block runs (filled on exit)."""
    loop = asyncio.get_running_loop()
    was = loop.get_debug(), loop.slow_callback_duration
    loop.set_debug(True)
    loop.slow_callback_duration = STATEMENT_WAIT
    caplog.set_level(logging.WARNING, logger="asyncio")
    caplog.clear()
    found: list[str] = []
    # The loop times a step only if debug was on when the step began: start a new one.
    await asyncio.sleep(0)
    try:
        yield found
        await asyncio.sleep(0)  # end the block's last step, so the loop times it too
    finally:
        loop.set_debug(was[0])
        loop.slow_callback_duration = was[1]
        found += [
            r.getMessage()
            for r in caplog.records
            if r.name == "asyncio" and r.getMessage().startswith("Executing")
        ]


async def test_the_watch_sees_a_database_call_made_on_the_loop(
    db_tables: None, caplog: pytest.LogCaptureFixture
) -> None:
    """The check itself can fail: a plain session on the loop is reported."""
    async with loop_watch(caplog) as slow:
        with slow_database(), session_scope() as db:
            db.get(PortalSession, "bps_none")
    assert slow, "a blocking database call on the loop went unnoticed"


async def test_link_redemption_and_portal_reads_run_off_the_loop(
    world: dict[str, str],  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    with Session(get_engine()) as db:
        live = db.get(PortalSession, world["live"])
        assert live is not None
        _, token = create_session(
            session=db, customer=world["cus_a"], configuration_id=live.configuration_id
        )
        db.commit()
    root = tab_at(f"/session/{token}")
    link, portal = substate(root, SessionLinkState), substate(root, PortalState)
    async with loop_watch(caplog) as slow:
        with slow_database():
            # The redemption reads the home in the same event (see test_session_link.py).
            await call(SessionLinkState.redeem, link, ())
            assert link.error == ""
            home = [s.id for s in portal.subscriptions]
            await call(PortalState.load, portal, ())
            await call(PortalState.more_invoices, portal, ())
            tick = {"ticket": portal._watch_ticket}
            await call(PortalState.check_for_changes, portal, (tick,))
            await call(PortalState.logout, portal, ())
    assert home == [world["sub_a"]]
    assert substate(root, CustomerSessionState)._session_id == ""
    assert slow == [], slow
