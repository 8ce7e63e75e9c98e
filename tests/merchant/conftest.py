"""Fixtures for merchant tests: a clean configuration table, a merchant and an API key."""

from collections.abc import Callable, Iterator
from functools import partial

import pytest
from sqlmodel import Session, delete

from portal_app.auth.api_keys import create_api_key
from portal_app.auth.merchants import create_merchant
from portal_app.billing.gateway import Gateway, build_client
from portal_app.db import get_engine, session_scope
from portal_app.models import (
    Merchant,
    MerchantApiKey,
    MerchantLoginThrottle,
    MerchantSession,
    PortalConfiguration,
    PortalSession,
)
from portal_app.models.mirror_catalog import MirrorPrice
from portal_app.models.mirror_customer import MirrorCustomer
from tests import factories

PASSWORD = "correct horse battery"


_PORTAL_OWNED = (
    PortalSession,
    PortalConfiguration,
    MerchantApiKey,
    MerchantSession,
    MerchantLoginThrottle,
    Merchant,
    MirrorPrice,
    MirrorCustomer,
)


def _empty(session: Session) -> None:
    for table in _PORTAL_OWNED:
        session.exec(delete(table))  # type: ignore[call-overload]
    session.commit()


@pytest.fixture
def db(db_tables: None) -> Iterator[Session]:
    """A session on an emptied portal-owned schema, emptied again afterwards so that later
    test files (which share the database) find no configuration of these tests."""
    with Session(get_engine()) as session:
        _empty(session)
        yield session
        session.rollback()
        _empty(session)


@pytest.fixture
def merchant(db: Session) -> Merchant:
    created = create_merchant(session=db, email="owner@example.com", password=PASSWORD)
    db.commit()
    return created


@pytest.fixture
def api_key(merchant: Merchant) -> str:
    with session_scope() as session:
        _row, secret = create_api_key(session=session, merchant_id=merchant.id, name="tests")
    return secret


@pytest.fixture
def gateway(api_server: str, monkeypatch: pytest.MonkeyPatch) -> Gateway:
    """The catalogue page's gateway, talking to the sandbox, with its own write counts."""
    fresh = Gateway(build_client(timeout=5))
    monkeypatch.setattr("portal_app.state.dashboard_catalogue.get_gateway", lambda: fresh)
    return fresh


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def add_price(db: Session) -> Callable[..., None]:
    """Put a recurring price into the mirror."""
    return partial(_add_price, db)


@pytest.fixture
def add_customer(db: Session) -> Callable[..., None]:
    """Put a customer into the mirror."""
    return partial(_add_customer, db)


def _add_price(
    session: Session, price_id: str, product: str, interval: str = "month", currency: str = "usd"
) -> None:
    session.add(
        MirrorPrice(
            id=price_id,
            product=product,
            currency=currency,
            unit_amount=1000,
            recurring_interval=interval,
            recurring_interval_count=1,
        )
    )
    session.commit()


def _add_customer(session: Session, customer_id: str, email: str, name: str) -> None:
    factories.mirror_customer(session, customer_id=customer_id, email=email, name=name)
    session.commit()
