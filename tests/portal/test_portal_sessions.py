"""Portal session links: single use, 5-minute links, 1-hour idle sessions, logout."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from portal_app.auth.portal_sessions import (
    SessionError,
    active_session,
    create_session,
    end_session,
    redeem_link,
)
from portal_app.db import get_engine
from portal_app.models import PortalConfiguration

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def db(db_tables) -> Session:
    with Session(get_engine()) as session:
        session.add(PortalConfiguration(id="bpc_test_sessions", business_name="Acme"))
        session.flush()
        yield session
        session.rollback()


def _link(db: Session) -> str:
    _, token = create_session(
        session=db, customer="cus_1", configuration_id="bpc_test_sessions", now=T0
    )
    return token


def test_token_has_at_least_128_bits_and_is_not_stored(db) -> None:
    row, token = create_session(session=db, customer="cus_1", configuration_id="bpc_test_sessions")
    assert len(token) >= 22  # 32 random bytes, base64url
    assert token not in (row.token_hash or "")


def test_link_is_single_use(db) -> None:
    token = _link(db)
    redeem_link(session=db, token=token, now=T0 + timedelta(minutes=1))
    with pytest.raises(SessionError, match="already been used"):
        redeem_link(session=db, token=token, now=T0 + timedelta(minutes=2))


def test_link_expires_after_five_minutes(db) -> None:
    token = _link(db)
    with pytest.raises(SessionError, match="expired"):
        redeem_link(session=db, token=token, now=T0 + timedelta(minutes=5, seconds=1))


@pytest.mark.parametrize("token", ["", "x" * 500, "not-a-real-token"])
def test_bad_tokens_are_refused(db, token: str) -> None:
    with pytest.raises(SessionError, match="not valid"):
        redeem_link(session=db, token=token, now=T0)


def test_session_lives_one_hour_after_last_activity(db) -> None:
    row = redeem_link(session=db, token=_link(db), now=T0)
    active_session(session=db, session_id=row.id, now=T0 + timedelta(minutes=50))
    active_session(session=db, session_id=row.id, now=T0 + timedelta(minutes=100))
    with pytest.raises(SessionError, match="expired"):
        active_session(session=db, session_id=row.id, now=T0 + timedelta(minutes=161))


def test_logout_ends_the_session(db) -> None:
    row = redeem_link(session=db, token=_link(db), now=T0)
    end_session(session=db, session_id=row.id, now=T0)
    with pytest.raises(SessionError, match="ended"):
        active_session(session=db, session_id=row.id, now=T0)


@pytest.mark.parametrize("session_id", [None, "", "bps_unknown", "'; drop table x"])
def test_unknown_session_ids_are_refused(db, session_id) -> None:
    with pytest.raises(SessionError):
        active_session(session=db, session_id=session_id, now=T0)
