"""The dashboard's branding page: edit the default configuration's look with a live preview."""

from dataclasses import asdict, dataclass
from typing import Any

import reflex as rx
from reflex_base.event import EventSpec

from portal_app.i18n.catalog import gettext
from portal_app.models.configuration import PortalConfiguration
from portal_app.services.branding import (
    HEX_COLOUR,
    BrandView,
    brand_for,
    button_contrast_warning,
    css_variables,
)
from portal_app.services.configuration_document import ConfigurationError
from portal_app.services.configuration_views import view_of
from portal_app.services.configurations import (
    default_configuration,
    update_configuration,
)
from portal_app.services.off_loop import in_session
from portal_app.state.dashboard_auth import merchant_only
from portal_app.state.dashboard_configuration_form import field_error
from portal_app.state.i18n import locale_of

MAX_FIELD = 2000
_ERROR_FIELDS = {
    "business_name": "business_name",
    "business_profile[headline]": "headline",
    "branding[logo_url]": "logo_url",
    "branding[icon_url]": "icon_url",
    "branding[background_color]": "background_color",
    "branding[button_color]": "button_color",
    "branding[font]": "font",
    "branding[shape]": "shape",
}


@dataclass
class BrandingDraft:
    """The branding form's current values, before they are saved."""

    business_name: str = ""
    headline: str = ""
    logo_url: str = ""
    icon_url: str = ""
    background_color: str = "#ffffff"
    button_color: str = "#0f62fe"
    font: str = "system"
    shape: str = "rounded"


EDITABLE = frozenset(asdict(BrandingDraft()))


class DashboardBrandingState(rx.State):
    """The draft brand, its preview and the contrast warning."""

    _configuration_id: str = ""
    _locale: str = "en"  # the tab's, for the text the computed vars make
    _legal: tuple[str, str, str] = ("", "", "")
    draft: BrandingDraft = BrandingDraft()
    draft_version: int = 0
    errors: dict[str, str] = {}
    notice: str = ""

    @rx.var
    def preview(self) -> BrandView:
        """The portal's brand column as the draft would make it."""
        draft = self.draft
        terms, privacy, return_url = self._legal
        return brand_for(
            PortalConfiguration(
                business_name=draft.business_name or gettext("Your business", locale=self._locale),
                headline=draft.headline,
                logo_url=draft.logo_url if draft.logo_url.startswith("https://") else "",
                terms_of_service_url=terms,
                privacy_policy_url=privacy,
                default_return_url=return_url,
                background_color=_colour_or(draft.background_color, "#ffffff"),
                button_color=_colour_or(draft.button_color, "#0f62fe"),
                font=draft.font,
                shape=draft.shape,
            ),
            locale=self._locale,
        )

    @rx.var
    def preview_style(self) -> dict[str, str]:
        """The preview's brand as the CSS variables the portal shell reads."""
        return css_variables(self.preview)

    @rx.var
    def contrast_warning(self) -> str:
        """A readability warning for the button colour (saving is still allowed)."""
        return button_contrast_warning(self.draft.button_color, self._locale) or ""

    @rx.event
    @merchant_only
    async def load(self) -> EventSpec | None:
        """Page load: the default configuration's brand."""
        self._locale = await locale_of(self)
        self.notice = ""
        self.errors = {}
        config = await in_session(lambda db: default_configuration(session=db))
        if config is None:
            self.errors = {
                "form": gettext("Create a portal configuration first.", locale=self._locale)
            }
            return None
        view = view_of(config)
        self._configuration_id = view.id
        profile = view.business_profile
        self._legal = (
            profile.terms_of_service_url or "",
            profile.privacy_policy_url or "",
            view.default_return_url or "",
        )
        self.draft = BrandingDraft(
            business_name=view.business_name,
            headline=profile.headline or "",
            **view.branding.model_dump(),
        )
        self.draft_version += 1
        return None

    @rx.event
    @merchant_only
    async def set_field(self, name: str, value: str) -> EventSpec | None:
        """Update one draft field as the merchant types (the preview follows)."""
        if name not in EDITABLE or not isinstance(value, str):
            return None
        self._locale = await locale_of(self)
        self.draft = BrandingDraft(**{**asdict(self.draft), name: value[:MAX_FIELD]})
        self.notice = ""
        return None

    @rx.event
    @merchant_only
    async def save(self) -> EventSpec | None:
        """Store the draft on the default configuration; errors appear next to their fields."""
        if not self._configuration_id:
            return None
        self._locale = locale = await locale_of(self)
        draft = self.draft
        fields: dict[str, Any] = {
            "business_name": draft.business_name,
            "business_profile": {"headline": draft.headline},
            "branding": {
                "logo_url": draft.logo_url,
                "icon_url": draft.icon_url,
                "background_color": draft.background_color,
                "button_color": draft.button_color,
                "font": draft.font,
                "shape": draft.shape,
            },
        }
        configuration_id = self._configuration_id
        try:
            await in_session(
                lambda db: update_configuration(
                    session=db, configuration_id=configuration_id, fields=fields
                )
            )
        except ConfigurationError as exc:
            self.errors = {
                _ERROR_FIELDS.get(exc.param or "", "form"): field_error(exc)[1].render(locale)
            }
            self.notice = ""
            return None
        self.errors = {}
        self.notice = gettext(
            "Saved. Customers see the new brand on their next page.", locale=locale
        )
        return None


def _colour_or(value: str, fallback: str) -> str:
    return value if HEX_COLOUR.match(value) else fallback
