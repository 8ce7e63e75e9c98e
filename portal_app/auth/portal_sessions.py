"""Create, redeem, validate and end portal sessions.

The link token (256 bits) is shown once, in the session URL, and stored only as a SHA-256
hash. Redeeming it is allowed once and within `LINK_TTL`; the session then lives until
`IDLE_TTL` after the last activity, and at most `PORTAL_SESSION_MAX_HOURS` (12 by default)
after it was created. Reflex state keeps only the session id, server-side.
"""

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, TypeVar

from sqlmodel import Session, select

from portal_app.i18n.text import Text
from portal_app.models.portal_session import PortalSession
from portal_app.settings import get_settings

LINK_TTL = timedelta(minutes=5)
IDLE_TTL = timedelta(hours=1)
ACTIVITY_RESOLUTION = timedelta(minutes=1)


class SessionError(Exception):
    """The link or session cannot be used; the message (a `Text`) is fit to show the customer."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(moment: datetime) -> datetime:
    # SQLite returns naive datetimes; every stored value is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def create_session(
    *,
    session: Session,
    customer: str,
    configuration_id: str,
    locale: str | None = None,
    return_url: str | None = None,
    flow: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> tuple[PortalSession, str]:
    """A new session and its one-time link token (the token is not stored)."""
    now = now or datetime.now(UTC)
    token = secrets.token_urlsafe(32)
    row = PortalSession(
        customer=customer,
        configuration_id=configuration_id,
        locale=locale,
        return_url=return_url,
        flow=flow,
        token_hash=_hash(token),
        created=now,
        link_expires_at=now + LINK_TTL,
    )
    session.add(row)
    session.flush()
    return row, token


def start_code_session(
    *, session: Session, customer: str, configuration_id: str, now: datetime | None = None
) -> PortalSession:
    """A session started by a verified email code: already redeemed, no link."""
    now = now or datetime.now(UTC)
    row = PortalSession(
        customer=customer,
        configuration_id=configuration_id,
        login_method="email_code",
        created=now,
        link_expires_at=now,
        redeemed_at=now,
        last_activity_at=now,
    )
    session.add(row)
    session.flush()
    return row


def redeem_link(*, session: Session, token: str, now: datetime | None = None) -> PortalSession:
    """Exchange a link token for its session, once, within the link's lifetime."""
    now = now or datetime.now(UTC)
    if not token or len(token) > 128:
        raise SessionError(Text("This link is not valid."))
    digest = _hash(token)
    row = session.exec(select(PortalSession).where(PortalSession.token_hash == digest)).first()
    if row is None or not hmac.compare_digest(row.token_hash or "", digest):
        raise SessionError(Text("This link is not valid."))
    if row.redeemed_at is not None or row.ended_at is not None:
        raise SessionError(Text("This link has already been used. Ask for a new one."))
    if now > _aware(row.link_expires_at):
        raise SessionError(Text("This link has expired. Ask for a new one."))
    row.redeemed_at = now
    row.last_activity_at = now
    session.add(row)
    session.flush()
    return row


def active_session(
    *, session: Session, session_id: str | None, now: datetime | None = None
) -> PortalSession:
    """The live session with this id, its idle timer reset; raises when it is over."""
    now = now or datetime.now(UTC)
    row = live(session.get(PortalSession, session_id) if session_id else None, now)
    if activity_due(row, now):
        row.last_activity_at = now
        session.add(row)
        session.flush()
    return row


class SessionTimes(Protocol):
    """What decides whether a session is live: a row, or just its columns."""

    @property
    def created(self) -> datetime: ...

    @property
    def redeemed_at(self) -> datetime | None: ...

    @property
    def last_activity_at(self) -> datetime | None: ...

    @property
    def ended_at(self) -> datetime | None: ...


Timed = TypeVar("Timed", bound=SessionTimes)


def live(row: Timed | None, now: datetime) -> Timed:
    """The session if it is live; SessionError when it is missing, ended or expired."""
    if row is None or row.redeemed_at is None or row.ended_at is not None:
        raise SessionError(Text("Your session has ended. Please sign in again."))
    last = _aware(row.last_activity_at or row.redeemed_at)
    # However active, a session ends `PORTAL_SESSION_MAX_HOURS` after it started.
    too_old = now - _aware(row.created) > timedelta(hours=get_settings().session_max_hours)
    if now - last > IDLE_TTL or too_old:
        raise SessionError(Text("Your session has expired. Please sign in again."))
    return row


def activity_due(row: SessionTimes, now: datetime) -> bool:
    """Whether a live session's idle timer needs a write: every click would otherwise be a
    database write, and a minute's precision is plenty for a one-hour idle limit."""
    return now - _aware(row.last_activity_at or row.redeemed_at or now) >= ACTIVITY_RESOLUTION


def end_session(*, session: Session, session_id: str | None, now: datetime | None = None) -> None:
    """Log out: the session can no longer be used."""
    if not session_id:
        return
    row = session.get(PortalSession, session_id)
    if row is not None and row.ended_at is None:
        row.ended_at = now or datetime.now(UTC)
        session.add(row)
        session.flush()


def configuration_for_link(*, session: Session, token: str) -> str | None:
    """The configuration id of the session a link token opens (without redeeming it)."""
    if not token or len(token) > 128:
        return None
    row = session.exec(
        select(PortalSession).where(PortalSession.token_hash == _hash(token))
    ).first()
    return row.configuration_id if row is not None else None
