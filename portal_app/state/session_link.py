"""Arriving through a portal-session link from the merchant's app."""

import hashlib

import reflex as rx

from portal_app.auth.portal_sessions import SessionError, redeem_link
from portal_app.i18n.text import user_message
from portal_app.services.off_loop import in_session
from portal_app.state.customer_session import MARK_BOUND, CustomerSessionState
from portal_app.state.i18n import I18nState, locale_of
from portal_app.state.portal import PortalState

# The page shows the portal at the link's address; this gives the tab the portal's own
# address, so a reload or a bookmark opens `/portal` (the link is spent). React Router is
# not told: the page stays the link's page until the customer goes elsewhere.
AT_PORTAL = "window.history.replaceState(window.history.state, '', '/portal')"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SessionLinkState(rx.State):
    """Redeems the link's token once and opens the portal on the link's page."""

    error: str = ""
    # The link this tab redeemed (a digest): the page's on_load runs again when the socket
    # reconnects or the language changes, and must not spend the link twice.
    _redeemed: str = ""

    @rx.event
    async def redeem(self):
        """Exchange the token in the URL for a session kept server-side, and read the portal
        home in the same event: the page shows it after one round trip."""
        token = str(self.router.url.path).rstrip("/").rsplit("/", 1)[-1]
        portal = await self.get_state(PortalState)
        if self._redeemed and self._redeemed == _digest(token):
            # This tab's own link: read the home again (the session is re-checked there);
            # the cookie's binding was asked for when the tab redeemed it.
            home = _as_list(await portal.fill())
            yield [*home, rx.call_script(f"{MARK_BOUND}; {AT_PORTAL}"), PortalState.watch]
            return
        try:
            session_id = await in_session(lambda db: redeem_link(session=db, token=token).id)
        except SessionError as exc:
            self.error = user_message(exc, await locale_of(self))
            return
        self._redeemed = _digest(token)
        self.error = ""
        customer = await self.get_state(CustomerSessionState)
        (await self.get_state(I18nState)).forget_choice()
        # Bound to this tab's connection now. Sent before the home is read, so the browser
        # asks for the cookie while the server reads; the rows show once it has answered
        # (the binding's script marks the page, see `_start_session`).
        yield customer._start_session(session_id)
        home = _as_list(await portal.fill())
        yield [*home, rx.call_script(AT_PORTAL), PortalState.watch]


def _as_list(events: object) -> list:
    """A handler's follow-ups (None, one, or a list) as a list."""
    if events is None:
        return []
    return list(events) if isinstance(events, list) else [events]
