"""Auth, errors, params, pagination, expand, idempotency: the API surface every resource shares."""

import httpx
import pytest
import stripe

from portal_app.settings import get_settings


def test_wrong_key_is_401(api_server: str) -> None:
    bad = stripe.StripeClient(
        "sk_test_wrong",
        base_addresses={"api": get_settings().sandbox_url},
        http_client=stripe.HTTPXClient(allow_sync_methods=True),
    )
    with pytest.raises(stripe.AuthenticationError) as caught:
        bad.v1.customers.list()
    assert caught.value.http_status == 401


def test_missing_object_is_404_with_stripe_error_json(api_server: str) -> None:
    settings = get_settings()
    response = httpx.get(
        f"{settings.sandbox_url}/v1/customers/cus_missing",
        headers={"Authorization": f"Bearer {settings.sandbox_api_key}"},
    )
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert error["code"] == "resource_missing"
    assert error["param"] == "id"
    assert {"type", "code", "message", "param", "decline_code"} <= set(error)


def test_customer_create_update_and_bracket_params(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(
        params={
            "email": "brackets@example.com",
            "name": "Bracket Person",
            "metadata": {"plan": "gold", "drop": "x"},
            "preferred_locales": ["fr", "en"],
            "address": {"line1": "1 Rue", "city": "Paris", "country": "FR"},
        }
    )
    assert customer.metadata["plan"] == "gold"
    assert customer.preferred_locales == ["fr", "en"]
    assert customer.address is not None and customer.address.city == "Paris"
    updated = client.v1.customers.update(
        customer.id,
        params={
            "metadata": {"drop": ""},
            "phone": "+33123456789",
            "shipping": {"name": "Bracket Person", "address": {"line1": "2 Rue", "country": "FR"}},
        },
    )
    assert "drop" not in updated.metadata
    assert updated.phone == "+33123456789"
    assert updated.shipping is not None and updated.shipping.address.line1 == "2 Rue"
    assert client.v1.customers.retrieve(customer.id).email == "brackets@example.com"


def test_list_pagination_and_email_filter(client: stripe.StripeClient) -> None:
    ids = [
        client.v1.customers.create(params={"email": "page@example.com", "name": str(n)}).id
        for n in range(5)
    ]
    first = client.v1.customers.list(params={"email": "page@example.com", "limit": 2})
    assert [c.id for c in first.data] == ids[::-1][:2]
    assert first.has_more is True
    assert first.url == "/v1/customers"
    second = client.v1.customers.list(
        params={"email": "page@example.com", "limit": 2, "starting_after": first.data[-1].id}
    )
    assert [c.id for c in second.data] == ids[::-1][2:4]
    back = client.v1.customers.list(
        params={"email": "page@example.com", "limit": 2, "ending_before": second.data[0].id}
    )
    assert [c.id for c in back.data] == ids[::-1][:2]
    everything = [
        c.id
        for c in client.v1.customers.list(params={"email": "page@example.com"}).auto_paging_iter()
    ]
    assert everything == ids[::-1]
    found = client.v1.customers.search(params={"query": "email:'page@example.com'"})
    assert len(found.data) == 5


def test_idempotency_replay_and_mismatch(client: stripe.StripeClient) -> None:
    options = {"idempotency_key": "idem-test-1"}
    first = client.v1.customers.create(params={"email": "idem@example.com"}, options=options)
    again = client.v1.customers.create(params={"email": "idem@example.com"}, options=options)
    assert again.id == first.id
    with pytest.raises(stripe.IdempotencyError):
        client.v1.customers.create(params={"email": "other@example.com"}, options=options)


def test_tax_ids_validate_formats(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(params={"email": "tax@example.com"})
    vat = client.v1.customers.tax_ids.create(
        customer.id, params={"type": "eu_vat", "value": "DE123456789"}
    )
    assert vat.country == "DE" and vat.verification is not None
    client.v1.customers.tax_ids.create(
        customer.id, params={"type": "gb_vat", "value": "GB123456789"}
    )
    client.v1.customers.tax_ids.create(
        customer.id, params={"type": "us_ein", "value": "12-3456789"}
    )
    client.v1.customers.tax_ids.create(
        customer.id, params={"type": "au_abn", "value": "12345678912"}
    )
    for type_, value in [("eu_vat", "DE12345"), ("gb_vat", "XX1"), ("us_ein", "123456789")]:
        with pytest.raises(stripe.InvalidRequestError) as caught:
            client.v1.customers.tax_ids.create(customer.id, params={"type": type_, "value": value})
        assert caught.value.code == "tax_id_invalid"
    listed = client.v1.customers.tax_ids.list(customer.id)
    assert len(listed.data) == 4
    client.v1.customers.tax_ids.delete(customer.id, vat.id)
    assert len(client.v1.customers.tax_ids.list(customer.id).data) == 3


def test_products_and_prices(client: stripe.StripeClient) -> None:
    product = client.v1.products.create(
        params={
            "name": "Catalogue item",
            "images": ["https://example.com/a.png"],
            "tax_code": "txcd_10000000",
            "statement_descriptor": "ACME CLOUD",
            "unit_label": "seat",
        }
    )
    assert product.images == ["https://example.com/a.png"] and product.unit_label == "seat"
    monthly = client.v1.prices.create(
        params={
            "product": product.id,
            "unit_amount": 1000,
            "currency": "usd",
            "recurring": {"interval": "month", "interval_count": 3},
        }
    )
    assert monthly.recurring is not None and monthly.recurring.interval_count == 3
    assert str(monthly.unit_amount_decimal) == "1000"
    client.v1.prices.update(monthly.id, params={"active": False})
    active = client.v1.prices.list(params={"product": product.id, "active": True})
    assert active.data == []
    assert len(client.v1.prices.list(params={"product": product.id}).data) == 1
    archived = client.v1.products.update(product.id, params={"active": False})
    assert archived.active is False
    expanded = client.v1.prices.retrieve(monthly.id, params={"expand": ["product"]})
    assert expanded.product.name == "Catalogue item"  # type: ignore[union-attr]


def test_sandbox_is_off_when_a_stripe_key_is_configured(
    api_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = get_settings()
    key = settings.sandbox_api_key
    monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_live_configured")
    get_settings.cache_clear()
    try:
        response = httpx.get(
            f"{settings.sandbox_url}/v1/customers", headers={"Authorization": f"Bearer {key}"}
        )
    finally:
        monkeypatch.delenv("STRIPE_SECRET_KEY")
        get_settings.cache_clear()
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "sandbox_disabled"


def test_event_records_the_request(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(
        params={"email": "request@example.com"}, options={"idempotency_key": "evt-request-1"}
    )
    events = client.v1.events.list(params={"type": "customer.created", "limit": 20})
    event = next(e for e in events.data if e.data.object.id == customer.id)
    assert event.request.idempotency_key == "evt-request-1"
    assert event.request.id.startswith("req_")
