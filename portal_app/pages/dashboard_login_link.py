"""The login-link page: the no-code link customers open to sign in with an email code."""

import reflex as rx

from portal_app.components.dashboard import notice
from portal_app.components.text import t, t_around
from portal_app.pages.dashboard_layout import dashboard_page
from portal_app.state.dashboard_login_link import DashboardLoginLinkState

S = DashboardLoginLinkState


@dashboard_page("/dashboard/login-link", title=t("Login link"), on_load=S.load)
def login_link() -> rx.Component:
    """The link's state, its URL to copy, and the switch."""
    # Translators: {badge} is the “Off” badge.
    off_before, off_after = t_around(
        "{badge} The link answers “not available” while it is off.", "badge"
    )
    return rx.el.section(
        rx.el.p(
            t(
                "Share this link on your website or in emails. Customers enter their email, "
                "receive a one-time code and manage their billing — no code on your side."
            ),
            class_name="muted",
        ),
        rx.cond(
            S.enabled,
            rx.el.div(
                rx.el.p(rx.el.span(t("Active"), class_name="dash-badge"), class_name="dash-status"),
                rx.el.div(
                    rx.el.input(
                        value=S.url,
                        read_only=True,
                        aria_label=t("Login link"),
                        class_name="dash-input dash-mono",
                        data_testid="login-link-url",
                    ),
                    rx.el.button(
                        t("Copy"),
                        type="button",
                        on_click=S.copy_url,
                        class_name="dash-button dash-button-quiet",
                    ),
                    class_name="dash-inline",
                ),
                rx.el.button(
                    t("Deactivate link"),
                    type="button",
                    on_click=S.deactivate,
                    class_name="dash-button dash-button-danger",
                ),
                class_name="dash-stack",
            ),
            rx.el.div(
                rx.el.p(
                    off_before,
                    rx.el.span(t("Off"), class_name="dash-badge dash-badge-muted"),
                    off_after,
                    class_name="dash-status",
                ),
                rx.el.button(
                    t("Activate link"), type="button", on_click=S.activate, class_name="dash-button"
                ),
                class_name="dash-stack",
            ),
        ),
        rx.cond(S.error != "", rx.el.p(S.error, class_name="field-error", role="alert")),
        notice(S.notice),
        class_name="dash-card dash-narrow",
    )
