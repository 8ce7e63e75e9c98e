"""A session link opens the portal in one event: redeemed once, the home read once, no redirect."""

import inspect
import json
from typing import Any

import pytest
from reflex.state import State
from reflex_base.event import EventHandler, EventSpec
from sqlmodel import Session

from portal_app.auth.portal_sessions import create_session
from portal_app.db import get_engine
from portal_app.models import PortalSession
from portal_app.state import portal as portal_module
from portal_app.state.customer_session import CustomerSessionState
from portal_app.state.i18n import I18nState
from portal_app.state.portal import PortalState
from portal_app.state.session_link import AT_PORTAL, SessionLinkState
from tests.portal.test_handler_security import world  # noqa: F401  (fixture)
from tests.support import substate, tab_at


def _link(ids: dict[str, str], locale: str | None = None) -> str:
    with Session(get_engine()) as db:
        live = db.get(PortalSession, ids["live"])
        assert live is not None
        _, token = create_session(
            session=db,
            customer=ids["cus_a"],
            configuration_id=live.configuration_id,
            locale=locale,
        )
        db.commit()
    return token


async def _open(root: State) -> list[Any]:
    """The page's on_load (`redeem`) and every backend event it chains, as the server runs
    them; returns what goes to the browser."""
    pending: list[Any] = [SessionLinkState.redeem]
    to_browser: list[Any] = []
    while pending:
        handler = pending.pop(0)
        state = root.get_substate(handler.state_full_name.split(".")[1:])
        found: list[Any] = []
        result = handler.fn(state)
        if inspect.isasyncgen(result):
            async for step in result:
                found += step if isinstance(step, list) else [step]
        else:
            result = await result if inspect.isawaitable(result) else result
            found += [] if result is None else result if isinstance(result, list) else [result]
        pending += [e for e in found if isinstance(e, EventHandler)]
        to_browser += [e for e in found if isinstance(e, EventSpec)]
    return to_browser


def _scripts(events: list[Any]) -> list[str]:
    return [e.args[0][1]._var_value for e in events if e.handler.fn.__qualname__ == "_call_script"]


@pytest.fixture
def home_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The customers whose home page was read (`portal_home`), in order."""
    reads: list[str] = []
    real = portal_module.portal_home

    def counted(**kwargs: Any) -> Any:
        reads.append(kwargs["customer_id"])
        return real(**kwargs)

    monkeypatch.setattr(portal_module, "portal_home", counted)
    return reads


async def test_the_link_opens_the_home_with_one_read_and_no_redirect(
    world: dict[str, str],  # noqa: F811
    home_reads: list[str],
) -> None:
    token = _link(world)
    root = tab_at(f"/session/{token}")
    to_browser = await _open(root)
    portal = substate(root, PortalState)
    assert home_reads == [world["cus_a"]]
    assert portal.signed_in and [s.id for s in portal.subscriptions] == [world["sub_a"]]
    assert substate(root, SessionLinkState).error == ""
    names = [e.handler.fn.__qualname__ for e in to_browser]
    assert "_redirect" not in names and "_call_script" in names, names
    scripts = _scripts(to_browser)
    # The cookie's binding goes first; the address becomes /portal without a navigation.
    assert "session-cookie" in scripts[0] and AT_PORTAL in scripts
    assert substate(root, CustomerSessionState)._session_id
    assert world["live"] not in json.dumps(root.dict(), default=str)


async def test_a_reconnect_reads_again_without_spending_the_link_twice(
    world: dict[str, str],  # noqa: F811
    home_reads: list[str],
) -> None:
    token = _link(world)
    root = tab_at(f"/session/{token}")
    await _open(root)
    session_id = substate(root, CustomerSessionState)._session_id
    # The socket reconnects: the page's on_load runs again in the same tab.
    again = await _open(root)
    assert home_reads == [world["cus_a"]] * 2
    assert substate(root, CustomerSessionState)._session_id == session_id
    assert not any("session-cookie" in s for s in _scripts(again))
    assert substate(root, SessionLinkState).error == ""
    # Another tab with the same link is refused, and sees nothing of the customer's.
    other = tab_at(f"/session/{token}")
    await _open(other)
    assert "already been used" in substate(other, SessionLinkState).error
    assert not substate(other, PortalState).signed_in
    assert home_reads == [world["cus_a"]] * 2


async def test_a_bad_link_reads_nothing(
    world: dict[str, str],  # noqa: F811
    home_reads: list[str],
) -> None:
    root = tab_at("/session/not-a-token")
    to_browser = await _open(root)
    assert to_browser == [] and home_reads == []
    assert "not valid" in substate(root, SessionLinkState).error
    assert not substate(root, PortalState).loaded


async def test_the_sessions_language_arrives_with_the_home(
    world: dict[str, str],  # noqa: F811
    home_reads: list[str],
) -> None:
    root = tab_at(f"/session/{_link(world, locale='fr')}")
    await _open(root)
    i18n = substate(root, I18nState)
    assert i18n.locale == "fr" and i18n.messages["Billing"] == "Facturation"
    assert "Renouvellement" in substate(root, PortalState).subscriptions[0].timeline
