"""The branding page: name, headline, colours, font and shape, with a live preview."""

from typing import Any

import reflex as rx

from portal_app.components.dashboard import field_error, notice, select_field, text_field
from portal_app.components.dashboard_preview import portal_preview
from portal_app.pages.dashboard_layout import dashboard_page
from portal_app.services.configurations import FONTS, SHAPES
from portal_app.state.dashboard_branding import DashboardBrandingState

S = DashboardBrandingState


def _text(label: str, name: str, **props: Any) -> rx.Component:
    return text_field(
        label,
        name,
        errors=S.errors,
        default_value=getattr(S.draft, name),
        on_change=lambda value: S.set_field(name, value),
        **props,
    )


def _colour(label: str, name: str) -> rx.Component:
    return rx.el.div(
        _text(label, name, max_length=7, placeholder="#rrggbb", spell_check=False),
        rx.el.span(
            class_name="dash-swatch",
            style={"background": getattr(S.preview, name)},
            aria_hidden="true",
        ),
        class_name="dash-colour",
    )


def branding_form() -> rx.Component:
    return rx.el.div(
        _text("Business name", "business_name", max_length=100),
        _text("Headline", "headline", max_length=60, hint="Up to 60 characters."),
        _text(
            "Logo URL", "logo_url", type="url", hint="An https:// image, shown instead of the icon."
        ),
        _text("Icon URL", "icon_url", type="url"),
        rx.el.div(
            _colour("Background colour", "background_color"),
            _colour("Button colour", "button_color"),
            class_name="dash-grid",
        ),
        rx.cond(
            S.contrast_warning != "",
            rx.el.p(
                S.contrast_warning,
                class_name="dash-warning",
                role="status",
                data_testid="contrast-warning",
            ),
        ),
        rx.el.div(
            select_field(
                "Font",
                "font",
                [(f, f.capitalize()) for f in FONTS],
                S.draft.font,
                on_change=lambda value: S.set_field("font", value),
            ),
            select_field(
                "Corners",
                "shape",
                [(s, s.capitalize()) for s in SHAPES],
                S.draft.shape,
                on_change=lambda value: S.set_field("shape", value),
            ),
            class_name="dash-grid",
        ),
        field_error(S.errors, "form"),
        rx.el.div(
            rx.el.button(
                "Save branding",
                type="button",
                on_click=S.save,
                class_name="dash-button",
                data_testid="save-branding",
            ),
            notice(S.notice),
            class_name="dash-actions",
        ),
        key=S.draft_version,
        class_name="dash-card dash-form",
        role="form",
        aria_label="Branding",
    )


@dashboard_page("/dashboard/branding", title="Branding", on_load=S.load)
def branding() -> rx.Component:
    """The form beside the preview of what customers will see."""
    return rx.el.div(
        branding_form(),
        rx.el.section(
            rx.el.h2("Preview", class_name="section-title"),
            portal_preview(),
            class_name="dash-card dash-preview-card",
        ),
        class_name="dash-two dash-two-even",
    )
