"""The sandbox refuses what Stripe refuses, with Stripe's codes and bracketed `param`s, and
answers malformed requests with a 400 in Stripe's error shape (never a 500)."""

import base64
import random
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import stripe

from portal_app.sandbox.app import ALL_ROUTES, API_VERSION, MAX_BODY_BYTES
from portal_app.sandbox.schema import STRIPE_ROUTES, params_of, route_schema
from portal_app.settings import get_settings
from tests.factories import sandbox_http


@pytest.fixture
def http(api_server: str) -> Iterator[httpx.Client]:
    with sandbox_http() as client:
        yield client


def _error(response: httpx.Response, status: int = 400) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["Request-Id"].startswith("req_")
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["type"] == "invalid_request_error"
    return dict(body["error"])


def test_every_route_has_a_schema_and_every_sdk_class_resolves() -> None:
    """No route escapes the checks; each Stripe route's class exists in the pinned SDK."""
    missing = [(m, p) for m, p, _ in ALL_ROUTES if route_schema(m, p) is None]
    assert missing == []
    for schema in STRIPE_ROUTES.values():
        assert isinstance(schema.params, str)
        assert params_of(schema.params).kind == "object"


def test_unknown_parameters_are_refused_with_their_bracketed_name(
    client: stripe.StripeClient, http: httpx.Client, monthly_price: Any
) -> None:
    customer = client.v1.customers.create(params={"email": "strict@example.com"})
    top = _error(http.post("/v1/customers", data={"bogus": "1"}))
    assert (top["code"], top["param"]) == ("parameter_unknown", "bogus")
    assert top["message"] == "Received unknown parameter: bogus"
    nested = _error(
        http.post(
            "/v1/subscriptions",
            data={
                "customer": customer.id,
                "items[0][price]": monthly_price.id,
                "items[0][bogus]": "x",
            },
        )
    )
    assert (nested["code"], nested["param"]) == ("parameter_unknown", "items[0][bogus]")
    # The same through the SDK: the caller sees Stripe's error type and code.
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.customers.list(params={"emial": "x"})  # type: ignore[typeddict-unknown-key]
    assert raised.value.code == "parameter_unknown"


def test_missing_wrong_type_and_enum_values_are_refused(http: httpx.Client) -> None:
    missing = _error(http.post("/v1/prices", data={"unit_amount": "100"}))
    assert (missing["code"], missing["param"]) == ("parameter_missing", "currency")
    integer = _error(http.post("/v1/prices", data={"currency": "usd", "unit_amount": "ten"}))
    assert (integer["code"], integer["param"]) == ("parameter_invalid_integer", "unit_amount")
    enum = _error(
        http.post(
            "/v1/prices",
            data={"currency": "usd", "unit_amount": "1", "recurring[interval]": "fortnight"},
        )
    )
    assert enum["param"] == "recurring[interval]"
    assert "must be one of day, month, week, or year" in enum["message"]
    boolean = _error(http.get("/v1/products", params={"active": "yes"}))
    assert boolean["param"] == "active"
    empty = _error(http.post("/v1/customers", data={"email": ""}))
    assert (empty["code"], empty["param"]) == ("parameter_invalid_empty", "email")
    hash_ = _error(http.post("/v1/customers", data={"invoice_settings": "x"}))
    assert hash_["param"] == "invoice_settings"


def test_removed_parameters_get_stripes_own_code(http: httpx.Client) -> None:
    """API 2026-09-30 removed `payment_method_types` from intents with a code of its own."""
    gone = _error(http.post("/v1/setup_intents", data={"payment_method_types[0]": "card"}))
    assert (gone["code"], gone["param"]) == (
        "payment_method_types_no_longer_supported",
        "payment_method_types",
    )
    both = _error(
        http.post(
            "/v1/setup_intents",
            data={
                "allowed_payment_method_types[0]": "card",
                "automatic_payment_methods[enabled]": "true",
            },
        )
    )
    assert both["code"] == "parameters_exclusive"
    ok = http.post("/v1/setup_intents", data={"allowed_payment_method_types[0]": "card"})
    assert ok.status_code == 200, ok.text
    assert ok.json()["allowed_payment_method_types"] == ["card"]
    assert ok.json()["payment_method_types"] == ["card"]


def test_expand_paths_must_be_expandable(
    client: stripe.StripeClient, http: httpx.Client, customer: Any
) -> None:
    client.v1.customers.tax_ids.create(
        customer.id, params={"type": "eu_vat", "value": "DE123456789"}
    )
    for path, bad in (
        (f"/v1/customers/{customer.id}", "email"),
        (f"/v1/customers/{customer.id}", "nothing_here"),
        ("/v1/customers", "tax_ids"),  # a list needs `data.`
    ):
        error = _error(http.get(path, params={"expand[]": bad}))
        assert error["param"] == "expand"
    listed = http.get("/v1/customers", params={"expand[]": "data.tax_ids", "limit": 1})
    assert listed.status_code == 200, listed.text
    expanded = http.get(f"/v1/customers/{customer.id}", params={"expand[]": "tax_ids"}).json()
    assert [t["value"] for t in expanded["tax_ids"]["data"]] == ["DE123456789"]
    plain = http.get(f"/v1/customers/{customer.id}").json()
    assert "tax_ids" not in plain


@pytest.mark.parametrize(
    ("content", "what"),
    [
        (b"=true", "an empty parameter name"),
        (b"email=a&[x]=1", "a name that starts with a bracket"),
        (b"a" + b"[b]" * 1100 + b"=1", "1,100-deep brackets"),
        (b"email[=1", "unbalanced brackets"),
        (b"email=\xff\xfe", "a value that is not UTF-8"),
        (b"\xc3\x28=1", "a name that is not UTF-8"),
        (b"metadata[a]=1&metadata=2", "a hash sent again as a value"),
        (b"metadata=2&metadata[a]=1", "a value sent again as a hash"),
    ],
)
def test_malformed_bodies_are_400s(http: httpx.Client, content: bytes, what: str) -> None:
    response = http.post(
        "/v1/customers",
        content=content,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert _error(response)["message"], what


def test_malformed_input_is_400_even_without_a_key() -> None:
    """Deep brackets on an unauthenticated request are refused, not crashed on."""
    settings = get_settings()
    with httpx.Client(base_url=settings.sandbox_url, timeout=30) as anonymous:
        deep = anonymous.post("/v1/customers", content=b"a" + b"[b]" * 1100 + b"=1")
        assert deep.status_code in (400, 401), deep.text
        assert "error" in deep.json()
        query = anonymous.get("/v1/customers?" + "x" + "[y]" * 1100 + "=1")
        assert query.status_code in (400, 401)
        assert query.headers["Request-Id"].startswith("req_")


def test_a_huge_body_is_refused_before_it_is_decoded(http: httpx.Client) -> None:
    response = http.post(
        "/v1/customers",
        content=b"description=" + b"x" * (MAX_BODY_BYTES + 1),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert _error(response, 413)["message"]


def test_basic_auth_is_accepted_like_stripes(api_server: str) -> None:
    """`curl -u sk_test_...:` sends the key as the Basic user name."""
    settings = get_settings()
    token = base64.b64encode(f"{settings.sandbox_api_key}:".encode()).decode()
    with httpx.Client(base_url=settings.sandbox_url, timeout=30) as anonymous:
        ok = anonymous.get("/v1/customers", headers={"Authorization": f"Basic {token}"})
        assert ok.status_code == 200, ok.text
        wrong = base64.b64encode(b"sk_test_wrong:").decode()
        refused = anonymous.get("/v1/customers", headers={"Authorization": f"Basic {wrong}"})
        assert refused.status_code == 401
        garbage = anonymous.get("/v1/customers", headers={"Authorization": "Basic %%%"})
        assert garbage.status_code == 401


def test_every_response_has_a_request_id(http: httpx.Client, api_server: str) -> None:
    settings = get_settings()
    responses = [
        http.get("/v1/customers"),
        http.get("/v1/customers/cus_missing"),
        http.get("/v1/no_such_thing"),
        http.post("/v1/customers", data={"bogus": "1"}),
        httpx.get(f"{settings.sandbox_url}/v1/customers"),  # no key
        http.get("/v1/test_helpers/faults"),
    ]
    http.post("/v1/test_helpers/faults", data={"mode": "500", "path_prefix": "/v1/products"})
    responses.append(http.get("/v1/products"))
    http.delete("/v1/test_helpers/faults")
    for response in responses:
        assert response.headers.get("Request-Id", "").startswith("req_"), response.url
    assert [r.status_code for r in responses] == [200, 404, 404, 400, 401, 200, 500]
    assert responses[2].json()["error"]["type"] == "invalid_request_error"


def test_subscription_list_pages_through_the_default_status_filter(
    client: stripe.StripeClient, customer: Any, monthly_price: Any
) -> None:
    """With canceled subscriptions newest, `limit=1` still returns a live one, and auto-paging
    yields every live subscription once."""
    live = [
        client.v1.subscriptions.create(
            params={"customer": customer.id, "items": [{"price": monthly_price.id}]}
        ).id
        for _ in range(3)
    ]
    for _ in range(2):
        ended = client.v1.subscriptions.create(
            params={"customer": customer.id, "items": [{"price": monthly_price.id}]}
        )
        client.v1.subscriptions.cancel(ended.id)
    first = client.v1.subscriptions.list(params={"customer": customer.id, "limit": 1})
    assert [s.id for s in first.data] == [live[-1]]
    assert first.has_more is True
    paged = [
        s.id
        for s in client.v1.subscriptions.list(
            params={"customer": customer.id, "limit": 1}
        ).auto_paging_iter()
    ]
    assert paged == list(reversed(live))
    ended_only = client.v1.subscriptions.list(
        params={"customer": customer.id, "status": "ended", "limit": 1}
    )
    assert len(ended_only.data) == 1
    assert ended_only.data[0].status == "canceled"
    everything = client.v1.subscriptions.list(
        params={"customer": customer.id, "status": "all", "limit": 10}
    )
    assert len(everything.data) == 5


def test_only_the_pinned_api_version_is_served(http: httpx.Client) -> None:
    ok = http.get("/v1/customers", headers={"Stripe-Version": API_VERSION})
    assert ok.status_code == 200
    assert ok.headers["Stripe-Version"] == API_VERSION
    other = http.get("/v1/customers", headers={"Stripe-Version": "2024-06-20"})
    assert "2026-10-28.endive" in _error(other)["message"]


FUZZ_ROUTES = [
    ("POST", "/v1/customers"),
    ("GET", "/v1/customers"),
    ("POST", "/v1/subscriptions"),
    ("POST", "/v1/invoices/create_preview"),
    ("POST", "/v1/setup_intents"),
    ("GET", "/v1/subscriptions"),
]


def test_random_malformed_forms_never_crash_the_sandbox(http: httpx.Client) -> None:
    """A seeded fuzz of bracket soup, odd bytes and type confusion: every answer is a 2xx or
    a 4xx in Stripe's error shape, never a 5xx."""
    rng = random.Random(1100)
    pieces = ["items", "[", "]", "[0]", "[]", "price", "expand", "metadata", "=", "&", "%", ""]
    values = ["", "x", "1", "-1", "true", "1e9", "%FF", "\u00e9", "[]", "0" * 30]
    for _ in range(150):
        method, path = rng.choice(FUZZ_ROUTES)
        pairs = [
            "".join(rng.choice(pieces) for _ in range(rng.randint(0, 6))) + "=" + rng.choice(values)
            for _ in range(rng.randint(1, 4))
        ]
        raw = "&".join(pairs).encode() + (b"\xff" if rng.random() < 0.1 else b"")
        if method == "GET":
            response = http.get(path + "?" + raw.decode("latin-1"))
        else:
            response = http.post(
                path,
                content=raw,
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
        assert response.status_code < 500, (raw, response.text)
        assert response.headers["Request-Id"].startswith("req_")
        if response.status_code >= 400:
            assert response.json()["error"]["type"] == "invalid_request_error", raw
