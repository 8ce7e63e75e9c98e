"""The portal shell: the merchant's brand on the left, the page's sections on the right."""

import reflex as rx

from portal_app.state.brand import BrandState


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
        rx.el.p(BrandState.brand.headline, class_name="brand-headline"),
        rx.cond(
            BrandState.brand.return_url != "",
            rx.el.a(
                "← Return to ",
                BrandState.brand.business_name,
                href=BrandState.brand.return_url,
                class_name="brand-return",
                data_testid="return-link",
            ),
        ),
        rx.el.nav(
            rx.cond(
                BrandState.brand.terms_url != "",
                rx.el.a("Terms", href=BrandState.brand.terms_url, rel="noopener"),
            ),
            rx.cond(
                BrandState.brand.privacy_url != "",
                rx.el.a("Privacy", href=BrandState.brand.privacy_url, rel="noopener"),
            ),
            aria_label="Legal",
            class_name="brand-legal",
        ),
        class_name="portal-brand",
    )


def shell(*content: rx.Component) -> rx.Component:
    """Two columns on a wide screen, one on a phone; the merchant's colours as CSS variables."""
    return rx.el.div(
        brand_column(),
        rx.el.main(*content, class_name="portal-main", id="main"),
        class_name="portal-shell",
        style=BrandState.css_variables,
    )
