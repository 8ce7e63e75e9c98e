"""Stripe's test cards: what each number does, and card validation (the number is never kept)."""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from portal_app.sandbox.errors import ApiError, card_error
from portal_app.settings import get_settings


@dataclass(frozen=True)
class CardBehaviour:
    """How a test card behaves: when it is set up (`setup`) and when it is charged (`charge`)."""

    brand: str
    funding: str = "credit"
    country: str = "US"
    setup: str | None = None  # decline code at setup, None when it attaches fine
    charge: str | None = None  # decline code when charged, None when payments succeed


TEST_CARDS: dict[str, CardBehaviour] = {
    "4242424242424242": CardBehaviour("visa"),
    "4000056655665556": CardBehaviour("visa", funding="debit"),
    "5555555555554444": CardBehaviour("mastercard"),
    "2223003122003222": CardBehaviour("mastercard"),
    "378282246310005": CardBehaviour("amex"),
    "6011111111111117": CardBehaviour("discover"),
    "4000000000000002": CardBehaviour("visa", setup="generic_decline", charge="generic_decline"),
    "4000000000009995": CardBehaviour(
        "visa", setup="insufficient_funds", charge="insufficient_funds"
    ),
    "4000000000000069": CardBehaviour("visa", setup="expired_card", charge="expired_card"),
    "4000000000000127": CardBehaviour("visa", setup="incorrect_cvc", charge="incorrect_cvc"),
    "4000000000000119": CardBehaviour("visa", setup="processing_error", charge="processing_error"),
    "4000000000000341": CardBehaviour("visa", charge="generic_decline"),
}

# Stripe's ready-made test PaymentMethods (`pm_card_visa` ...) and the card each stands for.
TEST_PAYMENT_METHODS = {
    "pm_card_visa": "4242424242424242",
    "pm_card_mastercard": "5555555555554444",
    "pm_card_amex": "378282246310005",
    "pm_card_chargeDeclined": "4000000000000002",
    "pm_card_chargeDeclinedInsufficientFunds": "4000000000009995",
    "pm_card_chargeDeclinedExpiredCard": "4000000000000069",
    "pm_card_chargeCustomerFail": "4000000000000341",
}

_DECLINE_MESSAGES = {
    "generic_decline": ("card_declined", "Your card was declined."),
    "insufficient_funds": ("card_declined", "Your card has insufficient funds."),
    "expired_card": ("expired_card", "Your card has expired."),
    "incorrect_cvc": ("incorrect_cvc", "Your card's security code is incorrect."),
    "processing_error": (
        "processing_error",
        "An error occurred while processing your card. Try again in a little bit.",
    ),
}


def decline(decline_code: str, **kwargs: Any) -> ApiError:
    """The 402 card_error Stripe answers for a decline."""
    code, message = _DECLINE_MESSAGES[decline_code]
    return card_error(
        message,
        code=code,
        decline_code=decline_code if code == "card_declined" else None,
        **kwargs,
    )


def decline_message(decline_code: str) -> tuple[str, str]:
    """(code, message) for a decline code."""
    return _DECLINE_MESSAGES[decline_code]


def luhn_ok(number: str) -> bool:
    """The Luhn checksum every card number satisfies."""
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char)
        if index % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def card_details(card: dict[str, Any], now: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """Validate raw card input; return the PaymentMethod's `card` hash and its hidden state."""
    number = "".join(ch for ch in str(card.get("number") or "") if ch.isdigit())
    if not number:
        raise card_error(
            "Missing required param: card[number].", code="incorrect_number", param="number"
        )
    if not 12 <= len(number) <= 19 or not luhn_ok(number):
        raise card_error("Your card number is incorrect.", code="incorrect_number", param="number")
    test_card = TEST_CARDS.get(number)
    if test_card is None:
        raise card_error(
            "Your card was declined. Your request was in test mode, but used a non test "
            "(live) card. For a list of valid test cards, visit: "
            "https://stripe.com/docs/testing.",
            code="card_declined",
            decline_code="test_mode_live_card",
        )
    exp_month, exp_year = _expiry(card, now)
    cvc = str(card.get("cvc") or "")
    if cvc and (not cvc.isdigit() or len(cvc) not in (3, 4)):
        raise card_error("Your card's security code is invalid.", code="invalid_cvc", param="cvc")
    key = get_settings().secret_key.get_secret_value().encode()
    fingerprint = hmac.new(key, number.encode(), hashlib.sha256).hexdigest()[:16]
    details = {
        "brand": test_card.brand,
        "checks": {
            "address_line1_check": None,
            "address_postal_code_check": None,
            "cvc_check": "pass" if cvc else None,
        },
        "country": test_card.country,
        "display_brand": test_card.brand,
        "exp_month": exp_month,
        "exp_year": exp_year,
        "fingerprint": fingerprint,
        "funding": test_card.funding,
        "generated_from": None,
        "last4": number[-4:],
        "networks": {"available": [test_card.brand], "preferred": None},
        "three_d_secure_usage": {"supported": True},
        "wallet": None,
        "regulated_status": "unregulated",
    }
    hidden = {"setup_decline": test_card.setup, "charge_decline": test_card.charge}
    return details, hidden


def _expiry(card: dict[str, Any], now: int) -> tuple[int, int]:
    try:
        exp_month = int(str(card.get("exp_month")))
    except ValueError:
        raise card_error(
            "Your card's expiration month is invalid.",
            code="invalid_expiry_month",
            param="exp_month",
        ) from None
    try:
        exp_year = int(str(card.get("exp_year")))
    except ValueError:
        raise card_error(
            "Your card's expiration year is invalid.",
            code="invalid_expiry_year",
            param="exp_year",
        ) from None
    if exp_year < 100:
        exp_year += 2000
    if not 1 <= exp_month <= 12:
        raise card_error(
            "Your card's expiration month is invalid.",
            code="invalid_expiry_month",
            param="exp_month",
        )
    today = datetime.fromtimestamp(now, UTC)
    if exp_year < today.year:
        raise card_error(
            "Your card's expiration year is invalid.",
            code="invalid_expiry_year",
            param="exp_year",
        )
    if exp_year == today.year and exp_month < today.month:
        raise card_error(
            "Your card's expiration month is invalid.",
            code="invalid_expiry_month",
            param="exp_month",
        )
    return exp_month, exp_year
