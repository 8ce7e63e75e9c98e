"""Fuzzing the merchant API from its own OpenAPI document (schemathesis, fixed budget).

Schemathesis generates valid and invalid requests for every operation in `/v1/openapi.json`
(as the running app serves it). Whatever comes in, the answer is never a 500, always carries
a `Request-Id`, and any refusal has Stripe's error shape. The budget (examples per operation,
no shrinking database) keeps the whole file at a few seconds.
"""

from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings

from portal_app.api.openapi import openapi_document

# The document the app serves is the one built here; a test below checks they are equal.
schema = schemathesis.openapi.from_dict(openapi_document())
EXAMPLES = 40


def test_the_served_document_is_the_fuzzed_one(api_server: str) -> None:
    served = httpx.get(f"{api_server}/v1/openapi.json")
    assert served.status_code == 200 and served.json() == openapi_document()


@pytest.fixture
def authorised(api_server: str, api_key: str, db: Any) -> dict[str, Any]:
    return {"base_url": api_server, "headers": {"Authorization": f"Bearer {api_key}"}}


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_no_input_breaks_the_api(case: Any, authorised: dict[str, Any]) -> None:
    response = case.call(base_url=authorised["base_url"], headers=authorised["headers"])
    where = f"{case.method} {case.formatted_path} {case.body!r:.300} -> {response.text[:300]}"
    assert response.status_code < 500, where
    # Schemathesis keeps headers as lower-case names with lists of values.
    assert response.headers.get("request-id", [""])[0].startswith("req_"), where
    if response.status_code >= 400:
        error = response.json()["error"]
        assert error["type"] == "invalid_request_error" and error["message"], where
