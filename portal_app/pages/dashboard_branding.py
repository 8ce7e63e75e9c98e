"""The branding page: name, headline, colours, font and shape, with a live preview."""

from typing import Any

import reflex as rx

from portal_app.components.dashboard import Label, field_error, notice, select_field, text_field
from portal_app.components.dashboard_preview import portal_preview
from portal_app.components.text import t
from portal_app.pages.dashboard_layout import dashboard_page
from portal_app.services.branding import FONTS, SHAPES
from portal_app.state.dashboard_branding import DashboardBrandingState

S = DashboardBrandingState


def _text(label: Label, name: str, **props: Any) -> rx.Component:
    return text_field(
        label,
        name,
        errors=S.errors,
        default_value=getattr(S.draft, name),
        on_change=lambda value: S.set_field(name, value),
        **props,
    )


def _colour(label: Label, name: str) -> rx.Component:
    return rx.el.div(
        _text(label, name, max_length=7, placeholder="#rrggbb", spell_check=False),
        rx.el.span(
            class_name="dash-swatch",
            style={"background": getattr(S.preview, name)},
            aria_hidden="true",
        ),
        class_name="dash-colour",
    )


def font_options() -> list[tuple[str, rx.Var]]:
    """The portal's font stacks, in `FONTS` order."""
    labels = {"system": t("System"), "serif": t("Serif"), "mono": t("Mono")}
    return [(font, labels[font]) for font in FONTS]


def shape_options() -> list[tuple[str, rx.Var]]:
    """The portal's corner shapes, in `SHAPES` order."""
    labels = {"rounded": t("Rounded"), "pill": t("Pill"), "square": t("Square")}
    return [(shape, labels[shape]) for shape in SHAPES]


def branding_form() -> rx.Component:
    return rx.el.div(
        _text(t("Business name"), "business_name", max_length=100),
        _text(t("Headline"), "headline", max_length=60, hint=t("Up to 60 characters.")),
        _text(
            t("Logo URL"),
            "logo_url",
            type="url",
            hint=t("An https:// image, shown instead of the icon."),
        ),
        _text(t("Icon URL"), "icon_url", type="url"),
        rx.el.div(
            _colour(t("Background colour"), "background_color"),
            _colour(t("Button colour"), "button_color"),
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
                t("Font"),
                "font",
                font_options(),
                S.draft.font,
                on_change=lambda value: S.set_field("font", value),
            ),
            select_field(
                t("Corners"),
                "shape",
                shape_options(),
                S.draft.shape,
                on_change=lambda value: S.set_field("shape", value),
            ),
            class_name="dash-grid",
        ),
        field_error(S.errors, "form"),
        rx.el.div(
            rx.el.button(
                t("Save branding"),
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
        aria_label=t("Branding"),
    )


@dashboard_page("/dashboard/branding", title=t("Branding"), on_load=S.load)
def branding() -> rx.Component:
    """The form beside the preview of what customers will see."""
    return rx.el.div(
        branding_form(),
        rx.el.section(
            rx.el.h2(t("Preview"), class_name="section-title"),
            portal_preview(),
            class_name="dash-card dash-preview-card",
        ),
        class_name="dash-two dash-two-even",
    )
