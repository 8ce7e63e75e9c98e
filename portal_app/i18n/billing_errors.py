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
