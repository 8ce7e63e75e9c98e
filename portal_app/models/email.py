"""The email outbox: every message the portal sends, kept whether or not SMTP is set."""

from datetime import datetime

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from portal_app.models.base import new_id, utcnow
from portal_app.models.mirror_columns import UTCDateTime


class OutboxEmail(SQLModel, table=True):
    """One message; `status` is queued, sent or failed (after the last retry)."""

    __tablename__ = "outbox_email"

    id: str = Field(default_factory=lambda: new_id("em"), primary_key=True)
    kind: str = Field(index=True)  # login_code, subscription_updated, ...
    to_address: str = Field(index=True)
    subject: str
    text_body: str = Field(sa_type=Text)
    html_body: str = Field(default="", sa_type=Text)
    status: str = Field(default="queued", index=True)
    attempts: int = 0
    last_error: str = ""
    created: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
