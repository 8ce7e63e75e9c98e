"""The dashboard's email page: the sender, which emails go out, and the outbox."""

from dataclasses import asdict, dataclass
from typing import Any

import reflex as rx
from reflex_base.event import EventSpec
from sqlmodel import Session

from portal_app.i18n.catalog import N_, gettext, ngettext
from portal_app.i18n.format import utc_moment
from portal_app.i18n.text import user_message
from portal_app.models.email import OutboxEmail
from portal_app.services.email import (
    EmailSettingsError,
    email_settings,
    recent_emails,
    update_email_settings,
)
from portal_app.services.email_templates import (
    LOGIN_CODE,
    PAYMENT_METHOD_UPDATED,
    SUBSCRIPTION_CANCELED,
    SUBSCRIPTION_UPDATED,
)
from portal_app.services.off_loop import in_session
from portal_app.settings import get_settings
from portal_app.state.dashboard_auth import merchant_only
from portal_app.state.i18n import locale_of

MAX_FIELD = 320
KIND_LABELS = {
    LOGIN_CODE: N_("Login code"),
    SUBSCRIPTION_UPDATED: N_("Plan change"),
    SUBSCRIPTION_CANCELED: N_("Cancellation"),
    PAYMENT_METHOD_UPDATED: N_("Payment method change"),
}
STATUS_LABELS = {"queued": N_("Queued"), "sent": N_("Sent"), "expired": N_("Expired")}


@dataclass
class EmailSettingsForm:
    """The settings form's values."""

    sender_name: str = ""
    sender_address: str = ""
    send_subscription_updated: bool = False
    send_subscription_canceled: bool = False
    send_payment_method_updated: bool = False


@dataclass
class OutboxRow:
    """One message as the outbox table shows it."""

    id: str = ""
    created: str = ""
    kind: str = ""
    recipient: str = ""
    subject: str = ""
    status: str = ""
    status_label: str = ""
    last_error: str = ""
    body: str = ""


def outbox_rows(
    messages: list[OutboxEmail], locale: str, *, with_body: bool = False
) -> list[OutboxRow]:
    """Plain rows for the browser, labelled in `locale` (shared with the development outbox
    page, the only one `with_body`: a login code is in the body, never in the subject). The
    subject is the email's own, and the SMTP error is the mail server's wording."""
    return [
        OutboxRow(
            id=m.id,
            created=utc_moment(m.created, locale),
            kind=gettext(KIND_LABELS[m.kind], locale=locale) if m.kind in KIND_LABELS else m.kind,
            recipient=m.to_address,
            subject=m.subject,
            status=m.status,
            status_label=_status_label(m, locale),
            last_error=m.last_error,
            body=m.text_body if with_body else "",
        )
        for m in messages
    ]


def _status_label(message: OutboxEmail, locale: str) -> str:
    if message.status == "queued" and get_settings().outbox_mode:
        return gettext("In outbox (no SMTP)", locale=locale)
    if message.status == "queued" and message.attempts:
        # Translators: an outbox email's status; the same English for one failure and many.
        return ngettext(
            "Retrying ({count} failed)",
            "Retrying ({count} failed)",
            message.attempts,
            locale=locale,
        )
    if message.status == "failed":
        return ngettext(
            "Failed after {count} attempt",
            "Failed after {count} attempts",
            message.attempts,
            locale=locale,
        )
    if message.status in STATUS_LABELS:
        return gettext(STATUS_LABELS[message.status], locale=locale)
    return message.status


class DashboardEmailState(rx.State):
    """The settings form and the newest messages."""

    form: EmailSettingsForm = EmailSettingsForm()
    form_version: int = 0
    errors: dict[str, str] = {}
    notice: str = ""
    outbox_mode: bool = True
    messages: list[OutboxRow] = []

    @rx.event
    @merchant_only
    async def load(self) -> EventSpec | None:
        """Page load: the settings and the outbox."""
        self.errors = {}
        self.notice = ""
        locale = await locale_of(self)

        def read(db: Session) -> tuple[EmailSettingsForm, list[OutboxRow]]:
            form = EmailSettingsForm(**asdict(email_settings(session=db)))
            return form, outbox_rows(recent_emails(session=db), locale)

        self.form, self.messages = await in_session(read)
        self.outbox_mode = get_settings().outbox_mode
        self.form_version += 1
        return None

    @rx.event
    @merchant_only
    async def refresh(self) -> EventSpec | None:
        """Reload the outbox table."""
        locale = await locale_of(self)
        self.messages = await in_session(lambda db: outbox_rows(recent_emails(session=db), locale))
        return None

    @rx.event
    @merchant_only
    async def save(self, form_data: dict[str, Any]) -> EventSpec | None:
        """Validate and store the settings; errors appear next to their fields."""
        locale = await locale_of(self)
        name, address = form_data.get("sender_name"), form_data.get("sender_address")
        try:
            saved = await in_session(
                lambda db: update_email_settings(
                    session=db,
                    sender_name=name[:MAX_FIELD] if isinstance(name, str) else "",
                    sender_address=address[:MAX_FIELD] if isinstance(address, str) else "",
                    # An HTML checkbox submits "on" when ticked and nothing otherwise.
                    send_subscription_updated=form_data.get("send_subscription_updated") == "on",
                    send_subscription_canceled=form_data.get("send_subscription_canceled") == "on",
                    send_payment_method_updated=(
                        form_data.get("send_payment_method_updated") == "on"
                    ),
                )
            )
        except EmailSettingsError as exc:
            self.errors = {exc.field: user_message(exc, locale)}
            self.notice = ""
            return None
        self.form = EmailSettingsForm(**asdict(saved))
        self.form_version += 1
        self.errors = {}
        self.notice = gettext("Saved.", locale=locale)
        return None
