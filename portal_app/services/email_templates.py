"""The portal's emails as plain text and HTML, in the merchant's brand.

Each template's English strings sit together in one `Strings` value (msgids, marked for
extraction); they are translated into the customer's locale when rendered. Every value put
into HTML is escaped here.
"""

import re
from dataclasses import dataclass
from html import escape

from portal_app.i18n.catalog import N_, gettext
from portal_app.services.branding import BrandView, readable_text

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
    button: str = N_("Manage billing")
    footer: str = N_("You receive this email because of your account with {business}.")

    def translated(self, locale: str) -> "Strings":
        """The same template in `locale` (placeholders kept for `_render` to fill)."""

        def tr(msgid: str) -> str:
            return gettext(msgid, locale=locale) if msgid else ""

        return Strings(
            subject=tr(self.subject),
            heading=tr(self.heading),
            paragraphs=tuple(tr(p) for p in self.paragraphs),
            highlight=self.highlight,
            note=tr(self.note),
            button=tr(self.button),
            footer=tr(self.footer),
        )


LOGIN_CODE_EN = Strings(
    # Never the code in the subject: lock screens and mail lists show subjects to anyone.
    subject=N_("Your {business} login code"),
    heading=N_("Your login code"),
    paragraphs=(N_("Enter this code to sign in to the {business} billing portal:"),),
    highlight="{code}",
    note=N_(
        "It expires in {minutes} minutes. If you did not ask for it, you can ignore this email."
    ),
    footer=N_("Someone asked to sign in to {business} with this email address."),
)
SUBSCRIPTION_UPDATED_EN = Strings(
    subject=N_("Your {business} subscription has changed"),
    heading=N_("Your subscription has changed"),
    paragraphs=(
        N_("Your subscription is now {plan}."),
        N_("The change takes effect on {effective}."),
    ),
)
SUBSCRIPTION_CANCELED_EN = Strings(
    subject=N_("Your {business} subscription is canceled"),
    heading=N_("Your subscription is canceled"),
    paragraphs=(
        N_("Your {plan} subscription is canceled."),
        N_("You keep access until {ends}."),
    ),
)
SUBSCRIPTION_CANCELED_NOW_EN = Strings(
    subject=SUBSCRIPTION_CANCELED_EN.subject,
    heading=SUBSCRIPTION_CANCELED_EN.heading,
    paragraphs=(N_("Your {plan} subscription is canceled and has ended."),),
)
PAYMENT_METHOD_UPDATED_EN = Strings(
    subject=N_("Your {business} payment method has changed"),
    heading=N_("Your payment method has changed"),
    paragraphs=(
        N_("{payment_method} is now the default payment method for your subscriptions."),
        N_("If you did not make this change, contact {business}."),
    ),
)


def login_code(
    *, brand: BrandView, code: str, valid_minutes: int, locale: str = "en"
) -> RenderedEmail:
    """The one-time login code (always sent)."""
    return _render(
        LOGIN_CODE_EN.translated(locale),
        brand,
        portal_url="",
        code=code,
        minutes=str(valid_minutes),
    )


def subscription_updated(
    *, brand: BrandView, plan: str, effective: str, portal_url: str = "", locale: str = "en"
) -> RenderedEmail:
    """Confirmation of a plan or quantity change; `effective` is a formatted date."""
    return _render(
        SUBSCRIPTION_UPDATED_EN.translated(locale),
        brand,
        portal_url=portal_url,
        plan=plan,
        effective=effective,
    )


def subscription_canceled(
    *, brand: BrandView, plan: str, ends: str | None, portal_url: str = "", locale: str = "en"
) -> RenderedEmail:
    """Confirmation of a cancellation; `ends` is the formatted last day, None when immediate."""
    if ends is None:
        strings = SUBSCRIPTION_CANCELED_NOW_EN.translated(locale)
        return _render(strings, brand, portal_url=portal_url, plan=plan)
    strings = SUBSCRIPTION_CANCELED_EN.translated(locale)
    return _render(strings, brand, portal_url=portal_url, plan=plan, ends=ends)


def payment_method_updated(
    *, brand: BrandView, payment_method: str, portal_url: str = "", locale: str = "en"
) -> RenderedEmail:
    """Confirmation of a new default payment method, e.g. "Visa ending in 4242"."""
    return _render(
        PAYMENT_METHOD_UPDATED_EN.translated(locale),
        brand,
        portal_url=portal_url,
        payment_method=payment_method,
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
            f"{button_colour};color:{readable_text(button_colour)};padding:12px 20px;"
            "border-radius:6px;"
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
