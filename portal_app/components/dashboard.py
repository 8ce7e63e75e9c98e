"""Dashboard building blocks: the frame with its navigation, and labelled form controls."""

from collections.abc import Sequence
from typing import Any

import reflex as rx

from portal_app.components.shell import language_switcher
from portal_app.components.text import t
from portal_app.state.dashboard_auth import DashboardAuthState
from portal_app.state.i18n import I18nState

# Text shown by these helpers: a `t(...)` Var from the call site (or a state var).
Label = str | rx.Var


def nav_links() -> list[tuple[rx.Var, str]]:
    """(label, route) of every dashboard page, in the navigation's order."""
    return [
        (t("Configurations"), "/dashboard"),
        (t("Branding"), "/dashboard/branding"),
        (t("Login link"), "/dashboard/login-link"),
        (t("Embed"), "/dashboard/embed"),
        (t("Products"), "/dashboard/products"),
        (t("Customers"), "/dashboard/customers"),
        (t("Email"), "/dashboard/email"),
        (t("API keys"), "/dashboard/api-keys"),
    ]


def dashboard_frame(heading: Label, *content: rx.Component) -> rx.Component:
    """The dashboard's header, navigation and main column."""
    return rx.el.div(
        rx.el.header(
            rx.el.span(t("Billing portal"), class_name="dash-product"),
            rx.el.nav(
                *[
                    rx.el.a(label, href=href, class_name="dash-nav-link")
                    for label, href in nav_links()
                ],
                aria_label=t("Dashboard"),
                class_name="dash-nav",
            ),
            rx.el.div(
                rx.el.div(language_switcher(), class_name="dash-language"),
                rx.el.span(DashboardAuthState.merchant_email, class_name="dash-user"),
                rx.el.button(
                    t("Sign out"),
                    type="button",
                    on_click=DashboardAuthState.log_out,
                    class_name="dash-button dash-button-quiet",
                    data_testid="sign-out",
                ),
                class_name="dash-account",
            ),
            class_name="dash-header",
        ),
        rx.el.main(
            rx.el.h1(heading, class_name="dash-title"),
            *content,
            class_name="dash-main",
            id="main",
        ),
        class_name="dash-shell",
        lang=I18nState.lang,
    )


def field_error(errors: Any, key: str) -> rx.Component:
    """The error for one field, announced to screen readers, when there is one."""
    return rx.cond(
        errors.contains(key),
        rx.el.p(
            errors.get(key, ""), class_name="field-error", role="alert", data_testid=f"error-{key}"
        ),
    )


def text_field(
    label: Label,
    name: str,
    *,
    errors: Any = None,
    hint: Label | None = None,
    **input_props: Any,
) -> rx.Component:
    """A labelled text input with its hint and error."""
    field_id = f"field-{name}"
    return rx.el.div(
        rx.el.label(label, html_for=field_id, class_name="dash-label"),
        rx.el.input(id=field_id, name=name, class_name="dash-input", **input_props),
        rx.el.p(hint, class_name="dash-hint") if hint is not None else rx.fragment(),
        field_error(errors, name) if errors is not None else rx.fragment(),
        class_name="dash-field",
    )


def checkbox(label: Label, name: str, checked: Any) -> rx.Component:
    """A labelled checkbox that submits "on" when ticked."""
    return rx.el.label(
        rx.el.input(type="checkbox", name=name, default_checked=checked),
        rx.el.span(label),
        class_name="dash-check",
    )


def select_field(
    label: Label,
    name: str,
    options: Sequence[tuple[str, Label]] | rx.Var,
    value: Any,
    **props: Any,
) -> rx.Component:
    """A labelled select; `options` are (value, shown text) pairs, or a state var of them."""
    field_id = f"field-{name}"
    choices = (
        [rx.foreach(options, lambda option: rx.el.option(option[1], value=option[0]))]
        if isinstance(options, rx.Var)
        else [rx.el.option(text, value=key) for key, text in options]
    )
    return rx.el.div(
        rx.el.label(label, html_for=field_id, class_name="dash-label"),
        rx.el.select(
            *choices,
            id=field_id,
            name=name,
            default_value=value,
            class_name="dash-input",
            **props,
        ),
        class_name="dash-field",
    )


def notice(message: Any) -> rx.Component:
    """A calm confirmation line, shown when there is a message."""
    return rx.cond(
        message != "",
        rx.el.p(message, class_name="dash-notice", role="status", data_testid="notice"),
    )


def list_head(title: Label, action: Label, on_click: Any, test_id: str) -> rx.Component:
    """A list card's title with its quiet "new …" button on the right."""
    return rx.el.div(
        rx.el.h2(title, class_name="section-title"),
        rx.el.button(
            action,
            type="button",
            on_click=on_click,
            class_name="dash-button dash-button-quiet",
            data_testid=test_id,
        ),
        class_name="dash-section-head",
    )
