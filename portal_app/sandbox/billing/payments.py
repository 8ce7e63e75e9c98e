"""Charging a card: a PaymentIntent that succeeds or fails like the test card says."""

from typing import Any

from portal_app.sandbox import cards
from portal_app.sandbox.context import Ctx
from portal_app.sandbox.store import new_object_id, random_token


def charge(
    ctx: Ctx,
    *,
    customer: str,
    payment_method: str | None,
    amount: int,
    currency: str,
    description: str,
) -> tuple[dict[str, Any], str | None]:
    """Charge off-session; returns the PaymentIntent and the decline code (None on success)."""
    decline_code: str | None
    if payment_method is None:
        decline_code = "no_payment_method"
    else:
        row = ctx.store.find(payment_method)
        if row is None or row.data.get("customer") != customer:
            decline_code = "no_payment_method"
        else:
            decline_code = row.hidden.get("charge_decline")
    intent_id = new_object_id("pi")
    error = None
    if decline_code == "no_payment_method":
        error = {
            "type": "invalid_request_error",
            "code": "payment_intent_unexpected_state",
            "decline_code": None,
            "message": "The customer has no default payment method to charge.",
        }
    elif decline_code is not None:
        code, message = cards.decline_message(decline_code)
        error = {
            "type": "card_error",
            "code": code,
            "decline_code": decline_code if code == "card_declined" else None,
            "message": message,
        }
    intent = {
        "id": intent_id,
        "object": "payment_intent",
        "amount": amount,
        "amount_capturable": 0,
        "amount_details": {"tip": {}},
        "amount_received": amount if error is None else 0,
        "application": None,
        "application_fee_amount": None,
        "automatic_payment_methods": None,
        "canceled_at": None,
        "cancellation_reason": None,
        "capture_method": "automatic",
        "client_secret": f"{intent_id}_secret_{random_token(24)}",
        "confirmation_method": "automatic",
        "created": ctx.now,
        "currency": currency,
        "customer": customer,
        "description": description,
        "last_payment_error": error,
        "latest_charge": new_object_id("ch") if error is None else None,
        "livemode": False,
        "metadata": {},
        "next_action": None,
        "on_behalf_of": None,
        "payment_method": payment_method,
        "payment_method_configuration_details": None,
        "payment_method_options": {},
        "payment_method_types": ["card"],
        "processing": None,
        "receipt_email": None,
        "review": None,
        "setup_future_usage": None,
        "shipping": None,
        "statement_descriptor": None,
        "statement_descriptor_suffix": None,
        "status": "succeeded" if error is None else "requires_payment_method",
        "transfer_data": None,
        "transfer_group": None,
        "source": None,
        "excluded_payment_method_types": None,
        "customer_account": None,
        "managed_payments": None,
    }
    ctx.store.insert(intent, customer=customer, status=intent["status"])
    return intent, decline_code
