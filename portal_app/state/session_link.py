"""Arriving through a portal-session link from the merchant's app."""

import asyncio

import reflex as rx

from portal_app.auth.portal_sessions import SessionError, redeem_link
from portal_app.db import session_scope
from portal_app.i18n.text import user_message
from portal_app.state.customer_session import CustomerSessionState
from portal_app.state.i18n import I18nState, locale_of
from portal_app.state.portal import PortalState


def _redeem(token: str) -> str:
    """The session the link's token opens (run off the event loop)."""
    with session_scope() as db:
        return redeem_link(session=db, token=token).id


class SessionLinkState(rx.State):
    """Redeems the link's token once and moves the tab into the portal."""

    error: str = ""

    @rx.event
    async def redeem(self):
        """Exchange the token in the URL for a session kept server-side, then open the portal.

        The home page is read in this same event, so its rows reach the browser with the
        redirect: the portal shows after one round trip, not two."""
        token = str(self.router.url.path).rstrip("/").rsplit("/", 1)[-1]
        try:
            session_id = await asyncio.to_thread(_redeem, token)
        except SessionError as exc:
            self.error = user_message(exc, await locale_of(self))
            return None
        customer = await self.get_state(CustomerSessionState)
        bind = customer._start_session(session_id)
        (await self.get_state(I18nState)).forget_choice()
        self.error = ""
        portal = await self.get_state(PortalState)
        language = await portal.preload()
        # The cookie's binding first, as before the home came with this event: sent ahead
        # of the redirect it holds the browser's queue for two requests (a `call_script`
        # with a callback), but the redirect first left the e2e test of changes shown in
        # every open tab failing about half the time. The portal page's on_load opens a
        # deep-link flow, as it did when the page loaded itself.
        return [bind, *language, rx.redirect("/portal", replace=True)]
