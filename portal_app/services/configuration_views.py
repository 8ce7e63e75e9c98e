"""The typed view of a stored portal configuration: what the API answers, the dashboard and
the portal read."""

from datetime import UTC, datetime

from pydantic import BaseModel

from portal_app.models.configuration import ConfigurationFeatures, PortalConfiguration
from portal_app.settings import get_settings


class BusinessProfile(BaseModel):
    headline: str | None = None
    privacy_policy_url: str | None = None
    terms_of_service_url: str | None = None


class Branding(BaseModel):
    """Portal extension: how the portal looks."""

    logo_url: str = ""
    icon_url: str = ""
    background_color: str = "#ffffff"
    button_color: str = "#0f62fe"
    font: str = "system"
    shape: str = "rounded"


class LoginPage(BaseModel):
    enabled: bool = False
    url: str | None = None


class Embed(BaseModel):
    """Portal extension: the merchant's app origins allowed to show the portal in an iframe."""

    allowed_origins: list[str] = []


class ConfigurationView(BaseModel):
    """The typed view of one configuration that services, the API and the dashboard share."""

    id: str
    is_default: bool
    active: bool
    name: str | None
    business_name: str
    business_profile: BusinessProfile
    default_return_url: str | None
    features: ConfigurationFeatures
    branding: Branding
    login_page: LoginPage
    embed: Embed = Embed()
    metadata: dict[str, str]
    livemode: bool = False
    created: int
    updated: int


def unix_seconds(moment: datetime) -> int:
    """A stored moment as Stripe's Unix seconds (naive values are UTC)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return int(aware.timestamp())


def login_url(token: str) -> str:
    """The no-code login link customers open."""
    return f"{get_settings().public_url.rstrip('/')}/login/{token}"


def view_of(config: PortalConfiguration) -> ConfigurationView:
    """The typed view of a stored configuration."""
    enabled = config.login_page_enabled and config.login_page_token is not None
    return ConfigurationView(
        id=config.id,
        is_default=config.is_default,
        active=config.active,
        name=config.name,
        business_name=config.business_name,
        business_profile=BusinessProfile(
            headline=config.headline or None,
            privacy_policy_url=config.privacy_policy_url or None,
            terms_of_service_url=config.terms_of_service_url or None,
        ),
        default_return_url=config.default_return_url or None,
        features=config.feature_settings,
        branding=Branding.model_validate(config, from_attributes=True),
        login_page=LoginPage(
            enabled=enabled,
            url=login_url(config.login_page_token) if enabled and config.login_page_token else None,
        ),
        embed=Embed(allowed_origins=list(config.frame_origins or [])),
        metadata=dict(config.stripe_metadata or {}),
        created=unix_seconds(config.created),
        updated=unix_seconds(config.updated),
    )
