"""Email settings, `should_send`, the templates, the dashboard's email page and /dev/outbox."""

from typing import Any

import pytest
from reflex.state import State
from sqlmodel import Session, delete

from portal_app.auth.merchants import create_merchant
from portal_app.models import Merchant, MerchantSession
from portal_app.services import email_templates
from portal_app.services.branding import BrandView
from portal_app.services.email import (
    EmailSettingsError,
    email_settings,
    queue_email,
    queue_rendered,
    should_send,
    update_email_settings,
)
from portal_app.settings import get_settings
from portal_app.state.dashboard_auth import DashboardAuthState
from portal_app.state.dashboard_email import DashboardEmailState
from portal_app.state.dev_outbox import DevOutboxState
from tests.support import substate

PASSWORD = "correct horse battery"
BRAND = BrandView(business_name="Tom & Jerry's", button_color="#123456", logo_url="")


def _settings(db: Session, **changes: Any) -> None:
    values: dict[str, Any] = {
        "sender_name": "Acme Billing",
        "sender_address": "billing@acme.example",
        "send_subscription_updated": False,
        "send_subscription_canceled": False,
        "send_payment_method_updated": False,
        **changes,
    }
    update_email_settings(session=db, **values)
    db.commit()


def test_confirmations_are_off_by_default_and_login_codes_always_go(db: Session) -> None:
    assert should_send(session=db, kind=email_templates.LOGIN_CODE)
    for kind in ("subscription_updated", "subscription_canceled", "payment_method_updated"):
        assert not should_send(session=db, kind=kind)
    _settings(db, send_subscription_canceled=True)
    assert should_send(session=db, kind="subscription_canceled")
    assert not should_send(session=db, kind="subscription_updated")
    with pytest.raises(ValueError, match="unknown email kind"):
        should_send(session=db, kind="newsletter")


def test_queue_rendered_respects_the_settings(db: Session) -> None:
    email = email_templates.subscription_updated(brand=BRAND, plan="Pro", effective="1 May 2026")
    assert (
        queue_rendered(session=db, kind="subscription_updated", to="a@x.com", email=email) is None
    )
    _settings(db, send_subscription_updated=True)
    queued = queue_rendered(session=db, kind="subscription_updated", to="a@x.com", email=email)
    assert queued is not None and queued.subject == "Your Tom & Jerry's subscription has changed"


def test_settings_are_validated(db: Session) -> None:
    with pytest.raises(EmailSettingsError) as bad_address:
        _settings(db, sender_address="not-an-address")
    assert bad_address.value.field == "sender_address"
    with pytest.raises(EmailSettingsError) as bad_name:
        _settings(db, sender_name="Evil\r\nBcc: x@y.z")
    assert bad_name.value.field == "sender_name"
    _settings(db, sender_address=" Billing@Acme.example ")
    assert email_settings(session=db).sender_address == "Billing@acme.example"


def test_templates_escape_html_and_carry_the_brand() -> None:
    brand = BrandView(
        business_name="<b>Shop</b>", button_color="red;x", logo_url="http://insecure/logo.png"
    )
    email = email_templates.payment_method_updated(
        brand=brand, payment_method="Visa ending in 4242", portal_url="https://p.example/l?a=1&b=2"
    )
    assert "<b>Shop</b>" in email.text and "https://p.example/l?a=1&b=2" in email.text
    assert "&lt;b&gt;Shop&lt;/b&gt;" in email.html and "<b>Shop</b>" not in email.html
    assert 'href="https://p.example/l?a=1&amp;b=2"' in email.html
    # An invalid colour falls back; a non-https logo is not embedded.
    assert "background:#0f62fe" in email.html and "<img" not in email.html
    branded = email_templates.subscription_canceled(
        brand=BRAND, plan="Pro", ends="31 May 2026", portal_url="https://p.example"
    )
    assert "background:#123456" in branded.html and "31 May 2026" in branded.text
    now = email_templates.subscription_canceled(brand=BRAND, plan="Pro", ends=None)
    assert "has ended" in now.text and "Manage billing" not in now.text


def test_login_code_is_in_the_body_never_the_subject() -> None:
    for locale in ("en", "de", "fi", "ja"):
        email = email_templates.login_code(
            brand=BRAND, code="042917", valid_minutes=10, locale=locale
        )
        assert "042917" not in email.subject and "042917" in email.text, locale
    email = email_templates.login_code(brand=BRAND, code="042917", valid_minutes=10)
    assert "10 minutes" in email.text and "042917" in email.html


@pytest.fixture
def root(db: Session) -> Any:
    merchant = create_merchant(session=db, email="mail-owner@example.com", password=PASSWORD)
    db.commit()
    root = State(_reflex_internal_init=True)  # type: ignore[call-arg]
    yield root
    db.exec(delete(MerchantSession).where(MerchantSession.merchant_id == merchant.id))  # type: ignore[call-overload]
    db.exec(delete(Merchant).where(Merchant.id == merchant.id))  # type: ignore[call-overload]
    db.commit()


async def _sign_in(root: State) -> None:
    auth = substate(root, DashboardAuthState)
    await DashboardAuthState.log_in.fn(
        auth, {"email": "mail-owner@example.com", "password": PASSWORD}
    )
    assert auth._merchant_session_id


async def test_dashboard_shows_the_outbox_without_smtp(db: Session, root: State) -> None:
    page = substate(root, DashboardEmailState)
    assert "/dashboard/login" in str(await DashboardEmailState.load.fn(page))
    assert "/dashboard/login" in str(await DashboardEmailState.save.fn(page, {}))
    assert page.messages == []

    await _sign_in(root)
    queue_email(session=db, kind="login_code", to="jane@example.com", subject="Code 1", text="1")
    db.commit()
    await DashboardEmailState.load.fn(page)

    assert page.outbox_mode is True
    [row] = page.messages
    assert (row.recipient, row.kind, row.subject) == ("jane@example.com", "Login code", "Code 1")
    assert row.status_label == "In outbox (no SMTP)"
    assert page.form.sender_name == "Acme <Cloud>"
    assert page.form.send_subscription_updated is False


async def test_dashboard_saves_the_settings(db: Session, root: State) -> None:
    await _sign_in(root)
    page = substate(root, DashboardEmailState)
    await DashboardEmailState.save.fn(
        page, {"sender_name": "Acme", "sender_address": "nope", "send_subscription_updated": "on"}
    )
    assert "sender_address" in page.errors and page.notice == ""
    await DashboardEmailState.save.fn(
        page,
        {
            "sender_name": ["not", "a", "string"],
            "sender_address": "billing@acme.example",
        },
    )
    assert "sender_name" in page.errors
    await DashboardEmailState.save.fn(
        page,
        {
            "sender_name": "Acme",
            "sender_address": "billing@acme.example",
            "send_payment_method_updated": "on",
        },
    )
    assert page.errors == {} and page.notice == "Saved."
    db.expire_all()
    assert should_send(session=db, kind="payment_method_updated")
    assert not should_send(session=db, kind="subscription_updated")


async def test_dev_outbox_needs_the_flag_a_merchant_sandbox_and_no_smtp(
    db: Session, root: State, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue_email(session=db, kind="login_code", to="dev@example.com", subject="Code", text="271828")
    db.commit()
    page = substate(root, DevOutboxState)

    async def load_with(**env: str) -> Any:
        with monkeypatch.context() as patch:
            for name, value in env.items():
                patch.setenv(name, value)
            get_settings.cache_clear()
            try:
                return await DevOutboxState.load.fn(page)
            finally:
                get_settings.cache_clear()

    # An anonymous visitor is sent to the sign-in form and sees nothing, flag or not.
    for env in ({}, {"PORTAL_DEV_OUTBOX": "true"}):
        assert "/dashboard/login" in str(await load_with(**env))
        assert not page.available and page.messages == []

    await _sign_in(root)
    # Without the explicit flag there is no outbox, even for a signed-in merchant.
    assert await load_with() is None
    assert not page.available and page.messages == []
    await load_with(PORTAL_DEV_OUTBOX="true")
    assert page.available and [m.body.strip() for m in page.messages] == ["271828"]
    # With SMTP or a real Stripe key the messages go to real people: never shown here.
    for env in ({"PORTAL_SMTP_HOST": "smtp.example"}, {"STRIPE_SECRET_KEY": "sk_live_x"}):
        await load_with(PORTAL_DEV_OUTBOX="true", **env)
        assert not page.available and page.messages == []
