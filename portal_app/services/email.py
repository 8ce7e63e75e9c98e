"""Queue the portal's emails in the outbox (delivery by SMTP is a separate step)."""

import logging

from sqlmodel import Session

from portal_app.models.email import OutboxEmail

log = logging.getLogger(__name__)


def queue_email(
    *, session: Session, kind: str, to: str, subject: str, text: str, html: str = ""
) -> OutboxEmail:
    """Store a message in the outbox, in the caller's transaction, so it is never lost."""
    message = OutboxEmail(kind=kind, to_address=to, subject=subject, text_body=text, html_body=html)
    session.add(message)
    session.flush()
    log.info("queued %s email %s", kind, message.id)
    return message
