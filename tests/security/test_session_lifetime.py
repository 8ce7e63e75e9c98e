"""L4 (part): a portal session ends a fixed time after it started, however active."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from portal_app.auth.portal_sessions import (
    SessionError,
    active_session,
    create_session,
    redeem_link,
)
from portal_app.db import get_engine
from portal_app.models import PortalConfiguration
from portal_app.settings import get_settings

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def db(db_tables: None):
    with Session(get_engine()) as session:
        session.add(PortalConfiguration(id="bpc_lifetime", business_name="Acme"))
        session.flush()
        yield session
        session.rollback()


def _active_until(db: Session, hours: float) -> datetime:
    """Keep a session busy every 30 minutes; the last moment it still answered."""
    row, token = create_session(
        session=db, customer="cus_1", configuration_id="bpc_lifetime", now=T0
    )
    redeem_link(session=db, token=token, now=T0)
    moment = T0
    while True:
        try:
            active_session(session=db, session_id=row.id, now=moment + timedelta(minutes=30))
        except SessionError as exc:
            assert "expired" in str(exc)
            return moment
        moment += timedelta(minutes=30)
        assert moment < T0 + timedelta(hours=hours + 2), "the session never ended"


def test_a_busy_session_ends_after_twelve_hours_by_default(db: Session) -> None:
    assert get_settings().session_max_hours == 12
    last = _active_until(db, 12)
    assert T0 + timedelta(hours=11) <= last <= T0 + timedelta(hours=12)


def test_the_lifetime_is_configurable(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTAL_SESSION_MAX_HOURS", "2")
    get_settings.cache_clear()
    try:
        last = _active_until(db, 2)
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert T0 + timedelta(hours=1) <= last <= T0 + timedelta(hours=2)
