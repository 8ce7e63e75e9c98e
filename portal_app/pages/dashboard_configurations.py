"""The configurations page: every option of Stripe's portal configuration, with its defaults."""

import reflex as rx

from portal_app.components.dashboard import (
    checkbox,
    field_error,
    list_head,
    notice,
    select_field,
    text_field,
)
from portal_app.components.text import t
from portal_app.models.configuration import ALL_CANCELLATION_REASONS
from portal_app.pages.dashboard_layout import dashboard_page
from portal_app.state.dashboard_configuration_form import (
    ALLOWED_UPDATES,
    CUSTOMER_FIELDS,
    SCHEDULE_CONDITIONS,
)
from portal_app.state.dashboard_configurations import (
    ConfigurationRow,
    DashboardConfigurationsState,
)

S = DashboardConfigurationsState


def prorations() -> list[tuple[str, rx.Var]]:
    """Stripe's proration behaviours, as the merchant reads them."""
    return [
        ("none", t("No prorations")),
        ("create_prorations", t("Prorate on the next invoice")),
        ("always_invoice", t("Prorate and invoice at once")),
    ]


def customer_field_labels() -> dict[str, rx.Var]:
    """What customers may change in their billing information, by Stripe's field name."""
    return {
        "name": t("Name"),
        "email": t("Email"),
        "address": t("Address"),
        "phone": t("Phone"),
        "shipping": t("Shipping"),
        "tax_id": t("Tax id"),
    }


def reason_labels() -> dict[str, rx.Var]:
    """Stripe's cancellation reasons."""
    return {
        "too_expensive": t("Too expensive"),
        "missing_features": t("Missing features"),
        "switched_service": t("Switched service"),
        "unused": t("Unused"),
        "customer_service": t("Customer service"),
        "too_complex": t("Too complex"),
        "low_quality": t("Low quality"),
        "other": t("Other"),
    }


def update_labels() -> dict[str, rx.Var]:
    """What customers may change in a subscription."""
    return {"price": t("Price"), "quantity": t("Quantity"), "promotion_code": t("Promotion code")}


def schedule_labels() -> dict[str, rx.Var]:
    """The kinds of plan change that can wait for the end of the period."""
    return {
        "decreasing_item_amount": t("Decreasing item amount"),
        "shortening_interval": t("Shortening interval"),
    }


def configuration_list() -> rx.Component:
    """Every configuration, the open one highlighted."""

    def row(item: ConfigurationRow) -> rx.Component:
        return rx.el.li(
            rx.el.button(
                rx.el.span(item.label, class_name="dash-row-title"),
                rx.el.span(
                    rx.cond(item.is_default, rx.el.span(t("Default"), class_name="dash-badge")),
                    rx.cond(
                        ~item.active,
                        rx.el.span(t("Inactive"), class_name="dash-badge dash-badge-muted"),
                    ),
                    rx.el.span(item.updated, class_name="dash-hint"),
                    class_name="dash-row-meta",
                ),
                type="button",
                on_click=S.select(item.id),
                class_name=["dash-row", rx.cond(item.id == S.selected_id, "dash-row-open", "")],
                aria_current=rx.cond(item.id == S.selected_id, "true", "false"),
            )
        )

    return rx.el.section(
        list_head(t("Configurations"), t("New configuration"), S.new, "new-configuration"),
        rx.el.ul(rx.foreach(S.rows, row), class_name="dash-rows"),
        class_name="dash-card",
    )


def business_section() -> rx.Component:
    form = S.form
    return rx.el.fieldset(
        rx.el.legend(t("Business")),
        text_field(
            t("Business name"),
            "business_name",
            errors=S.errors,
            default_value=form.business_name,
            max_length=100,
        ),
        text_field(
            t("Headline"),
            "headline",
            errors=S.errors,
            default_value=form.headline,
            hint=t("Up to 60 characters, shown beside your name."),
        ),
        text_field(
            t("Terms of service URL"),
            "terms_of_service_url",
            errors=S.errors,
            default_value=form.terms_of_service_url,
            type="url",
        ),
        text_field(
            t("Privacy policy URL"),
            "privacy_policy_url",
            errors=S.errors,
            default_value=form.privacy_policy_url,
            type="url",
        ),
        text_field(
            t("Default return URL"),
            "default_return_url",
            errors=S.errors,
            default_value=form.default_return_url,
            hint=t("Where “Return to …” leads when a session names no return URL."),
            type="url",
        ),
        text_field(
            t("Internal name"),
            "name",
            errors=S.errors,
            default_value=form.name,
            hint=t("Only you see it."),
        ),
        checkbox(t("Active"), "active", form.active),
        field_error(S.errors, "active"),
        class_name="dash-fieldset",
    )


def customer_section() -> rx.Component:
    form = S.form
    fields = customer_field_labels()
    return rx.el.fieldset(
        rx.el.legend(t("Billing information")),
        checkbox(
            t("Customers can update their billing information"),
            "customer_update_enabled",
            form.customer_update_enabled,
        ),
        rx.el.div(
            *[
                checkbox(fields[f], f"customer_{f}", form.customer_fields[f])
                for f in CUSTOMER_FIELDS
            ],
            class_name="dash-checks",
        ),
        field_error(S.errors, "customer_update"),
        checkbox(
            t("Customers can manage payment methods"),
            "payment_method_update_enabled",
            form.payment_method_update_enabled,
        ),
        checkbox(
            t("Show invoice history"), "invoice_history_enabled", form.invoice_history_enabled
        ),
        class_name="dash-fieldset",
    )


def cancel_section() -> rx.Component:
    form = S.form
    reasons = reason_labels()
    return rx.el.fieldset(
        rx.el.legend(t("Cancellations")),
        checkbox(t("Customers can cancel subscriptions"), "cancel_enabled", form.cancel_enabled),
        rx.el.div(
            select_field(
                t("When"),
                "cancel_mode",
                [
                    ("at_period_end", t("At the end of the billing period")),
                    ("immediately", t("Immediately")),
                ],
                form.cancel_mode,
            ),
            select_field(
                t("Prorations on immediate cancellation"),
                "cancel_proration",
                prorations()[:2],
                form.cancel_proration,
            ),
            class_name="dash-grid",
        ),
        checkbox(t("Ask for a cancellation reason"), "reasons_enabled", form.reasons_enabled),
        rx.el.div(
            *[
                checkbox(reasons[r], f"reason_{r}", form.reasons[r])
                for r in ALL_CANCELLATION_REASONS
            ],
            class_name="dash-checks",
        ),
        field_error(S.errors, "reasons"),
        checkbox(
            t("Offer a coupon before cancelling"), "retention_enabled", form.retention_enabled
        ),
        text_field(
            t("Retention coupon"),
            "retention_coupon",
            errors=S.errors,
            default_value=form.retention_coupon,
            placeholder=t("coupon id"),
        ),
        class_name="dash-fieldset",
    )


def update_section() -> rx.Component:
    form = S.form
    updates = update_labels()
    conditions = schedule_labels()
    return rx.el.fieldset(
        rx.el.legend(t("Plan changes")),
        checkbox(t("Customers can switch plans"), "update_enabled", form.update_enabled),
        rx.el.div(
            *[
                checkbox(updates[u], f"allowed_{u}", form.allowed_updates[u])
                for u in ALLOWED_UPDATES
            ],
            class_name="dash-checks",
        ),
        field_error(S.errors, "allowed_updates"),
        rx.el.div(
            rx.el.label(
                t("Products and prices"), html_for="field-products", class_name="dash-label"
            ),
            rx.el.textarea(
                id="field-products",
                name="products",
                default_value=form.products,
                rows=4,
                # Translators: an example of the syntax; keep the ids as they are.
                placeholder=t("prod_basic: price_basic_monthly, price_basic_yearly"),
                class_name="dash-input dash-mono",
            ),
            rx.el.p(
                t("One product per line. At most one price per billing interval and currency."),
                class_name="dash-hint",
            ),
            field_error(S.errors, "products"),
            class_name="dash-field",
        ),
        rx.el.div(
            select_field(t("Prorations"), "update_proration", prorations(), form.update_proration),
            select_field(
                t("Changes during a trial"),
                "trial_update_behavior",
                [("end_trial", t("End the trial")), ("continue_trial", t("Continue the trial"))],
                form.trial_update_behavior,
            ),
            text_field(
                t("Minimum quantity"),
                "quantity_minimum",
                default_value=form.quantity_minimum,
                inputmode="numeric",
            ),
            text_field(
                t("Maximum quantity"),
                "quantity_maximum",
                default_value=form.quantity_maximum,
                inputmode="numeric",
                placeholder=t("No limit"),
            ),
            class_name="dash-grid",
        ),
        field_error(S.errors, "quantity"),
        rx.el.p(t("Wait for the end of the period when a change"), class_name="dash-label"),
        rx.el.div(
            *[
                checkbox(conditions[c], f"schedule_{c}", form.schedule_conditions[c])
                for c in SCHEDULE_CONDITIONS
            ],
            class_name="dash-checks",
        ),
        class_name="dash-fieldset",
    )


def configuration_form() -> rx.Component:
    """The form for the open configuration (re-mounted when another one opens)."""
    return rx.el.form(
        rx.el.div(
            rx.el.h2(
                rx.cond(S.selected_id == "", t("New configuration"), S.form.business_name),
                class_name="section-title",
            ),
            rx.cond(
                S.selected_id != "",
                rx.el.code(S.selected_id, class_name="dash-hint"),
            ),
            class_name="dash-section-head",
        ),
        business_section(),
        customer_section(),
        cancel_section(),
        update_section(),
        field_error(S.errors, "form"),
        rx.el.div(
            rx.el.button(
                t("Save configuration"),
                type="submit",
                class_name="dash-button",
                data_testid="save-configuration",
            ),
            rx.cond(
                S.selected_id != "",
                rx.el.button(
                    t("Make default"),
                    type="button",
                    on_click=S.make_default,
                    class_name="dash-button dash-button-quiet",
                ),
            ),
            notice(S.notice),
            class_name="dash-actions",
        ),
        key=S.form_version,
        on_submit=S.save,
        class_name="dash-card dash-form",
        aria_label=t("Configuration"),
        no_validate=True,
    )


@dashboard_page(
    "/dashboard",
    title=t("Portal configurations"),
    on_load=S.load,
)
def configurations() -> rx.Component:
    """The list beside the form."""
    return rx.el.div(configuration_list(), configuration_form(), class_name="dash-two")
