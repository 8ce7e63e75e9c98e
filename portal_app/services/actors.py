"""Who is acting in a customer portal event, re-read from the database for that event."""

from typing import Any

from sqlmodel import Session

from portal_app.auth.portal_sessions import SessionError, active_session
from portal_app.i18n.text import Text
from portal_app.models.configuration import PortalConfiguration
from portal_app.models.portal_session import PortalSession
from portal_app.services.customer_actions import Actor
from portal_app.services.portal_view import features_of


def live_configuration(session: Session, portal_session: PortalSession) -> PortalConfiguration:
    """The session's configuration, or SessionError when the merchant turned it off."""
    config = session.get(PortalConfiguration, portal_session.configuration_id)
    if config is None or not config.active:
        raise SessionError(Text("This portal is not available right now."))
    return config


def actor_for(session: Session, session_id: str, locale: str = "en") -> Actor:
    """The live session's actor (idle timer reset), or SessionError when it is over."""
    portal_session = active_session(session=session, session_id=session_id)
    config = live_configuration(session, portal_session)
    return Actor(
        session_id=portal_session.id,
        customer=portal_session.customer,
        features=features_of(config),
        configuration_id=config.id,
        locale=locale,
    )


def portal_session_of(session: Session, actor: Actor) -> PortalSession:
    """The actor's portal session row (`actor_for` checked it is live in this DB session)."""
    row = session.get(PortalSession, actor.session_id)
    if row is None:
        raise SessionError(Text("Your session has ended. Please sign in again."))
    return row


def flow_of(session: Session, actor: Actor) -> dict[str, Any] | None:
    """The deep-link flow the actor's session was created with, if any."""
    return portal_session_of(session, actor).flow
