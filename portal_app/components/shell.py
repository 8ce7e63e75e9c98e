"""The portal shell: the merchant's brand on the left, the page's sections on the right."""

import reflex as rx

from portal_app.components.text import t
from portal_app.services.branding import PORTAL_NAME
from portal_app.state.brand import BrandState
from portal_app.state.i18n import I18nState


def brand_column() -> rx.Component:
    """Logo or initial, business name, headline, return link and the legal links."""
    return rx.el.aside(
        rx.el.div(
            rx.cond(
                BrandState.brand.logo_url != "",
                rx.image(
                    src=BrandState.brand.logo_url,
                    alt=BrandState.brand.business_name,
                    class_name="brand-logo",
                ),
                rx.el.div(BrandState.brand.initial, class_name="brand-icon", aria_hidden="true"),
            ),
            rx.el.span(BrandState.brand.business_name, class_name="brand-name"),
            class_name="brand-identity",
        ),
        rx.el.p(
            rx.cond(
                BrandState.brand.default_headline,
                t(
                    "{business} partners with {portal} for simplified billing.",
                    business=BrandState.brand.business_name,
                    portal=PORTAL_NAME,
                ),
                BrandState.brand.headline,
            ),
            class_name="brand-headline",
        ),
        rx.cond(
            BrandState.brand.return_url != "",
            rx.el.a(
                t("← Return to {business}", business=BrandState.brand.business_name),
                href=BrandState.brand.return_url,
                class_name="brand-return",
                data_testid="return-link",
                # Tells a framing merchant page that the customer is leaving the portal.
                data_portal_close="true",
            ),
        ),
        rx.el.div(
            legal_links(),
            language_switcher(),
            class_name="brand-footer",
            # Inline: the shell's stylesheet is shared; this keeps the footer at the bottom.
            style={
                "margin_top": "auto",
                "display": "flex",
                "flex_direction": "column",
                "gap": "12px",
            },
        ),
        class_name="portal-brand",
    )


def legal_links() -> rx.Component:
    """The merchant's terms and privacy links."""
    return rx.el.nav(
        rx.cond(
            BrandState.brand.terms_url != "",
            rx.el.a(t("Terms"), href=BrandState.brand.terms_url, rel="noopener"),
        ),
        rx.cond(
            BrandState.brand.privacy_url != "",
            rx.el.a(t("Privacy"), href=BrandState.brand.privacy_url, rel="noopener"),
        ),
        aria_label=t("Legal"),
        class_name="brand-legal",
    )


def language_switcher() -> rx.Component:
    """A labelled select of every shipped language, each named in itself."""
    return rx.el.div(
        rx.el.label(
            t("Language"),
            html_for="locale-select",
            style={"font_size": "0.875rem", "color": "var(--brand-muted, var(--muted))"},
        ),
        rx.el.select(
            rx.foreach(
                I18nState.options,
                lambda option: rx.el.option(option[1], value=option[0], lang=option[2]),
            ),
            id="locale-select",
            value=I18nState.locale,
            on_change=I18nState.switch,
            class_name="input",
            style={"padding": "4px 8px", "font_size": "0.875rem", "max_width": "220px"},
            data_testid="locale-select",
        ),
        style={"display": "flex", "align_items": "center", "gap": "8px", "flex_wrap": "wrap"},
    )


def shell(*content: rx.Component) -> rx.Component:
    """Two columns on a wide screen, one on a phone; the merchant's colours as CSS variables."""
    return rx.el.div(
        brand_column(),
        rx.el.main(*content, class_name="portal-main", id="main"),
        class_name="portal-shell",
        style=BrandState.css_variables,
        lang=I18nState.lang,
    )
