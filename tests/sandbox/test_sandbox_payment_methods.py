"""Test cards, setup intents (the browser's card form) and attach/detach."""

from typing import Any

import httpx
import pytest
import stripe

from portal_app.settings import get_settings


def _confirm_from_browser(intent: Any, number: str, exp_year: int = 2034) -> httpx.Response:
    """What the portal's card form posts: the client secret, not the API key."""
    settings = get_settings()
    return httpx.post(
        f"{settings.sandbox_url}/v1/setup_intents/{intent.id}/confirm",
        data={
            "client_secret": intent.client_secret,
            "payment_method_data[type]": "card",
            "payment_method_data[card][number]": number,
            "payment_method_data[card][exp_month]": "12",
            "payment_method_data[card][exp_year]": str(exp_year),
            "payment_method_data[card][cvc]": "123",
            "payment_method_data[billing_details][name]": "Jenny Rosen",
        },
        headers={"Origin": settings.public_url},
    )


def test_setup_intent_confirm_with_test_card_saves_only_brand_last4_expiry(
    client: stripe.StripeClient,
) -> None:
    customer = client.v1.customers.create(params={"email": "cards@example.com"})
    intent = client.v1.setup_intents.create(params={"customer": customer.id})
    assert intent.status == "requires_payment_method"
    response = _confirm_from_browser(intent, "4242424242424242")
    assert response.status_code == 200, response.text
    assert response.headers["access-control-allow-origin"] == get_settings().public_url
    confirmed = response.json()
    assert confirmed["status"] == "succeeded"
    pm = client.v1.payment_methods.retrieve(confirmed["payment_method"])
    assert pm.customer == customer.id
    assert pm.card is not None
    assert (pm.card.brand, pm.card.last4, pm.card.exp_month, pm.card.exp_year) == (
        "visa",
        "4242",
        12,
        2034,
    )
    assert "4242424242424242" not in str(pm)
    listed = client.v1.payment_methods.list(params={"customer": customer.id, "type": "card"})
    assert [p.id for p in listed.data] == [pm.id]
    mastercard = client.v1.setup_intents.create(params={"customer": customer.id})
    assert _confirm_from_browser(mastercard, "5555555555554444").json()["status"] == "succeeded"
    assert len(client.v1.customers.payment_methods.list(customer.id).data) == 2


@pytest.mark.parametrize(
    ("number", "code", "decline_code", "message"),
    [
        ("4000000000000002", "card_declined", "generic_decline", "Your card was declined."),
        ("4000000000009995", "card_declined", "insufficient_funds", None),
        ("4000000000000069", "expired_card", None, None),
    ],
)
def test_declining_cards_are_402_card_errors(
    client: stripe.StripeClient,
    number: str,
    code: str,
    decline_code: str | None,
    message: str | None,
) -> None:
    customer = client.v1.customers.create(params={"email": "declines@example.com"})
    intent = client.v1.setup_intents.create(params={"customer": customer.id})
    response = _confirm_from_browser(intent, number)
    assert response.status_code == 402
    error = response.json()["error"]
    assert error["type"] == "card_error"
    assert error["code"] == code
    assert error["decline_code"] == decline_code
    if message:
        assert error["message"] == message
    assert client.v1.setup_intents.retrieve(intent.id).last_setup_error is not None
    assert client.v1.payment_methods.list(params={"customer": customer.id}).data == []


def test_past_expiry_and_bad_number_are_rejected(client: stripe.StripeClient) -> None:
    intent = client.v1.setup_intents.create(params={})
    expired = _confirm_from_browser(intent, "4242424242424242", exp_year=2020)
    assert expired.status_code == 402
    assert expired.json()["error"]["code"] == "invalid_expiry_year"
    wrong = _confirm_from_browser(intent, "4242424242424241")
    assert wrong.json()["error"]["code"] == "incorrect_number"


def test_wrong_client_secret_is_refused(client: stripe.StripeClient) -> None:
    intent = client.v1.setup_intents.create(params={})
    response = httpx.post(
        f"{get_settings().sandbox_url}/v1/setup_intents/{intent.id}/confirm",
        data={"client_secret": "seti_x_secret_wrong", "payment_method": "pm_card_visa"},
    )
    assert response.status_code == 401


def test_sdk_confirm_attach_detach_and_default(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(params={"email": "detach@example.com"})
    intent = client.v1.setup_intents.create(
        params={"customer": customer.id, "payment_method": "pm_card_visa", "confirm": True}
    )
    assert intent.status == "succeeded"
    assert isinstance(intent.payment_method, str)
    customer = client.v1.customers.update(
        customer.id, params={"invoice_settings": {"default_payment_method": intent.payment_method}}
    )
    assert customer.invoice_settings.default_payment_method == intent.payment_method
    expanded = client.v1.customers.retrieve(
        customer.id, params={"expand": ["invoice_settings.default_payment_method"]}
    )
    assert expanded.invoice_settings.default_payment_method.card.last4 == "4242"  # type: ignore[union-attr]
    detached = client.v1.payment_methods.detach(intent.payment_method)
    assert detached.customer is None
    after = client.v1.customers.retrieve(customer.id)
    assert after.invoice_settings.default_payment_method is None
    other = client.v1.customers.create(params={"email": "not-mine@example.com"})
    foreign = client.v1.payment_methods.attach("pm_card_visa", params={"customer": other.id})
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.customers.update(
            customer.id, params={"invoice_settings": {"default_payment_method": foreign.id}}
        )
