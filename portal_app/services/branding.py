"""The brand a customer sees, read from the default portal configuration."""

from dataclasses import dataclass

from sqlmodel import Session, select

from portal_app.i18n.catalog import gettext
from portal_app.models import PortalConfiguration

PORTAL_NAME = "Billing Portal"
FONT_STACKS = {
    "system": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    "serif": "Georgia, 'Times New Roman', serif",
    "mono": "ui-monospace, 'SFMono-Regular', Menlo, monospace",
}
SHAPE_RADII = {"rounded": "8px", "pill": "999px", "square": "0px"}


@dataclass
class BrandView:
    """What the shell shows: plain strings only, safe to send to the browser."""

    business_name: str = "Billing"
    initial: str = "B"
    headline: str = ""
    default_headline: bool = True
    logo_url: str = ""
    return_url: str = ""
    terms_url: str = ""
    privacy_url: str = ""
    background_color: str = "#ffffff"
    button_color: str = "#0f62fe"
    font_stack: str = FONT_STACKS["system"]
    radius: str = SHAPE_RADII["rounded"]


def brand_for(
    config: PortalConfiguration | None, return_url: str | None = None, *, locale: str = "en"
) -> BrandView:
    """The brand of one configuration, with the default headline (in `locale`) when none is
    set; a session's own return URL wins over the configuration's default."""
    if config is None:
        return BrandView()
    headline = config.headline or gettext(
        "{business} partners with {portal} for simplified billing.",
        locale=locale,
        business=config.business_name,
        portal=PORTAL_NAME,
    )
    return BrandView(
        # Pages show the default headline in the customer's language; the merchant's own
        # headline is shown as written.
        default_headline=not config.headline,
        business_name=config.business_name,
        initial=(config.business_name[:1] or "B").upper(),
        headline=headline,
        logo_url=config.logo_url,
        return_url=return_url or config.default_return_url,
        terms_url=config.terms_of_service_url,
        privacy_url=config.privacy_policy_url,
        background_color=config.background_color,
        button_color=config.button_color,
        font_stack=FONT_STACKS.get(config.font, FONT_STACKS["system"]),
        radius=SHAPE_RADII.get(config.shape, SHAPE_RADII["rounded"]),
    )


def default_brand(*, session: Session) -> BrandView:
    """The brand of the default configuration (or a neutral one before any exists)."""
    config = session.exec(
        select(PortalConfiguration).where(PortalConfiguration.is_default == True)  # noqa: E712
    ).first()
    return brand_for(config)
