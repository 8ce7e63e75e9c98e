"""Merchant accounts: Argon2id passwords, throttled sign-in, dashboard sessions, API keys."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from portal_app.auth import api_keys, merchants
from portal_app.models import Merchant, MerchantApiKey, MerchantLoginThrottle


def test_passwords_are_argon2id_and_verify(merchant: Merchant, password: str) -> None:
    assert merchant.password_hash.startswith("$argon2id$")
    assert merchants.verify_password(merchant.password_hash, password)
    assert not merchants.verify_password(merchant.password_hash, password + "x")
    assert not merchants.verify_password("not-a-hash", password)


def test_create_merchant_refuses_bad_input(db: Session, merchant: Merchant, password: str) -> None:
    with pytest.raises(ValueError, match="already exists"):
        merchants.create_merchant(session=db, email="OWNER@example.com", password=password)
    with pytest.raises(ValueError, match="at least 12"):
        merchants.create_merchant(session=db, email="new@example.com", password="short")
    with pytest.raises(ValueError, match="not valid"):
        merchants.create_merchant(session=db, email="nope", password=password)


def test_authenticate_is_generic_and_case_insensitive(
    db: Session, merchant: Merchant, password: str
) -> None:
    assert merchants.authenticate(
        session=db, email=" Owner@Example.com ", password=password, client="c"
    )
    for email, attempt in (("owner@example.com", "wrong"), ("ghost@example.com", password)):
        with pytest.raises(
            merchants.MerchantAuthError, match=r"^Email or password is incorrect\.$"
        ):
            merchants.authenticate(session=db, email=email, password=attempt, client="c")


def test_failures_slow_the_client_with_growing_delays_and_never_lock_the_merchant(
    db: Session, merchant: Merchant, password: str
) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    attacker = "203.0.113.7"
    waits: list[float] = []
    for _ in range(merchants.FREE_TRIES + 3):
        now += timedelta(seconds=waits[-1] if waits else 0)
        with pytest.raises(merchants.MerchantAuthError, match="incorrect"):
            merchants.authenticate(
                session=db, email=merchant.email, password="x", client=attacker, now=now
            )
        row = db.get(MerchantLoginThrottle, merchants.throttle_key(attacker))
        assert row is not None
        wait = (row.locked_until.replace(tzinfo=UTC) - now) if row.locked_until else timedelta()
        waits.append(wait.total_seconds())
    assert waits == [0, 0, 2, 4, 8, 16]
    db.commit()
    # While it waits, the attacker is refused before any password check, even the right one.
    with pytest.raises(merchants.MerchantAuthError, match="Too many attempts"):
        merchants.authenticate(
            session=db, email=merchant.email, password=password, client=attacker, now=now
        )
    # The merchant, from anywhere else, signs in at once: there is no lock on the account.
    assert merchants.authenticate(
        session=db, email=merchant.email, password=password, client="198.51.100.1", now=now
    )
    assert merchants.retry_delay(40) == merchants.LONGEST_DELAY
    later = now + timedelta(seconds=16)
    assert merchants.authenticate(
        session=db, email=merchant.email, password=password, client=attacker, now=later
    )
    assert db.get(MerchantLoginThrottle, merchants.throttle_key(attacker)) is None


def test_dashboard_sessions_expire_and_end(db: Session, merchant: Merchant) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    session_id = merchants.start_session(session=db, merchant=merchant, now=now)
    assert merchants.active_merchant(session=db, session_id=session_id, now=now).id == merchant.id
    idle = now + merchants.SESSION_IDLE_TTL + timedelta(minutes=1)
    with pytest.raises(merchants.MerchantAuthError, match="expired"):
        merchants.active_merchant(session=db, session_id=session_id, now=idle)
    merchants.end_session(session=db, session_id=session_id)
    with pytest.raises(merchants.MerchantAuthError):
        merchants.active_merchant(session=db, session_id=session_id, now=now)
    with pytest.raises(merchants.MerchantAuthError):
        merchants.active_merchant(session=db, session_id="", now=now)


def test_api_keys_are_hashed_shown_once_and_revocable(db: Session, merchant: Merchant) -> None:
    row, secret = api_keys.create_api_key(session=db, merchant_id=merchant.id, name="backend")
    assert secret.startswith("sk_portal_") and len(secret) > 40
    stored = db.get(MerchantApiKey, row.id)
    assert stored is not None
    assert stored.key_hash == api_keys.hash_key(secret) and secret not in stored.key_hash
    assert secret.startswith(stored.prefix) and len(stored.prefix) < 20
    found = api_keys.merchant_for_key(session=db, secret=secret)
    assert found is not None and found.id == merchant.id
    assert stored.last_used_at is not None
    assert api_keys.merchant_for_key(session=db, secret=secret + "x") is None
    assert api_keys.merchant_for_key(session=db, secret="sk_test_123") is None
    assert not api_keys.revoke_api_key(session=db, merchant_id="mer_other", key_id=row.id)
    assert api_keys.revoke_api_key(session=db, merchant_id=merchant.id, key_id=row.id)
    assert api_keys.merchant_for_key(session=db, secret=secret) is None
    assert [k.id for k in api_keys.list_api_keys(session=db, merchant_id=merchant.id)] == [row.id]
