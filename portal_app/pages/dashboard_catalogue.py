"""The products page: the catalogue, a product's details and image, and its prices."""

import reflex as rx

from portal_app.components.dashboard import field_error, notice, select_field, text_field
from portal_app.components.dashboard_catalogue import (
    image_field,
    price_row,
    product_row,
    text_area,
)
from portal_app.pages.dashboard_layout import dashboard_page
from portal_app.services.catalogue import (
    CURRENCIES,
    DESCRIPTOR_LENGTH,
    INTERVAL_LIMITS,
    MAX_NAME,
    MAX_UNIT_LABEL,
)
from portal_app.services.tax_codes import TAX_CODES
from portal_app.state.dashboard_catalogue import IMAGE_UPLOAD_ID, DashboardCatalogueState

S = DashboardCatalogueState
TAX_CODE_OPTIONS = [("", "Default (account setting)"), *TAX_CODES.items()]
CURRENCY_OPTIONS = [(code, code.upper()) for code in CURRENCIES]
INTERVAL_OPTIONS = [(name, name.capitalize()) for name in INTERVAL_LIMITS]


def product_list() -> rx.Component:
    """Every product, active first, the open one highlighted."""
    return rx.el.section(
        rx.el.div(
            rx.el.h2("Products", class_name="section-title"),
            rx.el.button(
                "New product",
                type="button",
                on_click=S.new_product,
                class_name="dash-button dash-button-quiet",
                data_testid="new-product",
            ),
            class_name="dash-section-head",
        ),
        rx.cond(
            S.has_products,
            rx.el.ul(
                rx.foreach(
                    S.products, lambda p: product_row(p, S.selected_id, S.open_product(p.id))
                ),
                class_name="dash-rows",
                aria_label="Products",
            ),
            rx.el.p("No products yet.", class_name="muted"),
        ),
        class_name="dash-card",
    )


def product_form() -> rx.Component:
    """Name, description, image, tax code, statement descriptor and unit label."""
    draft = S.draft
    low, high = DESCRIPTOR_LENGTH
    return rx.el.form(
        field_error(S.errors, "form"),
        text_field(
            "Name",
            "name",
            errors=S.errors,
            default_value=draft.name,
            required=True,
            max_length=MAX_NAME,
            hint="What customers see on invoices and in the portal.",
        ),
        text_area(
            "Description",
            "description",
            errors=S.errors,
            default_value=draft.description,
            hint="Shown to customers with the product.",
        ),
        image_field(
            image=S.image,
            errors=S.errors,
            upload_id=IMAGE_UPLOAD_ID,
            on_drop=S.upload_image(rx.upload_files(upload_id=IMAGE_UPLOAD_ID)),
            on_remove=S.remove_image,
        ),
        rx.el.div(
            select_field("Tax code", "tax_code", TAX_CODE_OPTIONS, draft.tax_code),
            field_error(S.errors, "tax_code"),
            class_name="dash-field",
        ),
        rx.el.div(
            text_field(
                "Statement descriptor",
                "statement_descriptor",
                errors=S.errors,
                default_value=draft.statement_descriptor,
                hint=f"On the customer's card statement: {low} to {high} Latin characters, "
                "at least one letter, no < > \\ ' \" *.",
            ),
            text_field(
                "Unit label",
                "unit_label",
                errors=S.errors,
                default_value=draft.unit_label,
                hint=f'Up to {MAX_UNIT_LABEL} characters, shown as "per seat".',
            ),
            class_name="dash-grid",
        ),
        rx.el.div(
            rx.el.button(
                rx.cond(S.selected_id == "", "Create product", "Save product"),
                type="submit",
                class_name="dash-button",
                data_testid="save-product",
            ),
            rx.el.button(
                "Close",
                type="button",
                on_click=S.close_editor,
                class_name="dash-button dash-button-quiet",
            ),
            rx.cond(
                S.selected_id != "",
                rx.cond(
                    S.selected_active,
                    rx.el.button(
                        "Archive product",
                        type="button",
                        on_click=S.archive_product,
                        class_name="dash-button dash-button-danger cat-push",
                    ),
                    rx.el.button(
                        "Restore product",
                        type="button",
                        on_click=S.restore_product,
                        class_name="dash-button dash-button-quiet cat-push",
                    ),
                ),
            ),
            class_name="dash-actions",
        ),
        key=S.form_version,
        on_submit=S.save_product,
        class_name="dash-form",
        aria_label="Product",
        no_validate=True,
    )


def price_form() -> rx.Component:
    """A new recurring price: amount, currency, interval and interval count."""
    return rx.el.form(
        rx.el.div(
            text_field(
                "Amount",
                "amount",
                errors=S.price_errors,
                input_mode="decimal",
                placeholder="12.50",
                auto_complete="off",
            ),
            rx.el.div(
                select_field("Currency", "currency", CURRENCY_OPTIONS, "usd"),
                field_error(S.price_errors, "currency"),
                class_name="dash-field",
            ),
            rx.el.div(
                select_field("Billed every", "interval", INTERVAL_OPTIONS, "month"),
                field_error(S.price_errors, "interval"),
                class_name="dash-field",
            ),
            text_field(
                "Interval count",
                "interval_count",
                errors=S.price_errors,
                default_value="1",
                input_mode="numeric",
                hint="e.g. 3 with Month bills every 3 months.",
            ),
            class_name="cat-price-grid",
        ),
        field_error(S.price_errors, "price"),
        rx.el.div(
            rx.el.button(
                "Add price", type="submit", class_name="dash-button", data_testid="add-price"
            ),
            class_name="dash-actions",
        ),
        key=S.price_form_version,
        on_submit=S.add_price,
        class_name="dash-form",
        aria_label="New price",
        no_validate=True,
    )


def prices_section() -> rx.Component:
    """The open product's prices and the form to add one."""
    return rx.el.section(
        rx.el.h2("Prices", class_name="section-title"),
        rx.cond(
            S.has_prices,
            rx.el.ul(
                rx.foreach(
                    S.prices,
                    lambda p: price_row(p, S.archive_price(p.id), S.restore_price(p.id)),
                ),
                class_name="cat-prices",
                aria_label="Prices",
            ),
            rx.el.p("No prices yet.", class_name="muted"),
        ),
        rx.cond(
            S.selected_active,
            price_form(),
            rx.el.p("Restore the product to add prices.", class_name="dash-hint"),
        ),
        class_name="dash-card dash-stack",
    )


def editor() -> rx.Component:
    """The open product (or a new one) and, once it exists, its prices."""
    return rx.cond(
        S.editing,
        rx.el.div(
            rx.el.section(
                rx.el.h2(
                    rx.cond(S.selected_id == "", "New product", S.draft.name),
                    class_name="section-title",
                ),
                product_form(),
                class_name="dash-card dash-stack",
            ),
            rx.cond(S.selected_id != "", prices_section()),
            class_name="dash-stack",
        ),
        rx.el.section(
            rx.el.p(
                "Choose a product to edit it and its prices, or create a new one.",
                class_name="muted",
            ),
            class_name="dash-card",
        ),
    )


@dashboard_page("/dashboard/products", title="Products", on_load=S.load)
def products() -> rx.Component:
    """The catalogue beside the product editor."""
    return rx.el.div(
        notice(S.notice),
        rx.el.div(product_list(), editor(), class_name="dash-two cat-layout"),
        class_name="dash-stack",
    )
