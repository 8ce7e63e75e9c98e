"""The development outbox: queued messages with their bodies, for a signed-in merchant, only
with `PORTAL_DEV_OUTBOX=true`, in sandbox mode and without an SMTP server."""

import reflex as rx
from reflex_base.event import EventSpec

from portal_app.services.email import recent_emails
from portal_app.services.off_loop import in_session
from portal_app.settings import get_settings
from portal_app.state.dashboard_auth import merchant_only
from portal_app.state.dashboard_email import OutboxRow, outbox_rows
from portal_app.state.i18n import locale_of


def outbox_enabled() -> bool:
    """The explicit development flag is set, with the sandbox, and email stays in the outbox."""
    settings = get_settings()
    return settings.dev_outbox and settings.sandbox_mode and settings.outbox_mode


class DevOutboxState(rx.State):
    """The newest messages, or nothing at all when the outbox is not enabled."""

    available: bool = False
    messages: list[OutboxRow] = []

    @rx.event
    @merchant_only
    async def load(self) -> EventSpec | None:
        """Page load (and refresh): checked on every call, since any client may call it; the
        bodies hold login codes, so only a signed-in merchant reads them."""
        self.available = False
        self.messages = []
        if not outbox_enabled():
            return None
        locale = await locale_of(self)
        self.messages = await in_session(
            lambda db: outbox_rows(recent_emails(session=db), locale, with_body=True)
        )
        self.available = True
        return None
