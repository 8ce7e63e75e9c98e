"""The portal's emails as plain text and HTML, in the merchant's brand.

Each template's English strings sit together in one `Strings` value, so a translation is a
second table of the same shape. Every value put into HTML is escaped here.
"""

import re
from dataclasses import dataclass
from html import escape

from portal_app.services.branding import BrandView

LOGIN_CODE = "login_code"
SUBSCRIPTION_UPDATED = "subscription_updated"
SUBSCRIPTION_CANCELED = "subscription_canceled"
PAYMENT_METHOD_UPDATED = "payment_method_updated"

_HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_FALLBACK_BUTTON = "#0f62fe"


@dataclass(frozen=True)
class RenderedEmail:
    """One message ready for the outbox."""

    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class Strings:
    """One template's wording; `{placeholders}` are filled (and escaped for HTML) on render."""

    subject: str
    heading: str
    paragraphs: tuple[str, ...]
    highlight: str = ""  # shown large after the paragraphs, e.g. the login code
    note: str = ""
    button: str = "Manage billing"
    footer: str = "You receive this email because of your account with {business}."


LOGIN_CODE_EN = Strings(
    # Tests and the e2e helpers read the code as the subject's last word.
    subject="Your {business} login code: {code}",
    heading="Your login code",
    paragraphs=("Enter this code to sign in to the {business} billing portal:",),
    highlight="{code}",
    note="It expires in {minutes} minutes. If you did not ask for it, you can ignore this email.",
    footer="Someone asked to sign in to {business} with this email address.",
)
SUBSCRIPTION_UPDATED_EN = Strings(
    subject="Your {business} subscription has changed",
    heading="Your subscription has changed",
    paragraphs=(
        "Your subscription is now {plan}.",
        "The change takes effect on {effective}.",
    ),
)
SUBSCRIPTION_CANCELED_EN = Strings(
    subject="Your {business} subscription is canceled",
    heading="Your subscription is canceled",
    paragraphs=(
        "Your {plan} subscription is canceled.",
        "You keep access until {ends}.",
    ),
)
SUBSCRIPTION_CANCELED_NOW_EN = Strings(
    subject=SUBSCRIPTION_CANCELED_EN.subject,
    heading=SUBSCRIPTION_CANCELED_EN.heading,
    paragraphs=("Your {plan} subscription is canceled and has ended.",),
)
PAYMENT_METHOD_UPDATED_EN = Strings(
    subject="Your {business} payment method has changed",
    heading="Your payment method has changed",
    paragraphs=(
        "{payment_method} is now the default payment method for your subscriptions.",
        "If you did not make this change, contact {business}.",
    ),
)


def login_code(*, brand: BrandView, code: str, valid_minutes: int) -> RenderedEmail:
    """The one-time login code (always sent)."""
    return _render(LOGIN_CODE_EN, brand, portal_url="", code=code, minutes=str(valid_minutes))


def subscription_updated(
    *, brand: BrandView, plan: str, effective: str, portal_url: str = ""
) -> RenderedEmail:
    """Confirmation of a plan or quantity change; `effective` is a formatted date."""
    return _render(
        SUBSCRIPTION_UPDATED_EN, brand, portal_url=portal_url, plan=plan, effective=effective
    )


def subscription_canceled(
    *, brand: BrandView, plan: str, ends: str | None, portal_url: str = ""
) -> RenderedEmail:
    """Confirmation of a cancellation; `ends` is the formatted last day, None when immediate."""
    if ends is None:
        return _render(SUBSCRIPTION_CANCELED_NOW_EN, brand, portal_url=portal_url, plan=plan)
    return _render(SUBSCRIPTION_CANCELED_EN, brand, portal_url=portal_url, plan=plan, ends=ends)


def payment_method_updated(
    *, brand: BrandView, payment_method: str, portal_url: str = ""
) -> RenderedEmail:
    """Confirmation of a new default payment method, e.g. "Visa ending in 4242"."""
    return _render(
        PAYMENT_METHOD_UPDATED_EN, brand, portal_url=portal_url, payment_method=payment_method
    )


def _render(strings: Strings, brand: BrandView, *, portal_url: str, **values: str) -> RenderedEmail:
    values = {"business": brand.business_name, **values}
    lines = [*strings.paragraphs, strings.highlight, strings.note]
    text = [line.format(**values) for line in lines if line]
    if portal_url:
        text.append(f"{strings.button}: {portal_url}")
    text.append(strings.footer.format(**values))
    return RenderedEmail(
        subject=strings.subject.format(**values),
        text="\n\n".join(text) + "\n",
        html=_html(strings, brand, portal_url=portal_url, values=values),
    )


def _html(strings: Strings, brand: BrandView, *, portal_url: str, values: dict[str, str]) -> str:
    safe = {key: escape(value) for key, value in values.items()}

    def fill(template: str) -> str:
        return escape(template).format(**safe)

    button_colour = (
        brand.button_color if _HEX_COLOUR.match(brand.button_color) else _FALLBACK_BUTTON
    )
    name = escape(brand.business_name)
    header = (
        f'<img src="{escape(brand.logo_url)}" alt="{name}" height="32" style="height:32px">'
        if brand.logo_url.startswith("https://")
        else f'<strong style="font-size:18px">{name}</strong>'
    )
    parts = [f'<p style="margin:0 0 16px">{fill(p)}</p>' for p in strings.paragraphs]
    if strings.highlight:
        parts.append(
            '<p style="margin:0 0 16px;font-size:28px;font-weight:600;letter-spacing:4px">'
            f"{fill(strings.highlight)}</p>"
        )
    if strings.note:
        parts.append(f'<p style="margin:0 0 16px">{fill(strings.note)}</p>')
    if portal_url:
        parts.append(
            f'<p style="margin:24px 0"><a href="{escape(portal_url)}" style="background:'
            f"{button_colour};color:#ffffff;padding:12px 20px;border-radius:6px;"
            f'text-decoration:none;display:inline-block">{fill(strings.button)}</a></p>'
        )
    return (
        '<!doctype html><html><body style="margin:0;padding:24px;background:#f6f8fa;'
        'font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1a1f36">'
        '<div style="max-width:520px;margin:0 auto;background:#ffffff;border-radius:8px;'
        f'padding:32px"><div style="margin-bottom:24px">{header}</div>'
        f'<h1 style="font-size:20px;margin:0 0 16px">{fill(strings.heading)}</h1>'
        f"{''.join(parts)}"
        '<p style="margin:24px 0 0;font-size:12px;color:#6b7385">'
        f"{fill(strings.footer)}</p></div></body></html>"
    )
