"""The email outbox: every message the portal sends, kept whether or not SMTP is set."""

from datetime import datetime

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from portal_app.models.base import new_id, utcnow
from portal_app.models.mirror_columns import UTCDateTime


class OutboxEmail(SQLModel, table=True):
    """One message; `status` is queued, sent, failed (after the last retry) or expired."""

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
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    # A message that is useless late (a login code) is not sent after this.
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # A worker owns a message until `claimed_until`; a crashed worker's claim simply lapses.
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    claim_token: str | None = Field(default=None, index=True)


class EmailSettings(SQLModel, table=True):
    """The merchant's sender identity and which optional emails customers receive (one row)."""

    __tablename__ = "email_settings"

    id: str = Field(default="default", primary_key=True)
    sender_name: str = ""
    sender_address: str = ""
    # Off by default, like Stripe's optional customer emails: many merchants already send
    # their own from webhooks, and a second confirmation would duplicate theirs.
    send_subscription_updated: bool = False
    send_subscription_canceled: bool = False
    send_payment_method_updated: bool = False
    updated: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
