"""A live preview of the customer portal's shell, fed by the branding form's draft."""

import reflex as rx

from portal_app.components.text import t
from portal_app.state.dashboard_branding import DashboardBrandingState

_brand = DashboardBrandingState.preview


def portal_preview() -> rx.Component:
    """The portal shell's markup (same classes as `components/shell.py`) in a small frame."""
    return rx.el.div(
        rx.el.div(
            rx.el.aside(
                rx.el.div(
                    rx.cond(
                        _brand.logo_url != "",
                        rx.image(
                            src=_brand.logo_url, alt=_brand.business_name, class_name="brand-logo"
                        ),
                        rx.el.div(_brand.initial, class_name="brand-icon", aria_hidden="true"),
                    ),
                    rx.el.span(_brand.business_name, class_name="brand-name"),
                    class_name="brand-identity",
                ),
                rx.el.p(
                    _brand.headline, class_name="brand-headline", data_testid="preview-headline"
                ),
                rx.cond(
                    _brand.return_url != "",
                    rx.el.span(
                        t("← Return to {business}", business=_brand.business_name),
                        class_name="brand-return",
                    ),
                ),
                rx.el.nav(
                    rx.cond(_brand.terms_url != "", rx.el.span(t("Terms"))),
                    rx.cond(_brand.privacy_url != "", rx.el.span(t("Privacy"))),
                    class_name="brand-legal",
                ),
                class_name="portal-brand",
            ),
            rx.el.div(
                rx.el.section(
                    rx.el.h2(t("Current subscription"), class_name="section-title"),
                    rx.el.p(t("Pro plan · $20.00 per month"), class_name="muted"),
                    rx.el.p(t("Renews on 1 March"), class_name="muted"),
                    rx.el.button(
                        t("Update plan"), type="button", class_name="button", tab_index=-1
                    ),
                    class_name="card preview-card",
                ),
                class_name="portal-main",
            ),
            class_name="portal-shell preview-shell",
            style=DashboardBrandingState.preview_style,
            data_testid="brand-preview",
        ),
        class_name="preview-frame",
        aria_label=t("Preview of the customer portal"),
        role="group",
    )
