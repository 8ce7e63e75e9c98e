"""The signed-in customer: a backend-only session id, re-validated by every handler."""

from typing import Any

import reflex as rx
from sqlmodel import Session

from portal_app.auth.portal_sessions import SessionError, active_session
from portal_app.billing.errors import BillingError
from portal_app.i18n.text import Text
from portal_app.models.configuration import PortalConfiguration
from portal_app.models.portal_session import PortalSession
from portal_app.services.customer_actions import ActionRefused, Actor
from portal_app.services.portal_view import features_of

# What a customer action may end in, each with a message fit to show: the session is over,
# the portal refuses, or Stripe refused or failed.
CUSTOMER_ERRORS = (SessionError, ActionRefused, BillingError)


class CustomerSessionState(rx.State):
    """Holds which portal session this browser tab is in; never sent to the browser."""

    _session_id: str = ""
    _locale: str = "en"  # set by I18nState; server-made text and emails use it

    def _portal_session(self, db: Session) -> PortalSession:
        """The live session for this tab (idle timer reset), or SessionError."""
        return active_session(session=db, session_id=self._session_id)

    @staticmethod
    def _configuration(db: Session, portal_session: PortalSession) -> PortalConfiguration:
        config = db.get(PortalConfiguration, portal_session.configuration_id)
        if config is None or not config.active:
            raise SessionError(Text("This portal is not available right now."))
        return config

    def _flow(self, db: Session) -> dict[str, Any] | None:
        """The deep-link flow the session was created with, if any."""
        return self._portal_session(db).flow

    def _actor(self, db: Session) -> Actor:
        """Who is acting and what they may do, re-read from the database for this event."""
        portal_session = self._portal_session(db)
        config = self._configuration(db, portal_session)
        return Actor(
            session_id=portal_session.id,
            customer=portal_session.customer,
            features=features_of(config),
            configuration_id=config.id,
            locale=self._locale,
        )


async def locale_of(state: rx.State) -> str:
    """The tab's locale, for the text a handler makes (notices, errors)."""
    return (await state.get_state(CustomerSessionState))._locale
