"""The billing information form: each field with its label and its own error."""

from typing import Any

import reflex as rx

from portal_app.components.feedback import error_text, step_buttons
from portal_app.components.text import t
from portal_app.state.billing_details import BillingDetailsState
from portal_app.state.i18n import I18nState


def text_field(
    label: Any, name: str, value: Any, error: Any = "", autocomplete: str = "", **props: Any
) -> rx.Component:
    field_id = f"billing-{name}"
    return rx.el.div(
        rx.el.label(label, html_for=field_id, class_name="label"),
        rx.el.input(
            id=field_id,
            name=name,
            default_value=value,
            autocomplete=autocomplete,
            aria_invalid=rx.cond(error != "", "true", "false"),
            aria_describedby=f"{field_id}-error",
            class_name="input",
            **props,
        ),
        rx.cond(
            error != "",
            rx.el.p(error, id=f"{field_id}-error", class_name="field-error", role="alert"),
        ),
        class_name="stack-tight",
    )


def country_field() -> rx.Component:
    errors = BillingDetailsState.errors
    return rx.el.div(
        rx.el.label(t("Country"), html_for="billing-country", class_name="label"),
        rx.el.select(
            rx.el.option(t("Choose…"), value=""),
            rx.foreach(
                I18nState.countries,
                lambda option: rx.el.option(option[1], value=option[0]),
            ),
            id="billing-country",
            name="country",
            default_value=BillingDetailsState.form.country,
            autocomplete="country",
            on_change=BillingDetailsState.choose_country,
            class_name="input",
        ),
        error_text(errors.country),
        class_name="stack-tight",
    )


def state_field() -> rx.Component:
    """A list where the country has states or provinces, a free text field elsewhere."""
    errors = BillingDetailsState.errors
    return rx.cond(
        BillingDetailsState.state_options.length() > 0,  # type: ignore[attr-defined]
        rx.el.div(
            rx.el.label(
                t("State, province or region"), html_for="billing-state", class_name="label"
            ),
            rx.el.select(
                rx.el.option(t("Choose…"), value=""),
                rx.foreach(
                    BillingDetailsState.state_options,
                    lambda option: rx.el.option(option[1], value=option[0]),
                ),
                id="billing-state",
                name="state",
                default_value=BillingDetailsState.form.state,
                autocomplete="address-level1",
                aria_invalid=rx.cond(errors.state != "", "true", "false"),
                aria_describedby="billing-state-error",
                class_name="input",
                data_testid="billing-state-select",
            ),
            error_text(errors.state, id="billing-state-error"),
            class_name="stack-tight",
        ),
        text_field(
            t("State, province or region"),
            "state",
            BillingDetailsState.form.state,
            errors.state,
            "address-level1",
        ),
    )


def billing_form() -> rx.Component:
    form = BillingDetailsState.form
    errors = BillingDetailsState.errors
    return rx.el.form(
        rx.cond(
            BillingDetailsState.allow_name,
            text_field(t("Name"), "name", form.name, errors.name, "name"),
        ),
        rx.cond(
            BillingDetailsState.allow_email,
            rx.cond(
                BillingDetailsState.email_locked,
                rx.el.p(
                    t(
                        "Email: {email} (you signed in with this email, so it stays as is)",
                        email=form.email,
                    ),
                    class_name="muted small",
                ),
                text_field(t("Email"), "email", form.email, errors.email, "email", type="email"),
            ),
        ),
        rx.cond(
            BillingDetailsState.allow_address,
            rx.fragment(
                country_field(),
                text_field(t("Address line 1"), "line1", form.line1, errors.line1, "address-line1"),
                text_field(
                    t("Address line 2 (optional)"), "line2", form.line2, "", "address-line2"
                ),
                rx.el.div(
                    text_field(t("City"), "city", form.city, errors.city, "address-level2"),
                    text_field(
                        t("Postal code"),
                        "postal_code",
                        form.postal_code,
                        errors.postal_code,
                        "postal-code",
                    ),
                    class_name="row-gap",
                ),
                state_field(),
            ),
        ),
        rx.cond(
            BillingDetailsState.allow_phone,
            text_field(t("Phone (optional)"), "phone", form.phone, errors.phone, "tel", type="tel"),
        ),
        error_text(BillingDetailsState.error),
        step_buttons(
            t("Save"),
            test_id="billing-save",
            busy=BillingDetailsState.busy,
            back=(t("Cancel"), BillingDetailsState.close),
        ),
        on_submit=BillingDetailsState.save,
        class_name="panel",
        data_testid="billing-form",
    )


def tax_id_form() -> rx.Component:
    return rx.el.form(
        rx.el.div(
            rx.el.div(
                rx.el.label(t("Tax ID type"), html_for="tax-type", class_name="label"),
                rx.el.select(
                    rx.foreach(
                        I18nState.tax_id_kinds,
                        lambda option: rx.el.option(option[1], value=option[0]),
                    ),
                    id="tax-type",
                    name="tax_type",
                    class_name="input",
                ),
                class_name="stack-tight",
            ),
            rx.el.div(
                rx.el.label(t("Tax ID"), html_for="tax-value", class_name="label"),
                rx.el.input(
                    id="tax-value",
                    name="tax_value",
                    aria_invalid=rx.cond(BillingDetailsState.tax_error != "", "true", "false"),
                    aria_describedby="tax-error",
                    class_name="input",
                ),
                error_text(BillingDetailsState.tax_error, id="tax-error", data_testid="tax-error"),
                class_name="stack-tight",
            ),
            class_name="row-gap",
        ),
        rx.el.button(
            t("Add tax ID"), type="submit", class_name="button-secondary", data_testid="tax-add"
        ),
        on_submit=BillingDetailsState.add_tax_id,
        reset_on_submit=True,
        class_name="stack",
    )
