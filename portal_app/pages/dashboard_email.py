"""The email page: the sender customers see, which emails they get, and the outbox."""

import reflex as rx

from portal_app.components.dashboard import checkbox, field_error, notice, text_field
from portal_app.components.outbox_table import outbox_table
from portal_app.components.text import t
from portal_app.pages.dashboard_layout import dashboard_page
from portal_app.state.dashboard_email import DashboardEmailState

S = DashboardEmailState


def settings_form() -> rx.Component:
    form = S.form
    return rx.el.form(
        rx.el.h2(t("Sender"), class_name="section-title"),
        text_field(
            t("Sender name"),
            "sender_name",
            errors=S.errors,
            default_value=form.sender_name,
            max_length=100,
        ),
        text_field(
            t("Sender address"),
            "sender_address",
            errors=S.errors,
            default_value=form.sender_address,
            type="email",
            hint=t("Your SMTP server must be allowed to send from this address."),
        ),
        rx.el.h2(t("Emails customers receive"), class_name="section-title"),
        rx.el.p(t("Login codes are always sent."), class_name="dash-hint"),
        checkbox(
            t("Confirm plan changes"), "send_subscription_updated", form.send_subscription_updated
        ),
        checkbox(
            t("Confirm cancellations"),
            "send_subscription_canceled",
            form.send_subscription_canceled,
        ),
        checkbox(
            t("Confirm payment method changes"),
            "send_payment_method_updated",
            form.send_payment_method_updated,
        ),
        rx.el.div(
            rx.el.button(
                t("Save email settings"),
                type="submit",
                class_name="dash-button",
                data_testid="save-email-settings",
            ),
            notice(S.notice),
            class_name="dash-actions",
        ),
        field_error(S.errors, "form"),
        key=S.form_version,
        on_submit=S.save,
        class_name="dash-card dash-form",
        aria_label=t("Email settings"),
        no_validate=True,
    )


def outbox() -> rx.Component:
    return rx.el.section(
        rx.el.div(
            rx.el.h2(t("Outbox"), class_name="section-title"),
            rx.el.button(
                t("Refresh"),
                type="button",
                on_click=S.refresh,
                class_name="dash-button dash-button-quiet",
            ),
            class_name="dash-inline",
        ),
        rx.cond(
            S.outbox_mode,
            rx.el.p(
                t(
                    "No SMTP server is configured (PORTAL_SMTP_HOST), so emails stay here "
                    "and are not sent."
                ),
                class_name="dash-warning",
                role="status",
                data_testid="outbox-mode",
            ),
        ),
        outbox_table(S.messages),
        class_name="dash-card dash-stack",
    )


@dashboard_page("/dashboard/email", title=t("Email"), on_load=S.load)
def email() -> rx.Component:
    """The settings form above the newest messages."""
    return rx.el.div(settings_form(), outbox(), class_name="dash-stack")
