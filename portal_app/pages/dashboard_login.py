"""The merchant's sign-in form."""

import reflex as rx

from portal_app.components.shell import language_switcher
from portal_app.components.text import t
from portal_app.state.dashboard_auth import LOGIN_ROUTE, DashboardAuthState
from portal_app.state.i18n import I18nState


@rx.page(
    route=LOGIN_ROUTE,
    title=t("Sign in · Dashboard"),
    on_load=[I18nState.detect, DashboardAuthState.skip_login_when_signed_in],
)
def dashboard_login() -> rx.Component:
    """Email and password; one generic error whatever was wrong."""
    return rx.el.main(
        rx.el.div(
            rx.el.form(
                rx.el.h1(t("Sign in to your dashboard"), class_name="dash-title"),
                # Disabled until the app is hydrated: before that, pressing Enter would let
                # the browser submit the form itself (the password in a URL with a GET).
                rx.el.fieldset(
                    rx.el.div(
                        rx.el.label(t("Email"), html_for="login-email", class_name="dash-label"),
                        rx.el.input(
                            id="login-email",
                            name="email",
                            type="email",
                            auto_complete="username",
                            required=True,
                            max_length=320,
                            class_name="dash-input",
                        ),
                        class_name="dash-field",
                    ),
                    rx.el.div(
                        rx.el.label(
                            t("Password"), html_for="login-password", class_name="dash-label"
                        ),
                        rx.el.input(
                            id="login-password",
                            name="password",
                            type="password",
                            auto_complete="current-password",
                            required=True,
                            max_length=256,
                            class_name="dash-input",
                        ),
                        class_name="dash-field",
                    ),
                    rx.cond(
                        DashboardAuthState.login_error != "",
                        rx.el.p(
                            DashboardAuthState.login_error,
                            class_name="field-error",
                            role="alert",
                            data_testid="login-error",
                        ),
                    ),
                    rx.el.button(t("Sign in"), type="submit", class_name="dash-button"),
                    disabled=~rx.State.is_hydrated,
                    class_name="dash-login-fields",
                ),
                on_submit=DashboardAuthState.log_in,
                # Even a native submission would POST to this page, never put fields in a URL.
                method="post",
                action=LOGIN_ROUTE,
                class_name="dash-card dash-login-card",
                aria_label=t("Sign in"),
            ),
            # Outside the form, so the language is never submitted with the credentials.
            language_switcher(),
            class_name="dash-login-column",
        ),
        class_name="dash-login",
        id="main",
        lang=I18nState.lang,
    )
