"""The same gateway code against a real Stripe test-mode account, when one is configured."""

import os

import pytest

from portal_app.billing.gateway import Gateway, build_client
from portal_app.settings import Settings

KEY = os.environ.get("STRIPE_TEST_SECRET_KEY", "")

pytestmark = pytest.mark.skipif(
    not KEY.startswith("sk_test_"),
    reason="needs STRIPE_TEST_SECRET_KEY (a Stripe test-mode secret key); none is set here",
)


async def test_customer_round_trip_on_real_stripe() -> None:
    settings = Settings(STRIPE_SECRET_KEY=KEY)  # type: ignore[call-arg]
    gateway = Gateway(build_client(settings=settings))
    found = await gateway.find_customers_by_email(email="no-such-customer@example.invalid")
    assert found == []
    products = [p async for p in gateway.iter_products(active=True)]
    assert all(p["object"] == "product" for p in products)
    assert gateway.stats.total_writes == 0 and gateway.stats.total_reads >= 2
