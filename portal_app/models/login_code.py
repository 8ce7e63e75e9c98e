"""One-time login codes for the no-code login link (portal-owned, stored hashed)."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from portal_app.models.base import new_id, utcnow
from portal_app.models.mirror_columns import UTCDateTime


class LoginCode(SQLModel, table=True):
    """A 6-digit code sent to an email; only its keyed hash is kept."""

    __tablename__ = "login_code"

    id: str = Field(default_factory=lambda: new_id("lc"), primary_key=True)
    email: str = Field(index=True)
    configuration_id: str
    customer: str | None = None  # None when no customer has this email (nothing is sent)
    code_hash: str
    created: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    failed_attempts: int = 0
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
