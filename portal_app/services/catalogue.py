"""The merchant's catalogue: products and their prices, as in Stripe's "create a product".

Input is checked here first: a rejected field sends nothing to Stripe. Each change is one
gateway write keyed on the caller's intent (merchant session + form nonce) plus a digest of
what is sent, so a double submit makes one change and an edited resubmit a new one. The
response is stored in the mirror afterwards; no DB transaction is held across the call.
"""

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from babel.numbers import get_currency_precision
from sqlmodel import Session, col, select

from portal_app.billing.gateway import Gateway
from portal_app.billing.sync import record
from portal_app.i18n.catalog import gettext, ngettext
from portal_app.i18n.format import DEFAULT_LOCALE, price_phrase
from portal_app.i18n.text import Plural, Text
from portal_app.models.mirror_catalog import MirrorPrice, MirrorProduct
from portal_app.rules.text import control_character_errors
from portal_app.services.off_loop import in_session
from portal_app.services.tax_codes import TAX_CODES, tax_code_label

MAX_NAME = 250
MAX_DESCRIPTION = 2000
MAX_UNIT_LABEL = 12
DESCRIPTOR_LENGTH = (5, 22)
DESCRIPTOR_FORBIDDEN = frozenset("<>\\'\"*")
CURRENCIES = ("usd", "eur", "gbp", "cad", "aud", "jpy", "chf", "sek", "nzd")
# Stripe's longest billing interval is three years, counted in the interval's own unit.
INTERVAL_LIMITS = {"day": 1095, "week": 156, "month": 36, "year": 3}
# Stripe's ceiling for `unit_amount` (eight digits of minor units).
MAX_MINOR_UNITS = 99_999_999
AMOUNT_TEXT = re.compile(r"^\d{1,12}(\.\d{1,12})?$")


class CatalogueInputError(ValueError):
    """Some fields were rejected: `messages` maps each field to a `Text` to show (with
    `render_all`), `errors` to its English wording (logs, tests)."""

    def __init__(self, messages: dict[str, Text]) -> None:
        self.messages = messages
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))

    @property
    def errors(self) -> dict[str, str]:
        return {field: str(message) for field, message in self.messages.items()}


class CatalogueNotFound(LookupError):
    """The id is not a product or price in the mirror (the same answer for any bad id); the
    message is a `Text`."""


@dataclass(frozen=True)
class ProductFields:
    """A product's editable fields, validated; empty strings mean "not set"."""

    name: str
    description: str = ""
    tax_code: str = ""
    statement_descriptor: str = ""
    unit_label: str = ""
    image: str = ""

    def for_stripe(self) -> dict[str, Any]:
        """The fields as Stripe's product params (`""` unsets a field on update)."""
        return {
            "name": self.name,
            "description": self.description,
            "tax_code": self.tax_code,
            "statement_descriptor": self.statement_descriptor,
            "unit_label": self.unit_label,
            "images": [self.image] if self.image else "",
        }


@dataclass(frozen=True)
class PriceFields:
    """A recurring price, validated: amount in integer minor units of `currency`."""

    unit_amount: int
    currency: str
    interval: str
    interval_count: int


@dataclass
class ProductSummary:
    """A product as the dashboard lists and edits it."""

    id: str
    name: str
    description: str
    active: bool
    image: str
    tax_code: str
    tax_code_label: str
    statement_descriptor: str
    unit_label: str
    prices_label: str


@dataclass
class PriceSummary:
    """A price as the product's price list shows it."""

    id: str
    label: str
    currency: str
    active: bool


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def statement_descriptor_problem(descriptor: str) -> Text | None:
    """What breaks Stripe's statement descriptor rules, or None when it is fine."""
    low, high = DESCRIPTOR_LENGTH
    if not low <= len(descriptor) <= high:
        return Text("Use {low} to {high} characters.", low=low, high=high)
    if not any(ch.isascii() and ch.isalpha() for ch in descriptor):
        return Text("Include at least one letter.")
    if any(ch in DESCRIPTOR_FORBIDDEN for ch in descriptor):
        return Text("Leave out the characters < > \\ ' \" *.")
    if not all(" " <= ch <= "~" for ch in descriptor):
        return Text("Use Latin letters, digits, spaces and basic punctuation only.")
    return None


def _at_most(limit: int) -> Text:
    return Plural("Use at most {count} character.", "Use at most {count} characters.", limit)


def product_fields(
    *,
    name: object,
    description: object = "",
    tax_code: object = "",
    statement_descriptor: object = "",
    unit_label: object = "",
    image: str = "",
) -> ProductFields:
    """The form's values checked against Stripe's rules, or CatalogueInputError."""
    errors = control_character_errors(
        {"name": name, "description": description, "unit_label": unit_label},
        multiline={"description"},
    )
    clean_name = _text(name)
    if "name" in errors:
        pass
    elif not clean_name:
        errors["name"] = Text("Enter a name.")
    elif len(clean_name) > MAX_NAME:
        errors["name"] = _at_most(MAX_NAME)
    clean_description = _text(description)
    if len(clean_description) > MAX_DESCRIPTION and "description" not in errors:
        errors["description"] = _at_most(MAX_DESCRIPTION)
    clean_tax_code = _text(tax_code)
    if clean_tax_code and clean_tax_code not in TAX_CODES:
        errors["tax_code"] = Text("Choose a tax code from the list.")
    descriptor = _text(statement_descriptor)
    problem = statement_descriptor_problem(descriptor) if descriptor else None
    if problem:
        errors["statement_descriptor"] = problem
    label = _text(unit_label)
    if len(label) > MAX_UNIT_LABEL and "unit_label" not in errors:
        errors["unit_label"] = _at_most(MAX_UNIT_LABEL)
    if errors:
        raise CatalogueInputError(errors)
    return ProductFields(
        name=clean_name,
        description=clean_description,
        tax_code=clean_tax_code,
        statement_descriptor=descriptor,
        unit_label=label,
        image=image,
    )


def minor_units(*, amount: str, currency: str) -> int:
    """`"12.50", "usd"` → 1250; `"1200", "jpy"` → 1200. ValueError says what is wrong (in a
    `Text`)."""
    text = amount.strip()
    if not AMOUNT_TEXT.fullmatch(text):
        raise ValueError(Text("Enter an amount such as 12.50 (digits, with a dot for decimals)."))
    code = currency.upper()
    precision = get_currency_precision(code)
    scaled = Decimal(text).scaleb(precision)
    if scaled != scaled.to_integral_value():
        if precision == 0:
            raise ValueError(
                Text("{currency} has no decimals: enter a whole amount.", currency=code)
            )
        raise ValueError(
            Plural(
                "{currency} allows at most {count} decimal.",
                "{currency} allows at most {count} decimals.",
                precision,
                currency=code,
            )
        )
    units = int(scaled)
    if units <= 0:
        raise ValueError(Text("Enter an amount above zero."))
    if units > MAX_MINOR_UNITS:
        # Written as the form wants it typed (digits and a dot), not in the locale's style.
        limit = Decimal(MAX_MINOR_UNITS).scaleb(-precision)
        raise ValueError(Text("Enter at most {limit} {currency}.", limit=str(limit), currency=code))
    return units


def price_fields(
    *, amount: object, currency: object, interval: object, interval_count: object
) -> PriceFields:
    """The price form's values checked against Stripe's rules, or CatalogueInputError."""
    errors: dict[str, Text] = {}
    code = _text(currency).lower()
    if code not in CURRENCIES:
        errors["currency"] = Text("Choose a currency from the list.")
    unit_amount = 0
    amount_text = _text(amount)
    if not amount_text:
        errors["amount"] = Text("Enter an amount.")
    elif "currency" not in errors:
        try:
            unit_amount = minor_units(amount=amount_text, currency=code)
        except ValueError as exc:
            errors["amount"] = exc.args[0]  # minor_units says why in a Text
    period = _text(interval)
    count_text = _text(interval_count) or "1"
    count = int(count_text) if count_text.isascii() and count_text.isdigit() else 0
    if period not in INTERVAL_LIMITS:
        errors["interval"] = Text("Choose day, week, month or year.")
    elif not 1 <= count <= INTERVAL_LIMITS[period]:
        errors["interval_count"] = Text(
            "Use a whole number from 1 to {highest} (at most three years between charges).",
            highest=INTERVAL_LIMITS[period],
        )
    if errors:
        raise CatalogueInputError(errors)
    return PriceFields(
        unit_amount=unit_amount, currency=code, interval=period, interval_count=count
    )


def _keyed(intent: str, operation: str, payload: Any) -> str:
    """The caller's intent narrowed to this exact request, so an edited resubmit is new."""
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:24]
    return f"{intent}:{operation}:{digest}"


def find_product(*, session: Session, product_id: object) -> MirrorProduct:
    """The mirrored product with this id, or CatalogueNotFound."""
    row = (
        session.get(MirrorProduct, product_id)
        if isinstance(product_id, str) and 0 < len(product_id) <= 255
        else None
    )
    if row is None or row.deleted:
        raise CatalogueNotFound(Text("That product was not found."))
    return row


def find_price(*, session: Session, price_id: object) -> MirrorPrice:
    """The mirrored price with this id, or CatalogueNotFound."""
    row = (
        session.get(MirrorPrice, price_id)
        if isinstance(price_id, str) and 0 < len(price_id) <= 255
        else None
    )
    if row is None or row.deleted:
        raise CatalogueNotFound(Text("That price was not found."))
    return row


def _active_product(*, session: Session, product_id: object) -> str:
    product = find_product(session=session, product_id=product_id)
    if not product.active:
        raise CatalogueInputError({"price": Text("Restore the product before adding prices.")})
    return product.id


async def create_product(*, gateway: Gateway, fields: ProductFields, intent: str) -> str:
    """A new product from validated fields; its id."""
    params = {k: v for k, v in fields.for_stripe().items() if v and k != "name"}
    result = await gateway.create_product(
        name=fields.name,
        intent=_keyed(intent, "create", fields.for_stripe()),
        **params,
    )
    await in_session(lambda db: record(session=db, obj=result))
    return str(result["id"])


async def update_product(
    *, gateway: Gateway, product_id: object, fields: ProductFields, intent: str
) -> bool:
    """Send what changed (nothing when nothing did); whether a change was made."""
    stored = await in_session(
        lambda db: _stored_fields(find_product(session=db, product_id=product_id))
    )
    target = str(product_id)
    wanted = fields.for_stripe()
    changes = {k: v for k, v in wanted.items() if v != stored[k]}
    if changes.get("statement_descriptor") == "":
        # Stripe's product update cannot unset a statement descriptor (`""` is refused).
        raise CatalogueInputError(
            {"statement_descriptor": Text("A statement descriptor can be changed, not removed.")}
        )
    if not changes:
        return False
    result = await gateway.update_product(
        product_id=target, changes=changes, intent=_keyed(intent, f"update:{target}", changes)
    )
    await in_session(lambda db: record(session=db, obj=result))
    return True


def _stored_fields(row: MirrorProduct) -> dict[str, Any]:
    return ProductFields(
        name=row.name,
        description=row.description or "",
        tax_code=row.tax_code or "",
        statement_descriptor=row.statement_descriptor or "",
        unit_label=row.unit_label or "",
        image=row.images[0] if row.images else "",
    ).for_stripe()


async def set_product_active(
    *, gateway: Gateway, product_id: object, active: bool, intent: str
) -> None:
    """Archive (active=False) or restore a product; Stripe keeps archived ones for history."""
    target = await in_session(lambda db: find_product(session=db, product_id=product_id).id)
    result = await gateway.update_product(
        product_id=target,
        changes={"active": active},
        intent=_keyed(intent, f"active:{target}", active),
    )
    await in_session(lambda db: record(session=db, obj=result))


async def create_price(
    *, gateway: Gateway, product_id: object, price: PriceFields, intent: str
) -> str:
    """A recurring price on an active product; its id."""
    target = await in_session(lambda db: _active_product(session=db, product_id=product_id))
    result = await gateway.create_price(
        product_id=target,
        unit_amount=price.unit_amount,
        currency=price.currency,
        interval=price.interval,
        interval_count=price.interval_count,
        intent=_keyed(intent, f"price:{target}", asdict(price)),
    )
    await in_session(lambda db: record(session=db, obj=result))
    return str(result["id"])


async def set_price_active(
    *, gateway: Gateway, price_id: object, active: bool, intent: str
) -> None:
    """Archive (active=False) or restore a price; existing subscriptions keep it."""
    target = await in_session(lambda db: find_price(session=db, price_id=price_id).id)
    result = await gateway.update_price(
        price_id=target,
        changes={"active": active},
        intent=_keyed(intent, f"active:{target}", active),
    )
    await in_session(lambda db: record(session=db, obj=result))


def list_products(*, session: Session, locale: str = DEFAULT_LOCALE) -> list[ProductSummary]:
    """Every mirrored product, active ones first, newest first within each group; labels in
    `locale`."""
    products = session.exec(
        select(MirrorProduct).where(col(MirrorProduct.deleted).is_(False))
    ).all()
    counts: dict[str, int] = {}
    for product_id in session.exec(
        select(MirrorPrice.product).where(
            col(MirrorPrice.active).is_(True), col(MirrorPrice.deleted).is_(False)
        )
    ):
        counts[product_id] = counts.get(product_id, 0) + 1
    ordered = sorted(products, key=lambda p: (not p.active, -_timestamp(p.created), p.name))
    return [_summary(p, counts.get(p.id, 0), locale) for p in ordered]


def _timestamp(moment: datetime | None) -> float:
    return moment.timestamp() if moment else 0.0


def _summary(row: MirrorProduct, active_prices: int, locale: str) -> ProductSummary:
    return ProductSummary(
        id=row.id,
        name=row.name,
        description=row.description or "",
        active=row.active,
        image=row.images[0] if row.images else "",
        tax_code=row.tax_code or "",
        tax_code_label=tax_code_label(row.tax_code, locale),
        statement_descriptor=row.statement_descriptor or "",
        unit_label=row.unit_label or "",
        prices_label=_count_phrase(active_prices, locale),
    )


def _count_phrase(active_prices: int, locale: str) -> str:
    if active_prices == 0:
        return gettext("No active prices", locale=locale)
    return ngettext("{count} active price", "{count} active prices", active_prices, locale=locale)


def product_prices(
    *, session: Session, product_id: str, locale: str = DEFAULT_LOCALE
) -> list[PriceSummary]:
    """A product's prices, active first, for its price list (labels in `locale`)."""
    product = find_product(session=session, product_id=product_id)
    rows = session.exec(
        select(MirrorPrice).where(
            MirrorPrice.product == product.id, col(MirrorPrice.deleted).is_(False)
        )
    ).all()
    ordered = sorted(rows, key=lambda p: (not p.active, -_timestamp(p.created)))
    return [
        PriceSummary(
            id=row.id,
            label=price_phrase(
                row.unit_amount or 0,
                row.currency,
                row.recurring_interval,
                row.recurring_interval_count,
                product.unit_label,
                locale,
            ),
            currency=row.currency.upper(),
            active=row.active,
        )
        for row in ordered
    ]
