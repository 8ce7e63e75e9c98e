"""The gateway without a network: client set-up, idempotency keys, error mapping, counting."""

import logging
from types import SimpleNamespace
from typing import Any

import pytest
import stripe

from portal_app.billing.errors import (
    AuthenticationFailed,
    CardDeclined,
    InvalidRequest,
    RateLimited,
    StripeUnavailable,
)
from portal_app.billing.gateway import (
    API_VERSION,
    APP_NAME,
    Gateway,
    build_client,
    idempotency_key,
    portal_error,
)
from portal_app.settings import Settings


def test_without_a_key_the_client_talks_to_the_sandbox() -> None:
    settings = Settings()
    options = build_client(settings=settings)._requestor._options
    assert options.base_addresses["api"] == settings.sandbox_url
    assert options.api_key == settings.sandbox_api_key
    assert options.max_network_retries == 2


def test_with_a_key_the_client_talks_to_stripe(monkeypatch) -> None:
    monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_test_live_looking")
    options = build_client(settings=Settings())._requestor._options
    assert options.base_addresses["api"] == "https://api.stripe.com"
    assert options.api_key == "sk_test_live_looking"


def test_the_client_pins_the_api_version_and_names_the_portal(monkeypatch) -> None:
    """Both clients send the pinned SDK's API version explicitly (an account's default version
    must not change what the portal receives) and the portal's app info."""
    assert stripe.api_version == API_VERSION
    for secret in (None, "sk_test_live_looking"):
        if secret:
            monkeypatch.setenv("STRIPE_SECRET_KEY", secret)
        options = build_client(settings=Settings())._requestor._options
        assert options.stripe_version == API_VERSION
    assert stripe.app_info is not None
    assert stripe.app_info["name"] == APP_NAME


def test_the_same_intent_gives_the_same_key_and_nothing_else_does() -> None:
    key = idempotency_key(operation="subscriptions.update", intent="bps_1:sub_1:switch:price_2:1:n")
    assert key == idempotency_key(
        operation="subscriptions.update", intent="bps_1:sub_1:switch:price_2:1:n"
    )
    assert key != idempotency_key(
        operation="subscriptions.update", intent="bps_1:sub_1:switch:price_2:2:n"
    )
    assert key != idempotency_key(
        operation="subscriptions.cancel", intent="bps_1:sub_1:switch:price_2:1:n"
    )
    assert len(key) < 255


def _card_error() -> stripe.CardError:
    body = {
        "error": {
            "type": "card_error",
            "code": "card_declined",
            "decline_code": "insufficient_funds",
            "message": "Your card has insufficient funds.",
        }
    }
    return stripe.CardError(
        "Your card has insufficient funds.", None, "card_declined", json_body=body, http_status=402
    )


def test_a_card_error_keeps_the_cardholder_message_and_decline_code() -> None:
    error = portal_error(_card_error())
    assert isinstance(error, CardDeclined)
    assert error.user_message == "Your card has insufficient funds."
    assert error.decline_code == "insufficient_funds"


def test_an_invalid_request_names_its_parameter() -> None:
    error = portal_error(
        stripe.InvalidRequestError(
            "No such price: 'price_x'", "items[0][price]", "resource_missing"
        )
    )
    assert isinstance(error, InvalidRequest)
    assert (error.param, error.code) == ("items[0][price]", "resource_missing")
    assert "price_x" not in error.user_message


@pytest.mark.parametrize(
    ("stripe_error", "expected"),
    [
        (stripe.RateLimitError("Too many requests", http_status=429), RateLimited),
        (stripe.APIError("Internal error", http_status=500), StripeUnavailable),
        (stripe.APIConnectionError("timed out", should_retry=True), StripeUnavailable),
        (
            stripe.IdempotencyError("Keys for idempotent requests...", http_status=400),
            InvalidRequest,
        ),
    ],
)
def test_transient_and_conflict_errors_map_to_portal_errors(stripe_error, expected) -> None:
    error = portal_error(stripe_error)
    assert type(error) is expected
    assert error.user_message


def test_an_authentication_error_never_repeats_the_key() -> None:
    error = portal_error(
        stripe.AuthenticationError(
            "Invalid API Key provided: sk_test_abcdef123456", http_status=401
        )
    )
    assert isinstance(error, AuthenticationFailed)
    assert "sk_test" not in str(error) and "sk_test" not in error.user_message


def _fake_client(**customer_calls: Any) -> Any:
    return SimpleNamespace(v1=SimpleNamespace(customers=SimpleNamespace(**customer_calls)))


async def test_calls_are_counted_and_failures_logged_as_warnings(caplog) -> None:
    async def declined(*_args: Any, **_kwargs: Any) -> Any:
        raise _card_error()

    async def found(customer_id: str, *_args: Any) -> Any:
        return stripe.StripeObject.construct_from({"id": customer_id, "object": "customer"}, "k")

    gateway = Gateway(_fake_client(retrieve_async=found, update_async=declined))
    assert await gateway.retrieve_customer(customer_id="cus_1") == {
        "id": "cus_1",
        "object": "customer",
    }
    with caplog.at_level(logging.WARNING), pytest.raises(CardDeclined):
        await gateway.update_customer(customer_id="cus_1", changes={"name": "A"}, intent="i")
    assert gateway.stats.reads == {"customers.retrieve": 1}
    assert gateway.stats.writes == {"customers.update": 1}
    assert any(
        r.levelno == logging.WARNING and "customers.update" in r.getMessage()
        for r in caplog.records
    )


async def test_unknown_customer_fields_are_refused_before_any_call() -> None:
    gateway = Gateway(_fake_client())
    with pytest.raises(ValueError, match="balance"):
        await gateway.update_customer(customer_id="cus_1", changes={"balance": 5}, intent="i")
    assert gateway.stats.total_writes == 0
