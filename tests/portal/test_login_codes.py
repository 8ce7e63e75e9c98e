"""One-time login codes: hashing, expiry, tries, resend delay, rate limits, no enumeration."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from portal_app.auth import rate_limit
from portal_app.db import get_engine
from portal_app.models import LoginCode, OutboxEmail, PortalConfiguration
from portal_app.services import login_codes
from portal_app.services.login_codes import LoginError, request_code, verify_code
from tests import factories

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def db(db_tables) -> Session:
    rate_limit.reset()
    with Session(get_engine()) as session:
        yield session
        session.rollback()


@pytest.fixture
def config(db: Session) -> PortalConfiguration:
    return factories.configuration(db)


def _customer(db: Session, cid: str, email: str, created: datetime, status: str | None) -> None:
    factories.mirror_customer(db, customer_id=cid, email=email, created=created)
    if status:
        factories.mirror_subscription(db, customer=cid, subscription_id=f"sub_{cid}", status=status)
    db.flush()


def _sent_code(db: Session, email: str) -> str:
    message = db.exec(
        select(OutboxEmail)
        .where(OutboxEmail.to_address == email)
        .order_by(OutboxEmail.created.desc())
    ).first()
    assert message is not None
    assert not re.search(r"\d", message.subject)  # never the code in the subject (H1)
    found = re.search(r"\b\d{6}\b", message.text_body)
    assert found is not None
    return found.group()


def _send(
    db: Session, config: PortalConfiguration, email: str, now: datetime = T0, client="1.1.1.1"
):
    return request_code(
        session=db,
        email=email,
        configuration_id=config.id,
        business_name="Acme",
        client=client,
        now=now,
    )


def test_code_is_six_digits_stored_hashed_and_single_use(db, config) -> None:
    _customer(db, "cus_a1", "ann@example.com", T0, "active")
    _send(db, config, "Ann@Example.com")
    code = _sent_code(db, "ann@example.com")
    assert len(code) == 6 and code.isdigit()
    row = db.exec(select(LoginCode).where(LoginCode.email == "ann@example.com")).one()
    assert code not in row.code_hash
    session = verify_code(session=db, email="ann@example.com", code=code, client="c", now=T0)
    assert session.customer == "cus_a1" and session.login_method == "email_code"
    with pytest.raises(LoginError, match="incorrect or has expired"):
        verify_code(session=db, email="ann@example.com", code=code, client="c", now=T0)


def test_unknown_email_gets_the_same_answer_and_no_mail(db, config) -> None:
    sent = _send(db, config, "nobody@example.com")
    assert sent.email == "nobody@example.com"
    assert (
        db.exec(select(OutboxEmail).where(OutboxEmail.to_address == "nobody@example.com")).first()
        is None
    )
    with pytest.raises(LoginError, match="incorrect or has expired"):
        verify_code(session=db, email="nobody@example.com", code="123456", client="c", now=T0)


def test_code_expires_after_ten_minutes(db, config) -> None:
    _customer(db, "cus_b1", "bob@example.com", T0, "active")
    _send(db, config, "bob@example.com")
    code = _sent_code(db, "bob@example.com")
    with pytest.raises(LoginError):
        verify_code(
            session=db,
            email="bob@example.com",
            code=code,
            client="c",
            now=T0 + timedelta(minutes=10, seconds=1),
        )


def test_five_wrong_tries_void_the_code(db, config) -> None:
    _customer(db, "cus_c1", "cat@example.com", T0, "active")
    _send(db, config, "cat@example.com")
    code = _sent_code(db, "cat@example.com")
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(LoginError):
            verify_code(session=db, email="cat@example.com", code=wrong, client="c", now=T0)
    with pytest.raises(LoginError):
        verify_code(session=db, email="cat@example.com", code=code, client="c", now=T0)


def test_resend_waits_sixty_seconds(db, config) -> None:
    _send(db, config, "dan@example.com")
    with pytest.raises(LoginError, match="wait"):
        _send(db, config, "dan@example.com", now=T0 + timedelta(seconds=30))
    _send(db, config, "dan@example.com", now=T0 + timedelta(seconds=61))


def test_sends_are_rate_limited_per_client(db, config) -> None:
    for i in range(20):
        _send(db, config, f"user{i}@example.com", client="9.9.9.9")
    with pytest.raises(LoginError, match="Too many"):
        _send(db, config, "user-last@example.com", client="9.9.9.9")


def test_malformed_input_gets_a_clear_message(db, config) -> None:
    with pytest.raises(LoginError, match="valid email"):
        _send(db, config, "not-an-email")
    with pytest.raises(LoginError, match="6-digit"):
        verify_code(session=db, email="a@example.com", code="12ab", client="c", now=T0)


def test_shared_email_picks_newest_customer_with_a_live_subscription(db, config) -> None:
    _customer(db, "cus_old_live", "pat@example.com", T0 - timedelta(days=9), "active")
    _customer(db, "cus_new_none", "pat@example.com", T0 - timedelta(days=1), None)
    _customer(db, "cus_mid_cxl", "pat@example.com", T0 - timedelta(days=5), "canceled")
    _send(db, config, "pat@example.com")
    session = verify_code(
        session=db,
        email="pat@example.com",
        code=_sent_code(db, "pat@example.com"),
        client="c",
        now=T0,
    )
    assert session.customer == "cus_old_live"
    assert login_codes.MAX_WRONG_TRIES == 5
