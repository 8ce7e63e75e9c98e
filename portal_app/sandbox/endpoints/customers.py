"""Customers, their tax ids, and customer search."""

import re
import secrets
from typing import Any

from portal_app.sandbox import events, tax_ids
from portal_app.sandbox.billing.subscriptions import ENDED, cancel_now
from portal_app.sandbox.endpoints import Ctx, RouteSpec, address_from, empty_address
from portal_app.sandbox.endpoints.payment_methods import attach_payment_method
from portal_app.sandbox.errors import ApiError, invalid_request, not_found
from portal_app.sandbox.params import (
    get_list,
    get_str,
    merge_metadata,
    require_str,
)
from portal_app.sandbox.store import list_object, new_object_id

_SIMPLE_FIELDS = ("name", "email", "phone", "description")


def _shipping(value: Any) -> dict[str, Any] | None:
    if value in (None, ""):
        return None
    return {
        "address": address_from(value.get("address")) or empty_address(),
        "name": value.get("name") or None,
        "phone": value.get("phone") or None,
    }


def _apply(ctx: Ctx, customer: dict[str, Any], params: dict[str, Any]) -> None:
    for name in _SIMPLE_FIELDS:
        if name in params:
            customer[name] = get_str(params, name)
    if "address" in params:
        customer["address"] = address_from(params["address"])
    if "shipping" in params:
        customer["shipping"] = _shipping(params["shipping"])
    if "preferred_locales" in params:
        customer["preferred_locales"] = [
            str(v) for v in get_list(params, "preferred_locales") or []
        ]
    if "metadata" in params:
        customer["metadata"] = merge_metadata(customer["metadata"], params["metadata"])
    if "tax_exempt" in params:
        customer["tax_exempt"] = get_str(params, "tax_exempt") or "none"
    settings = params.get("invoice_settings")
    if isinstance(settings, dict) and "default_payment_method" in settings:
        pm_id = get_str(settings, "default_payment_method")
        if pm_id is not None:
            pm = ctx.store.get(pm_id, "payment_method")
            if pm["customer"] != customer["id"]:
                raise invalid_request(
                    f"The customer does not have a payment method with the ID {pm_id}. The "
                    "payment method must be attached to the customer.",
                    param="invoice_settings[default_payment_method]",
                )
        customer["invoice_settings"]["default_payment_method"] = pm_id


def create_customer(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """`POST /v1/customers`."""
    customer: dict[str, Any] = {
        "id": new_object_id("cus"),
        "object": "customer",
        "address": None,
        "balance": 0,
        "created": ctx.now,
        "currency": None,
        "default_source": None,
        "delinquent": False,
        "description": None,
        "discount": None,
        "email": None,
        "invoice_prefix": secrets.token_hex(4).upper(),
        "invoice_settings": {
            "custom_fields": None,
            "default_payment_method": None,
            "footer": None,
            "rendering_options": None,
        },
        "livemode": False,
        "metadata": {},
        "name": None,
        "next_invoice_sequence": 1,
        "phone": None,
        "preferred_locales": [],
        "shipping": None,
        "tax_exempt": "none",
        "test_clock": None,
    }
    payment_method = get_str(params, "payment_method")
    creation = {k: v for k, v in params.items() if k not in ("payment_method", "invoice_settings")}
    _apply(ctx, customer, creation)
    clock = get_str(params, "test_clock")
    if clock is not None:
        # The customer, and every object made for it, lives at the clock's frozen time.
        customer["test_clock"] = ctx.store.get(clock, "test_helpers.test_clock")["id"]
    ctx.store.insert(customer, lookup=customer["email"])
    events.record(ctx, "customer.created", customer)
    if payment_method is not None:
        attach_payment_method(ctx, {"customer": customer["id"]}, payment_method)
    if "invoice_settings" in params:
        return update_customer(
            ctx, {"invoice_settings": params["invoice_settings"]}, customer["id"]
        )
    return customer


def retrieve_customer(ctx: Ctx, params: dict[str, Any], id: str) -> dict[str, Any]:
    """`GET /v1/customers/{id}` (deleted customers answer `deleted: true`)."""
    return ctx.store.get(id, "customer")


def update_customer(ctx: Ctx, params: dict[str, Any], id: str) -> dict[str, Any]:
    """`POST /v1/customers/{id}`."""
    customer = ctx.store.get(id, "customer")
    before = dict(customer)
    before["invoice_settings"] = dict(customer["invoice_settings"])
    _apply(ctx, customer, params)
    ctx.store.save(customer, lookup=customer["email"])
    events.record_update(ctx, "customer.updated", before, customer)
    return customer


def delete_customer(ctx: Ctx, params: dict[str, Any], id: str) -> dict[str, Any]:
    """`DELETE /v1/customers/{id}`: cancels its subscriptions, then forgets it."""
    customer = ctx.store.get(id, "customer")
    for row in ctx.store.rows("subscription", customer=id):
        if row.data["status"] not in ENDED:
            cancel_now(ctx, row.data["id"], invoice_now=False, prorate=False)
    ctx.store.delete(id)
    events.record(ctx, "customer.deleted", customer)
    return {"id": id, "object": "customer", "deleted": True}


def list_customers(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """`GET /v1/customers` with an optional exact `email` filter."""
    return ctx.store.page("customer", params, "/v1/customers", lookup=get_str(params, "email"))


_EMAIL_QUERY = re.compile(r"""^\s*email\s*[:~]\s*['"]([^'"]+)['"]\s*$""")


def search_customers(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """`GET /v1/customers/search`: supports `email:'...'` queries only."""
    query = require_str(params, "query")
    match = _EMAIL_QUERY.match(query)
    if match is None:
        raise invalid_request(
            "The sandbox supports customer search by email only, e.g. email:'a@example.com'.",
            param="query",
        )
    rows = ctx.store.rows("customer", lookup=match.group(1))
    data = [r.data for r in reversed(rows)]
    result = list_object(data, "/v1/customers/search")
    result.update({"object": "search_result", "next_page": None, "total_count": len(data)})
    return result


def create_tax_id(ctx: Ctx, params: dict[str, Any], customer: str) -> dict[str, Any]:
    """`POST /v1/customers/{customer}/tax_ids` with Stripe's format validation."""
    ctx.store.get(customer, "customer")
    type_ = require_str(params, "type")
    value = require_str(params, "value")
    if type_ not in tax_ids.supported_types():
        raise invalid_request(f"Invalid value for type: {type_}", param="type")
    country = tax_ids.check(type_, value)
    if country is None:
        raise ApiError(
            400,
            "invalid_request_error",
            f"Invalid value for {type_}.",
            code="tax_id_invalid",
            param="value",
        )
    verified = type_ in tax_ids.VERIFIED_TYPES
    tax_id = {
        "id": new_object_id("txi"),
        "object": "tax_id",
        "country": country,
        "created": ctx.now,
        "customer": customer,
        "livemode": False,
        "owner": {"customer": customer, "type": "customer", "customer_account": None},
        "type": type_,
        "value": value.strip().upper() if type_ != "us_ein" else value.strip(),
        "verification": {
            "status": "verified" if verified else "unavailable",
            "verified_address": None,
            "verified_name": None,
        },
        "customer_account": None,
    }
    ctx.store.insert(tax_id, customer=customer)
    events.record(ctx, "customer.tax_id.created", tax_id)
    return tax_id


def list_tax_ids(ctx: Ctx, params: dict[str, Any], customer: str) -> dict[str, Any]:
    """`GET /v1/customers/{customer}/tax_ids`."""
    ctx.store.get(customer, "customer")
    return ctx.store.page("tax_id", params, f"/v1/customers/{customer}/tax_ids", customer=customer)


def retrieve_tax_id(ctx: Ctx, params: dict[str, Any], customer: str, id: str) -> dict[str, Any]:
    """`GET /v1/customers/{customer}/tax_ids/{id}`."""
    tax_id = ctx.store.get(id, "tax_id")
    if tax_id["customer"] != customer:
        raise not_found("tax id", id)
    return tax_id


def delete_tax_id(ctx: Ctx, params: dict[str, Any], customer: str, id: str) -> dict[str, Any]:
    """`DELETE /v1/customers/{customer}/tax_ids/{id}`."""
    tax_id = retrieve_tax_id(ctx, params, customer, id)
    ctx.store.delete(id)
    events.record(ctx, "customer.tax_id.deleted", tax_id)
    return {"id": id, "object": "tax_id", "deleted": True}


ROUTES: list[RouteSpec] = [
    ("POST", "/v1/customers", create_customer),
    ("GET", "/v1/customers", list_customers),
    ("GET", "/v1/customers/search", search_customers),
    ("GET", "/v1/customers/{id}", retrieve_customer),
    ("POST", "/v1/customers/{id}", update_customer),
    ("DELETE", "/v1/customers/{id}", delete_customer),
    ("POST", "/v1/customers/{customer}/tax_ids", create_tax_id),
    ("GET", "/v1/customers/{customer}/tax_ids", list_tax_ids),
    ("GET", "/v1/customers/{customer}/tax_ids/{id}", retrieve_tax_id),
    ("DELETE", "/v1/customers/{customer}/tax_ids/{id}", delete_tax_id),
]
