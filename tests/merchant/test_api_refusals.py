"""The merchant API refuses like Stripe: typed codes, bracket-form params, 400 never 500."""

from collections.abc import Callable

import httpx
import pytest

from tests.merchant.test_billing_portal_api import CREATE

CONFIGURATIONS = "/v1/billing_portal/configurations"
SESSIONS = "/v1/billing_portal/sessions"


@pytest.fixture
def client(api_server: str, api_key: str) -> httpx.Client:
    return httpx.Client(base_url=api_server, headers={"Authorization": f"Bearer {api_key}"})


def _error(answer: httpx.Response, status: int) -> dict[str, str]:
    assert answer.status_code == status, answer.text
    assert answer.headers["request-id"].startswith("req_")
    error = answer.json()["error"]
    assert error["type"] == "invalid_request_error" and error["message"]
    return error


@pytest.mark.parametrize(
    ("data", "param"),
    [
        ({"bogus": "1"}, "bogus"),
        ({"features[invoice_history][bogus]": "1"}, "features[invoice_history][bogus]"),
        (
            {"features[subscription_update][products][0][bogus]": "1"},
            "features[subscription_update][products][0][bogus]",
        ),
        # The portal's old extension names are not Stripe's: they must go through x_portal.
        ({"business_name": "Acme"}, "business_name"),
        (
            {"features[subscription_update][quantity][minimum]": "2"},
            "features[subscription_update][quantity]",
        ),
        ({"x_portal[bogus]": "1"}, "x_portal[bogus]"),
        ({"x_portal[branding][bogus]": "1"}, "x_portal[branding][bogus]"),
        # Request options of the SDK are not parameters.
        ({"idempotency_key": "k"}, "idempotency_key"),
    ],
)
def test_unknown_parameters_are_refused_in_bracket_form(
    client: httpx.Client, data: dict[str, str], param: str
) -> None:
    answer = client.post(CONFIGURATIONS, data={**CREATE, **data})
    error = _error(answer, 400)
    assert (error["code"], error["param"]) == ("parameter_unknown", param)


def test_required_parameters_follow_the_sdk(client: httpx.Client) -> None:
    missing = _error(client.post(CONFIGURATIONS, data={"x_portal[business_name]": "A"}), 400)
    assert (missing["code"], missing["param"]) == ("parameter_missing", "features")
    inner = _error(
        client.post(
            CONFIGURATIONS,
            data={**CREATE, "features[customer_update][allowed_updates][0]": "email"},
        ),
        400,
    )
    assert (inner["code"], inner["param"]) == (
        "parameter_missing",
        "features[customer_update][enabled]",
    )


def test_missing_objects_get_404_in_the_path_and_400_in_a_param(
    client: httpx.Client, add_customer: Callable[..., None]
) -> None:
    add_customer("cus_known", "ada@example.com", "Ada")
    client.post(CONFIGURATIONS, data=CREATE)
    in_path = _error(client.get(f"{CONFIGURATIONS}/bpc_missing"), 404)
    assert in_path["code"] == "resource_missing"
    updated = _error(client.post(f"{CONFIGURATIONS}/bpc_missing", data={"name": "x"}), 404)
    assert updated["code"] == "resource_missing"
    in_param = _error(
        client.post(SESSIONS, data={"customer": "cus_known", "configuration": "bpc_missing"}), 400
    )
    assert (in_param["code"], in_param["param"]) == ("resource_missing", "configuration")
    customer = _error(client.post(SESSIONS, data={"customer": "cus_nobody"}), 400)
    assert (customer["code"], customer["param"]) == ("resource_missing", "customer")


def test_expand_is_checked_and_honoured(
    client: httpx.Client, add_customer: Callable[..., None]
) -> None:
    add_customer("cus_known", "ada@example.com", "Ada")
    config = client.post(CONFIGURATIONS, data={**CREATE, "expand[]": "application"}).json()
    assert config["application"] is None
    bad = _error(client.post(SESSIONS, data={"customer": "cus_known", "expand[]": "customer"}), 400)
    assert bad["param"] == "expand[0]"
    plain = client.post(SESSIONS, data={"customer": "cus_known"}).json()
    assert plain["configuration"] == config["id"]
    expanded = client.post(
        SESSIONS, data={"customer": "cus_known", "expand[]": "configuration"}
    ).json()
    assert expanded["configuration"]["id"] == config["id"]
    assert expanded["configuration"]["object"] == "billing_portal.configuration"
    listed = client.get(CONFIGURATIONS, params={"expand[]": "data.application"})
    assert listed.status_code == 200, listed.text
    assert client.get(CONFIGURATIONS, params={"expand[]": "application"}).status_code == 400


def test_stripe_parameters_the_portal_cannot_honour_are_refused_by_name(
    client: httpx.Client, add_customer: Callable[..., None]
) -> None:
    add_customer("cus_known", "ada@example.com", "Ada")
    client.post(CONFIGURATIONS, data=CREATE)
    cases = [
        ({"customer_account": "acct_1"}, "customer_account"),
        ({"on_behalf_of": "acct_1"}, "on_behalf_of"),
        ({"after_expiration[type]": "customer_login"}, "after_expiration"),
        ({"flow_data[type]": "subscription_pause"}, "flow_data[type]"),
        ({"flow_data[type]": "customer_update"}, "flow_data[type]"),
    ]
    for data, param in cases:
        error = _error(client.post(SESSIONS, data={"customer": "cus_known", **data}), 400)
        assert error["param"] == param, data
        assert error["code"] == "parameter_invalid"
    pause = _error(
        client.post(
            CONFIGURATIONS, data={**CREATE, "features[subscription_pause][enabled]": "true"}
        ),
        400,
    )
    assert pause["param"] == "features[subscription_pause][enabled]"


@pytest.mark.parametrize(
    "body",
    [
        "=true",
        "&&=&",
        "a" + "[x]" * 1100 + "=1",
        "features[invoice_history][enabled]=true&features=1",
        "features=1&features[invoice_history][enabled]=true",
        "features[[x]]=1",
        "features[x=1",
        "limit]=1",
        '{"features": {"invoice_history": {"enabled": true}}}',
        "features[subscription_update][products][99999999999][product]=p",
        "features[subscription_update][enabled]=true&features[subscription_update][products][0][product]=p"
        "&features[subscription_update][products][0][prices][0]=price_1"
        "&features[subscription_update][products][0][adjustable_quantity][enabled]=true"
        "&features[subscription_update][products][0][adjustable_quantity][maximum]=" + "9" * 5000,
        "features[subscription_pause][duration][interval_options][0][interval_count]=1e400",
        "x_portal[quantity][minimum]=99999999999999999999999999",
        "x_portal=1",
        "metadata[" + "k" * 100 + "]=v&features[invoice_history][enabled]=true",
    ],
)
def test_malformed_bodies_get_400_in_stripes_shape(client: httpx.Client, body: str) -> None:
    answer = client.post(
        CONFIGURATIONS,
        content=body.encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    _error(answer, 400)


def test_bad_bytes_big_bodies_and_bad_queries_get_stripes_errors(client: httpx.Client) -> None:
    _error(client.post(CONFIGURATIONS, content=b"features=\xff\xfe"), 400)
    too_big = client.post(CONFIGURATIONS, content=b"a=" + b"x" * 70_000)
    assert too_big.status_code == 413 and too_big.json()["error"]["message"]
    _error(client.get(CONFIGURATIONS, params={"limit": "9" * 400}), 400)
    _error(client.get(CONFIGURATIONS, params={"limit": "-1"}), 400)
    _error(client.get(CONFIGURATIONS, params={"limit[]": "1"}), 400)
    _error(client.get(CONFIGURATIONS, params={"=": "1"}), 400)
    _error(client.get(f"{CONFIGURATIONS}/" + "b" * 5000), 404)
    wrong_method = client.delete(CONFIGURATIONS)
    assert wrong_method.status_code == 404 and wrong_method.headers["request-id"]


def test_every_answer_has_a_request_id(api_server: str, client: httpx.Client) -> None:
    answers = [
        client.get(CONFIGURATIONS),
        client.post(CONFIGURATIONS, data=CREATE),
        client.post(CONFIGURATIONS, data={"bogus": "1"}),
        httpx.get(api_server + CONFIGURATIONS),
        httpx.get(api_server + "/v1/openapi.json"),
        client.get("/v1/billing_portal/nothing/here"),
        client.get(f"{CONFIGURATIONS}/bpc_1/extra"),
    ]
    assert answers[-1].status_code == answers[-2].status_code == 404
    assert answers[-1].json()["error"]["type"] == "invalid_request_error"
    ids = [answer.headers.get("request-id", "") for answer in answers]
    assert all(value.startswith("req_") for value in ids), ids
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize(
    "origin",
    [
        "https://a.example'",
        "https://*.example",
        "https://a.example:99999",
        "https://a.example:0",
        "https://user@a.example",
        "https://a.example/path",
        "ftp://a.example",
        "https://a..example",
        'https://a.example"><script>',
    ],
)
def test_embed_origins_follow_a_strict_grammar(client: httpx.Client, origin: str) -> None:
    answer = client.post(
        CONFIGURATIONS, data={**CREATE, "x_portal[embed][allowed_origins][0]": origin}
    )
    error = _error(answer, 400)
    assert error["param"] == "x_portal[embed][allowed_origins][0]"
    assert "origin" in error["message"] or "port" in error["message"]


def test_a_long_unknown_name_is_echoed_cut_short(client: httpx.Client) -> None:
    answer = client.post(CONFIGURATIONS, content=("n" * 5000 + "=1").encode())
    error = _error(answer, 400)
    assert error["code"] == "parameter_unknown" and len(error["param"]) < 300
