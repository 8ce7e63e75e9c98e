"""What customers changed through the portal, and why they cancelled (portal-owned)."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Text
from sqlmodel import Field, SQLModel

from portal_app.models.base import new_id, utcnow
from portal_app.models.mirror_columns import UTCDateTime


class AuditEntry(SQLModel, table=True):
    """One change a customer made: who, what, before and after, when."""

    __tablename__ = "audit_entry"

    id: str = Field(default_factory=lambda: new_id("aud"), primary_key=True)
    customer: str = Field(index=True)
    portal_session_id: str
    action: str  # subscription.cancel, payment_method.detach, customer.update, ...
    target: str  # the Stripe id changed
    before: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    after: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class CancellationFeedback(SQLModel, table=True):
    """The reason a customer gave when cancelling (also sent to Stripe)."""

    __tablename__ = "cancellation_feedback"

    id: str = Field(default_factory=lambda: new_id("cfb"), primary_key=True)
    customer: str = Field(index=True)
    subscription: str = Field(index=True)
    reason: str = ""
    comment: str = Field(default="", sa_type=Text)
    created: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
