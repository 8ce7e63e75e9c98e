"""The embed page: allowed origins and the snippet that puts the portal in the merchant's app."""

import reflex as rx

from portal_app.components.dashboard import notice
from portal_app.components.text import t
from portal_app.pages.dashboard_layout import dashboard_page
from portal_app.state.dashboard_embed import DashboardEmbedState

S = DashboardEmbedState


@dashboard_page("/dashboard/embed", title=t("Embed"), on_load=S.load)
def embed() -> rx.Component:
    """Origins allowed to frame the portal, and the code to paste."""
    return rx.el.section(
        rx.el.p(
            t(
                "Show the portal inside your own web app. Only the origins listed here may frame "
                "it; every other site is refused by the browser."
            ),
            class_name="muted",
        ),
        rx.el.form(
            rx.el.label(
                t("Allowed origins (one per line)"),
                html_for="embed-origins",
                class_name="dash-label",
            ),
            rx.el.textarea(
                id="embed-origins",
                name="origins",
                default_value=S.origins,
                key=S.origins,
                rows=4,
                placeholder="https://app.example.com",
                class_name="dash-input dash-mono",
                data_testid="embed-origins",
            ),
            rx.cond(S.error != "", rx.el.p(S.error, class_name="field-error", role="alert")),
            rx.el.button(
                t("Save origins"), type="submit", class_name="dash-button", data_testid="embed-save"
            ),
            on_submit=S.save,
            class_name="dash-stack",
        ),
        rx.el.label(t("Embed code"), html_for="embed-snippet", class_name="dash-label"),
        rx.el.textarea(
            id="embed-snippet",
            value=S.snippet,
            read_only=True,
            rows=10,
            class_name="dash-input dash-mono",
        ),
        rx.el.button(
            t("Copy code"),
            type="button",
            on_click=S.copy_snippet,
            class_name="dash-button dash-button-quiet",
        ),
        rx.el.p(
            t(
                "The frame reports portal.resize, portal.navigate, portal.subscription.updated, "
                "portal.subscription.canceled, portal.payment_method.updated and portal.closed."
            ),
            class_name="muted small",
        ),
        notice(S.notice),
        class_name="dash-card dash-narrow dash-stack",
    )
