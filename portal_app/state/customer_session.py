"""The signed-in customer: a backend-only session id, re-validated by every handler."""

import json
from collections.abc import Callable
from typing import Any, TypeVar

import reflex as rx
from reflex_base.event import EventSpec
from sqlmodel import Session

from portal_app.auth.portal_sessions import SessionError, active_session
from portal_app.auth.session_cookie import KEPT_NAME, bind_ticket, session_in_header
from portal_app.auth.session_cookie import PATH as COOKIE_PATH
from portal_app.i18n.text import Text
from portal_app.models.configuration import PortalConfiguration
from portal_app.models.portal_session import PortalSession
from portal_app.services.actors import actor_for, live_configuration
from portal_app.services.customer_actions import Actor
from portal_app.services.off_loop import in_session
from portal_app.settings import get_settings

SESSION_ENDED = Text("Your session has ended. Please sign in again.")
# Set on <html> once the browser has answered the cookie binding (see `_start_session`).
MARK_BOUND = "document.documentElement.setAttribute('data-session-bound', '')"


T = TypeVar("T")


def _as_actor(
    db: Session,
    session_id: str,
    locale: str,
    broken_binding: bool,
    work: Callable[[Session, Actor], T],
) -> tuple[Actor, T]:
    """The worker-thread half of `_off_loop`: the actor re-read, then `work` in its session."""
    actor = actor_for(db, session_id, locale)
    if broken_binding:
        raise SessionError(SESSION_ENDED)
    return actor, work(db, actor)


class CustomerSessionState(rx.State):
    """Holds which portal session this browser tab is in; never sent to the browser.

    The session is bound to the tab and, once the browser keeps it, to an HttpOnly cookie
    (`auth.session_cookie`): a connection other than the one the session started on must
    carry the cookie. The cookie also brings a tab back into its session after a restart.
    """

    _session_id: str = ""
    # The socket the session started on, and whether the browser has kept the cookie.
    _connection: str = ""
    _cookie_bound: bool = False

    def _start_session(self, session_id: str) -> EventSpec:
        """Enter a session in this tab; the follow-up asks the browser to keep the cookie.

        Once the browser has answered (kept or refused), the page is marked (`MARK_BOUND`):
        a page that already holds the customer's rows shows them from then on
        (`awaits-binding` in portal.css)."""
        self._session_id = session_id
        self._connection = self.router.session.session_id
        self._cookie_bound = False
        base = get_settings().public_url.rstrip("/") + COOKIE_PATH
        kept = json.dumps(f"{KEPT_NAME}=1")
        script = (
            f"fetch({json.dumps(base)}, {{method: 'POST', credentials: 'include', "
            f"body: {json.dumps(bind_ticket(session_id))}}})"
            f".then((r) => r.ok && document.cookie.split('; ').includes({kept}))"
            ".catch(() => false)"
            f".then((bound) => {{ {MARK_BOUND}; return bound; }})"
        )
        return rx.call_script(script, callback=CustomerSessionState.cookie_checked)

    @rx.event
    def cookie_checked(self, bound: object) -> None:
        """The browser kept the cookie (or refused it, e.g. third-party cookies blocked)."""
        # A client that claims a cookie it lacks only locks itself out: no check needed.
        if self._session_id:
            self._cookie_bound = bound is True

    def _claimed_session(self) -> tuple[str, bool]:
        """The tab's session id, and whether this connection breaks the tab's cookie binding
        (checked without the database; the caller still checks the session is live)."""
        from_cookie = session_in_header(self.router.headers.cookie)
        connection = self.router.session.session_id
        if not self._session_id and from_cookie:
            # A restart forgot the tab's state; the browser's cookie brings it back.
            self._session_id, self._connection, self._cookie_bound = from_cookie, connection, True
        same_connection = bool(connection) and connection == self._connection
        # The tab's token without the browser's cookie: not the browser that signed in.
        broken = from_cookie != self._session_id and not same_connection and self._cookie_bound
        return self._session_id, broken

    async def _off_loop(
        self, work: Callable[[Session, Actor], T], locale: str = "en"
    ) -> tuple[Actor, T]:
        """Re-read the actor and run `work(db, actor)` in one DB session, in a worker thread:
        synchronous database calls never block the event loop."""
        session_id, broken = self._claimed_session()
        return await in_session(lambda db: _as_actor(db, session_id, locale, broken, work))

    def _portal_session(self, db: Session) -> PortalSession:
        """The live session for this tab (idle timer reset), or SessionError."""
        session_id, broken = self._claimed_session()
        row = active_session(session=db, session_id=session_id)
        if broken:
            raise SessionError(SESSION_ENDED)
        return row

    @staticmethod
    def _configuration(db: Session, portal_session: PortalSession) -> PortalConfiguration:
        return live_configuration(db, portal_session)

    def _flow(self, db: Session) -> dict[str, Any] | None:
        """The deep-link flow the session was created with, if any."""
        return self._portal_session(db).flow
