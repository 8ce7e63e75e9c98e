"""The portal home's sections: subscriptions, payment methods, billing information, invoices.

Row arguments are the object vars `rx.foreach` hands over, typed `Any` since their fields are
resolved by Reflex at compile time.
"""

from typing import Any

import reflex as rx

from portal_app.components.billing_form import billing_form, tax_id_form
from portal_app.components.cancel_panel import cancel_panel
from portal_app.components.feedback import error_text, status_text, step_buttons
from portal_app.components.plan_change_panel import plan_change_panel
from portal_app.components.text import t
from portal_app.state.billing_details import BillingDetailsState
from portal_app.state.cancel import CancelState
from portal_app.state.invoices import InvoicePaymentState
from portal_app.state.payment_methods import PaymentMethodsState
from portal_app.state.plan_change import PlanChangeState
from portal_app.state.portal import PortalState


def badge(label: Any, tone: Any) -> rx.Component:
    """A small status pill; the tone picks its colours."""
    return rx.el.span(label, class_name="badge badge-" + tone.to(str))


def section(title: Any, testid: str, *children: rx.Component) -> rx.Component:
    """A titled card; the title is the section's accessible name."""
    heading_id = f"{testid}-title"
    return rx.el.section(
        rx.el.h2(title, class_name="section-title", id=heading_id),
        *children,
        class_name="card",
        aria_labelledby=heading_id,
        data_testid=testid,
    )


def subscription_card(sub: Any) -> rx.Component:
    return rx.el.article(
        rx.el.div(
            rx.el.h3(sub.title, class_name="item-title"),
            badge(sub.status_label, sub.status_tone),
            class_name="row-between",
        ),
        rx.el.p(sub.price_line, class_name="price-line"),
        rx.cond(sub.quantity_line != "", rx.el.p(sub.quantity_line, class_name="muted")),
        rx.cond(sub.timeline != "", rx.el.p(sub.timeline, class_name="muted")),
        rx.cond(
            sub.next_invoice != "",
            rx.el.p(sub.next_invoice, class_name="muted", data_testid="next-invoice"),
        ),
        rx.cond(
            sub.discount != "", rx.el.p(rx.el.span(sub.discount, class_name="badge badge-info"))
        ),
        rx.cond(
            sub.scheduled_change != "",
            rx.el.div(
                rx.el.span(sub.scheduled_change),
                rx.cond(
                    sub.can_cancel_scheduled_change,
                    rx.el.button(
                        t("Cancel change"),
                        on_click=PlanChangeState.cancel_scheduled(sub.id),
                        class_name="button-link",
                        data_testid="cancel-scheduled-change",
                    ),
                ),
                class_name="notice row-between",
                data_testid="scheduled-change",
            ),
        ),
        rx.cond(sub.blocked_reason != "", rx.el.p(sub.blocked_reason, class_name="muted small")),
        rx.cond(
            (CancelState.subscription_id != sub.id) & (PlanChangeState.subscription_id != sub.id),
            subscription_actions(sub),
        ),
        rx.cond(CancelState.subscription_id == sub.id, cancel_panel()),
        rx.cond(PlanChangeState.subscription_id == sub.id, plan_change_panel()),
        class_name="subscription",
        data_testid="subscription",
        data_subscription_id=sub.id,
    )


def subscription_actions(sub: Any) -> rx.Component:
    """Update, cancel, renew: hidden while a step for this subscription is open, so one
    cancel action shows at a time (the step's own button)."""
    return rx.el.div(
        rx.cond(
            sub.can_update,
            rx.el.button(
                t("Update subscription"),
                on_click=PlanChangeState.open(sub.id),
                class_name="button",
                data_testid="update-subscription",
            ),
        ),
        rx.cond(
            sub.can_cancel,
            rx.el.button(
                t("Cancel subscription"),
                on_click=CancelState.open(sub.id),
                class_name="button-secondary",
                data_testid="cancel-subscription",
            ),
        ),
        rx.cond(
            sub.can_renew,
            rx.el.button(
                t("Renew subscription"),
                on_click=CancelState.renew(sub.id),
                class_name="button",
                data_testid="renew-subscription",
            ),
        ),
        class_name="row-gap actions",
    )


def past_due_banner() -> rx.Component:
    """What is overdue and a way to pay it, above the subscriptions (gone once paid)."""
    overdue = PortalState.past_due
    return rx.cond(
        overdue.invoice_id != "",
        rx.el.div(
            rx.el.div(
                rx.el.p(overdue.message),
                rx.cond(
                    InvoicePaymentState.place != "banner",
                    rx.el.button(
                        t("Pay {amount}", amount=overdue.amount),
                        on_click=InvoicePaymentState.open_overdue,
                        class_name="button",
                        data_testid="past-due-pay",
                    ),
                ),
                class_name="row-between",
            ),
            rx.cond(InvoicePaymentState.place == "banner", pay_panel()),
            class_name="notice notice-danger",
            role="alert",
            data_testid="past-due-banner",
            data_amount=overdue.amount_minor,
            data_currency=overdue.currency,
            data_invoice_id=overdue.invoice_id,
            data_total_amount=overdue.total_minor,
            data_open_invoices=overdue.open_invoices,
        ),
    )


def subscriptions_section() -> rx.Component:
    return section(
        t("Current subscription"),
        "subscriptions",
        past_due_banner(),
        status_text(CancelState.notice),
        status_text(PlanChangeState.notice),
        rx.cond(
            (PlanChangeState.error != "") & (PlanChangeState.subscription_id == ""),
            rx.el.p(PlanChangeState.error, class_name="field-error", role="alert"),
        ),
        rx.cond(
            (CancelState.error != "") & (CancelState.subscription_id == ""),
            rx.el.p(CancelState.error, class_name="field-error", role="alert"),
        ),
        rx.cond(
            PortalState.subscriptions.length() > 0,  # type: ignore[attr-defined]
            rx.el.div(rx.foreach(PortalState.subscriptions, subscription_card), class_name="stack"),
            rx.el.p(t("You have no current subscriptions."), class_name="muted"),
        ),
    )


def payment_method_item(pm: Any) -> rx.Component:
    return rx.el.li(
        rx.el.span(pm.brand, class_name="pm-brand"),
        rx.el.span("•••• ", pm.last4, class_name="pm-last4"),
        rx.cond(
            pm.expiry != "",
            rx.el.span(t("Expires {date}", date=pm.expiry), class_name="muted small"),
        ),
        rx.cond(pm.is_default, rx.el.span(t("Default"), class_name="badge badge-neutral")),
        rx.el.span(
            rx.cond(
                ~pm.is_default,
                rx.el.button(
                    t("Make default"),
                    on_click=PaymentMethodsState.make_default(pm.id),
                    class_name="button-link",
                    aria_label=t("Make card ending {last4} the default", last4=pm.last4),
                    data_testid="pm-make-default",
                ),
            ),
            rx.cond(
                PaymentMethodsState.removing != pm.id,
                rx.el.button(
                    t("Remove"),
                    on_click=PaymentMethodsState.ask_remove(pm.id),
                    class_name="button-link danger-link",
                    aria_label=t("Remove card ending {last4}", last4=pm.last4),
                    data_testid="pm-remove",
                ),
            ),
            class_name="pm-actions",
        ),
        rx.cond(PaymentMethodsState.removing == pm.id, remove_confirmation(pm)),
        class_name="pm-row",
        data_testid="payment-method",
    )


def remove_confirmation(pm: Any) -> rx.Component:
    """The question before a card is removed, under the card it concerns."""
    return rx.el.div(
        rx.el.p(
            t("Remove the card ending {last4}?", last4=pm.last4),
            id="pm-remove-question",
        ),
        rx.el.div(
            rx.el.button(
                t("Remove card"),
                on_click=PaymentMethodsState.remove(pm.id),
                class_name="button button-danger",
                aria_describedby="pm-remove-question",
                data_testid="pm-remove-confirm",
            ),
            rx.el.button(
                t("Keep card"),
                on_click=PaymentMethodsState.keep_card,
                class_name="button-secondary",
                data_testid="pm-remove-cancel",
            ),
            class_name="row-gap",
        ),
        class_name="notice pm-confirm",
        role="group",
        data_testid="pm-remove-confirmation",
    )


def card_field_error(name: str) -> rx.Component:
    """The card field's own message (worded by the portal from the error's code)."""
    message = getattr(PaymentMethodsState.card_errors, name)
    return error_text(message, id=f"card-{name}-error", data_testid=f"card-{name}-error")


def sandbox_card_fields() -> rx.Component:
    """The sandbox's card fields, bound to nothing: the browser posts them to the sandbox."""
    errors = PaymentMethodsState.card_errors
    return rx.fragment(
        rx.el.label(t("Name on card"), html_for="card-name", class_name="label"),
        rx.el.input(id="card-name", autocomplete="cc-name", class_name="input"),
        rx.el.label(t("Card number"), html_for="card-number", class_name="label"),
        rx.el.input(
            id="card-number",
            inputmode="numeric",
            autocomplete="cc-number",
            placeholder="1234 1234 1234 1234",
            aria_invalid=rx.cond(errors.number != "", "true", "false"),
            aria_describedby="card-number-error",
            class_name="input",
            data_testid="card-number",
        ),
        card_field_error("number"),
        rx.el.div(
            rx.el.div(
                rx.el.label(t("Expiry (MM/YY)"), html_for="card-exp", class_name="label"),
                rx.el.input(
                    id="card-exp",
                    autocomplete="cc-exp",
                    placeholder=t("MM / YY"),
                    aria_invalid=rx.cond(errors.exp != "", "true", "false"),
                    aria_describedby="card-exp-error",
                    class_name="input",
                    data_testid="card-exp",
                ),
                card_field_error("exp"),
                class_name="stack-tight",
            ),
            rx.el.div(
                rx.el.label(t("CVC"), html_for="card-cvc", class_name="label"),
                rx.el.input(
                    id="card-cvc",
                    inputmode="numeric",
                    autocomplete="cc-csc",
                    aria_invalid=rx.cond(errors.cvc != "", "true", "false"),
                    aria_describedby="card-cvc-error",
                    class_name="input",
                    data_testid="card-cvc",
                ),
                card_field_error("cvc"),
                class_name="stack-tight",
            ),
            class_name="row-gap",
        ),
    )


def card_form() -> rx.Component:
    """Stripe's Payment Element (real Stripe) or the sandbox's card fields, and the buttons.

    Neither sends the card to the portal's backend."""
    return rx.el.div(
        rx.el.h3(t("Add a card"), class_name="item-title"),
        rx.cond(
            PaymentMethodsState.payment_element,
            rx.el.div(
                id="payment-element", class_name="payment-element", data_testid="payment-element"
            ),
            sandbox_card_fields(),
        ),
        card_field_error("form"),
        step_buttons(
            t("Save card"),
            test_id="card-save",
            on_click=PaymentMethodsState.submit_card,
            busy=PaymentMethodsState.busy,
            back=(t("Cancel"), PaymentMethodsState.close_add),
        ),
        class_name="panel",
        data_testid="card-form",
    )


def payment_methods_section() -> rx.Component:
    return section(
        t("Payment methods"),
        "payment-methods",
        status_text(PaymentMethodsState.notice),
        rx.cond(
            PortalState.payment_methods.length() > 0,  # type: ignore[attr-defined]
            rx.el.ul(
                rx.foreach(PortalState.payment_methods, payment_method_item), class_name="list"
            ),
            rx.el.p(t("No payment method on file."), class_name="muted"),
        ),
        rx.cond(
            PaymentMethodsState.error != "",
            rx.el.p(
                PaymentMethodsState.error,
                class_name="field-error",
                role="alert",
                data_testid="pm-error",
            ),
        ),
        rx.cond(
            PaymentMethodsState.adding,
            card_form(),
            rx.el.button(
                t("+ Add payment method"),
                on_click=PaymentMethodsState.open_add,
                class_name="button-secondary",
                data_testid="pm-add",
            ),
        ),
    )


def billing_section() -> rx.Component:
    billing = PortalState.billing
    return section(
        t("Billing information"),
        "billing-information",
        status_text(BillingDetailsState.notice),
        rx.cond(
            BillingDetailsState.editing,
            billing_form(),
            rx.fragment(
                rx.el.dl(
                    rx.el.dt(t("Name")),
                    rx.el.dd(rx.cond(billing.name != "", billing.name, "—")),
                    rx.el.dt(t("Email")),
                    rx.el.dd(
                        rx.cond(
                            billing.email != "",
                            rx.foreach(
                                billing.email_parts,
                                lambda part: rx.fragment(rx.el.wbr(), part),
                            ),
                            "—",
                        ),
                        class_name="email",
                    ),
                    rx.cond(
                        billing.phone != "",
                        rx.fragment(rx.el.dt(t("Phone")), rx.el.dd(billing.phone)),
                    ),
                    rx.el.dt(t("Billing address")),
                    rx.el.dd(
                        rx.cond(
                            billing.address_lines.length() > 0,  # type: ignore[attr-defined]
                            rx.foreach(billing.address_lines, lambda line: rx.el.div(line)),
                            "—",
                        )
                    ),
                    rx.cond(
                        billing.tax_ids.length() > 0,  # type: ignore[attr-defined]
                        rx.fragment(
                            rx.el.dt(t("Tax IDs")),
                            rx.el.dd(rx.foreach(billing.tax_ids, tax_id_item)),
                        ),
                    ),
                    class_name="details",
                    # Long labels (other languages) and emails must not widen a phone's page.
                    style={
                        "grid_template_columns": "fit-content(40%) minmax(0, 1fr)",
                        "overflow_wrap": "break-word",
                    },
                    data_testid="billing-details",
                ),
                error_text(BillingDetailsState.error),
                rx.el.button(
                    t("Update information"),
                    on_click=BillingDetailsState.open,
                    class_name="button-secondary",
                    data_testid="billing-edit",
                ),
            ),
        ),
        rx.cond(
            PortalState.features.tax_ids,
            rx.el.div(tax_id_form(), class_name="tax-ids"),
        ),
    )


def tax_id_item(tax_id: Any) -> rx.Component:
    return rx.el.div(
        rx.el.span(tax_id.label),
        rx.cond(
            PortalState.features.tax_ids,
            rx.el.button(
                t("Remove"),
                on_click=BillingDetailsState.remove_tax_id(tax_id.id),
                class_name="button-link danger-link",
                aria_label=t("Remove tax ID {label}", label=tax_id.label),
            ),
        ),
        class_name="row-gap",
        data_testid="tax-id",
    )


def invoice_item(invoice: Any) -> rx.Component:
    """The invoice's row, and under it the Pay panel when it is this invoice being paid."""
    return rx.fragment(
        invoice_row(invoice),
        rx.cond(
            (InvoicePaymentState.invoice_id == invoice.id) & (InvoicePaymentState.place == "row"),
            rx.el.tr(rx.el.td(pay_panel(), col_span=5), class_name="pay-row"),
        ),
    )


def invoice_row(invoice: Any) -> rx.Component:
    return rx.el.tr(
        rx.el.td(
            invoice.date,
            # On a phone the "For" column is hidden: what the invoice was for goes here.
            rx.el.span(invoice.summary, class_name="muted small show-narrow"),
        ),
        rx.el.td(invoice.amount, class_name="num"),
        rx.el.td(badge(invoice.status_label, invoice.status_tone)),
        rx.el.td(invoice.summary, class_name="muted hide-narrow"),
        rx.el.td(
            rx.el.span(
                rx.cond(
                    invoice.payable,
                    rx.el.button(
                        t("Pay"),
                        on_click=InvoicePaymentState.open(invoice.id),
                        class_name="button-link",
                        aria_label=t("Pay invoice {number}", number=invoice.number),
                        data_testid="invoice-pay",
                    ),
                ),
                rx.cond(
                    invoice.view_url != "",
                    rx.el.a(
                        t("View"),
                        href=invoice.view_url,
                        target="_blank",
                        rel="noopener",
                        aria_label=t("View invoice {number}", number=invoice.number),
                    ),
                ),
                rx.cond(
                    invoice.pdf_url != "",
                    rx.el.a(
                        t("PDF"),
                        href=invoice.pdf_url,
                        target="_blank",
                        rel="noopener",
                        aria_label=t("Download invoice {number} as PDF", number=invoice.number),
                    ),
                ),
                class_name="invoice-actions",
                # Links wrap as wholes: keep-all stops Japanese breaking inside a word.
                style={"flex_wrap": "wrap", "row_gap": "4px", "word_break": "keep-all"},
            ),
            class_name="num",
        ),
        data_testid="invoice",
        data_invoice_id=invoice.id,
    )


def pay_panel() -> rx.Component:
    """Choose the card for an open invoice and pay it; names the invoice and the amount."""
    return rx.el.div(
        rx.el.h3(
            rx.cond(
                InvoicePaymentState.invoice_number != "",
                t(
                    "Pay invoice {number}: {amount}",
                    number=InvoicePaymentState.invoice_number,
                    amount=InvoicePaymentState.amount_due,
                ),
                t("Pay {amount}", amount=InvoicePaymentState.amount_due),
            ),
            class_name="item-title",
            data_testid="pay-summary",
            data_amount=InvoicePaymentState.amount_due_minor,
            data_currency=InvoicePaymentState.currency,
        ),
        rx.el.label(t("Pay with"), html_for="pay-card", class_name="label"),
        rx.el.select(
            rx.foreach(
                PortalState.payment_methods,
                lambda pm: rx.el.option(pm.brand + " •••• " + pm.last4, value=pm.id),
            ),
            id="pay-card",
            value=InvoicePaymentState.payment_method_id,
            on_change=InvoicePaymentState.choose,
            class_name="input input-narrow",
        ),
        error_text(InvoicePaymentState.error),
        step_buttons(
            t("Pay invoice"),
            test_id="invoice-pay-confirm",
            on_click=InvoicePaymentState.pay,
            busy=InvoicePaymentState.busy,
            back=(t("Cancel"), InvoicePaymentState.close),
        ),
        class_name="panel",
        data_testid="pay-panel",
    )


def invoices_section() -> rx.Component:
    return section(
        t("Invoice history"),
        "invoice-history",
        status_text(InvoicePaymentState.notice),
        rx.cond(
            (InvoicePaymentState.error != "") & (InvoicePaymentState.invoice_id == ""),
            error_text(InvoicePaymentState.error),
        ),
        rx.cond(
            PortalState.invoices.length() > 0,  # type: ignore[attr-defined]
            rx.el.table(
                rx.el.thead(
                    rx.el.tr(
                        rx.el.th(t("Date"), scope="col"),
                        rx.el.th(t("Amount"), scope="col", class_name="num"),
                        rx.el.th(t("Status"), scope="col"),
                        rx.el.th(t("For"), scope="col", class_name="hide-narrow"),
                        rx.el.th(rx.el.span(t("Actions"), class_name="sr-only"), scope="col"),
                    )
                ),
                rx.el.tbody(rx.foreach(PortalState.invoices, invoice_item)),
                class_name="invoices",
            ),
            rx.el.p(t("No invoices yet."), class_name="muted"),
        ),
        rx.cond(
            PortalState.invoices_cursor != "",
            rx.el.button(
                t("View more"),
                on_click=PortalState.more_invoices,
                class_name="button-secondary",
                data_testid="invoices-more",
            ),
        ),
    )
