"""The dashboard's embed page: which of the merchant's origins may frame the portal."""

import reflex as rx
from reflex_base.event import EventSpec
from sqlmodel import Session

from portal_app.i18n.catalog import gettext
from portal_app.services.configuration_document import ConfigurationError
from portal_app.services.configuration_views import ConfigurationView, view_of
from portal_app.services.configurations import default_configuration, update_configuration
from portal_app.services.off_loop import in_session
from portal_app.settings import get_settings
from portal_app.state.dashboard_auth import merchant_only
from portal_app.state.dashboard_configuration_form import field_error
from portal_app.state.i18n import locale_of

SNIPPET = """<div id="billing-portal"></div>
<script src="{portal}/portal-embed.js"></script>
<script>
  // sessionUrl: the `url` of a session your backend created with
  // POST {portal}/v1/billing_portal/sessions
  PortalEmbed.mount("#billing-portal", sessionUrl, {{
    onEvent: (message) => console.log(message.type, message),
  }});
</script>"""


class DashboardEmbedState(rx.State):
    """The default configuration's allowed origins, one per line, and the snippet to copy."""

    origins: str = ""
    error: str = ""
    notice: str = ""

    @rx.var
    def snippet(self) -> str:
        """The embed code for this portal's address."""
        return SNIPPET.format(portal=get_settings().public_url.rstrip("/"))

    @rx.event
    @merchant_only
    async def load(self) -> EventSpec | None:
        """Page load: the current origins."""
        self.error = self.notice = ""
        config = await in_session(lambda db: default_configuration(session=db))
        if config is None:
            locale = await locale_of(self)
            self.error = gettext("Create a portal configuration first.", locale=locale)
            return None
        self.origins = "\n".join(view_of(config).embed.allowed_origins)
        return None

    @rx.event
    @merchant_only
    async def save(self, form_data: dict) -> EventSpec | None:
        """Store the origins (validated: scheme, host, optional port, nothing else)."""
        raw = form_data.get("origins", "") if isinstance(form_data, dict) else ""
        text = raw[:2000] if isinstance(raw, str) else ""
        locale = await locale_of(self)
        self.error = self.notice = ""

        def store(db: Session) -> ConfigurationView | None:
            config = default_configuration(session=db)
            if config is None:
                return None
            return update_configuration(
                session=db, configuration_id=config.id, fields={"embed": {"allowed_origins": text}}
            )

        try:
            view = await in_session(store)
        except ConfigurationError as exc:
            self.origins = text
            self.error = field_error(exc)[1].render(locale)
            return None
        if view is None:
            self.error = gettext("Create a portal configuration first.", locale=locale)
            return None
        self.origins = "\n".join(view.embed.allowed_origins)
        self.notice = gettext("Saved. New portal pages use these origins at once.", locale=locale)
        return None

    @rx.event
    @merchant_only
    async def copy_snippet(self) -> EventSpec | None:
        """Put the embed code on the clipboard."""
        self.notice = gettext("Copied.", locale=await locale_of(self))
        return rx.set_clipboard(self.snippet)
