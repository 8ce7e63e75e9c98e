"""The products page: the catalogue, a product's details and image, and its prices."""

import reflex as rx

from portal_app.components.dashboard import (
    field_error,
    list_head,
    notice,
    select_field,
    text_field,
)
from portal_app.components.dashboard_catalogue import (
    image_field,
    price_row,
    product_row,
    text_area,
)
from portal_app.components.text import t
from portal_app.pages.dashboard_layout import dashboard_page
from portal_app.services.catalogue import (
    CURRENCIES,
    DESCRIPTOR_LENGTH,
    INTERVAL_LIMITS,
    MAX_NAME,
    MAX_UNIT_LABEL,
)
from portal_app.state.dashboard_catalogue import IMAGE_UPLOAD_ID, DashboardCatalogueState
from portal_app.state.i18n import I18nState

S = DashboardCatalogueState
CURRENCY_OPTIONS = [(code, code.upper()) for code in CURRENCIES]


def interval_options() -> list[tuple[str, rx.Var]]:
    """Stripe's billing intervals, in `INTERVAL_LIMITS` order."""
    labels = {"day": t("Day"), "week": t("Week"), "month": t("Month"), "year": t("Year")}
    return [(name, labels[name]) for name in INTERVAL_LIMITS]


def product_list() -> rx.Component:
    """Every product, active first, the open one highlighted."""
    return rx.el.section(
        list_head(t("Products"), t("New product"), S.new_product, "new-product"),
        rx.cond(
            S.has_products,
            rx.el.ul(
                rx.foreach(
                    S.products, lambda p: product_row(p, S.selected_id, S.open_product(p.id))
                ),
                class_name="dash-rows",
                aria_label=t("Products"),
            ),
            rx.el.p(t("No products yet."), class_name="muted"),
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
            t("Name"),
            "name",
            errors=S.errors,
            default_value=draft.name,
            required=True,
            max_length=MAX_NAME,
            hint=t("What customers see on invoices and in the portal."),
        ),
        text_area(
            t("Description"),
            "description",
            errors=S.errors,
            default_value=draft.description,
            hint=t("Shown to customers with the product."),
        ),
        image_field(
            image=S.image,
            errors=S.errors,
            upload_id=IMAGE_UPLOAD_ID,
            on_drop=S.upload_image(rx.upload_files(upload_id=IMAGE_UPLOAD_ID)),
            on_remove=S.remove_image,
        ),
        rx.el.div(
            select_field(t("Tax code"), "tax_code", I18nState.tax_codes, draft.tax_code),
            field_error(S.errors, "tax_code"),
            class_name="dash-field",
        ),
        rx.el.div(
            text_field(
                t("Statement descriptor"),
                "statement_descriptor",
                errors=S.errors,
                default_value=draft.statement_descriptor,
                hint=t(
                    "On the customer's card statement: {low} to {high} Latin characters, "
                    "at least one letter, no < > \\ ' \" *.",
                    low=low,
                    high=high,
                ),
            ),
            text_field(
                t("Unit label"),
                "unit_label",
                errors=S.errors,
                default_value=draft.unit_label,
                hint=t('Up to {limit} characters, shown as "per seat".', limit=MAX_UNIT_LABEL),
            ),
            class_name="dash-grid",
        ),
        rx.el.div(
            rx.el.button(
                rx.cond(S.selected_id == "", t("Create product"), t("Save product")),
                type="submit",
                class_name="dash-button",
                data_testid="save-product",
            ),
            rx.el.button(
                t("Close"),
                type="button",
                on_click=S.close_editor,
                class_name="dash-button dash-button-quiet",
            ),
            rx.cond(
                S.selected_id != "",
                rx.cond(
                    S.selected_active,
                    rx.el.button(
                        t("Archive product"),
                        type="button",
                        on_click=S.archive_product,
                        class_name="dash-button dash-button-danger cat-push",
                    ),
                    rx.el.button(
                        t("Restore product"),
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
        aria_label=t("Product"),
        no_validate=True,
    )


def price_form() -> rx.Component:
    """A new recurring price: amount, currency, interval and interval count."""
    return rx.el.form(
        rx.el.div(
            text_field(
                t("Amount"),
                "amount",
                errors=S.price_errors,
                input_mode="decimal",
                placeholder="12.50",
                auto_complete="off",
            ),
            rx.el.div(
                select_field(t("Currency"), "currency", CURRENCY_OPTIONS, "usd"),
                field_error(S.price_errors, "currency"),
                class_name="dash-field",
            ),
            rx.el.div(
                select_field(t("Billed every"), "interval", interval_options(), "month"),
                field_error(S.price_errors, "interval"),
                class_name="dash-field",
            ),
            text_field(
                t("Interval count"),
                "interval_count",
                errors=S.price_errors,
                default_value="1",
                input_mode="numeric",
                hint=t("e.g. 3 with Month bills every 3 months."),
            ),
            class_name="cat-price-grid",
        ),
        field_error(S.price_errors, "price"),
        rx.el.div(
            rx.el.button(
                t("Add price"), type="submit", class_name="dash-button", data_testid="add-price"
            ),
            class_name="dash-actions",
        ),
        key=S.price_form_version,
        on_submit=S.add_price,
        class_name="dash-form",
        aria_label=t("New price"),
        no_validate=True,
    )


def prices_section() -> rx.Component:
    """The open product's prices and the form to add one."""
    return rx.el.section(
        rx.el.h2(t("Prices"), class_name="section-title"),
        rx.cond(
            S.has_prices,
            rx.el.ul(
                rx.foreach(
                    S.prices,
                    lambda p: price_row(p, S.archive_price(p.id), S.restore_price(p.id)),
                ),
                class_name="cat-prices",
                aria_label=t("Prices"),
            ),
            rx.el.p(t("No prices yet."), class_name="muted"),
        ),
        rx.cond(
            S.selected_active,
            price_form(),
            rx.el.p(t("Restore the product to add prices."), class_name="dash-hint"),
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
                    rx.cond(S.selected_id == "", t("New product"), S.draft.name),
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
                t("Choose a product to edit it and its prices, or create a new one."),
                class_name="muted",
            ),
            class_name="dash-card",
        ),
    )


@dashboard_page("/dashboard/products", title=t("Products"), on_load=S.load)
def products() -> rx.Component:
    """The catalogue beside the product editor."""
    return rx.el.div(
        notice(S.notice),
        rx.el.div(product_list(), editor(), class_name="dash-two cat-layout"),
        class_name="dash-stack",
    )
