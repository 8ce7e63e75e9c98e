"""Portal sessions: a customer's way in, from a merchant link or an email code (portal-owned)."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from portal_app.models.base import new_id, utcnow


class PortalSession(SQLModel, table=True):
    """One `billing_portal.session`: a single-use link that starts a timed customer session."""

    __tablename__ = "portal_session"

    id: str = Field(default_factory=lambda: new_id("bps"), primary_key=True)
    customer: str = Field(index=True)
    configuration_id: str = Field(foreign_key="portal_configuration.id")
    locale: str | None = None
    return_url: str | None = None
    flow: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    login_method: str = "link"  # "link" (merchant API) or "email_code" (no-code login link)
    token_hash: str | None = Field(default=None, unique=True, index=True)
    created: datetime = Field(default_factory=utcnow)
    link_expires_at: datetime
    redeemed_at: datetime | None = None
    last_activity_at: datetime | None = None
    ended_at: datetime | None = None
