"""Settings derivations and the default brand."""

from sqlmodel import Session

from portal_app.db import get_engine
from portal_app.models import PortalConfiguration
from portal_app.services.branding import brand_for, default_brand
from portal_app.settings import Settings


def test_sandbox_mode_without_a_stripe_key() -> None:
    settings = Settings()
    assert settings.sandbox_mode
    assert settings.webhook_secret and settings.webhook_secret.startswith("whsec_")
    assert settings.sandbox_api_key.startswith("sk_test_")


def test_real_stripe_needs_its_own_webhook_secret(monkeypatch) -> None:
    monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_test_real")
    settings = Settings()
    assert not settings.sandbox_mode
    assert settings.webhook_secret is None


def test_default_headline_names_the_business() -> None:
    brand = brand_for(PortalConfiguration(business_name="Zed Co"))
    assert brand.headline == "Zed Co partners with Billing Portal for simplified billing."
    assert brand.initial == "Z"


def test_default_brand_reads_the_default_configuration(db_tables) -> None:
    with Session(get_engine()) as session:
        session.add(PortalConfiguration(business_name="Other", is_default=False))
        session.add(PortalConfiguration(business_name="Main", is_default=True, headline="Hi"))
        session.commit()
        brand = default_brand(session=session)
    assert brand.business_name == "Main"
    assert brand.headline == "Hi"
