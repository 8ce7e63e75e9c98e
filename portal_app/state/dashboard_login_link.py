"""The dashboard's login-link page: the no-code link customers use to sign in by email."""

import reflex as rx
from reflex_base.event import EventSpec

from portal_app.i18n.catalog import gettext
from portal_app.services.configuration_document import ConfigurationError
from portal_app.services.configuration_views import view_of
from portal_app.services.configurations import default_configuration, set_login_link
from portal_app.services.off_loop import in_session
from portal_app.state.dashboard_auth import merchant_only
from portal_app.state.dashboard_configuration_form import field_error
from portal_app.state.i18n import locale_of


class DashboardLoginLinkState(rx.State):
    """Whether the link is on, and its URL while it is."""

    enabled: bool = False
    url: str = ""
    error: str = ""
    notice: str = ""

    def _show(self, enabled: bool, url: str | None) -> None:
        self.enabled = enabled
        self.url = url or ""

    @rx.event
    @merchant_only
    async def load(self) -> EventSpec | None:
        """Page load: the default configuration's login page."""
        self.error = self.notice = ""
        config = await in_session(lambda db: default_configuration(session=db))
        if config is None:
            locale = await locale_of(self)
            self.error = gettext("Create a portal configuration first.", locale=locale)
            return None
        page = view_of(config).login_page
        self._show(page.enabled, page.url)
        return None

    async def _switch(self, enabled: bool) -> EventSpec | None:
        locale = await locale_of(self)
        try:
            view = await in_session(lambda db: set_login_link(session=db, enabled=enabled))
        except ConfigurationError as exc:
            self.error = field_error(exc)[1].render(locale)
            return None
        self.error = ""
        self._show(view.login_page.enabled, view.login_page.url)
        self.notice = (
            gettext("The login link is active.", locale=locale)
            if enabled
            else gettext("The login link now answers “not available”.", locale=locale)
        )
        return None

    @rx.event
    @merchant_only
    async def activate(self) -> EventSpec | None:
        """Turn the link on (the same URL as before, if it was on once)."""
        return await self._switch(True)

    @rx.event
    @merchant_only
    async def deactivate(self) -> EventSpec | None:
        """Turn the link off; it stops working at once."""
        return await self._switch(False)

    @rx.event
    @merchant_only
    async def copy_url(self) -> EventSpec | None:
        """Put the link on the clipboard."""
        if not self.url:
            return None
        self.notice = gettext("Copied.", locale=await locale_of(self))
        return rx.set_clipboard(self.url)
