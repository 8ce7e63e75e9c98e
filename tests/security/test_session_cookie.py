"""L4 and L6: a portal session is bound to the tab and to an HttpOnly, SameSite cookie; the
cookie brings a tab back after a restart; without the cookie (third-party cookies blocked in
an embed) the session stays bound to the tab alone."""

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from reflex.istate.data import HeaderData, SessionData
from reflex.state import State
from sqlmodel import Session

from portal_app.api import build_api
from portal_app.auth.portal_sessions import SessionError, end_session, start_code_session
from portal_app.auth.session_cookie import (
    COOKIE_NAME,
    KEPT_NAME,
    bind_ticket,
    cookie_value,
    session_in_header,
    session_of_ticket,
)
from portal_app.db import get_engine
from portal_app.state.customer_session import CustomerSessionState
from tests import factories
from tests.support import substate

PATH = "/api/portal/session-cookie"


@pytest.fixture
def live_session(db_tables: None) -> Iterator[str]:
    with Session(get_engine()) as db:
        config = factories.configuration(db)
        row = start_code_session(session=db, customer="cus_cookie", configuration_id=config.id)
        db.commit()
        yield row.id


def _tab(connection: str, cookie: str = "") -> Any:
    root = State(_reflex_internal_init=True)  # type: ignore[call-arg]
    tab = substate(root, CustomerSessionState)
    _connect(tab, connection, cookie)
    return tab


def _connect(tab: Any, connection: str, cookie: str = "") -> None:
    """The tab's socket as Reflex sees it: its id and the Cookie header of its handshake."""
    object.__setattr__(
        tab,
        "router",
        dataclasses.replace(
            tab.router,
            session=SessionData(client_token="t", session_id=connection),
            headers=HeaderData(cookie=cookie),
        ),
    )


def _session_of(tab: Any) -> str:
    with Session(get_engine()) as db:
        return tab._portal_session(db).id


def test_tickets_and_cookies_are_signed_and_short_lived() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    ticket = bind_ticket("bps_1", now=now)
    assert session_of_ticket(ticket, now=now) == "bps_1"
    assert session_of_ticket(ticket, now=now + timedelta(seconds=61)) is None
    assert session_of_ticket(ticket.replace("bps_1", "bps_2"), now=now) is None
    assert session_in_header(f"a=b; {COOKIE_NAME}={cookie_value('bps_1')}") == "bps_1"
    assert session_in_header(f"{COOKIE_NAME}=bps_1.forged") is None
    assert session_in_header('bad"cookie; =;;') is None


async def test_the_route_sets_an_httponly_samesite_cookie_for_a_live_ticket(
    live_session: str,
) -> None:
    transport = httpx.ASGITransport(app=build_api())
    async with httpx.AsyncClient(transport=transport, base_url="http://portal") as client:
        refused = await client.post(PATH, content=b"bps_x.1.forged")
        assert refused.status_code == 400 and "set-cookie" not in refused.headers
        response = await client.post(PATH, content=bind_ticket(live_session).encode())
        assert response.status_code == 204
        cookies = {h.split("=", 1)[0]: h.lower() for h in response.headers.get_list("set-cookie")}
        session, kept = cookies[COOKIE_NAME], cookies[KEPT_NAME]
        assert "httponly" in session and "samesite=lax" in session and "path=/" in session
        assert "max-age=43200" in session
        # The readable companion carries nothing secret, with the same attributes otherwise.
        assert kept.startswith(f"{KEPT_NAME}=1;") and "httponly" not in kept
        assert session.replace("; httponly", "").split(";")[1:] == kept.split(";")[1:]
    with Session(get_engine()) as db:
        end_session(session=db, session_id=live_session)
        db.commit()
    async with httpx.AsyncClient(transport=transport, base_url="http://portal") as client:
        ended = await client.post(PATH, content=bind_ticket(live_session).encode())
        assert ended.status_code == 400


def test_a_tab_token_without_the_cookie_is_refused_once_the_cookie_is_kept(
    live_session: str,
) -> None:
    tab = _tab("socket-1")
    tab._start_session(live_session)
    CustomerSessionState.cookie_checked.fn(tab, True)
    assert _session_of(tab) == live_session  # the connection it signed in on
    # The same token from another connection (a copied token, a closed tab's leftovers).
    _connect(tab, "socket-2")
    with pytest.raises(SessionError):
        _session_of(tab)
    # The browser that signed in reconnects with its cookie.
    _connect(tab, "socket-3", f"{COOKIE_NAME}={cookie_value(live_session)}")
    assert _session_of(tab) == live_session


def test_without_the_cookie_the_session_stays_bound_to_the_tab(live_session: str) -> None:
    tab = _tab("socket-1")
    tab._start_session(live_session)
    # The browser refused the cookie (a framed portal with third-party cookies blocked).
    CustomerSessionState.cookie_checked.fn(tab, False)
    _connect(tab, "socket-2")
    assert _session_of(tab) == live_session


def test_a_restart_does_not_sign_the_customer_out(live_session: str) -> None:
    # The server's per-tab state is gone; the browser reconnects with its cookie.
    fresh = _tab("socket-after-restart", f"{COOKIE_NAME}={cookie_value(live_session)}")
    assert fresh._session_id == ""
    assert _session_of(fresh) == live_session
    # Without a cookie a fresh tab has no session.
    with pytest.raises(SessionError):
        _session_of(_tab("socket-x"))
