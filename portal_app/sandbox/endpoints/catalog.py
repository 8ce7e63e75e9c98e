"""Products and prices."""

from typing import Any

from portal_app.sandbox import events
from portal_app.sandbox.endpoints import Ctx, RouteSpec
from portal_app.sandbox.errors import invalid_request
from portal_app.sandbox.params import (
    get_bool,
    get_dict,
    get_int,
    get_list,
    get_str,
    merge_metadata,
    require_str,
)
from portal_app.sandbox.store import new_object_id

_PRODUCT_TEXT = ("name", "description", "statement_descriptor", "tax_code", "unit_label", "url")
_INTERVALS = ("day", "week", "month", "year")


def _apply_product(product: dict[str, Any], params: dict[str, Any]) -> None:
    for name in _PRODUCT_TEXT:
        if name in params:
            product[name] = get_str(params, name)
    if product["name"] is None:
        raise invalid_request(
            "Missing required param: name.", param="name", code="parameter_missing"
        )
    if "images" in params:
        product["images"] = [str(v) for v in get_list(params, "images") or []]
    if "active" in params:
        product["active"] = bool(get_bool(params, "active", True))
    if "metadata" in params:
        product["metadata"] = merge_metadata(product["metadata"], params["metadata"])
    if "marketing_features" in params:
        product["marketing_features"] = [
            {"name": f.get("name")} for f in get_list(params, "marketing_features") or []
        ]
    if "default_price" in params:
        product["default_price"] = get_str(params, "default_price")
    statement = product["statement_descriptor"]
    if statement is not None and not 5 <= len(statement) <= 22:
        raise invalid_request(
            "The statement descriptor must be between 5 and 22 characters.",
            param="statement_descriptor",
        )


def create_product(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """`POST /v1/products` (with `default_price_data` for a first price)."""
    product: dict[str, Any] = {
        "id": get_str(params, "id") or new_object_id("prod"),
        "object": "product",
        "active": True,
        "created": ctx.now,
        "default_price": None,
        "description": None,
        "images": [],
        "livemode": False,
        "marketing_features": [],
        "metadata": {},
        "name": None,
        "package_dimensions": None,
        "shippable": None,
        "statement_descriptor": None,
        "tax_code": None,
        "unit_label": None,
        "updated": ctx.now,
        "url": None,
        "type": "service",
    }
    _apply_product(product, {k: v for k, v in params.items() if k != "default_price"})
    if ctx.store.find(product["id"]) is not None:
        raise invalid_request(
            f"Product already exists: {product['id']}", param="id", code="resource_already_exists"
        )
    ctx.store.insert(product, active=product["active"])
    events.record(ctx, "product.created", product)
    price_data = get_dict(params, "default_price_data")
    if price_data is not None:
        price = create_price(ctx, {**price_data, "product": product["id"]})
        return update_product(ctx, {"default_price": price["id"]}, product["id"])
    return product


def retrieve_product(ctx: Ctx, params: dict[str, Any], id: str) -> dict[str, Any]:
    """`GET /v1/products/{id}`."""
    return ctx.store.get(id, "product")


def update_product(ctx: Ctx, params: dict[str, Any], id: str) -> dict[str, Any]:
    """`POST /v1/products/{id}` (including `active=false` to archive)."""
    product = ctx.store.get(id, "product")
    before = dict(product)
    _apply_product(product, params)
    if product != before:
        product["updated"] = ctx.now
    ctx.store.save(product, active=product["active"])
    events.record_update(ctx, "product.updated", before, product)
    return product


def delete_product(ctx: Ctx, params: dict[str, Any], id: str) -> dict[str, Any]:
    """`DELETE /v1/products/{id}` (only without prices, like Stripe)."""
    product = ctx.store.get(id, "product")
    if ctx.store.rows("price", parent=id):
        raise invalid_request(
            "This product cannot be deleted because it has one or more user-created prices.",
            param="id",
        )
    ctx.store.delete(id)
    events.record(ctx, "product.deleted", product)
    return {"id": id, "object": "product", "deleted": True}


def list_products(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """`GET /v1/products` with an optional `active` filter."""
    return ctx.store.page("product", params, "/v1/products", active=get_bool(params, "active"))


def create_price(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """`POST /v1/prices`: per-unit prices, one-off or recurring."""
    currency = require_str(params, "currency").lower()
    unit_amount = get_int(params, "unit_amount")
    if unit_amount is None or unit_amount < 0:
        raise invalid_request(
            "Missing required param: unit_amount.", param="unit_amount", code="parameter_missing"
        )
    product_data = get_dict(params, "product_data")
    if product_data is not None:
        product_id = create_product(ctx, product_data)["id"]
    else:
        product_id = ctx.store.get(require_str(params, "product"), "product")["id"]
    recurring = get_dict(params, "recurring")
    if recurring is not None:
        interval = require_str(recurring, "interval")
        if interval not in _INTERVALS:
            raise invalid_request(f"Invalid interval: {interval}", param="recurring[interval]")
        recurring = {
            "interval": interval,
            "interval_count": get_int(recurring, "interval_count", 1),
            "meter": None,
            "usage_type": "licensed",
            "trial_period_days": get_int(recurring, "trial_period_days"),
        }
    price = {
        "id": new_object_id("price"),
        "object": "price",
        "active": bool(get_bool(params, "active", True)),
        "billing_scheme": "per_unit",
        "created": ctx.now,
        "currency": currency,
        "custom_unit_amount": None,
        "livemode": False,
        "lookup_key": get_str(params, "lookup_key"),
        "metadata": merge_metadata({}, params.get("metadata")),
        "nickname": get_str(params, "nickname"),
        "product": product_id,
        "recurring": recurring,
        "tax_behavior": get_str(params, "tax_behavior") or "unspecified",
        "tiers_mode": None,
        "transform_quantity": None,
        "type": "recurring" if recurring else "one_time",
        "unit_amount": unit_amount,
        "unit_amount_decimal": str(unit_amount),
    }
    ctx.store.insert(price, parent=product_id, active=price["active"], lookup=price["lookup_key"])
    events.record(ctx, "price.created", price)
    return price


def retrieve_price(ctx: Ctx, params: dict[str, Any], id: str) -> dict[str, Any]:
    """`GET /v1/prices/{id}`."""
    return ctx.store.get(id, "price")


def update_price(ctx: Ctx, params: dict[str, Any], id: str) -> dict[str, Any]:
    """`POST /v1/prices/{id}`: active, nickname, lookup_key, metadata (amounts are immutable)."""
    price = ctx.store.get(id, "price")
    before = dict(price)
    if "active" in params:
        price["active"] = bool(get_bool(params, "active", True))
    for name in ("nickname", "lookup_key", "tax_behavior"):
        if name in params:
            price[name] = get_str(params, name)
    if "metadata" in params:
        price["metadata"] = merge_metadata(price["metadata"], params["metadata"])
    ctx.store.save(price, active=price["active"], lookup=price["lookup_key"])
    events.record_update(ctx, "price.updated", before, price)
    return price


def list_prices(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """`GET /v1/prices` by `product`, `active`, `type`, `currency` or `lookup_keys[]`."""
    lookup_keys = get_list(params, "lookup_keys")
    if lookup_keys:
        rows = [r for key in lookup_keys for r in ctx.store.rows("price", lookup=str(key))]
        data = [r.data for r in sorted(rows, key=lambda r: -(r.seq or 0))]
        return {"object": "list", "data": data, "has_more": False, "url": "/v1/prices"}
    listing = ctx.store.page(
        "price",
        params,
        "/v1/prices",
        parent=get_str(params, "product"),
        active=get_bool(params, "active"),
    )
    for name in ("type", "currency"):
        wanted = get_str(params, name)
        if wanted is not None:
            listing["data"] = [p for p in listing["data"] if p[name] == wanted]
    return listing


ROUTES: list[RouteSpec] = [
    ("POST", "/v1/products", create_product),
    ("GET", "/v1/products", list_products),
    ("GET", "/v1/products/{id}", retrieve_product),
    ("POST", "/v1/products/{id}", update_product),
    ("DELETE", "/v1/products/{id}", delete_product),
    ("POST", "/v1/prices", create_price),
    ("GET", "/v1/prices", list_prices),
    ("GET", "/v1/prices/{id}", retrieve_price),
    ("POST", "/v1/prices/{id}", update_price),
]
