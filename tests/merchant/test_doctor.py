"""`cli doctor`: a fake account for each way a real set-up goes wrong, and the live sandbox."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import stripe
from sqlmodel import Session, col, select
from stripe.params._webhook_endpoint_create_params import WebhookEndpointCreateParams

from portal_app import cli
from portal_app.billing.errors import AuthenticationFailed, InvalidRequest
from portal_app.billing.gateway import Gateway, build_client
from portal_app.billing.shapes import MIRRORED
from portal_app.models import PortalConfiguration
from portal_app.services.configurations import create_configuration, make_default
from portal_app.services.doctor import (
    Finding,
    mirror_event_types,
    object_of,
    report,
    run_checks,
)
from portal_app.settings import Settings, get_settings

PUBLIC = "https://billing.acme.example"
URL = PUBLIC + "/api/stripe/webhook"


def real(**overrides: Any) -> Settings:
    values = {
        "STRIPE_SECRET_KEY": "sk_test_" + "k" * 24,
        "STRIPE_WEBHOOK_SECRET": "whsec_test",
        "PORTAL_PUBLIC_URL": PUBLIC,
        **overrides,
    }
    return Settings.model_validate({k: v for k, v in values.items() if v is not None})


def good_endpoint(**overrides: Any) -> dict[str, Any]:
    return {
        "id": "we_1",
        "object": "webhook_endpoint",
        "url": URL,
        "status": "enabled",
        "api_version": stripe.api_version,
        "enabled_events": mirror_event_types(),
        **overrides,
    }


class FakeAccount:
    """The doctor's reads, answered from dicts as Stripe would."""

    def __init__(
        self,
        endpoints: list[dict[str, Any]],
        prices: dict[str, dict[str, Any]] | None = None,
        coupons: dict[str, dict[str, Any]] | None = None,
        refuse_key: bool = False,
    ) -> None:
        self.endpoints, self.prices, self.coupons = endpoints, prices or {}, coupons or {}
        self.refuse_key = refuse_key

    async def iter_webhook_endpoints(self) -> AsyncIterator[dict[str, Any]]:
        if self.refuse_key:
            raise AuthenticationFailed("AuthenticationError (HTTP 401, code None)")
        for endpoint in self.endpoints:
            yield endpoint

    async def iter_products(self, *, active: bool | None = None) -> AsyncIterator[dict[str, Any]]:
        for product in ():
            yield product

    async def retrieve_price(self, *, price_id: str) -> dict[str, Any]:
        if price_id not in self.prices:
            raise InvalidRequest("No such price", param="price", code="resource_missing")
        return self.prices[price_id]

    async def retrieve_coupon(self, *, coupon_id: str) -> dict[str, Any]:
        if coupon_id not in self.coupons:
            raise InvalidRequest("No such coupon", param="coupon", code="resource_missing")
        return self.coupons[coupon_id]


def price(product: str, **overrides: Any) -> dict[str, Any]:
    return {
        "object": "price",
        "product": product,
        "active": True,
        "recurring": {"interval": "month"},
        **overrides,
    }


def check(settings: Settings, account: FakeAccount, db: Session) -> tuple[list[Finding], str, int]:
    findings = asyncio.run(run_checks(settings=settings, gateway=account, session=db))
    text, status = report(findings)
    return findings, text, status


@pytest.fixture
def configured(db: Session) -> None:
    create_configuration(
        session=db,
        fields={
            "business_name": "Acme",
            "features": {
                "subscription_update": {
                    "enabled": True,
                    "products": [{"product": "prod_a", "prices": ["price_a1", "price_a2"]}],
                },
                "subscription_cancel": {"retention": {"enabled": True, "coupon": "stay20"}},
            },
        },
        price_lookup=None,
    )
    db.commit()


def test_the_mirror_needs_every_changing_event_of_each_mirrored_object() -> None:
    needed = mirror_event_types()
    sdk = str(WebhookEndpointCreateParams.__annotations__["enabled_events"])
    assert all(f"'{event}'" in sdk for event in needed)
    for kind in (*MIRRORED, "discount"):
        assert any(object_of(event) == kind for event in needed), kind
    for event in (
        "customer.subscription.updated",
        "customer.tax_id.deleted",
        "invoice.paid",
        "payment_method.detached",
        "subscription_schedule.released",
        "customer.discount.deleted",
    ):
        assert event in needed
    assert "invoice.upcoming" not in needed and "charge.succeeded" not in needed


def test_a_correct_account_needs_nothing(configured: None, db: Session) -> None:
    account = FakeAccount(
        [good_endpoint()],
        prices={"price_a1": price("prod_a"), "price_a2": price("prod_a")},
        coupons={"stay20": {"valid": True}},
    )
    findings, text, status = check(real(), account, db)
    assert status == 0, text
    assert [f.level for f in findings] == ["ok", "ok"]
    assert "Nothing to fix" in text


def test_every_wrong_endpoint_setting_is_named_with_its_fix(configured: None, db: Session) -> None:
    partial = [e for e in mirror_event_types() if e != "invoice.paid"]
    account = FakeAccount(
        [good_endpoint(status="disabled", enabled_events=partial, api_version="2024-06-20")],
        prices={"price_a1": price("prod_a"), "price_a2": price("prod_a")},
        coupons={"stay20": {"valid": True}},
    )
    findings, text, status = check(real(), account, db)
    assert status == 1
    fixes = [f.text for f in findings if f.level == "fix"]
    assert any("is disabled: enable it" in t for t in fixes)
    assert any("add invoice.paid" in t for t in fixes)
    assert any("2024-06-20" in t and stripe.api_version in t for t in fixes)
    assert "3 thing(s) to fix." in text


def test_a_missing_endpoint_or_secret_says_what_to_create(configured: None, db: Session) -> None:
    account = FakeAccount(
        [good_endpoint(url="https://old.example/hooks")],
        prices={"price_a1": price("prod_a"), "price_a2": price("prod_a")},
        coupons={"stay20": {"valid": True}},
    )
    findings, _text, status = check(real(), account, db)
    assert status == 1
    assert URL in findings[0].text and "https://old.example/hooks" in findings[0].text
    assert "customer.subscription.updated" in findings[0].text
    star = FakeAccount(
        [good_endpoint(enabled_events=["*"], api_version=None)],
        prices={"price_a1": price("prod_a"), "price_a2": price("prod_a")},
        coupons={"stay20": {"valid": True}},
    )
    findings, _text, status = check(real(STRIPE_WEBHOOK_SECRET=None), star, db)
    fixes = [f.text for f in findings if f.level == "fix"]
    assert status == 1 and len(fixes) == 2
    assert "no API version of its own" in fixes[0]
    assert "STRIPE_WEBHOOK_SECRET is not set" in fixes[1]


def test_the_configuration_is_checked_against_the_account(configured: None, db: Session) -> None:
    account = FakeAccount(
        [good_endpoint()],
        prices={
            "price_a1": price("prod_b"),
            "price_a2": price("prod_a", active=False),
        },
        coupons={"stay20": {"valid": False}},
    )
    findings, _text, status = check(real(), account, db)
    assert status == 1
    problem = findings[-1].text
    assert "price_a1 belongs to prod_b" in problem and "price_a2 is archived" in problem
    assert "stay20 is missing or expired" in problem


def test_a_refused_key_a_bad_key_and_a_live_http_url(db: Session) -> None:
    _f, text, status = check(real(), FakeAccount([], refuse_key=True), db)
    assert status == 1 and "Stripe refused STRIPE_SECRET_KEY (test mode)" in text
    assert "k" * 20 not in text  # the key is never printed
    _f, text, status = check(real(STRIPE_SECRET_KEY="pk_test_1"), FakeAccount([]), db)
    assert status == 1 and "does not look like a Stripe secret key" in text
    live = real(STRIPE_SECRET_KEY="sk_live_" + "k" * 24, PORTAL_PUBLIC_URL="http://acme.example")
    endpoint = good_endpoint(url="http://acme.example/api/stripe/webhook")
    _f, text, status = check(live, FakeAccount([endpoint]), db)
    assert status == 1 and "need an https:// address" in text
    assert "no portal configuration" in text


def test_without_a_key_it_checks_the_sandbox_and_says_what_it_would_check(
    api_server: str,
    db: Session,
    capsys: pytest.CaptureFixture[str],
) -> None:
    create_configuration(session=db, fields={"business_name": "Acme"}, price_lookup=None)
    db.commit()
    assert cli.main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert "STRIPE_SECRET_KEY is not set" in out and "The sandbox answers." in out
    assert "With STRIPE_SECRET_KEY set, doctor checks the real account" in out
    assert f"API version {stripe.api_version}" in out
    # A plan-change price the sandbox does not have must be fixed.
    gateway = Gateway(build_client(settings=get_settings(), max_network_retries=0))
    create_configuration(
        session=db,
        fields={
            "business_name": "Acme",
            "features": {
                "subscription_update": {
                    "enabled": True,
                    "products": [{"product": "prod_nowhere", "prices": ["price_nowhere"]}],
                }
            },
        },
        price_lookup=None,
    )
    db.commit()
    other = db.exec(
        select(PortalConfiguration).where(col(PortalConfiguration.is_default).is_(False))
    ).one()
    make_default(session=db, configuration_id=other.id)
    db.commit()
    findings = asyncio.run(run_checks(settings=get_settings(), gateway=gateway, session=db))
    text, status = report(findings)
    assert status == 1 and "price_nowhere does not exist in the account" in text


def test_without_a_running_sandbox_it_says_to_start_the_portal(db: Session) -> None:
    settings = Settings.model_validate({"PORTAL_INTERNAL_URL": "http://127.0.0.1:9"})
    gateway = Gateway(build_client(settings=settings, max_network_retries=0))
    findings = asyncio.run(run_checks(settings=settings, gateway=gateway, session=db))
    text, status = report(findings)
    assert status == 1 and "The sandbox did not answer" in text and "scripts/start.sh" in text
