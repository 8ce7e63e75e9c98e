"""The portal's billing errors: what went wrong with Stripe, in words fit to show a person.

The gateway turns every Stripe error into one of these, so nothing above it handles `stripe`
types and no message shown to a customer carries a key, a request id or a stack trace.
"""


class BillingError(Exception):
    """A Stripe call failed; `user_message` is safe to show, `str(error)` is for the logs."""

    user_message = "Something went wrong with billing. Please try again."

    def __init__(self, detail: str = "", *, user_message: str | None = None) -> None:
        super().__init__(detail or self.user_message)
        if user_message:
            self.user_message = user_message


class CardDeclined(BillingError):
    """The card was declined; Stripe's message is written for the cardholder."""

    user_message = "Your card was declined."

    def __init__(
        self, detail: str = "", *, user_message: str | None = None, decline_code: str | None = None
    ) -> None:
        super().__init__(detail, user_message=user_message)
        self.decline_code = decline_code


class InvalidRequest(BillingError):
    """Stripe refused the request as invalid (bad id, bad value, state that forbids it)."""

    user_message = "That change could not be made. Please check the details and try again."

    def __init__(
        self,
        detail: str = "",
        *,
        user_message: str | None = None,
        param: str | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(detail, user_message=user_message)
        self.param = param
        self.code = code


class RateLimited(BillingError):
    """Too many requests to Stripe right now."""

    user_message = "Billing is busy right now. Please wait a moment and try again."


class StripeUnavailable(BillingError):
    """Stripe could not be reached, timed out or failed on its side."""

    user_message = "Billing is temporarily unavailable. Please try again in a minute."


class AuthenticationFailed(BillingError):
    """Stripe rejected the portal's API key: an operator problem, not the customer's."""

    user_message = "Billing is not configured correctly. Please contact support."


class WebhookSignatureInvalid(BillingError):
    """A webhook's `Stripe-Signature` did not verify (wrong secret, tampered, or too old)."""

    user_message = "The webhook signature could not be verified."
