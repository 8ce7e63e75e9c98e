"""Sending queued emails by SMTP, with retries; safe with several workers on one database.

A worker claims due messages with one conditional UPDATE (as the sandbox's webhook delivery
does), so two workers never send the same message; a crashed worker's claim lapses.
"""

import asyncio
import logging
import secrets
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.errors import MessageError
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from sqlalchemy import or_, update
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from portal_app.db import get_engine
from portal_app.models.base import utcnow
from portal_app.models.email import OutboxEmail
from portal_app.services.email import from_header
from portal_app.settings import Settings, get_settings

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=1)
CLAIM_FOR = timedelta(minutes=5)
BATCH_SIZE = 20
SMTP_TIMEOUT_SECONDS = 30.0
LOOP_INTERVAL_SECONDS = 5.0
IMPLICIT_TLS_PORT = 465


@dataclass(frozen=True)
class SmtpServer:
    """Where and how to send, from the `PORTAL_SMTP_*` settings."""

    host: str
    port: int
    username: str | None
    password: str | None
    tls: bool

    @classmethod
    def from_settings(cls, settings: Settings) -> "SmtpServer | None":
        """The configured server, or None in outbox mode."""
        if settings.smtp_host is None:
            return None
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username or None,
            password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
            tls=settings.smtp_tls,
        )


@dataclass(frozen=True)
class DeliveryResult:
    """What one pass did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    expired: int = 0


def retry_delay(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failure: 1 min, 2, 4, ... up to 1 hour."""
    return min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_RETRY)


def send_now(*, now: datetime | None = None) -> DeliveryResult:
    """Send every message due at `now`, in this thread (the loop runs it off the event loop)."""
    server = SmtpServer.from_settings(get_settings())
    if server is None:
        return DeliveryResult()
    now = now or utcnow()
    counts = {"sent": 0, "retrying": 0, "failed": 0, "expired": 0}
    for message_id in _claim(now=now):
        counts[_deliver(server, message_id, now=now)] += 1
    return DeliveryResult(**counts)


async def delivery_loop() -> None:
    """Run in the app's lifespan: send due messages every few seconds while SMTP is set."""
    if get_settings().outbox_mode:
        log.info("no SMTP host set (PORTAL_SMTP_HOST): emails stay in the outbox")
        return
    while True:
        try:
            await asyncio.to_thread(send_now)
        except SQLAlchemyError as exc:
            # The database may be briefly unavailable; the next pass picks the work up again.
            log.warning("email delivery pass failed: %s", exc)
        await asyncio.sleep(LOOP_INTERVAL_SECONDS)


def _claim(*, now: datetime) -> list[str]:
    token = secrets.token_hex(8)
    with Session(get_engine()) as session:
        due = (
            select(OutboxEmail.id)
            .where(
                OutboxEmail.status == "queued",
                col(OutboxEmail.next_attempt_at) <= now,
                or_(col(OutboxEmail.claimed_until).is_(None), col(OutboxEmail.claimed_until) < now),
            )
            .order_by(col(OutboxEmail.next_attempt_at))
            .limit(BATCH_SIZE)
        )
        # The conditional update is the claim: a row another worker took first is skipped.
        session.execute(
            update(OutboxEmail)
            .where(
                col(OutboxEmail.id).in_(list(session.exec(due))),
                col(OutboxEmail.status) == "queued",
                or_(col(OutboxEmail.claimed_until).is_(None), col(OutboxEmail.claimed_until) < now),
            )
            .values(claimed_until=now + CLAIM_FOR, claim_token=token)
        )
        session.commit()
        claimed = select(OutboxEmail.id).where(OutboxEmail.claim_token == token)
        return list(session.exec(claimed.order_by(col(OutboxEmail.next_attempt_at))))


def _deliver(server: SmtpServer, message_id: str, *, now: datetime) -> str:
    """Send one claimed message and record the outcome; returns which count it adds to."""
    # No transaction stays open during the SMTP conversation (SQLite would refuse the later
    # write if another worker had written meanwhile).
    with Session(get_engine(), expire_on_commit=False) as session:
        message = session.get_one(OutboxEmail, message_id)
        sender = from_header(session=session)
    error: str | None = None
    unsendable: str | None = None
    expired = message.expires_at is not None and message.expires_at <= now
    if not expired:
        try:
            _send(server, _compose(message, sender=sender))
        except (smtplib.SMTPException, OSError) as exc:
            error = f"{type(exc).__name__}: {exc}"
        except (ValueError, TypeError, MessageError) as exc:
            # A header that cannot be written (a line break in a name saved before names were
            # checked) or an address SMTP cannot carry: no retry helps, the others still go.
            unsendable = f"{type(exc).__name__}: {exc}"
    with Session(get_engine()) as session:
        message = session.get_one(OutboxEmail, message_id)
        if expired:
            message.status = "expired"
            log.info("%s email %s expired before it could be sent", message.kind, message.id)
        elif unsendable is not None:
            message.status = "failed"
            message.attempts += 1
            message.last_error = unsendable[:500]
            log.warning("%s email %s cannot be sent: %s", message.kind, message.id, unsendable)
        elif error is not None:
            _record_failure(message, error, now=now)
        else:
            message.status = "sent"
            message.sent_at = now
            message.last_error = ""
            message.attempts += 1
            log.info("sent %s email %s", message.kind, message.id)
        message.claimed_until = None
        message.claim_token = None
        session.add(message)
        session.commit()
        return "retrying" if message.status == "queued" else message.status


def _record_failure(message: OutboxEmail, error: str, *, now: datetime) -> None:
    message.attempts += 1
    message.last_error = error[:500]
    # A refusal by a remote server is not the portal's error: WARNING, never ERROR.
    if message.attempts >= MAX_ATTEMPTS:
        message.status = "failed"
        log.warning(
            "%s email %s failed after %d attempts: %s",
            message.kind,
            message.id,
            message.attempts,
            message.last_error,
        )
        return
    message.next_attempt_at = now + retry_delay(message.attempts)
    log.warning(
        "%s email %s not sent (attempt %d), retrying at %s: %s",
        message.kind,
        message.id,
        message.attempts,
        message.next_attempt_at.isoformat(),
        message.last_error,
    )


def _compose(message: OutboxEmail, *, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["Subject"] = message.subject
    email["From"] = sender
    email["To"] = message.to_address
    email["Date"] = format_datetime(message.created)
    email["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2] or None)
    # Asks auto-responders (out-of-office replies) not to answer.
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(message.text_body)
    if message.html_body:
        email.add_alternative(message.html_body, subtype="html")
    return email


def _send(server: SmtpServer, email: EmailMessage) -> None:
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if server.port == IMPLICIT_TLS_PORT:
        smtp = smtplib.SMTP_SSL(
            server.host, server.port, timeout=SMTP_TIMEOUT_SECONDS, context=context
        )
    else:
        smtp = smtplib.SMTP(server.host, server.port, timeout=SMTP_TIMEOUT_SECONDS)
    with smtp:
        smtp.ehlo()
        encrypted = server.port == IMPLICIT_TLS_PORT
        if server.tls and not encrypted and smtp.has_extn("starttls"):
            smtp.starttls(context=context)
            smtp.ehlo()
            encrypted = True
        if server.username:
            if server.tls and not encrypted:
                raise smtplib.SMTPNotSupportedError(
                    "the server offers no STARTTLS; the password is not sent unencrypted "
                    "(set PORTAL_SMTP_TLS=false to allow it)"
                )
            smtp.login(server.username, server.password or "")
        smtp.send_message(email)
