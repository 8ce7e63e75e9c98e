"""Pieces of the catalogue page: product rows, price rows, the image picker, a text area."""

from typing import Any

import reflex as rx

from portal_app.components.dashboard import Label, field_error
from portal_app.components.text import t
from portal_app.services.catalogue import PriceSummary, ProductSummary


def product_thumbnail(image: Any, name: Any) -> rx.Component:
    """The product's image, or a neutral tile with its initial."""
    return rx.cond(
        image != "",
        rx.el.img(src=image, alt="", class_name="cat-thumb"),
        rx.el.span(name.to(str)[0:1].upper(), class_name="cat-thumb cat-thumb-empty"),
    )


def product_row(product: ProductSummary, selected_id: Any, on_open: Any) -> rx.Component:
    """One product in the list: image, name, prices and status; opens the editor."""
    return rx.el.li(
        rx.el.button(
            product_thumbnail(product.image, product.name),
            rx.el.span(
                rx.el.span(product.name, class_name="dash-row-title"),
                rx.el.span(
                    rx.cond(
                        product.active,
                        rx.el.span(product.prices_label, class_name="dash-hint"),
                        rx.el.span(t("Archived"), class_name="dash-badge dash-badge-muted"),
                    ),
                    rx.cond(
                        product.unit_label != "",
                        rx.el.span(
                            t("Unit: {unit}", unit=product.unit_label), class_name="dash-hint"
                        ),
                    ),
                    class_name="dash-row-meta",
                ),
                class_name="cat-row-text",
            ),
            type="button",
            on_click=on_open,
            class_name=[
                "dash-row cat-row",
                rx.cond(product.id == selected_id, "dash-row-open", ""),
            ],
            aria_current=rx.cond(product.id == selected_id, "true", "false"),
            data_testid="product-row",
        )
    )


def price_row(price: PriceSummary, on_archive: Any, on_restore: Any) -> rx.Component:
    """One price of the open product, with its archive or restore action."""
    return rx.el.li(
        rx.el.span(
            rx.el.span(price.label, class_name="cat-price-label"),
            rx.cond(
                ~price.active, rx.el.span(t("Archived"), class_name="dash-badge dash-badge-muted")
            ),
            class_name="dash-row-meta",
        ),
        rx.cond(
            price.active,
            rx.el.button(
                t("Archive"),
                type="button",
                on_click=on_archive,
                class_name="dash-button dash-button-quiet",
                aria_label=t("Archive price {price}", price=price.label),
            ),
            rx.el.button(
                t("Restore"),
                type="button",
                on_click=on_restore,
                class_name="dash-button dash-button-quiet",
                aria_label=t("Restore price {price}", price=price.label),
            ),
        ),
        class_name="cat-price",
        data_testid="price-row",
    )


def image_field(
    *, image: Any, errors: Any, upload_id: str, on_drop: Any, on_remove: Any
) -> rx.Component:
    """The product image: its preview, a drop zone that uploads at once, and its error."""
    return rx.el.div(
        rx.el.span(t("Image"), class_name="dash-label", id="image-label"),
        rx.el.div(
            rx.cond(
                image != "",
                rx.el.img(
                    src=image, alt=t("Product image"), class_name="cat-preview", data_testid="image"
                ),
            ),
            rx.upload.root(
                rx.el.div(
                    rx.el.span(t("Choose an image"), class_name="dash-button dash-button-quiet"),
                    rx.el.span(t("or drop it here"), class_name="dash-hint"),
                    class_name="cat-drop-inner",
                ),
                id=upload_id,
                multiple=False,
                on_drop=on_drop,
                class_name="cat-drop",
                aria_labelledby="image-label",
            ),
            rx.cond(
                image != "",
                rx.el.button(
                    t("Remove image"),
                    type="button",
                    on_click=on_remove,
                    class_name="dash-button dash-button-danger",
                ),
            ),
            class_name="cat-image",
        ),
        rx.el.p(t("JPEG, PNG or WEBP, under 2 MB."), class_name="dash-hint"),
        field_error(errors, "image"),
        class_name="dash-field",
    )


def text_area(
    label: Label, name: str, *, errors: Any, hint: Label | None = None, **props: Any
) -> rx.Component:
    """A labelled multi-line input with its hint and error."""
    field_id = f"field-{name}"
    return rx.el.div(
        rx.el.label(label, html_for=field_id, class_name="dash-label"),
        rx.el.textarea(id=field_id, name=name, rows=3, class_name="dash-input", **props),
        rx.el.p(hint, class_name="dash-hint") if hint is not None else rx.fragment(),
        field_error(errors, name),
        class_name="dash-field",
    )
