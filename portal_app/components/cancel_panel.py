"""The cancellation step shown under a subscription: the reason survey and the final button."""

from typing import Any

import reflex as rx

from portal_app.components.feedback import error_text, step_buttons
from portal_app.components.text import t, t_around
from portal_app.state.cancel import CancelState


def reason_option(option: Any) -> rx.Component:
    return rx.el.label(
        rx.el.input(
            type="radio",
            name="reason",
            value=option[0],
            on_change=CancelState.choose_reason(option[0]),
        ),
        rx.el.span(option[1]),
        class_name="radio",
    )


def retention_offer() -> rx.Component:
    """The coupon offered before the last step (when the merchant configured one)."""
    before, after = t_around("Stay and get {offer}.", "offer")
    return rx.el.div(
        rx.el.h4(t("Before you go"), class_name="item-title"),
        rx.el.p(before, rx.el.strong(CancelState.offer), after, class_name="muted"),
        error_text(CancelState.error),
        rx.el.div(
            rx.el.button(
                t("Accept offer"),
                on_click=CancelState.accept_offer,
                disabled=CancelState.busy,
                class_name="button",
                data_testid="retention-accept",
            ),
            rx.el.button(
                t("No thanks, continue"),
                on_click=CancelState.decline_offer,
                class_name="button-secondary",
                data_testid="retention-decline",
            ),
            class_name="row-gap",
        ),
        class_name="panel",
        data_testid="retention-offer",
    )


def cancel_panel() -> rx.Component:
    """The retention offer first (when there is one), then the reason and the final button."""
    return rx.cond(CancelState.offer != "", retention_offer(), cancel_form())


def cancel_form() -> rx.Component:
    """Asks why (when the survey is on), then cancels."""
    return rx.el.form(
        rx.el.h4(t("Cancel your subscription"), class_name="item-title"),
        rx.cond(
            CancelState.reasons.length() > 0,  # type: ignore[attr-defined]
            rx.el.fieldset(
                rx.el.legend(t("Why are you cancelling? (optional)"), class_name="label"),
                rx.foreach(CancelState.reasons, reason_option),
                rx.el.label(
                    t("Anything else you'd like to share?"),
                    html_for="cancel-comment",
                    class_name="label",
                ),
                rx.el.textarea(
                    id="cancel-comment", name="comment", max_length=500, rows=3, class_name="input"
                ),
                class_name="fieldset",
            ),
        ),
        rx.el.div(
            rx.el.p(CancelState.access_text, data_testid="cancel-access-ends"),
            rx.cond(
                CancelState.unused_text != "",
                rx.el.p(CancelState.unused_text, class_name="muted", data_testid="cancel-unused"),
            ),
            class_name="notice",
            data_ends_now=rx.cond(CancelState.ends_now, "true", "false"),
            data_date=CancelState.ends_on,
            data_testid="cancel-terms",
        ),
        error_text(CancelState.error),
        step_buttons(
            rx.cond(CancelState.ends_now, t("Cancel now"), t("Confirm cancellation")),
            test_id="cancel-confirm",
            busy=CancelState.busy,
            danger=True,
            back=(t("Go back"), CancelState.close),
        ),
        on_submit=CancelState.confirm,
        class_name="panel",
        data_testid="cancel-panel",
    )
