"""Coupons and promotion codes."""

from typing import Any

from portal_app.sandbox import events
from portal_app.sandbox.billing.discounts import coupon_usable
from portal_app.sandbox.endpoints import Ctx, RouteSpec
from portal_app.sandbox.errors import invalid_request
from portal_app.sandbox.params import (
    get_bool,
    get_dict,
    get_float,
    get_int,
    get_str,
    merge_metadata,
    require_str,
)
from portal_app.sandbox.store import new_object_id, random_token

_DURATIONS = ("once", "repeating", "forever")


def create_coupon(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """`POST /v1/coupons`: `percent_off` or `amount_off` + `currency`, with a duration."""
    percent_off = get_float(params, "percent_off")
    amount_off = get_int(params, "amount_off")
    if (percent_off is None) == (amount_off is None):
        raise invalid_request("Pass exactly one of percent_off or amount_off.", param="percent_off")
    if percent_off is not None and not 0 < percent_off <= 100:
        raise invalid_request("percent_off must be between 0 and 100.", param="percent_off")
    currency = get_str(params, "currency")
    if amount_off is not None and currency is None:
        raise invalid_request("You must pass currency when passing amount_off.", param="currency")
    duration = get_str(params, "duration") or "once"
    if duration not in _DURATIONS:
        raise invalid_request(f"Invalid duration: {duration}", param="duration")
    months = get_int(params, "duration_in_months")
    if duration == "repeating" and not months:
        raise invalid_request(
            "duration_in_months is required when duration is repeating.",
            param="duration_in_months",
        )
    coupon_id = get_str(params, "id") or random_token(8)
    if ctx.store.find(coupon_id) is not None:
        raise invalid_request("Coupon already exists.", param="id", code="resource_already_exists")
    coupon = {
        "id": coupon_id,
        "object": "coupon",
        "amount_off": amount_off,
        "created": ctx.now,
        "currency": currency.lower() if currency else None,
        "duration": duration,
        "duration_in_months": months if duration == "repeating" else None,
        "livemode": False,
        "max_redemptions": get_int(params, "max_redemptions"),
        "metadata": merge_metadata({}, params.get("metadata")),
        "name": get_str(params, "name"),
        "percent_off": percent_off,
        "redeem_by": get_int(params, "redeem_by"),
        "times_redeemed": 0,
        "valid": True,
    }
    coupon["valid"] = coupon_usable(coupon, ctx.now)
    ctx.store.insert(coupon)
    events.record(ctx, "coupon.created", coupon)
    return coupon


def _fresh(ctx: Ctx, coupon: dict[str, Any]) -> dict[str, Any]:
    # `valid` turns false by itself once `redeem_by` passes.
    coupon["valid"] = coupon_usable(coupon, ctx.now)
    return coupon


def retrieve_coupon(ctx: Ctx, params: dict[str, Any], id: str) -> dict[str, Any]:
    """`GET /v1/coupons/{id}`."""
    return _fresh(ctx, ctx.store.get(id, "coupon"))


def update_coupon(ctx: Ctx, params: dict[str, Any], id: str) -> dict[str, Any]:
    """`POST /v1/coupons/{id}`: name and metadata only, like Stripe."""
    coupon = ctx.store.get(id, "coupon")
    before = dict(coupon)
    if "name" in params:
        coupon["name"] = get_str(params, "name")
    if "metadata" in params:
        coupon["metadata"] = merge_metadata(coupon["metadata"], params["metadata"])
    ctx.store.save(coupon)
    events.record_update(ctx, "coupon.updated", before, coupon)
    return _fresh(ctx, coupon)


def delete_coupon(ctx: Ctx, params: dict[str, Any], id: str) -> dict[str, Any]:
    """`DELETE /v1/coupons/{id}`: no new redemptions; existing discounts keep applying."""
    coupon = ctx.store.get(id, "coupon")
    coupon["valid"] = False
    coupon["redeem_by"] = coupon["redeem_by"] or ctx.now
    ctx.store.save(coupon)
    events.record(ctx, "coupon.deleted", coupon)
    return {"id": id, "object": "coupon", "deleted": True}


def list_coupons(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """`GET /v1/coupons`."""
    listing = ctx.store.page("coupon", params, "/v1/coupons")
    listing["data"] = [_fresh(ctx, c) for c in listing["data"]]
    return listing


def create_promotion_code(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """`POST /v1/promotion_codes` (`promotion[coupon]`, or the older `coupon`)."""
    promotion = get_dict(params, "promotion") or {}
    coupon_id = get_str(promotion, "coupon") or require_str(params, "coupon")
    coupon = ctx.store.get(coupon_id, "coupon")
    code = (get_str(params, "code") or random_token(8)).upper()
    if any(r.data["active"] for r in ctx.store.rows("promotion_code", lookup=code)):
        raise invalid_request(
            "An active promotion code with this code already exists.",
            param="code",
            code="resource_already_exists",
        )
    restrictions = get_dict(params, "restrictions") or {}
    customer = get_str(params, "customer")
    if customer is not None:
        ctx.store.get(customer, "customer")
    minimum = get_int(restrictions, "minimum_amount")
    promo = {
        "id": new_object_id("promo"),
        "object": "promotion_code",
        "active": bool(get_bool(params, "active", True)),
        "code": code,
        "created": ctx.now,
        "customer": customer,
        "expires_at": get_int(params, "expires_at"),
        "livemode": False,
        "max_redemptions": get_int(params, "max_redemptions"),
        "metadata": merge_metadata({}, params.get("metadata")),
        "restrictions": {
            "currency_options": {},
            "first_time_transaction": bool(get_bool(restrictions, "first_time_transaction", False)),
            "minimum_amount": minimum,
            "minimum_amount_currency": (
                (get_str(restrictions, "minimum_amount_currency") or coupon["currency"] or "usd")
                if minimum is not None
                else None
            ),
        },
        "times_redeemed": 0,
        "promotion": {"coupon": coupon["id"], "type": "coupon"},
        "customer_account": None,
    }
    ctx.store.insert(promo, lookup=code, parent=coupon["id"], active=promo["active"])
    events.record(ctx, "promotion_code.created", promo)
    return promo


def retrieve_promotion_code(ctx: Ctx, params: dict[str, Any], id: str) -> dict[str, Any]:
    """`GET /v1/promotion_codes/{id}`."""
    return ctx.store.get(id, "promotion_code")


def update_promotion_code(ctx: Ctx, params: dict[str, Any], id: str) -> dict[str, Any]:
    """`POST /v1/promotion_codes/{id}`: `active` and metadata."""
    promo = ctx.store.get(id, "promotion_code")
    before = dict(promo)
    if "active" in params:
        promo["active"] = bool(get_bool(params, "active", True))
    if "metadata" in params:
        promo["metadata"] = merge_metadata(promo["metadata"], params["metadata"])
    ctx.store.save(promo, active=promo["active"])
    events.record_update(ctx, "promotion_code.updated", before, promo)
    return promo


def list_promotion_codes(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """`GET /v1/promotion_codes` by `code` (case-insensitive), `active`, `coupon`, `customer`."""
    code = get_str(params, "code")
    listing = ctx.store.page(
        "promotion_code",
        params,
        "/v1/promotion_codes",
        lookup=code.upper() if code else None,
        active=get_bool(params, "active"),
        parent=get_str(params, "coupon"),
    )
    customer = get_str(params, "customer")
    if customer is not None:
        listing["data"] = [p for p in listing["data"] if p["customer"] == customer]
    return listing


ROUTES: list[RouteSpec] = [
    ("POST", "/v1/coupons", create_coupon),
    ("GET", "/v1/coupons", list_coupons),
    ("GET", "/v1/coupons/{id}", retrieve_coupon),
    ("POST", "/v1/coupons/{id}", update_coupon),
    ("DELETE", "/v1/coupons/{id}", delete_coupon),
    ("POST", "/v1/promotion_codes", create_promotion_code),
    ("GET", "/v1/promotion_codes", list_promotion_codes),
    ("GET", "/v1/promotion_codes/{id}", retrieve_promotion_code),
    ("POST", "/v1/promotion_codes/{id}", update_promotion_code),
]
