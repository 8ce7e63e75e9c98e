"""The development outbox: every queued message, readable without SMTP, in sandbox mode only."""

import reflex as rx

from portal_app.db import session_scope
from portal_app.services.email import recent_emails
from portal_app.settings import get_settings
from portal_app.state.customer_session import locale_of
from portal_app.state.dashboard_email import OutboxRow, outbox_rows


class DevOutboxState(rx.State):
    """The newest messages, or nothing at all when a real Stripe key is set."""

    available: bool = False
    messages: list[OutboxRow] = []

    @rx.event
    async def load(self) -> None:
        """Page load (and refresh): checked on every call, since any client may call it."""
        # With a real Stripe key the messages go to real customers: never show them here.
        self.available = get_settings().sandbox_mode
        if not self.available:
            self.messages = []
            return
        locale = await locale_of(self)
        with session_scope() as session:
            self.messages = outbox_rows(recent_emails(session=session), locale)
