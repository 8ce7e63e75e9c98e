"""Fixtures for driving the sandbox through the real stripe SDK and its test helpers."""

from collections.abc import Iterator
from typing import Any

import pytest
import stripe
from sandbox_helpers import Helpers

from tests.factories import card_customer, recurring_price, sandbox_client


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
    return sandbox_client()


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
    return card_customer(
        client,
        email="sandbox-test@example.com",
        name="Sandbox Test",
        test_clock=helpers.new_clock(),
    )


@pytest.fixture
def monthly_price(client: stripe.StripeClient) -> Any:
    """A fresh product with a 3000/month usd price."""
    return recurring_price(client, unit_amount=3000)
