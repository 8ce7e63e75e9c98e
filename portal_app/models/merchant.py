"""Merchant accounts: dashboard users, their API keys, dashboard sessions and login throttles."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from portal_app.models.base import new_id, utcnow


class Merchant(SQLModel, table=True):
    """A person who runs the portal: signs in to the dashboard and owns API keys."""

    __tablename__ = "merchant"

    id: str = Field(default_factory=lambda: new_id("mer"), primary_key=True)
    email: str = Field(unique=True, index=True)
    password_hash: str
    created: datetime = Field(default_factory=utcnow)


class MerchantApiKey(SQLModel, table=True):
    """A secret key for the merchant API, stored as a SHA-256 hash plus a visible prefix."""

    __tablename__ = "merchant_api_key"

    id: str = Field(default_factory=lambda: new_id("key"), primary_key=True)
    merchant_id: str = Field(foreign_key="merchant.id", index=True)
    name: str = ""
    prefix: str
    key_hash: str = Field(unique=True, index=True)
    created: datetime = Field(default_factory=utcnow)
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class MerchantSession(SQLModel, table=True):
    """A signed-in dashboard session; Reflex keeps only its random id, server-side."""

    __tablename__ = "merchant_session"

    id: str = Field(primary_key=True)
    merchant_id: str = Field(foreign_key="merchant.id", index=True)
    created: datetime = Field(default_factory=utcnow)
    last_activity_at: datetime = Field(default_factory=utcnow)
    ended_at: datetime | None = None


class MerchantLoginThrottle(SQLModel, table=True):
    """Failed sign-in attempts per client, in the DB so every worker sees the same count.

    The key column keeps its first name; it holds `client:<address>` (see `throttle_key`)."""

    __tablename__ = "merchant_login_throttle"

    email: str = Field(primary_key=True)
    failures: int = 0
    window_start: datetime = Field(default_factory=utcnow)
    locked_until: datetime | None = None
