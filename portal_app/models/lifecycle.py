"""Portal-owned records of a customer's account over time: what changed, what was offered."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from portal_app.models.base import utcnow
from portal_app.models.mirror_columns import UTCDateTime


class CustomerChange(SQLModel, table=True):
    """A counter per customer, raised whenever the mirror changes one of their objects.

    Open tabs compare it with the value they loaded: one primary-key read tells them whether
    to reload, however many workers there are (it lives in the shared database).
    """

    __tablename__ = "customer_change"

    customer: str = Field(primary_key=True)
    version: int = 0


class AcceptedRetentionOffer(SQLModel, table=True):
    """The one retention offer a subscription may take: claimed before Stripe is asked, so a
    second acceptance (another tab, a replayed event) finds it and is refused."""

    __tablename__ = "retention_offer"

    subscription: str = Field(primary_key=True)
    customer: str = Field(index=True)
    coupon: str
    accepted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
