"""Stripe objects as mirror columns: which table each object goes to and its field values.

Reads both the current API shapes and the older ones (periods on the subscription rather
than its items, `invoice.subscription` rather than `parent.subscription_details`), so a
snapshot from any API version lands the same way.
"""

from collections.abc import Callable
from typing import Any

from portal_app.models.mirror import (
    MirrorCoupon,
    MirrorCustomer,
    MirrorInvoice,
    MirrorPaymentMethod,
    MirrorPrice,
    MirrorProduct,
    MirrorPromotionCode,
    MirrorSubscription,
    MirrorSubscriptionSchedule,
    MirrorTaxId,
    MirrorTestClock,
)
from portal_app.models.mirror_columns import MirrorRow, from_unix


def ref(value: Any) -> str | None:
    """An id from a field Stripe sends as an id, an expanded object, or null."""
    if value is None:
        return None
    if isinstance(value, dict):
        return str(value["id"])
    return str(value)


def customer_fields(obj: dict[str, Any]) -> dict[str, Any]:
    invoice_settings = obj.get("invoice_settings") or {}
    return {
        "email": obj.get("email"),
        "name": obj.get("name"),
        "phone": obj.get("phone"),
        "address": obj.get("address"),
        "shipping": obj.get("shipping") or None,
        "preferred_locales": obj.get("preferred_locales") or [],
        "default_payment_method": ref(invoice_settings.get("default_payment_method")),
        "currency": obj.get("currency"),
        "balance": obj.get("balance") or 0,
        "tax_exempt": obj.get("tax_exempt"),
    }


def product_fields(obj: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": obj.get("name") or "",
        "description": obj.get("description"),
        "active": bool(obj.get("active", True)),
        "images": obj.get("images") or [],
        "tax_code": ref(obj.get("tax_code")),
        "statement_descriptor": obj.get("statement_descriptor"),
        "unit_label": obj.get("unit_label"),
        "default_price": ref(obj.get("default_price")),
        "product_metadata": obj.get("metadata") or {},
    }


def price_fields(obj: dict[str, Any]) -> dict[str, Any]:
    recurring = obj.get("recurring") or {}
    return {
        "product": ref(obj.get("product")) or "",
        "active": bool(obj.get("active", True)),
        "currency": obj.get("currency") or "",
        "unit_amount": obj.get("unit_amount"),
        "type": obj.get("type") or ("recurring" if recurring else "one_time"),
        "recurring_interval": recurring.get("interval"),
        "recurring_interval_count": recurring.get("interval_count"),
        "nickname": obj.get("nickname"),
        "lookup_key": obj.get("lookup_key"),
        "tax_behavior": obj.get("tax_behavior"),
    }


def subscription_fields(obj: dict[str, Any]) -> dict[str, Any]:
    items = (obj.get("items") or {}).get("data") or []
    # Since API version 2025-03-31 the period lives on items; older versions keep it on top.
    first = items[0] if items else {}
    period_start = first.get("current_period_start", obj.get("current_period_start"))
    period_end = first.get("current_period_end", obj.get("current_period_end"))
    return {
        "customer": ref(obj.get("customer")) or "",
        "status": obj.get("status") or "incomplete",
        "currency": obj.get("currency"),
        "cancel_at_period_end": bool(obj.get("cancel_at_period_end")),
        "cancel_at": from_unix(obj.get("cancel_at")),
        "canceled_at": from_unix(obj.get("canceled_at")),
        "ended_at": from_unix(obj.get("ended_at")),
        "current_period_start": from_unix(period_start),
        "current_period_end": from_unix(period_end),
        "trial_end": from_unix(obj.get("trial_end")),
        "default_payment_method": ref(obj.get("default_payment_method")),
        "latest_invoice": ref(obj.get("latest_invoice")),
        "schedule": ref(obj.get("schedule")),
        "discounts": obj.get("discounts") or [],
        "cancellation_details": obj.get("cancellation_details"),
    }


def schedule_fields(obj: dict[str, Any]) -> dict[str, Any]:
    return {
        "customer": ref(obj.get("customer")) or "",
        "subscription": ref(obj.get("subscription")),
        "status": obj.get("status") or "not_started",
        "end_behavior": obj.get("end_behavior"),
        "current_phase": obj.get("current_phase"),
        "phases": obj.get("phases") or [],
    }


def invoice_fields(obj: dict[str, Any]) -> dict[str, Any]:
    parent = obj.get("parent") or {}
    subscription = (parent.get("subscription_details") or {}).get("subscription")
    return {
        "customer": ref(obj.get("customer")) or "",
        "subscription": ref(subscription or obj.get("subscription")),
        "status": obj.get("status"),
        "number": obj.get("number"),
        "currency": obj.get("currency") or "",
        "amount_due": obj.get("amount_due") or 0,
        "amount_paid": obj.get("amount_paid") or 0,
        "amount_remaining": obj.get("amount_remaining") or 0,
        "subtotal": obj.get("subtotal") or 0,
        "total": obj.get("total") or 0,
        "billing_reason": obj.get("billing_reason"),
        "description": obj.get("description"),
        "hosted_invoice_url": obj.get("hosted_invoice_url"),
        "invoice_pdf": obj.get("invoice_pdf"),
        "period_start": from_unix(obj.get("period_start")),
        "period_end": from_unix(obj.get("period_end")),
        "due_date": from_unix(obj.get("due_date")),
        "lines": [invoice_line(line) for line in (obj.get("lines") or {}).get("data") or []],
    }


def invoice_line(line: dict[str, Any]) -> dict[str, Any]:
    """What the invoice history shows of one line, across old and new API shapes."""
    parent = line.get("parent") or {}
    details = parent.get("subscription_item_details") or parent.get("invoice_item_details") or {}
    pricing = (line.get("pricing") or {}).get("price_details") or {}
    period = line.get("period") or {}
    return {
        "id": line.get("id"),
        "description": line.get("description"),
        "amount": line.get("amount") or 0,
        "currency": line.get("currency"),
        "quantity": line.get("quantity"),
        "price": ref(pricing.get("price") or line.get("price")),
        "proration": bool(details.get("proration", line.get("proration", False))),
        "period_start": period.get("start"),
        "period_end": period.get("end"),
    }


def payment_method_fields(obj: dict[str, Any]) -> dict[str, Any]:
    card = obj.get("card") or {}
    return {
        "customer": ref(obj.get("customer")),
        "type": obj.get("type") or "card",
        "card_brand": card.get("display_brand") or card.get("brand"),
        "card_last4": card.get("last4"),
        "card_exp_month": card.get("exp_month"),
        "card_exp_year": card.get("exp_year"),
        "billing_details": obj.get("billing_details"),
    }


def tax_id_fields(obj: dict[str, Any]) -> dict[str, Any]:
    owner = obj.get("owner") or {}
    return {
        "customer": ref(obj.get("customer") or owner.get("customer")),
        "type": obj.get("type") or "",
        "value": obj.get("value") or "",
        "country": obj.get("country"),
        "verification_status": (obj.get("verification") or {}).get("status"),
    }


def coupon_fields(obj: dict[str, Any]) -> dict[str, Any]:
    percent_off = obj.get("percent_off")
    return {
        "name": obj.get("name"),
        "percent_off": None if percent_off is None else float(percent_off),
        "amount_off": obj.get("amount_off"),
        "currency": obj.get("currency"),
        "duration": obj.get("duration") or "once",
        "duration_in_months": obj.get("duration_in_months"),
        "valid": bool(obj.get("valid", True)),
        "redeem_by": from_unix(obj.get("redeem_by")),
        "max_redemptions": obj.get("max_redemptions"),
        "times_redeemed": obj.get("times_redeemed") or 0,
    }


def promotion_code_fields(obj: dict[str, Any]) -> dict[str, Any]:
    promotion = obj.get("promotion") or {}
    return {
        "code": obj.get("code") or "",
        "coupon": ref(promotion.get("coupon") or obj.get("coupon")),
        "active": bool(obj.get("active", True)),
        "customer": ref(obj.get("customer")),
        "expires_at": from_unix(obj.get("expires_at")),
        "max_redemptions": obj.get("max_redemptions"),
        "times_redeemed": obj.get("times_redeemed") or 0,
        "restrictions": obj.get("restrictions"),
    }


def test_clock_fields(obj: dict[str, Any]) -> dict[str, Any]:
    return {"frozen_time": int(obj.get("frozen_time") or 0), "status": obj.get("status") or ""}


MIRRORED: dict[str, tuple[type[MirrorRow], Callable[[dict[str, Any]], dict[str, Any]]]] = {
    "customer": (MirrorCustomer, customer_fields),
    "product": (MirrorProduct, product_fields),
    "price": (MirrorPrice, price_fields),
    "subscription": (MirrorSubscription, subscription_fields),
    "subscription_schedule": (MirrorSubscriptionSchedule, schedule_fields),
    "invoice": (MirrorInvoice, invoice_fields),
    "payment_method": (MirrorPaymentMethod, payment_method_fields),
    "tax_id": (MirrorTaxId, tax_id_fields),
    "coupon": (MirrorCoupon, coupon_fields),
    "promotion_code": (MirrorPromotionCode, promotion_code_fields),
    "test_helpers.test_clock": (MirrorTestClock, test_clock_fields),
}
