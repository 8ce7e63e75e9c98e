"""Who is acting in a customer portal event, re-read from the database for that event."""

from datetime import UTC, datetime
from typing import Any

import sqlalchemy
from sqlmodel import Session, col

from portal_app.auth.portal_sessions import SessionError, activity_due, live
from portal_app.i18n.text import Text
from portal_app.models.configuration import PortalConfiguration, stored_features
from portal_app.models.portal_session import PortalSession
from portal_app.services.customer_actions import Actor


def live_configuration(session: Session, portal_session: PortalSession) -> PortalConfiguration:
    """The session's configuration, or SessionError when the merchant turned it off."""
    config = session.get(PortalConfiguration, portal_session.configuration_id)
    if config is None or not config.active:
        raise SessionError(Text("This portal is not available right now."))
    return config


# The session's timing columns and its configuration's, in one statement (built once).
_LIVE_SESSION = (
    sqlalchemy.select(
        col(PortalSession.id),
        col(PortalSession.customer),
        col(PortalSession.created),
        col(PortalSession.redeemed_at),
        col(PortalSession.last_activity_at),
        col(PortalSession.ended_at),
        col(PortalConfiguration.id).label("configuration_id"),
        col(PortalConfiguration.active).label("configuration_active"),
        col(PortalConfiguration.features),
        col(PortalConfiguration.terms_of_service_url),
    )
    .outerjoin(PortalConfiguration, col(PortalConfiguration.id) == PortalSession.configuration_id)
    .where(col(PortalSession.id) == sqlalchemy.bindparam("session_id"))
)


def actor_for(session: Session, session_id: str, locale: str = "en") -> Actor:
    """The live session's actor (idle timer reset), or SessionError when it is over.

    The same checks as `active_session` and `live_configuration`, on one Core read of the
    columns they need (an event pays for one statement, not two ORM rows)."""
    now = datetime.now(UTC)
    found = (
        session.connection().execute(_LIVE_SESSION, {"session_id": session_id}).first()
        if session_id
        else None
    )
    row = live(found, now)
    if activity_due(row, now):
        session.connection().execute(
            sqlalchemy.update(PortalSession)
            .where(col(PortalSession.id) == row.id)
            .values(last_activity_at=now)
        )
    if row.configuration_id is None or not row.configuration_active:
        raise SessionError(Text("This portal is not available right now."))
    return Actor(
        session_id=row.id,
        customer=row.customer,
        features=stored_features(row.features),
        configuration_id=row.configuration_id,
        locale=locale,
        terms_of_service_url=row.terms_of_service_url or "",
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
