"""Arriving through a portal-session link from the merchant's app."""

import asyncio

import reflex as rx

from portal_app.auth.portal_sessions import SessionError, redeem_link
from portal_app.db import session_scope
from portal_app.i18n.text import user_message
from portal_app.state.customer_session import CustomerSessionState
from portal_app.state.i18n import I18nState, locale_of


def _redeem(token: str) -> str:
    """The session the link's token opens (run off the event loop)."""
    with session_scope() as db:
        return redeem_link(session=db, token=token).id


class SessionLinkState(rx.State):
    """Redeems the link's token once and moves the tab into the portal."""

    error: str = ""

    @rx.event
    async def redeem(self):
        """Exchange the token in the URL for a session kept server-side, then open the portal."""
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
        # The portal page's on_load (`PortalState.load`) reads the home. Reading it here, in
        # the same event, saved a round trip but left a French tab with English labels (the
        # language's catalogue did not survive the redirect): the e2e i18n test caught it.
        return [bind, rx.redirect("/portal", replace=True)]
