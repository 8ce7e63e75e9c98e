"""The brand a customer sees, read from the default portal configuration.

The merchant picks a background and a button colour; every colour drawn on them (text,
muted text, links, button labels) is derived here to reach WCAG AA contrast (4.5:1), so no
merchant colour can make the page unreadable.
"""

import re
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
# A shape's corner radius for controls (buttons, inputs); cards and panels never become
# pills, they take SURFACE_RADII.
SHAPE_RADII = {"rounded": "8px", "pill": "999px", "square": "0px"}
SURFACE_RADII = {"rounded": "8px", "pill": "16px", "square": "0px"}
AA_CONTRAST = 4.5
INK = "#1a1f36"
WHITE = "#ffffff"
BLACK = "#000000"
# The surfaces of the main column that links and buttons sit on (page and cards).
PAGE_SURFACES = ("#f6f8fa", "#ffffff")
HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
FONTS = tuple(FONT_STACKS)
SHAPES = tuple(SHAPE_RADII)


def _channels(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def relative_luminance(colour: str) -> float:
    """WCAG 2's relative luminance of a `#rrggbb` colour (0 for black to 1 for white)."""
    linear = [
        c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
        for c in (channel / 255 for channel in _channels(colour))
    ]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """The WCAG 2 contrast ratio of two `#rrggbb` colours (1 to 21)."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)))[::-1]
    return (lighter + 0.05) / (darker + 0.05)


def _mix(colour: str, toward: str, share: float) -> str:
    mixed = (
        round(a + (b - a) * share)
        for a, b in zip(_channels(colour), _channels(toward), strict=True)
    )
    return "#" + "".join(f"{channel:02x}" for channel in mixed)


def readable_text(background: str) -> str:
    """The page's ink on light colours, white on dark ones; black where neither reaches AA
    (mid-tone reds and greys: black then always does)."""
    background = safe_colour(background, WHITE)
    for candidate in (INK, WHITE):
        if contrast_ratio(candidate, background) >= AA_CONTRAST:
            return candidate
    return max((WHITE, BLACK), key=lambda candidate: contrast_ratio(candidate, background))


def readable_on(colour: str, *backgrounds: str, minimum: float = AA_CONTRAST) -> str:
    """`colour`, darkened (on light backgrounds) or lightened (on dark ones) just enough to
    reach `minimum` contrast on every background: yellow links on white become dark gold."""
    colour = safe_colour(colour, INK)
    grounds = [safe_colour(b, WHITE) for b in backgrounds] or [WHITE]
    dark = sum(relative_luminance(b) for b in grounds) / len(grounds) < 0.18
    target = WHITE if dark else BLACK
    for step in range(21):
        candidate = _mix(colour, target, step / 20)
        if all(contrast_ratio(candidate, b) >= minimum for b in grounds):
            return candidate
    return readable_text(grounds[0])


def muted_on(background: str) -> str:
    """A quieter text colour for `background` that still reaches AA."""
    background = safe_colour(background, WHITE)
    text = readable_text(background)
    return readable_on(_mix(text, background, 0.45), background)


def safe_colour(colour: str, fallback: str) -> str:
    """A stored colour if it is `#rrggbb` (a bad value must not break the page)."""
    return colour.lower() if isinstance(colour, str) and HEX_COLOUR.match(colour) else fallback


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
    surface_radius: str = SURFACE_RADII["rounded"]


def css_variables(brand: BrandView) -> dict[str, str]:
    """The brand as the CSS custom properties the portal's stylesheet reads, with the text,
    link and button-label colours derived to reach AA contrast on the merchant's colours."""
    background = safe_colour(brand.background_color, WHITE)
    button = safe_colour(brand.button_color, "#0f62fe")
    return {
        "--brand-bg": background,
        "--brand-text": readable_text(background),
        "--brand-muted": muted_on(background),
        "--brand-link-on-bg": readable_on(button, background),
        "--brand-button": button,
        "--brand-button-text": readable_text(button),
        "--brand-link": readable_on(button, *PAGE_SURFACES),
        "--brand-font": brand.font_stack,
        "--brand-radius": brand.surface_radius,
        "--brand-control-radius": brand.radius,
    }


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
        surface_radius=SURFACE_RADII.get(config.shape, SURFACE_RADII["rounded"]),
    )


def default_brand(*, session: Session) -> BrandView:
    """The brand of the default configuration (or a neutral one before any exists)."""
    config = session.exec(
        select(PortalConfiguration).where(PortalConfiguration.is_default == True)  # noqa: E712
    ).first()
    return brand_for(config)


def button_contrast_warning(button_color: str, locale: str = "en") -> str | None:
    """A warning (in `locale`) when white button text would be hard to read on this colour."""
    if not HEX_COLOUR.match(button_color or ""):
        return None
    ratio = contrast_ratio(button_color, WHITE)
    if ratio >= AA_CONTRAST:
        return None
    return gettext(
        "White text on {colour} has a contrast ratio of {ratio}:1; choose a darker colour "
        "(at least {minimum}:1) so every customer can read the buttons.",
        locale=locale,
        colour=button_color.lower(),
        ratio=f"{ratio:.1f}",
        minimum=AA_CONTRAST,
    )
