"""Billing wording that reaches customers in English from outside the customer-facing code:
the gateway's error messages (`billing.errors`) and the card issuer's decline reasons the
sandbox and Stripe send. Marked here so that they are catalogued; `user_message` translates
them where they are shown, and anything not listed is shown as sent."""

from portal_app.i18n.catalog import N_

KNOWN = (
    N_("Something went wrong with billing. Please try again."),
    N_("That change could not be made. Please check the details and try again."),
    N_("Billing is busy right now. Please wait a moment and try again."),
    N_("Billing is temporarily unavailable. Please try again in a minute."),
    N_("Billing is not configured correctly. Please contact support."),
    N_("This change was already requested with other details. Start again."),
    N_("Your card was declined."),
    N_("Your card has insufficient funds."),
    N_("Your card has expired."),
    N_("Your card's security code is incorrect."),
    N_("Your card number is incorrect."),
    N_("Your card's security code is invalid."),
    N_("Your card's expiration month is invalid."),
    N_("Your card's expiration year is invalid."),
)

# The card form's fields, and Stripe's error codes that concern each (docs: error codes).
CARD_FIELDS = ("name", "number", "exp", "cvc", "form")
_CARD_CODE_FIELDS = {
    "incorrect_number": ("number", N_("Your card number is incorrect.")),
    "invalid_number": ("number", N_("Your card number is incorrect.")),
    "invalid_expiry_month": ("exp", N_("Your card's expiration month is invalid.")),
    "invalid_expiry_year": ("exp", N_("Your card's expiration year is invalid.")),
    "expired_card": ("exp", N_("Your card has expired.")),
    "incorrect_cvc": ("cvc", N_("Your card's security code is incorrect.")),
    "invalid_cvc": ("cvc", N_("Your card's security code is invalid.")),
    # Stripe.js's own validation codes (Payment Element).
    "incomplete_number": ("number", N_("Enter the card number.")),
    "incomplete_expiry": ("exp", N_("Enter the expiry date as MM/YY.")),
    "invalid_expiry_month_past": ("exp", N_("Your card has expired.")),
    "invalid_expiry_year_past": ("exp", N_("Your card has expired.")),
    "incomplete_cvc": ("cvc", N_("Enter the security code (CVC).")),
}
_MISSING = {
    "number": N_("Enter the card number."),
    "exp": N_("Enter the expiry date as MM/YY."),
    "cvc": N_("Enter the security code (CVC)."),
}
_DECLINES = {
    "insufficient_funds": N_("Your card has insufficient funds."),
    "expired_card": N_("Your card has expired."),
    "incorrect_cvc": N_("Your card's security code is incorrect."),
}
CARD_NOT_SAVED = N_("The card could not be saved. Please check the details and try again.")


def _card_field_of(param: str) -> str | None:
    """`payment_method_data[card][exp_month]`, `exp_month`, `card[number]` → the form field."""
    last = param.rsplit("[", 1)[-1].rstrip("]")
    if last == "number":
        return "number"
    if last in {"exp_month", "exp_year"}:
        return "exp"
    if last == "cvc":
        return "cvc"
    return None


def card_error(code: object, param: object, decline_code: object) -> tuple[str, str]:
    """(field, catalogued English message) for an error from a card confirmation.

    Decided on Stripe's `code`, `param` and `decline_code`, never on its message, so nothing
    the API wrote (such as "Missing required param: card[number].") reaches the customer."""
    code = code if isinstance(code, str) else ""
    param = param if isinstance(param, str) else ""
    if code in _CARD_CODE_FIELDS:
        return _CARD_CODE_FIELDS[code]
    field = _card_field_of(param)
    if code == "parameter_missing" and field:
        return field, _MISSING[field]
    if code == "card_declined":
        reason = decline_code if isinstance(decline_code, str) else ""
        return "form", _DECLINES.get(reason, N_("Your card was declined."))
    if field:
        return field, _CARD_CODE_FIELDS[
            {"number": "incorrect_number", "exp": "invalid_expiry_month", "cvc": "invalid_cvc"}[
                field
            ]
        ][1]
    return "form", CARD_NOT_SAVED


def card_refusal(code: object, decline_code: object) -> str:
    """The catalogued message for a card Stripe refused while paying or saving it (the
    issuer's own wording, such as the test-mode live-card notice, is never shown)."""
    if code == "processing_error":
        return N_("Something went wrong with billing. Please try again.")
    if code == "card_declined" or not isinstance(code, str) or code not in _CARD_CODE_FIELDS:
        reason = decline_code if isinstance(decline_code, str) else ""
        return _DECLINES.get(reason, N_("Your card was declined."))
    return _CARD_CODE_FIELDS[code][1]
