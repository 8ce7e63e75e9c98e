"""Ids of Stripe events already applied, so a redelivered webhook changes nothing (portal-owned)."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from portal_app.models.base import utcnow
from portal_app.models.mirror_columns import UTCDateTime


class ProcessedWebhookEvent(SQLModel, table=True):
    """One Stripe event the portal has applied to the mirror."""

    __tablename__ = "processed_webhook_event"

    id: str = Field(primary_key=True)
    type: str
    created: int
    processed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
