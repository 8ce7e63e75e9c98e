"""Mirrored Stripe customers and what hangs off them: payment methods and tax ids."""

from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field

from portal_app.models.mirror_columns import MirrorRow


class MirrorCustomer(MirrorRow, table=True):
    """A Stripe `customer`: billing details and the default payment method."""

    __tablename__ = "mirror_customer"

    email: str | None = Field(default=None, index=True)
    name: str | None = None
    phone: str | None = None
    address: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    shipping: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    preferred_locales: list[str] = Field(default_factory=list, sa_type=JSON)
    default_payment_method: str | None = None
    currency: str | None = None
    balance: int = 0
    tax_exempt: str | None = None


class MirrorPaymentMethod(MirrorRow, table=True):
    """A Stripe `payment_method`; `customer` is None once detached."""

    __tablename__ = "mirror_payment_method"

    customer: str | None = Field(default=None, index=True)
    type: str
    card_brand: str | None = None
    card_last4: str | None = None
    card_exp_month: int | None = None
    card_exp_year: int | None = None
    billing_details: dict[str, Any] | None = Field(default=None, sa_type=JSON)


class MirrorTaxId(MirrorRow, table=True):
    """A Stripe `tax_id` owned by a customer."""

    __tablename__ = "mirror_tax_id"

    customer: str | None = Field(default=None, index=True)
    type: str
    value: str
    country: str | None = None
    verification_status: str | None = None
