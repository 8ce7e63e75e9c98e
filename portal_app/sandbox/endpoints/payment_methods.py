"""Payment methods, setup intents (the browser's card form) and payment intents."""

import secrets
from datetime import UTC, datetime
from typing import Any

from portal_app.sandbox import cards, events
from portal_app.sandbox.endpoints import Ctx, RouteSpec, address_from, empty_address
from portal_app.sandbox.errors import invalid_request, not_found
from portal_app.sandbox.params import get_dict, get_list, get_str, merge_metadata, require_str
from portal_app.sandbox.store import new_object_id


def _billing_details(value: Any) -> dict[str, Any]:
    value = value if isinstance(value, dict) else {}
    return {
        "address": address_from(value.get("address")) or empty_address(),
        "email": value.get("email") or None,
        "name": value.get("name") or None,
        "phone": value.get("phone") or None,
        "tax_id": None,
    }


def new_card_payment_method(
    ctx: Ctx, card: dict[str, Any], billing_details: Any = None, metadata: Any = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Validate card input and store a detached card PaymentMethod (brand, last4, expiry only)."""
    details, hidden = cards.card_details(card, ctx.now)
    pm = {
        "id": new_object_id("pm"),
        "object": "payment_method",
        "allow_redisplay": "unspecified",
        "billing_details": _billing_details(billing_details),
        "card": details,
        "created": ctx.now,
        "customer": None,
        "livemode": False,
        "metadata": merge_metadata({}, metadata),
        "type": "card",
        "customer_account": None,
    }
    ctx.store.insert(pm, hidden=hidden, lookup="card")
    return pm, hidden


def _card_from_alias(ctx: Ctx, alias: str) -> dict[str, Any]:
    """Stripe's `pm_card_visa`-style ids: each use creates a fresh PaymentMethod."""
    number = cards.TEST_PAYMENT_METHODS[alias]
    year = datetime.fromtimestamp(ctx.now, UTC).year + 3
    pm, _ = new_card_payment_method(ctx, {"number": number, "exp_month": 12, "exp_year": year})
    return pm


def resolve_payment_method(ctx: Ctx, pm_id: str) -> dict[str, Any]:
    """A PaymentMethod by id, creating one for Stripe's `pm_card_*` test ids."""
    if pm_id in cards.TEST_PAYMENT_METHODS:
        return _card_from_alias(ctx, pm_id)
    return ctx.store.get(pm_id, "payment_method")


def create_payment_method(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """`POST /v1/payment_methods` (type=card with raw test card details)."""
    if (get_str(params, "type") or "card") != "card":
        raise invalid_request("The sandbox supports card payment methods only.", param="type")
    card = get_dict(params, "card")
    if card is None:
        raise invalid_request(
            "Missing required param: card.", param="card", code="parameter_missing"
        )
    pm, _ = new_card_payment_method(
        ctx, card, params.get("billing_details"), params.get("metadata")
    )
    return pm


def retrieve_payment_method(ctx: Ctx, params: dict[str, Any], id: str) -> dict[str, Any]:
    """`GET /v1/payment_methods/{id}`."""
    return ctx.store.get(id, "payment_method")


def update_payment_method(ctx: Ctx, params: dict[str, Any], id: str) -> dict[str, Any]:
    """`POST /v1/payment_methods/{id}`: billing details, expiry, metadata."""
    pm = ctx.store.get(id, "payment_method")
    before = dict(pm)
    if "billing_details" in params:
        merged = {**pm["billing_details"], **_billing_details(params["billing_details"])}
        pm["billing_details"] = merged
    card = get_dict(params, "card") or {}
    for key in ("exp_month", "exp_year"):
        if key in card:
            pm["card"] = {**pm["card"], key: int(card[key])}
    if "metadata" in params:
        pm["metadata"] = merge_metadata(pm["metadata"], params["metadata"])
    ctx.store.save(pm)
    events.record_update(ctx, "payment_method.updated", before, pm)
    return pm


def attach_payment_method(ctx: Ctx, params: dict[str, Any], id: str) -> dict[str, Any]:
    """`POST /v1/payment_methods/{id}/attach`."""
    customer = ctx.store.get(require_str(params, "customer"), "customer")
    pm = resolve_payment_method(ctx, id)
    if pm["customer"] == customer["id"]:
        return pm
    if pm["customer"] is not None:
        raise invalid_request(
            "This PaymentMethod was previously used without being attached to a Customer or was "
            "detached from a Customer, and may not be used again.",
            param="payment_method",
        )
    pm["customer"] = customer["id"]
    ctx.store.save(pm, customer=customer["id"])
    events.record(ctx, "payment_method.attached", pm, {"customer": None})
    return pm


def detach_payment_method(ctx: Ctx, params: dict[str, Any], id: str) -> dict[str, Any]:
    """`POST /v1/payment_methods/{id}/detach`; clears it as the customer's default."""
    pm = ctx.store.get(id, "payment_method")
    customer_id = pm["customer"]
    if customer_id is None:
        raise invalid_request(
            "The payment method you provided is not attached to a customer so detachment is "
            "impossible.",
            param="payment_method",
        )
    customer = ctx.store.get(customer_id, "customer")
    if customer["invoice_settings"]["default_payment_method"] == id:
        before = {"invoice_settings": dict(customer["invoice_settings"])}
        customer["invoice_settings"] = {
            **customer["invoice_settings"],
            "default_payment_method": None,
        }
        ctx.store.save(customer)
        events.record(ctx, "customer.updated", customer, before)
    pm["customer"] = None
    ctx.store.save(pm, customer=None)
    events.record(ctx, "payment_method.detached", pm, {"customer": customer_id})
    return pm


def list_payment_methods(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """`GET /v1/payment_methods?customer=...&type=card`."""
    customer = require_str(params, "customer")
    ctx.store.get(customer, "customer")
    return ctx.store.page(
        "payment_method",
        params,
        "/v1/payment_methods",
        customer=customer,
        lookup=get_str(params, "type"),
    )


def list_customer_payment_methods(
    ctx: Ctx, params: dict[str, Any], customer: str
) -> dict[str, Any]:
    """`GET /v1/customers/{customer}/payment_methods`."""
    ctx.store.get(customer, "customer")
    return ctx.store.page(
        "payment_method",
        params,
        f"/v1/customers/{customer}/payment_methods",
        customer=customer,
        lookup=get_str(params, "type"),
    )


def retrieve_customer_payment_method(
    ctx: Ctx, params: dict[str, Any], customer: str, id: str
) -> dict[str, Any]:
    """`GET /v1/customers/{customer}/payment_methods/{id}`."""
    pm = ctx.store.get(id, "payment_method")
    if pm["customer"] != customer:
        raise not_found("PaymentMethod", id)
    return pm


def create_setup_intent(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """`POST /v1/setup_intents` (optionally `confirm=true` with a payment method)."""
    customer = get_str(params, "customer")
    if customer is not None:
        ctx.store.get(customer, "customer")
    allowed = get_list(params, "allowed_payment_method_types")
    exclusive = [
        name
        for name in (
            "automatic_payment_methods",
            "excluded_payment_method_types",
            "payment_method_configuration",
        )
        if name in params
    ]
    if allowed is not None and exclusive:
        raise invalid_request(
            f"You may only specify one of these parameters: allowed_payment_method_types, "
            f"{exclusive[0]}.",
            param=exclusive[0],
            code="parameters_exclusive",
        )
    # The sandbox sets up cards only: the types it offers are the allowed ones it can do.
    offered = ["card"] if allowed is None or "card" in allowed else []
    if not offered:
        raise invalid_request(
            "None of the allowed payment method types can be set up in the sandbox (only card).",
            param="allowed_payment_method_types",
        )
    intent_id = new_object_id("seti")
    intent = {
        "id": intent_id,
        "object": "setup_intent",
        "application": None,
        "automatic_payment_methods": None,
        "cancellation_reason": None,
        "client_secret": f"{intent_id}_secret_{secrets.token_urlsafe(18)}",
        "created": ctx.now,
        "customer": customer,
        "description": get_str(params, "description"),
        "flow_directions": None,
        "last_setup_error": None,
        "latest_attempt": None,
        "livemode": False,
        "mandate": None,
        "metadata": merge_metadata({}, params.get("metadata")),
        "next_action": None,
        "on_behalf_of": None,
        "payment_method": None,
        "payment_method_configuration_details": None,
        "payment_method_options": {
            "card": {
                "mandate_options": None,
                "network": None,
                "request_three_d_secure": "automatic",
            }
        },
        "payment_method_types": offered,
        "single_use_mandate": None,
        "status": "requires_payment_method",
        "usage": get_str(params, "usage") or "off_session",
        "allowed_payment_method_types": allowed,
        "excluded_payment_method_types": None,
    }
    ctx.store.insert(intent, customer=customer, status=intent["status"])
    events.record(ctx, "setup_intent.created", intent)
    if params.get("confirm") == "true":
        return confirm_setup_intent(ctx, params, intent_id)
    return intent


def retrieve_setup_intent(ctx: Ctx, params: dict[str, Any], id: str) -> dict[str, Any]:
    """`GET /v1/setup_intents/{id}`."""
    return ctx.store.get(id, "setup_intent")


def confirm_setup_intent(ctx: Ctx, params: dict[str, Any], id: str) -> dict[str, Any]:
    """`POST /v1/setup_intents/{id}/confirm`: with a PaymentMethod id or raw test card data.

    Declines answer 402 like Stripe but keep the intent's `last_setup_error` and its event.
    """
    intent = ctx.store.get(id, "setup_intent")
    if intent["status"] == "succeeded":
        raise invalid_request(
            "You cannot confirm this SetupIntent because it has already succeeded.",
            code="setup_intent_unexpected_state",
        )
    pm_id = get_str(params, "payment_method")
    if pm_id is not None:
        pm = resolve_payment_method(ctx, pm_id)
        hidden = ctx.store.hidden(pm["id"])
    else:
        data = get_dict(params, "payment_method_data")
        card = get_dict(data or {}, "card")
        if data is None or card is None:
            raise invalid_request(
                "You must provide a payment_method or payment_method_data.",
                param="payment_method_data",
                code="parameter_missing",
            )
        pm, hidden = new_card_payment_method(
            ctx, card, data.get("billing_details"), data.get("metadata")
        )
    decline_code = hidden.get("setup_decline")
    if decline_code:
        code, message = cards.decline_message(decline_code)
        intent["last_setup_error"] = {
            "code": code,
            "decline_code": decline_code if code == "card_declined" else None,
            "message": message,
            "payment_method": pm,
            "type": "card_error",
        }
        intent["status"] = "requires_payment_method"
        ctx.store.save(intent, status=intent["status"])
        events.record(ctx, "setup_intent.setup_failed", intent)
        raise cards.decline(decline_code, keep_changes=True, extra={"setup_intent": intent})
    if intent["customer"] is not None:
        pm = attach_payment_method(ctx, {"customer": intent["customer"]}, pm["id"])
    before = {"status": intent["status"], "payment_method": None}
    intent.update({"status": "succeeded", "payment_method": pm["id"], "last_setup_error": None})
    ctx.store.save(intent, status="succeeded")
    events.record(ctx, "setup_intent.succeeded", intent, before)
    return intent


def cancel_setup_intent(ctx: Ctx, params: dict[str, Any], id: str) -> dict[str, Any]:
    """`POST /v1/setup_intents/{id}/cancel`."""
    intent = ctx.store.get(id, "setup_intent")
    intent.update(
        {"status": "canceled", "cancellation_reason": get_str(params, "cancellation_reason")}
    )
    ctx.store.save(intent, status="canceled")
    events.record(ctx, "setup_intent.canceled", intent)
    return intent


def retrieve_payment_intent(ctx: Ctx, params: dict[str, Any], id: str) -> dict[str, Any]:
    """`GET /v1/payment_intents/{id}`."""
    return ctx.store.get(id, "payment_intent")


def list_payment_intents(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """`GET /v1/payment_intents?customer=...`."""
    return ctx.store.page(
        "payment_intent", params, "/v1/payment_intents", customer=get_str(params, "customer")
    )


ROUTES: list[RouteSpec] = [
    ("POST", "/v1/payment_methods", create_payment_method),
    ("GET", "/v1/payment_methods", list_payment_methods),
    ("GET", "/v1/payment_methods/{id}", retrieve_payment_method),
    ("POST", "/v1/payment_methods/{id}", update_payment_method),
    ("POST", "/v1/payment_methods/{id}/attach", attach_payment_method),
    ("POST", "/v1/payment_methods/{id}/detach", detach_payment_method),
    ("GET", "/v1/customers/{customer}/payment_methods", list_customer_payment_methods),
    ("GET", "/v1/customers/{customer}/payment_methods/{id}", retrieve_customer_payment_method),
    ("POST", "/v1/setup_intents", create_setup_intent),
    ("GET", "/v1/setup_intents/{id}", retrieve_setup_intent),
    ("POST", "/v1/setup_intents/{id}/confirm", confirm_setup_intent),
    ("POST", "/v1/setup_intents/{id}/cancel", cancel_setup_intent),
    ("GET", "/v1/payment_intents", list_payment_intents),
    ("GET", "/v1/payment_intents/{id}", retrieve_payment_intent),
]
