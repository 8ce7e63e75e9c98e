"""The subscription update steps: choose a plan and quantity, then review and confirm."""

from typing import Any

import reflex as rx

from portal_app.components.feedback import error_text, step_buttons
from portal_app.i18n.ui import t, t_around
from portal_app.state.plan_change import PlanChangeState


def plan_option(choice: Any) -> rx.Component:
    return rx.el.label(
        rx.el.input(
            type="radio",
            name="price",
            value=choice.price_id,
            default_checked=choice.price_id == PlanChangeState.selected_price,
            on_change=PlanChangeState.select_price(choice.price_id),
        ),
        rx.el.span(choice.name, class_name="plan-name"),
        rx.el.span(choice.price_line, class_name="muted"),
        rx.cond(choice.is_current, rx.el.span(t("Current"), class_name="badge badge-neutral")),
        rx.cond(
            choice.description != "",
            rx.el.span(choice.description, class_name="muted small plan-description"),
        ),
        class_name="radio plan-option",
        data_testid="plan-option",
    )


def choose_step() -> rx.Component:
    return rx.el.form(
        rx.el.fieldset(
            rx.el.legend(t("Choose a plan"), class_name="label"),
            rx.foreach(PlanChangeState.choices, plan_option),
            class_name="fieldset",
        ),
        rx.cond(
            PlanChangeState.quantity_enabled,
            rx.fragment(
                rx.el.label(t("Quantity"), html_for="plan-quantity", class_name="label"),
                rx.el.input(
                    id="plan-quantity",
                    name="quantity",
                    type="number",
                    min=PlanChangeState.quantity_min,
                    max=PlanChangeState.quantity_max,
                    default_value=PlanChangeState.quantity,
                    class_name="input input-narrow",
                    data_testid="plan-quantity",
                ),
            ),
        ),
        rx.cond(
            PlanChangeState.promotion_enabled,
            rx.fragment(
                rx.el.label(t("Promotion code"), html_for="plan-promo", class_name="label"),
                rx.el.input(
                    id="plan-promo",
                    name="promotion_code",
                    default_value=PlanChangeState.promotion_code,
                    autocomplete="off",
                    aria_invalid=rx.cond(PlanChangeState.promotion_error != "", "true", "false"),
                    aria_describedby="plan-promo-error",
                    class_name="input input-narrow",
                    data_testid="plan-promo",
                ),
                rx.cond(
                    PlanChangeState.promotion_error != "",
                    rx.el.p(
                        PlanChangeState.promotion_error,
                        id="plan-promo-error",
                        class_name="field-error",
                        role="alert",
                    ),
                ),
            ),
        ),
        step_buttons(
            t("Continue"), test_id="plan-continue", back=(t("Go back"), PlanChangeState.close)
        ),
        on_submit=PlanChangeState.review,
        class_name="stack",
    )


def review_step() -> rx.Component:
    agree_before, agree_after = t_around("By confirming, you agree to the {terms}.", "terms")
    return rx.el.div(
        rx.el.h4(t("Review your change"), class_name="item-title"),
        rx.el.ul(
            rx.foreach(PlanChangeState.review_lines, lambda line: rx.el.li(line)),
            class_name="review",
            data_testid="plan-review",
        ),
        rx.cond(
            PlanChangeState.terms_url != "",
            rx.el.p(
                agree_before,
                rx.el.a(
                    t("terms of service"),
                    href=PlanChangeState.terms_url,
                    target="_blank",
                    rel="noopener",
                ),
                agree_after,
                class_name="muted small",
            ),
        ),
        step_buttons(
            t("Confirm"),
            test_id="plan-confirm",
            on_click=PlanChangeState.confirm,
            busy=PlanChangeState.busy,
            back=(t("Back"), PlanChangeState.back),
        ),
        class_name="stack",
    )


def plan_change_panel() -> rx.Component:
    """The step the customer is on, with the error next to it."""
    return rx.el.div(
        rx.cond(PlanChangeState.step == "review", review_step(), choose_step()),
        error_text(PlanChangeState.error),
        class_name="panel",
        data_testid="plan-panel",
    )
