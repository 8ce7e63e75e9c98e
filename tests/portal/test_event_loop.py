"""The portal's read paths never make the event loop wait on the database (issue 14); how
the check works: `tests/loop_watch.py`."""

import pytest
from sqlmodel import Session

from portal_app.auth.portal_sessions import create_session
from portal_app.db import get_engine, session_scope
from portal_app.models import PortalSession
from portal_app.state.customer_session import CustomerSessionState
from portal_app.state.portal import PortalState
from portal_app.state.session_link import SessionLinkState
from tests.loop_watch import blocking_calls
from tests.portal.test_handler_security import call, world  # noqa: F401  (fixture)
from tests.support import substate, tab_at


async def test_the_watch_sees_a_database_call_made_on_the_loop(
    db_tables: None, caplog: pytest.LogCaptureFixture
) -> None:
    """The check itself can fail: a plain session on the loop is reported."""
    async with blocking_calls(caplog) as slow:
        with session_scope() as db:
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
    async with blocking_calls(caplog) as slow:
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
