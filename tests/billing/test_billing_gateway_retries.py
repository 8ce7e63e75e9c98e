"""The SDK's retries as the gateway configures them, over a mocked transport.

Checks what the brief asks to verify: transient failures are retried with the *same*
Idempotency-Key (the one derived from the caller's intent), and card errors, invalid requests,
rate limits and `Stripe-Should-Retry: false` are not retried.
"""

import json
from collections.abc import Callable

import httpx
import pytest

from portal_app.billing.errors import CardDeclined, InvalidRequest, RateLimited, StripeUnavailable
from portal_app.billing.gateway import Gateway, build_client, idempotency_key

# The stripe SDK hands httpx its form body as `data=`; httpx 0.28 deprecates that spelling.
pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")

CUSTOMER = {"id": "cus_1", "object": "customer", "name": "Ada"}


def gateway_over(answers: list[httpx.Response], seen: list[httpx.Request]) -> Callable[[], Gateway]:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answers.pop(0)

    def build() -> Gateway:
        client = build_client()
        client._requestor._client._client_async = httpx.AsyncClient(  # type: ignore[union-attr]
            transport=httpx.MockTransport(handler)
        )
        return Gateway(client)

    return build


def error(status: int, type_: str, **fields: str) -> httpx.Response:
    body = {"error": {"type": type_, "message": f"{type_} happened", **fields}}
    return httpx.Response(status, content=json.dumps(body))


async def test_a_server_error_is_retried_with_the_intent_key() -> None:
    seen: list[httpx.Request] = []
    ok = httpx.Response(200, content=json.dumps(CUSTOMER))
    gateway = gateway_over([error(500, "api_error"), ok], seen)()
    result = await gateway.update_customer(customer_id="cus_1", changes={"name": "Ada"}, intent="x")
    assert result["name"] == "Ada"
    keys = [r.headers["Idempotency-Key"] for r in seen]
    assert keys == [idempotency_key(operation="customers.update", intent="x")] * 2


async def test_retries_stop_after_two_and_report_an_outage() -> None:
    seen: list[httpx.Request] = []
    gateway = gateway_over([error(503, "api_error") for _ in range(3)], seen)()
    with pytest.raises(StripeUnavailable):
        await gateway.retrieve_customer(customer_id="cus_1")
    assert len(seen) == 3


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (error(402, "card_error", code="card_declined", decline_code="do_not_honor"), CardDeclined),
        (error(400, "invalid_request_error", param="name"), InvalidRequest),
        (error(429, "rate_limit_error"), RateLimited),
    ],
)
async def test_client_errors_are_not_retried(answer: httpx.Response, expected: type) -> None:
    seen: list[httpx.Request] = []
    gateway = gateway_over([answer], seen)()
    with pytest.raises(expected):
        await gateway.update_customer(customer_id="cus_1", changes={"name": "A"}, intent="y")
    assert len(seen) == 1


async def test_stripe_can_forbid_a_retry() -> None:
    seen: list[httpx.Request] = []
    refused = error(500, "api_error")
    refused.headers["Stripe-Should-Retry"] = "false"
    gateway = gateway_over([refused], seen)()
    with pytest.raises(StripeUnavailable):
        await gateway.update_customer(customer_id="cus_1", changes={"name": "A"}, intent="z")
    assert len(seen) == 1
