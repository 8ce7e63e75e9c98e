"""The Stripe-compatible merchant API over HTTP, with raw requests and the stripe SDK."""

from collections.abc import Callable

import httpx
import pytest
import stripe
from sqlmodel import Session, select

from portal_app.auth.api_keys import hash_key, revoke_api_key
from portal_app.models import MerchantApiKey

# The least a configuration needs: Stripe requires `features` on create.
CREATE = {"features[invoice_history][enabled]": "true", "x_portal[business_name]": "Acme"}


@pytest.fixture
def client(api_server: str, api_key: str) -> httpx.Client:
    return httpx.Client(base_url=api_server, headers={"Authorization": f"Bearer {api_key}"})


def test_requests_without_a_valid_key_get_stripes_401(api_server: str, db: Session) -> None:
    missing = httpx.get(f"{api_server}/v1/billing_portal/configurations")
    assert missing.status_code == 401
    assert missing.json()["error"]["type"] == "invalid_request_error"
    wrong = httpx.get(
        f"{api_server}/v1/billing_portal/configurations",
        headers={"Authorization": "Bearer sk_portal_" + "x" * 43},
    )
    assert wrong.status_code == 401 and "Invalid API Key" in wrong.json()["error"]["message"]
    assert "x" * 10 not in wrong.json()["error"]["message"]


def test_revoked_keys_stop_working_and_basic_auth_works(
    api_server: str, api_key: str, db: Session
) -> None:
    url = f"{api_server}/v1/billing_portal/configurations"
    assert httpx.get(url, auth=(api_key, "")).status_code == 200
    row = db.exec(select(MerchantApiKey).where(MerchantApiKey.key_hash == hash_key(api_key))).one()
    assert revoke_api_key(session=db, merchant_id=row.merchant_id, key_id=row.id)
    db.commit()
    assert httpx.get(url, auth=(api_key, "")).status_code == 401


def test_create_update_retrieve_with_bracket_syntax(client: httpx.Client) -> None:
    created = client.post(
        "/v1/billing_portal/configurations",
        data={
            "x_portal[business_name]": "Acme",
            "business_profile[headline]": "Manage your Acme plan",
            "features[subscription_cancel][enabled]": "true",
            "features[subscription_cancel][mode]": "immediately",
            "features[customer_update][enabled]": "true",
            "features[customer_update][allowed_updates][0]": "email",
            "features[customer_update][allowed_updates][1]": "tax_id",
            "metadata[team]": "billing",
        },
    )
    assert created.status_code == 200, created.text
    body = created.json()
    assert body["object"] == "billing_portal.configuration" and body["id"].startswith("bpc_")
    assert body["features"]["customer_update"]["allowed_updates"] == ["email", "tax_id"]
    assert body["features"]["subscription_cancel"]["mode"] == "immediately"
    assert body["business_profile"]["headline"] == "Manage your Acme plan"
    assert body["metadata"] == {"team": "billing"} and body["is_default"] is True
    updated = client.post(
        f"/v1/billing_portal/configurations/{body['id']}",
        data={"features[invoice_history][enabled]": "false", "login_page[enabled]": "true"},
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["features"]["invoice_history"]["enabled"] is False
    assert updated.json()["features"]["subscription_cancel"]["mode"] == "immediately"
    assert "/login/" in updated.json()["login_page"]["url"]
    fetched = client.get(f"/v1/billing_portal/configurations/{body['id']}")
    assert fetched.json() == updated.json()


def test_errors_name_the_param(client: httpx.Client) -> None:
    client.post("/v1/billing_portal/configurations", data=CREATE)
    bad = client.post(
        "/v1/billing_portal/configurations",
        data={
            "features[subscription_update][enabled]": "false",
            "features[subscription_update][proration_behavior]": "sometimes",
        },
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["param"] == "features[subscription_update][proration_behavior]"
    missing = client.get("/v1/billing_portal/configurations/bpc_missing")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "resource_missing"
    assert client.get("/v1/billing_portal/configurations?limit=0").status_code == 400


def test_list_paginates_and_filters(client: httpx.Client) -> None:
    ids = [
        client.post(
            "/v1/billing_portal/configurations", data={**CREATE, "x_portal[business_name]": f"B{i}"}
        ).json()["id"]
        for i in range(3)
    ]
    first = client.get("/v1/billing_portal/configurations", params={"limit": 2}).json()
    assert first["object"] == "list" and first["has_more"] is True
    assert [c["id"] for c in first["data"]] == ids[::-1][:2]
    rest = client.get(
        "/v1/billing_portal/configurations", params={"starting_after": first["data"][-1]["id"]}
    ).json()
    assert [c["id"] for c in rest["data"]] == [ids[0]] and rest["has_more"] is False
    defaults = client.get("/v1/billing_portal/configurations", params={"is_default": "true"})
    assert [c["id"] for c in defaults.json()["data"]] == [ids[0]]


def test_sessions_validate_like_stripe(
    client: httpx.Client, add_customer: Callable[..., None]
) -> None:
    add_customer("cus_known", "ada@example.com", "Ada")
    client.post("/v1/billing_portal/configurations", data=CREATE)
    cases: list[tuple[dict[str, str], str]] = [
        ({}, "customer"),
        ({"customer": "acct_1"}, "customer"),
        ({"customer": "cus_unknown"}, "customer"),
        ({"customer": "cus_known", "configuration": "bpc_nope"}, "configuration"),
        ({"customer": "cus_known", "return_url": "nope"}, "return_url"),
        ({"customer": "cus_known", "locale": "xx"}, "locale"),
        ({"customer": "cus_known", "flow_data[type]": "teleport"}, "flow_data[type]"),
        (
            {"customer": "cus_known", "flow_data[type]": "subscription_update"},
            "flow_data[type]",  # subscription updates are off by default
        ),
        (
            {"customer": "cus_known", "flow_data[type]": "subscription_cancel"},
            "flow_data[subscription_cancel][subscription]",
        ),
        (
            {
                "customer": "cus_known",
                "flow_data[type]": "payment_method_update",
                "flow_data[after_completion][type]": "redirect",
            },
            "flow_data[after_completion][redirect][return_url]",
        ),
    ]
    for data, param in cases:
        answer = client.post("/v1/billing_portal/sessions", data=data)
        assert answer.status_code == 400, (data, answer.text)
        assert answer.json()["error"]["param"] == param, (data, answer.text)


def test_session_with_a_cancel_flow(
    client: httpx.Client, add_customer: Callable[..., None]
) -> None:
    add_customer("cus_known", "ada@example.com", "Ada")
    config = client.post("/v1/billing_portal/configurations", data=CREATE)
    answer = client.post(
        "/v1/billing_portal/sessions",
        data={
            "customer": "cus_known",
            "return_url": "https://example.com/account",
            "locale": "fr",
            "flow_data[type]": "subscription_cancel",
            "flow_data[subscription_cancel][subscription]": "sub_123",
            "flow_data[subscription_cancel][retention][type]": "coupon_offer",
            "flow_data[subscription_cancel][retention][coupon_offer][coupon]": "stay20",
            "flow_data[after_completion][type]": "hosted_confirmation",
            "flow_data[after_completion][hosted_confirmation][custom_message]": "Thanks!",
        },
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["object"] == "billing_portal.session" and body["id"].startswith("bps_")
    assert body["configuration"] == config.json()["id"] and body["customer"] == "cus_known"
    assert "/session/" in body["url"] and body["locale"] == "fr" and body["livemode"] is False
    flow = body["flow"]
    assert flow["type"] == "subscription_cancel"
    assert flow["subscription_cancel"]["retention"]["coupon_offer"]["coupon"] == "stay20"
    assert flow["after_completion"]["hosted_confirmation"]["custom_message"] == "Thanks!"


def test_the_stripe_sdk_creates_a_configuration_and_a_session(
    api_server: str, api_key: str, add_customer: Callable[..., None], add_price: Callable[..., None]
) -> None:
    add_customer("cus_sdk", "sdk@example.com", "SDK")
    add_price("price_basic_month", "prod_basic")
    add_price("price_basic_year", "prod_basic", interval="year")
    client = stripe.StripeClient(api_key, base_addresses={"api": api_server}, max_network_retries=0)
    configuration = client.v1.billing_portal.configurations.create(
        params={
            "business_profile": {"headline": "Acme billing"},
            "features": {
                "invoice_history": {"enabled": True},
                "subscription_update": {
                    "enabled": True,
                    "default_allowed_updates": ["price"],
                    "products": [
                        {
                            "product": "prod_basic",
                            "prices": ["price_basic_month", "price_basic_year"],
                        }
                    ],
                    "proration_behavior": "always_invoice",
                },
            },
            "x_portal": {"business_name": "Acme"},  # type: ignore[typeddict-unknown-key]
        }
    )
    assert configuration.id.startswith("bpc_")
    assert configuration.features.subscription_update.proration_behavior == "always_invoice"
    session = client.v1.billing_portal.sessions.create(
        params={
            "customer": "cus_sdk",
            "configuration": configuration.id,
            "flow_data": {
                "type": "subscription_update",
                "subscription_update": {"subscription": "sub_1"},
            },
        }
    )
    assert session.url.startswith(api_server) and session.configuration == configuration.id
    listed = client.v1.billing_portal.configurations.list(params={"limit": 1})
    assert listed.data[0].id == configuration.id
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.billing_portal.sessions.create(params={"customer": "cus_missing"})
    assert caught.value.param == "customer"
    with pytest.raises(stripe.AuthenticationError):
        stripe.StripeClient(
            "sk_portal_wrong", base_addresses={"api": api_server}, max_network_retries=0
        ).v1.billing_portal.configurations.list()
