"""The mirrored catalogue: products, prices, coupons and promotion codes."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field

from portal_app.models.mirror_columns import MirrorRow, UTCDateTime


class MirrorProduct(MirrorRow, table=True):
    """A Stripe `product`."""

    __tablename__ = "mirror_product"

    name: str
    description: str | None = None
    active: bool = Field(default=True, index=True)
    images: list[str] = Field(default_factory=list, sa_type=JSON)
    tax_code: str | None = None
    statement_descriptor: str | None = None
    unit_label: str | None = None
    default_price: str | None = None
    product_metadata: dict[str, str] = Field(default_factory=dict, sa_type=JSON)


class MirrorPrice(MirrorRow, table=True):
    """A Stripe `price`: integer minor units plus currency, and the recurring interval."""

    __tablename__ = "mirror_price"

    product: str = Field(index=True)
    active: bool = Field(default=True, index=True)
    currency: str
    unit_amount: int | None = None
    type: str = "recurring"
    recurring_interval: str | None = None
    recurring_interval_count: int | None = None
    nickname: str | None = None
    lookup_key: str | None = Field(default=None, index=True)
    tax_behavior: str | None = None


class MirrorCoupon(MirrorRow, table=True):
    """A Stripe `coupon`: percent off (not money, so a float) or an amount off in minor units."""

    __tablename__ = "mirror_coupon"

    name: str | None = None
    percent_off: float | None = None
    amount_off: int | None = None
    currency: str | None = None
    duration: str
    duration_in_months: int | None = None
    valid: bool = True
    redeem_by: datetime | None = Field(default=None, sa_type=UTCDateTime)
    max_redemptions: int | None = None
    times_redeemed: int = 0


class MirrorPromotionCode(MirrorRow, table=True):
    """A Stripe `promotion_code`: the code a customer types, pointing at a coupon."""

    __tablename__ = "mirror_promotion_code"

    code: str = Field(index=True)
    coupon: str | None = None
    active: bool = True
    customer: str | None = None
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    max_redemptions: int | None = None
    times_redeemed: int = 0
    restrictions: dict[str, Any] | None = Field(default=None, sa_type=JSON)
