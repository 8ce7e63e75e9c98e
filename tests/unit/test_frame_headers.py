"""`frame-ancestors`: exactly the configured origins, `'self'` when none, never the dashboard."""

import secrets
from collections.abc import Iterator

import pytest
from sqlmodel import Session, col, select, update

from portal_app.api.frame_headers import frame_ancestors
from portal_app.db import get_engine
from portal_app.models import PortalConfiguration


@pytest.fixture
def only_config(db_tables: None) -> Iterator[tuple[Session, PortalConfiguration]]:
    """A new configuration as the only active one (the others are reactivated afterwards)."""
    with Session(get_engine()) as db:
        active = db.exec(
            select(PortalConfiguration.id).where(col(PortalConfiguration.active))
        ).all()
        db.exec(update(PortalConfiguration).values(active=False))  # type: ignore[call-overload]
        config = PortalConfiguration(id=f"bpc_{secrets.token_hex(6)}", business_name="Acme")
        db.add(config)
        db.commit()
        try:
            yield db, config
        finally:
            config.active = False
            db.add(config)
            db.exec(
                update(PortalConfiguration)  # type: ignore[call-overload]
                .where(col(PortalConfiguration.id).in_(active))
                .values(active=True)
            )
            db.commit()


def test_portal_pages_allow_exactly_the_configured_origins(
    only_config: tuple[Session, PortalConfiguration],
) -> None:
    db, config = only_config
    assert frame_ancestors("/portal") == "'self'"
    config.frame_origins = ["https://app.example.com", "https://admin.example.com"]
    db.add(config)
    db.commit()
    assert frame_ancestors("/portal") == "https://admin.example.com https://app.example.com"
    assert frame_ancestors("/dashboard/branding") == "'none'"
