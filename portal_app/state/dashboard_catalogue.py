"""The dashboard's product catalogue: list, create and edit products, add and archive prices.

Every handler re-validates the merchant's session and hands its arguments to the catalogue
service, which checks them and refuses ids that are not in the mirror. Writes are keyed on
the merchant's session plus a nonce drawn when the form opens, renewed after each write.
"""

import secrets
from dataclasses import dataclass
from typing import Any

import reflex as rx
from reflex_base.event import EventSpec
from sqlmodel import Session

from portal_app.billing.errors import BillingError, InvalidRequest
from portal_app.billing.gateway import get_gateway
from portal_app.i18n.catalog import N_, gettext
from portal_app.i18n.text import render_all, user_message
from portal_app.services import catalogue
from portal_app.services.catalogue import (
    CatalogueInputError,
    CatalogueNotFound,
    PriceSummary,
    ProductSummary,
)
from portal_app.services.images import (
    MAX_IMAGE_BYTES,
    UPLOADS_FOLDER,
    ImageRejected,
    image_url,
    store_image,
)
from portal_app.services.off_loop import in_session
from portal_app.settings import get_settings
from portal_app.state.dashboard_auth import DashboardAuthState, merchant_only
from portal_app.state.i18n import locale_of

IMAGE_UPLOAD_ID = "product-image"
# Stripe's `param` on a refusal, and the form field its message goes next to.
PRODUCT_PARAMS = {
    **{name: name for name in ("name", "description", "tax_code", "statement_descriptor")},
    "unit_label": "unit_label",
    "images": "image",
}
PRICE_PARAMS = {
    "unit_amount": "amount",
    "currency": "currency",
    "recurring[interval]": "interval",
    "recurring[interval_count]": "interval_count",
}


@dataclass
class ProductDraft:
    """The product form's values when it opens."""

    name: str = ""
    description: str = ""
    tax_code: str = ""
    statement_descriptor: str = ""
    unit_label: str = ""


class DashboardCatalogueState(rx.State):
    """The product list, the product open in the editor, its prices and the field errors."""

    products: list[ProductSummary] = []
    editing: bool = False
    selected_id: str = ""
    selected_active: bool = True
    draft: ProductDraft = ProductDraft()
    image: str = ""
    prices: list[PriceSummary] = []
    form_version: int = 0
    price_form_version: int = 0
    errors: dict[str, str] = {}
    price_errors: dict[str, str] = {}
    notice: str = ""
    _nonce: str = ""

    @rx.var
    def has_products(self) -> bool:
        """Whether the catalogue has any product, active or archived."""
        return bool(self.products)

    @rx.var
    def has_prices(self) -> bool:
        """Whether the open product has any price."""
        return bool(self.prices)

    async def _intent(self) -> str:
        """The merchant session plus this form's nonce (handlers are `merchant_only`)."""
        auth = await self.get_state(DashboardAuthState)
        return f"{auth._merchant_session_id}:{self._nonce}"

    def _renew_nonce(self) -> None:
        self._nonce = secrets.token_hex(12)

    async def _reload(self, product_id: object, locale: str) -> list[PriceSummary] | None:
        """Reload the product list; the prices of `product_id`, None when it is not listed."""
        self.products, prices = await in_session(
            lambda db: _catalogue(session=db, product_id=product_id, locale=locale)
        )
        return prices

    def _open(self, product: ProductSummary) -> None:
        self.editing = True
        self.selected_id = product.id
        self.selected_active = product.active
        self.draft = ProductDraft(
            name=product.name,
            description=product.description,
            tax_code=product.tax_code,
            statement_descriptor=product.statement_descriptor,
            unit_label=product.unit_label,
        )
        self.image = product.image
        self._reset_forms()

    def _reset_forms(self) -> None:
        self.errors = {}
        self.price_errors = {}
        self.form_version += 1
        self.price_form_version += 1
        self._renew_nonce()

    def _listed(self, product_id: object) -> ProductSummary | None:
        return next((p for p in self.products if p.id == product_id), None)

    @rx.event
    @merchant_only
    async def load(self) -> EventSpec | None:
        """Page load: the catalogue from the mirror, the editor closed."""
        self.editing, self.selected_id, self.prices, self.notice = False, "", [], ""
        await self._reload("", await locale_of(self))
        return None

    @rx.event
    @merchant_only
    async def new_product(self) -> EventSpec | None:
        """Open an empty product form."""
        self.editing, self.selected_id, self.selected_active = True, "", True
        self.draft, self.image, self.prices, self.notice = ProductDraft(), "", [], ""
        self._reset_forms()
        return None

    @rx.event
    @merchant_only
    async def open_product(self, product_id: str) -> EventSpec | None:
        """Open one of the listed products in the editor."""
        prices = await self._reload(product_id, await locale_of(self))
        product = self._listed(product_id)
        if product is None or prices is None:
            return None
        self.notice = ""
        self._open(product)
        self.prices = prices
        return None

    @rx.event
    @merchant_only
    async def close_editor(self) -> None:
        """Leave the editor without saving."""
        self.editing, self.selected_id, self.prices = False, "", []
        self.errors, self.price_errors = {}, {}

    @rx.event
    @merchant_only
    async def upload_image(self, files: list[rx.UploadFile]) -> EventSpec | None:
        """Check the chosen file by its content and stage it for the product being edited."""
        if not self.editing:
            return None
        self.notice = ""
        locale = await locale_of(self)
        errors = {k: v for k, v in self.errors.items() if k != "image"}
        if len(files) != 1:
            self.errors = {**errors, "image": gettext("Choose one image.", locale=locale)}
            return None
        # One byte past the limit is enough to know the file is too large.
        data = await files[0].read(MAX_IMAGE_BYTES + 1)
        settings = get_settings()
        try:
            name = store_image(data=data, uploads_dir=settings.data_dir / UPLOADS_FOLDER)
        except ImageRejected as exc:
            self.errors = {**errors, "image": user_message(exc, locale)}
            return None
        self.errors = errors
        self.image = image_url(name=name, public_url=settings.public_url)
        return None

    @rx.event
    @merchant_only
    async def remove_image(self) -> None:
        """Drop the image from the draft (saved with the product)."""
        self.image = ""
        self.errors = {k: v for k, v in self.errors.items() if k != "image"}

    @rx.event
    @merchant_only
    async def save_product(self, form_data: dict[str, Any]) -> EventSpec | None:
        """Create the product, or send what changed; nothing is sent when a field is rejected."""
        intent = await self._intent()
        if not self.editing or not isinstance(form_data, dict):
            return None
        self.notice = ""
        locale = await locale_of(self)
        try:
            fields = catalogue.product_fields(
                name=form_data.get("name"),
                description=form_data.get("description"),
                tax_code=form_data.get("tax_code"),
                statement_descriptor=form_data.get("statement_descriptor"),
                unit_label=form_data.get("unit_label"),
                image=self.image,
            )
        except CatalogueInputError as exc:
            self.errors = {**render_all(exc.messages, locale), **_kept_image_error(self.errors)}
            return None
        try:
            if self.selected_id:
                changed = await catalogue.update_product(
                    gateway=get_gateway(), product_id=self.selected_id, fields=fields, intent=intent
                )
                product_id = self.selected_id
                message = N_("Product saved.") if changed else N_("Nothing to save.")
            else:
                product_id = await catalogue.create_product(
                    gateway=get_gateway(), fields=fields, intent=intent
                )
                message = N_("Product created. Add a price below.")
        except CatalogueInputError as exc:  # a change Stripe cannot make (see update_product)
            self.errors = {**render_all(exc.messages, locale), **_kept_image_error(self.errors)}
            return None
        except CatalogueNotFound as exc:
            self.errors = {"form": user_message(exc, locale)}
            return None
        except BillingError as exc:
            self.errors = _billing_errors(exc, PRODUCT_PARAMS, "form", locale)
            return None
        await self._after_write(product_id, locale)
        self.notice = gettext(message, locale=locale)
        return None

    async def _after_write(self, product_id: str, locale: str) -> None:
        """Show the product as Stripe now has it, with fresh forms and a new nonce."""
        prices = await self._reload(product_id, locale)
        product = self._listed(product_id)
        if product is not None:
            self._open(product)
        self.prices = prices or []

    async def _after_price_write(self, locale: str) -> None:
        """Fresh prices and price form; the product form keeps what the merchant typed."""
        self.prices = await self._reload(self.selected_id, locale) or []
        self.price_errors = {}
        self.price_form_version += 1
        self._renew_nonce()

    @rx.event
    @merchant_only
    async def archive_product(self) -> EventSpec | None:
        """Archive the open product: hidden from new sales, kept for existing subscriptions."""
        return await self._set_product_active(False, N_("Product archived."))

    @rx.event
    @merchant_only
    async def restore_product(self) -> EventSpec | None:
        """Make an archived product available again."""
        return await self._set_product_active(True, N_("Product restored."))

    async def _set_product_active(self, active: bool, message: str) -> EventSpec | None:
        """`message`: the notice's msgid."""
        intent = await self._intent()
        if not self.selected_id:
            return None
        self.notice = ""
        locale = await locale_of(self)
        try:
            await catalogue.set_product_active(
                gateway=get_gateway(), product_id=self.selected_id, active=active, intent=intent
            )
        except (CatalogueNotFound, BillingError) as exc:
            self.errors = {"form": user_message(exc, locale)}
            return None
        await self._after_write(self.selected_id, locale)
        self.notice = gettext(message, locale=locale)
        return None

    @rx.event
    @merchant_only
    async def add_price(self, form_data: dict[str, Any]) -> EventSpec | None:
        """Add a recurring price to the open product."""
        intent = await self._intent()
        if not self.selected_id or not isinstance(form_data, dict):
            return None
        self.notice = ""
        locale = await locale_of(self)
        try:
            price = catalogue.price_fields(
                amount=form_data.get("amount"),
                currency=form_data.get("currency"),
                interval=form_data.get("interval"),
                interval_count=form_data.get("interval_count"),
            )
            await catalogue.create_price(
                gateway=get_gateway(), product_id=self.selected_id, price=price, intent=intent
            )
        except CatalogueInputError as exc:
            self.price_errors = render_all(exc.messages, locale)
            return None
        except CatalogueNotFound as exc:
            self.price_errors = {"price": user_message(exc, locale)}
            return None
        except BillingError as exc:
            self.price_errors = _billing_errors(exc, PRICE_PARAMS, "price", locale)
            return None
        await self._after_price_write(locale)
        self.notice = gettext("Price added.", locale=locale)
        return None

    @rx.event
    @merchant_only
    async def archive_price(self, price_id: str) -> EventSpec | None:
        """Archive one of the open product's prices: no new subscriptions, existing ones stay."""
        return await self._set_price_active(price_id, False, N_("Price archived."))

    @rx.event
    @merchant_only
    async def restore_price(self, price_id: str) -> EventSpec | None:
        """Make an archived price available again."""
        return await self._set_price_active(price_id, True, N_("Price restored."))

    async def _set_price_active(
        self, price_id: object, active: bool, message: str
    ) -> EventSpec | None:
        """`message`: the notice's msgid."""
        intent = await self._intent()
        if not self.selected_id or price_id not in {p.id for p in self.prices}:
            return None
        self.notice = ""
        locale = await locale_of(self)
        try:
            await catalogue.set_price_active(
                gateway=get_gateway(), price_id=price_id, active=active, intent=intent
            )
        except (CatalogueNotFound, BillingError) as exc:
            self.price_errors = {"price": user_message(exc, locale)}
            return None
        await self._after_price_write(locale)
        self.notice = gettext(message, locale=locale)
        return None


def _catalogue(
    *, session: Session, product_id: object, locale: str
) -> tuple[list[ProductSummary], list[PriceSummary] | None]:
    """Every product, and the prices of `product_id` (None when it is not listed)."""
    products = catalogue.list_products(session=session, locale=locale)
    listed = next((p for p in products if p.id == product_id), None)
    if listed is None:
        return products, None
    return products, catalogue.product_prices(session=session, product_id=listed.id, locale=locale)


def _kept_image_error(errors: dict[str, str]) -> dict[str, str]:
    """An image rejection stays on screen until another file or "Remove" replaces it."""
    return {"image": errors["image"]} if "image" in errors else {}


def _billing_errors(
    error: BillingError, fields: dict[str, str], fallback: str, locale: str
) -> dict[str, str]:
    """Stripe's refusal next to the field it names, else at the top of the form."""
    param = error.param if isinstance(error, InvalidRequest) else None
    return {fields.get(param or "", fallback): user_message(error, locale)}
