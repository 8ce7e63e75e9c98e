"""`frame-ancestors`: exactly the configured origins, `'self'` when none, never the dashboard."""

from collections.abc import Iterator

import pytest
from sqlmodel import Session, col, select, update

from portal_app.api.frame_headers import frame_ancestors
from portal_app.db import get_engine
from portal_app.models import PortalConfiguration
from tests import factories


@pytest.fixture
def only_config(db_tables: None) -> Iterator[tuple[Session, PortalConfiguration]]:
    """A new configuration as the only active one (the others are reactivated afterwards)."""
    with Session(get_engine()) as db:
        active = db.exec(
            select(PortalConfiguration.id).where(col(PortalConfiguration.active))
        ).all()
        db.exec(update(PortalConfiguration).values(active=False))  # type: ignore[call-overload]
        config = factories.configuration(db)
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


def test_paths_are_normalised_and_only_portal_pages_may_be_framed(
    only_config: tuple[Session, PortalConfiguration],
) -> None:
    db, config = only_config
    config.frame_origins = ["https://app.example.com"]
    db.add(config)
    db.commit()
    for path in (
        "//dashboard/",
        "//dashboard/login/",
        "/dashboard.html",
        "/dashboard/index.html",
        "/./dashboard",
        "/portal/../dashboard/login",
        "/dev/outbox",
        "//dev//outbox.html",
        "/anything-else",
        "/login/a/b",
    ):
        assert frame_ancestors(path) == "'none'", path
    for path in ("/", "/portal", "/portal/", "//portal", "/portal.html", "/index.html", "/404"):
        assert frame_ancestors(path) == "https://app.example.com", path


def test_documents_are_recognised_after_normalising() -> None:
    from portal_app.api.frame_headers import is_document

    assert is_document("/dashboard.html") and is_document("//dashboard/")
    assert is_document("//sandbox/../dashboard")
    assert not is_document("/_next/static/chunk.js") and not is_document("/v1/billing_portal")
    assert not is_document("/sandbox/v1/customers")
