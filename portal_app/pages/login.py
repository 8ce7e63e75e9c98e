"""`/login/{token}`: the merchant's no-code login link (email, then a one-time code)."""

from typing import Any

import reflex as rx

from portal_app.components.text import t
from portal_app.pages.layout import portal_page
from portal_app.state.login import LoginState


def field_error(message: Any, field_id: str) -> rx.Component:
    return rx.cond(
        message != "",
        rx.el.p(message, id=f"{field_id}-error", class_name="field-error", role="alert"),
    )


def email_step() -> rx.Component:
    return rx.el.form(
        rx.el.label(t("Email"), html_for="login-email", class_name="label"),
        rx.el.input(
            id="login-email",
            name="email",
            type="email",
            autocomplete="email",
            required=True,
            default_value=LoginState.email,
            key=LoginState.email,
            aria_invalid=rx.cond(LoginState.email_error != "", "true", "false"),
            aria_describedby="login-email-error",
            class_name="input",
            data_testid="login-email",
        ),
        field_error(LoginState.email_error, "login-email"),
        rx.el.button(t("Continue"), type="submit", class_name="button", data_testid="login-send"),
        on_submit=LoginState.send_code,
        class_name="form",
    )


def code_step() -> rx.Component:
    return rx.el.form(
        rx.el.p(LoginState.notice, class_name="muted", role="status"),
        rx.el.label(t("Login code"), html_for="login-code", class_name="label"),
        rx.el.input(
            id="login-code",
            name="code",
            inputmode="numeric",
            autocomplete="one-time-code",
            pattern="[0-9 ]*",
            max_length=7,
            required=True,
            aria_invalid=rx.cond(LoginState.code_error != "", "true", "false"),
            aria_describedby="login-code-error",
            class_name="input",
            data_testid="login-code",
        ),
        field_error(LoginState.code_error, "login-code"),
        rx.el.button(t("Sign in"), type="submit", class_name="button", data_testid="login-verify"),
        rx.el.div(
            rx.el.button(
                t("Send a new code"),
                type="button",
                on_click=LoginState.resend,
                class_name="button-link",
                data_testid="login-resend",
            ),
            rx.el.button(
                t("Use another email"),
                type="button",
                on_click=LoginState.change_email,
                class_name="button-link",
            ),
            class_name="row-gap",
        ),
        on_submit=LoginState.verify,
        class_name="form",
    )


@portal_page("/login/[token]", title=t("Sign in to billing"), on_load=LoginState.load)
def login() -> rx.Component:
    """Email first; then the code; or "not available" when the link is off."""
    return rx.el.section(
        rx.match(
            LoginState.step,
            (
                "unavailable",
                rx.fragment(
                    rx.el.h1(t("This login page is not available"), class_name="section-title"),
                    rx.el.p(
                        t("Contact the business you buy from for a new link."),
                        class_name="muted",
                    ),
                ),
            ),
            (
                "code",
                rx.fragment(
                    rx.el.h1(t("Check your email"), class_name="section-title"), code_step()
                ),
            ),
            rx.fragment(
                rx.el.h1(t("Sign in to manage your billing"), class_name="section-title"),
                email_step(),
            ),
        ),
        class_name="card",
        data_testid="login-card",
    )
