"""The subscription update steps: choose a plan and quantity, then review and confirm."""

from typing import Any

import reflex as rx

from portal_app.components.feedback import error_text, step_buttons
from portal_app.components.text import t, t_around
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


def plan_side(title: Any, side: Any, test_id: str) -> rx.Component:
    """One side of the change: product, price per interval, quantity."""
    return rx.el.div(
        rx.el.span(title, class_name="label"),
        rx.el.span(side.product, class_name="plan-name"),
        rx.el.span(side.price_line, class_name="muted"),
        rx.el.span(t("Quantity: {quantity}", quantity=side.quantity), class_name="muted small"),
        class_name="stack-tight",
        data_testid=test_id,
    )


def review_item(item: Any) -> rx.Component:
    return rx.el.div(
        rx.el.dt(item.label),
        rx.el.dd(item.amount_text, data_amount=item.amount),
        class_name="row-between review-row",
        data_testid="review-item",
    )


def review_step() -> rx.Component:
    agree_before, agree_after = t_around("By confirming, you agree to the {terms}.", "terms")
    return rx.el.div(
        rx.el.h4(t("Review your change"), class_name="item-title"),
        rx.el.div(
            plan_side(t("Current plan"), PlanChangeState.review_from, "review-from"),
            rx.el.span("\u2192", aria_hidden="true", class_name="muted"),
            plan_side(t("New plan"), PlanChangeState.review_to, "review-to"),
            class_name="plan-sides",
        ),
        rx.cond(
            PlanChangeState.review_items.length() > 0,  # type: ignore[attr-defined]
            rx.el.dl(
                rx.foreach(PlanChangeState.review_items, review_item),
                class_name="stack-tight",
                data_testid="review-items",
            ),
        ),
        rx.el.dl(
            rx.el.div(
                rx.el.dt(t("Due today")),
                rx.el.dd(PlanChangeState.due_today_text),
                class_name="row-between review-row",
                data_testid="review-due-today",
                data_amount=PlanChangeState.due_today_amount,
                data_currency=PlanChangeState.review_currency,
            ),
            rx.el.div(
                rx.el.dt(t("Next invoice")),
                rx.el.dd(
                    t(
                        "{amount} on {date}",
                        amount=PlanChangeState.next_invoice_text,
                        date=PlanChangeState.next_invoice_day,
                    )
                ),
                class_name="row-between review-row",
                data_testid="review-next-invoice",
                data_amount=PlanChangeState.next_invoice_amount,
                data_currency=PlanChangeState.review_currency,
                data_date=PlanChangeState.next_invoice_date,
            ),
            rx.el.div(
                rx.el.dt(t("Payment method")),
                rx.el.dd(PlanChangeState.review_card),
                class_name="row-between review-row",
                data_testid="review-payment-method",
            ),
            class_name="stack-tight",
        ),
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
            test_id="review-confirm",
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
