"""The hosted invoice page and PDF carry the account's branding, lines, totals and status."""

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import stripe
from sandbox_helpers import Helpers

from portal_app.sandbox.billing.periods import money_label


@pytest.fixture
def branded(helpers: Helpers) -> Iterator[dict[str, str]]:
    """The account branded for one test, and put back as it was after."""
    before = helpers.http.get("/v1/test_helpers/account").json()
    brand = {
        "business_name": "Northwind <Billing>",
        "primary_color": "#1a1f36",
        "logo_url": "https://cdn.example.com/logo.png",
    }
    response = helpers.http.post("/v1/test_helpers/account", data=brand)
    assert response.status_code == 200, response.text
    yield brand
    restore = {k: before[k] for k in ("business_name", "primary_color", "logo_url")}
    helpers.http.post("/v1/test_helpers/account", data=restore)


def test_the_hosted_page_is_branded_and_the_pdf_downloads(
    client: stripe.StripeClient, customer: Any, monthly_price: Any, branded: dict[str, str]
) -> None:
    sub = client.v1.subscriptions.create(
        params={"customer": customer.id, "items": [{"price": monthly_price.id, "quantity": 2}]}
    )
    invoice = client.v1.invoices.retrieve(str(sub.latest_invoice))
    assert invoice.account_name == branded["business_name"]
    page = httpx.get(str(invoice.hosted_invoice_url))
    html = page.text
    assert page.status_code == 200
    assert "Northwind &lt;Billing&gt;" in html and "<Billing>" not in html  # escaped
    assert f"src='{branded['logo_url']}'" in html and "background:#1a1f36" in html
    assert "color:#ffffff" in html  # white text on the dark brand
    assert 'data-status="paid"' in html and ">Paid</span>" in html
    total = money_label(invoice.total, "usd")
    assert invoice.total == 6000 and f"{total}</td>" in html
    for line in invoice.lines.data:
        assert str(line.description) in html
    pdf = httpx.get(str(invoice.invoice_pdf))
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    disposition = pdf.headers["content-disposition"]
    assert disposition.startswith("attachment;") and f"{invoice.number}.pdf" in disposition
    assert b"Northwind <Billing>" in pdf.content  # the document's author: the merchant


def test_account_settings_are_validated(helpers: Helpers) -> None:
    for bad in (
        {"primary_color": "red"},
        {"logo_url": "javascript:alert(1)"},
        {"business_name": "Evil\r\nBcc: x"},
        {"surprise": "1"},
    ):
        response = helpers.http.post("/v1/test_helpers/account", data=bad)
        assert response.status_code == 400, bad
        assert response.json()["error"]["type"] == "invalid_request_error"
