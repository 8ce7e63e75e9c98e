"""Fixtures for driving the sandbox through the real stripe SDK and its test helpers."""

from collections.abc import Iterator
from typing import Any

import pytest
import stripe
from sandbox_helpers import Helpers

from portal_app.settings import get_settings


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The stripe SDK posts raw bytes through httpx's deprecated `data=`; not the sandbox's doing.
    for item in items:
        if "tests/sandbox/" in str(item.path):
            item.add_marker(
                pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")
            )


@pytest.fixture(scope="session")
def client(api_server: str) -> stripe.StripeClient:
    """The stripe SDK pointed at the sandbox, as the portal's gateway does."""
    settings = get_settings()
    return stripe.StripeClient(
        settings.sandbox_api_key,
        base_addresses={"api": settings.sandbox_url},
        http_client=stripe.HTTPXClient(allow_sync_methods=True),
        max_network_retries=0,
    )


@pytest.fixture(scope="session")
def session_helpers(api_server: str) -> Iterator[Helpers]:
    """One HTTP client for the sandbox's test helpers."""
    found = Helpers()
    yield found
    found.http.close()


@pytest.fixture
def helpers(session_helpers: Helpers) -> Iterator[Helpers]:
    """Test clock, faults, events and webhook delivery helpers (no test clock to start with)."""
    session_helpers.clock = None
    yield session_helpers
    session_helpers.clock = None


@pytest.fixture
def customer(client: stripe.StripeClient, helpers: Helpers) -> stripe.Customer:
    """A fresh customer with a saved default visa card, on a new test clock (`helpers.clock`)."""
    created = client.v1.customers.create(
        params={
            "email": "sandbox-test@example.com",
            "name": "Sandbox Test",
            "test_clock": helpers.new_clock(),
        }
    )
    pm = client.v1.payment_methods.attach("pm_card_visa", params={"customer": created.id})
    return client.v1.customers.update(
        created.id, params={"invoice_settings": {"default_payment_method": pm.id}}
    )


@pytest.fixture
def monthly_price(client: stripe.StripeClient) -> Any:
    """A fresh product with a 3000/month usd price."""
    product = client.v1.products.create(params={"name": "Pro"})
    return client.v1.prices.create(
        params={
            "product": product.id,
            "unit_amount": 3000,
            "currency": "usd",
            "recurring": {"interval": "month"},
        }
    )
