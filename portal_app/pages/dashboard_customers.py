"""The customers page: find a customer, then create a portal link for them."""

from typing import Any

import reflex as rx

from portal_app.components.dashboard import field_error, select_field, text_field
from portal_app.components.text import t, t_around
from portal_app.pages.dashboard_layout import dashboard_page
from portal_app.state.dashboard_customers import CustomerRow, DashboardCustomersState

S = DashboardCustomersState


def flow_options() -> list[tuple[str, rx.Var]]:
    """Where a portal link opens: the portal's home, or one of Stripe's flows."""
    return [
        ("", t("Portal home")),
        ("payment_method_update", t("Update payment method")),
        ("subscription_update", t("Update a subscription")),
        ("subscription_cancel", t("Cancel a subscription")),
    ]


def search_form() -> rx.Component:
    return rx.el.form(
        rx.el.label(
            t("Search by email or name"), html_for="customer-query", class_name="dash-label"
        ),
        rx.el.div(
            rx.el.input(
                id="customer-query",
                name="query",
                type="search",
                max_length=200,
                class_name="dash-input",
            ),
            rx.el.button(t("Search"), type="submit", class_name="dash-button dash-button-quiet"),
            class_name="dash-inline",
        ),
        on_submit=S.search,
        role="search",
    )


def results() -> rx.Component:
    def row(customer: CustomerRow) -> rx.Component:
        return rx.el.tr(
            rx.el.td(customer.name),
            rx.el.td(customer.email),
            rx.el.td(rx.el.code(customer.id)),
            rx.el.td(
                rx.el.button(
                    t("Create link"),
                    type="button",
                    on_click=S.choose(customer.id),
                    class_name="dash-button dash-button-quiet",
                    aria_label=t("Create a portal link for {email}", email=customer.email),
                )
            ),
        )

    return rx.cond(
        S.has_results,
        rx.el.div(
            rx.el.table(
                rx.el.thead(
                    rx.el.tr(
                        rx.el.th(t("Name")),
                        rx.el.th(t("Email")),
                        rx.el.th(t("Id")),
                        rx.el.th(rx.el.span(t("Action"), class_name="sr-only")),
                    )
                ),
                rx.el.tbody(rx.foreach(S.results, row)),
                class_name="dash-table",
            ),
            class_name="dash-table-wrap",
        ),
        rx.el.p(
            rx.cond(S.searched, t("No customer matches that search."), t("No customers yet.")),
            class_name="muted",
        ),
    )


def link_form() -> rx.Component:
    return rx.el.form(
        rx.el.h2(t("Portal link"), class_name="section-title"),
        text_field(
            t("Customer id"),
            "customer",
            errors=S.errors,
            default_value=S.customer_id,
            placeholder="cus_…",
            key=S.customer_id,
        ),
        rx.el.div(
            select_field(t("Open at"), "flow_type", flow_options(), ""),
            text_field(
                t("Subscription id"),
                "subscription",
                errors=S.errors,
                placeholder="sub_…",
            ),
            class_name="dash-grid",
        ),
        field_error(S.errors, "flow_type"),
        text_field(
            t("Return URL"), "return_url", errors=S.errors, type="url", placeholder="https://…"
        ),
        field_error(S.errors, "configuration"),
        field_error(S.errors, "form"),
        rx.el.button(
            t("Create portal link"),
            type="submit",
            class_name="dash-button",
            data_testid="create-link",
        ),
        on_submit=S.create_link,
        class_name="dash-form",
        aria_label=t("Portal link"),
        no_validate=True,
    )


def created_link() -> rx.Component:
    return rx.cond(
        S.link_url != "",
        rx.el.div(
            rx.el.label(
                t("Single-use link (expires in 5 minutes)"),
                html_for="created-link",
                class_name="dash-label",
            ),
            rx.el.input(
                id="created-link",
                value=S.link_url,
                read_only=True,
                class_name="dash-input dash-mono",
                data_testid="session-url",
            ),
            rx.el.button(
                t("Copy"),
                type="button",
                on_click=rx.set_clipboard(S.link_url),
                class_name="dash-button dash-button-quiet",
            ),
            class_name="dash-field",
        ),
    )


def portal_preview() -> rx.Component:
    """The chosen customer as the portal shows them (default configuration, English)."""
    billing = S.preview_billing
    # Translators: {plan} is the product's name, shown in bold.
    plan_before, plan_after = t_around("{plan} · {price} · {status} · {timeline}", "plan")
    details: Any = plan_after  # a string Var; mypy only sees `rx.Var`
    return rx.cond(
        S.has_preview,
        rx.el.section(
            rx.el.h2(t("What the portal shows this customer"), class_name="dash-h2"),
            rx.el.h3(t("Subscriptions"), class_name="dash-label"),
            rx.foreach(
                S.preview_subscriptions,
                lambda sub: rx.el.p(
                    plan_before,
                    rx.el.strong(sub.title),
                    details.replace("{price}", sub.price_line)
                    .replace("{status}", sub.status_label)
                    .replace("{timeline}", sub.timeline),
                    class_name="dash-hint",
                ),
            ),
            rx.el.h3(t("Payment methods"), class_name="dash-label"),
            rx.foreach(
                S.preview_payment_methods,
                lambda pm: rx.el.p(
                    rx.cond(
                        pm.is_default,
                        t(
                            "{brand} •••• {last4} {expiry} (default)",
                            brand=pm.brand,
                            last4=pm.last4,
                            expiry=pm.expiry,
                        ),
                        t(
                            "{brand} •••• {last4} {expiry}",
                            brand=pm.brand,
                            last4=pm.last4,
                            expiry=pm.expiry,
                        ),
                    ),
                    class_name="dash-hint",
                ),
            ),
            rx.el.h3(t("Billing information"), class_name="dash-label"),
            rx.el.p(
                t("{name} · {email}", name=billing.name, email=billing.email),
                class_name="dash-hint",
            ),
            rx.el.h3(t("Latest invoices"), class_name="dash-label"),
            rx.foreach(
                S.preview_invoices,
                lambda invoice: rx.el.p(
                    t(
                        "{date} · {amount} · {status}",
                        date=invoice.date,
                        amount=invoice.amount,
                        status=invoice.status_label,
                    ),
                    class_name="dash-hint",
                ),
            ),
            class_name="dash-card dash-stack",
            data_testid="customer-preview",
        ),
    )


@dashboard_page("/dashboard/customers", title=t("Customers"), on_load=S.load)
def customers() -> rx.Component:
    """Search and results beside the link form, and the chosen customer's portal view."""
    return rx.el.div(
        rx.el.div(
            rx.el.section(search_form(), results(), class_name="dash-card dash-stack"),
            rx.el.section(link_form(), created_link(), class_name="dash-card dash-stack"),
            class_name="dash-two dash-two-even",
        ),
        portal_preview(),
        class_name="dash-stack",
    )
