"""Queue the portal's emails in the outbox, and the merchant's email settings.

Queueing happens in the caller's transaction, so a change and its email commit together;
delivery by SMTP is a separate step (`email_delivery`).
"""

import logging
from dataclasses import dataclass
from datetime import datetime
from email.utils import formataddr
from urllib.parse import urlparse

from sqlmodel import Session, col, select

from portal_app.i18n.text import Plural, Text
from portal_app.models.base import utcnow
from portal_app.models.configuration import PortalConfiguration
from portal_app.models.email import EmailSettings, OutboxEmail
from portal_app.rules.email_address import EmailAddressInvalid, email_address
from portal_app.rules.text import CONTROL_CHARACTERS, has_control_characters
from portal_app.services.branding import BrandView, brand_for
from portal_app.services.email_templates import (
    LOGIN_CODE,
    PAYMENT_METHOD_UPDATED,
    SUBSCRIPTION_CANCELED,
    SUBSCRIPTION_UPDATED,
    RenderedEmail,
)
from portal_app.settings import get_settings

log = logging.getLogger(__name__)

OPTIONAL_KINDS = {
    SUBSCRIPTION_UPDATED: "send_subscription_updated",
    SUBSCRIPTION_CANCELED: "send_subscription_canceled",
    PAYMENT_METHOD_UPDATED: "send_payment_method_updated",
}
MAX_SENDER_NAME = 100


class EmailSettingsError(Exception):
    """A refusal to save the email settings (a `Text`), with the field it concerns."""

    def __init__(self, message: Text, *, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class EmailSettingsView:
    """The settings as the dashboard shows them."""

    sender_name: str
    sender_address: str
    send_subscription_updated: bool
    send_subscription_canceled: bool
    send_payment_method_updated: bool


def queue_email(
    *,
    session: Session,
    kind: str,
    to: str,
    subject: str,
    text: str,
    html: str = "",
    expires_at: datetime | None = None,
) -> OutboxEmail:
    """Store a message in the outbox, in the caller's transaction, so it is never lost.

    A message worthless when late (a login code) passes `expires_at`: it is not sent after.
    """
    message = OutboxEmail(
        kind=kind,
        to_address=to,
        subject=subject,
        text_body=text,
        html_body=html,
        expires_at=expires_at,
    )
    session.add(message)
    session.flush()
    if get_settings().outbox_mode:
        # The subject may hold a login code, so only the kind and recipient are logged.
        log.info("no SMTP host set: %s email to %s kept in the outbox", kind, to)
    else:
        log.info("queued %s email %s", kind, message.id)
    return message


def queue_rendered(
    *,
    session: Session,
    kind: str,
    to: str,
    email: RenderedEmail,
    expires_at: datetime | None = None,
) -> OutboxEmail | None:
    """Queue a rendered template when the merchant's settings send this kind (else None)."""
    if not should_send(session=session, kind=kind):
        return None
    return queue_email(
        session=session,
        kind=kind,
        to=to,
        subject=email.subject,
        text=email.text,
        html=email.html,
        expires_at=expires_at,
    )


def should_send(*, session: Session, kind: str) -> bool:
    """Whether emails of `kind` go out: login codes always, confirmations as configured."""
    if kind == LOGIN_CODE:
        return True
    if kind not in OPTIONAL_KINDS:
        raise ValueError(f"unknown email kind {kind!r}")
    return bool(getattr(_settings_row(session), OPTIONAL_KINDS[kind]))


def configuration_brand(*, session: Session, configuration_id: str | None) -> BrandView:
    """The brand an email carries: its configuration's, else the default configuration's."""
    config = session.get(PortalConfiguration, configuration_id) if configuration_id else None
    if config is None:
        config = session.exec(
            select(PortalConfiguration).where(col(PortalConfiguration.is_default))
        ).first()
    return brand_for(config)


def email_settings(*, session: Session) -> EmailSettingsView:
    """The stored settings, with the sender shown as it would be used."""
    row = _settings_row(session)
    name, address = sender(session=session)
    return EmailSettingsView(
        sender_name=row.sender_name or name,
        sender_address=row.sender_address or address,
        send_subscription_updated=row.send_subscription_updated,
        send_subscription_canceled=row.send_subscription_canceled,
        send_payment_method_updated=row.send_payment_method_updated,
    )


def update_email_settings(
    *,
    session: Session,
    sender_name: str,
    sender_address: str,
    send_subscription_updated: bool,
    send_subscription_canceled: bool,
    send_payment_method_updated: bool,
) -> EmailSettingsView:
    """Validate and store the settings; raises EmailSettingsError naming the bad field."""
    name = sender_name.strip()
    if has_control_characters(name):
        raise EmailSettingsError(CONTROL_CHARACTERS, field="sender_name")
    if not name or len(name) > MAX_SENDER_NAME:
        raise EmailSettingsError(
            Plural(
                "Enter a sender name of 1 to {count} character.",
                "Enter a sender name of 1 to {count} characters.",
                MAX_SENDER_NAME,
            ),
            field="sender_name",
        )
    try:
        address = email_address(sender_address)
    except EmailAddressInvalid as exc:
        raise EmailSettingsError(
            Text("Enter a valid sender address ({reason}).", reason=exc.reason),
            field="sender_address",
        ) from exc
    row = _settings_row(session)
    row.sender_name = name
    row.sender_address = address
    row.send_subscription_updated = send_subscription_updated
    row.send_subscription_canceled = send_subscription_canceled
    row.send_payment_method_updated = send_payment_method_updated
    row.updated = utcnow()
    session.add(row)
    session.flush()
    return email_settings(session=session)


def sender(*, session: Session) -> tuple[str, str]:
    """The From name and address: the merchant's, else the business name and a no-reply one."""
    row = _settings_row(session)
    name = (
        row.sender_name or configuration_brand(session=session, configuration_id=None).business_name
    )
    return name, row.sender_address or _fallback_address()


def from_header(*, session: Session) -> str:
    """The From header value."""
    return formataddr(sender(session=session))


def recent_emails(*, session: Session, limit: int = 50) -> list[OutboxEmail]:
    """The newest messages first, for the dashboard and the development outbox."""
    return list(
        session.exec(select(OutboxEmail).order_by(col(OutboxEmail.created).desc()).limit(limit))
    )


def _settings_row(session: Session) -> EmailSettings:
    return session.get(EmailSettings, "default") or EmailSettings()


def _fallback_address() -> str:
    settings = get_settings()
    if settings.smtp_username and "@" in settings.smtp_username:
        return settings.smtp_username
    return f"no-reply@{urlparse(settings.public_url).hostname or 'localhost'}"
