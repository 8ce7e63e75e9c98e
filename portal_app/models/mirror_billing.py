"""Mirrored subscriptions, their items and schedules, and invoices."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index
from sqlmodel import Field

from portal_app.models.mirror_columns import MirrorRow, UTCDateTime


class MirrorSubscription(MirrorRow, table=True):
    """A Stripe `subscription`; a deleted one stays with status `canceled`."""

    __tablename__ = "mirror_subscription"
    __table_args__ = (Index("ix_mirror_subscription_customer_status", "customer", "status"),)

    customer: str
    status: str
    currency: str | None = None
    cancel_at_period_end: bool = False
    cancel_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    canceled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    current_period_start: datetime | None = Field(default=None, sa_type=UTCDateTime)
    current_period_end: datetime | None = Field(default=None, sa_type=UTCDateTime)
    trial_end: datetime | None = Field(default=None, sa_type=UTCDateTime)
    default_payment_method: str | None = None
    latest_invoice: str | None = None
    schedule: str | None = None
    discounts: list[Any] = Field(default_factory=list, sa_type=JSON)
    cancellation_details: dict[str, Any] | None = Field(default=None, sa_type=JSON)


class MirrorSubscriptionItem(MirrorRow, table=True):
    """One line of a subscription: a price and a quantity (replaced with its subscription)."""

    __tablename__ = "mirror_subscription_item"

    subscription: str = Field(index=True)
    price: str = Field(index=True)
    quantity: int = 1
    current_period_start: datetime | None = Field(default=None, sa_type=UTCDateTime)
    current_period_end: datetime | None = Field(default=None, sa_type=UTCDateTime)


class MirrorSubscriptionSchedule(MirrorRow, table=True):
    """A Stripe `subscription_schedule`, e.g. a downgrade waiting for the period end."""

    __tablename__ = "mirror_subscription_schedule"

    customer: str = Field(index=True)
    subscription: str | None = Field(default=None, index=True)
    status: str
    end_behavior: str | None = None
    current_phase: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    phases: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)


class MirrorInvoice(MirrorRow, table=True):
    """A Stripe `invoice` with its lines as JSON; pages walk (customer, created, id) by key."""

    __tablename__ = "mirror_invoice"
    __table_args__ = (
        Index("ix_mirror_invoice_customer_created", "customer", "created", "id"),
        Index("ix_mirror_invoice_customer_status", "customer", "status"),
    )

    customer: str
    subscription: str | None = Field(default=None, index=True)
    status: str | None = None
    number: str | None = None
    currency: str
    amount_due: int = 0
    amount_paid: int = 0
    amount_remaining: int = 0
    subtotal: int = 0
    total: int = 0
    billing_reason: str | None = None
    description: str | None = None
    hosted_invoice_url: str | None = None
    invoice_pdf: str | None = None
    period_start: datetime | None = Field(default=None, sa_type=UTCDateTime)
    period_end: datetime | None = Field(default=None, sa_type=UTCDateTime)
    due_date: datetime | None = Field(default=None, sa_type=UTCDateTime)
    lines: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
