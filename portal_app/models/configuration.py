"""Portal configurations: what customers may do, and how the portal looks (portal-owned).

The table keeps branding in flat columns (the shell reads them) and Stripe's nested
`features` as JSON; `ConfigurationFeatures` is the typed, validated view of that JSON, with
Stripe's defaults plus the portal's documented extensions (`quantity`, `retention`).
"""

from datetime import datetime
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from portal_app.models.base import new_id, utcnow

ProrationBehavior = Literal["none", "create_prorations", "always_invoice"]
AllowedSubscriptionUpdate = Literal["price", "quantity", "promotion_code"]
CustomerUpdateField = Literal["address", "email", "name", "phone", "shipping", "tax_id"]
CancellationReason = Literal[
    "too_expensive",
    "missing_features",
    "switched_service",
    "unused",
    "customer_service",
    "too_complex",
    "low_quality",
    "other",
]
ALL_CANCELLATION_REASONS: list[CancellationReason] = list(get_args(CancellationReason))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


MAX_QUANTITY = 1_000_000


class AdjustableQuantity(_Strict):
    """Stripe's per-product quantity setting: whether and within which bounds it changes."""

    enabled: bool = False
    minimum: int = PydanticField(default=1, ge=0, le=MAX_QUANTITY)
    maximum: int | None = PydanticField(default=None, ge=1, le=MAX_QUANTITY)


class SubscriptionUpdateProduct(_Strict):
    """A product customers may switch to, with the prices they may choose."""

    product: str = PydanticField(min_length=1, max_length=255)
    prices: list[str] = PydanticField(min_length=1)
    adjustable_quantity: AdjustableQuantity = AdjustableQuantity()


class ScheduleCondition(_Strict):
    type: Literal["decreasing_item_amount", "shortening_interval"]


class ScheduleAtPeriodEnd(_Strict):
    conditions: list[ScheduleCondition] = []


class QuantityLimits(_Strict):
    """Portal extension: the quantities a customer may choose in the portal."""

    minimum: int = PydanticField(default=1, ge=1, le=MAX_QUANTITY)
    maximum: int | None = PydanticField(default=None, ge=1, le=MAX_QUANTITY)


class SubscriptionUpdate(_Strict):
    enabled: bool = False
    default_allowed_updates: list[AllowedSubscriptionUpdate] = [
        "price",
        "quantity",
        "promotion_code",
    ]
    products: list[SubscriptionUpdateProduct] = []
    # Stripe documents `none` as the default when the option is not set at creation.
    proration_behavior: ProrationBehavior = "none"
    schedule_at_period_end: ScheduleAtPeriodEnd = ScheduleAtPeriodEnd()
    trial_update_behavior: Literal["continue_trial", "end_trial"] = "end_trial"
    billing_cycle_anchor: Literal["now", "unchanged"] | None = None
    quantity: QuantityLimits = QuantityLimits()

    def quantity_limits(self, product: str) -> tuple[int, int | None]:
        """(minimum, maximum or None) a customer may choose for this product.

        Stripe's `products[][adjustable_quantity]`, when enabled for the product, wins over
        the portal-wide `quantity` extension.
        """
        for entry in self.products:
            if entry.product == product and entry.adjustable_quantity.enabled:
                limits = entry.adjustable_quantity
                return max(limits.minimum, 1), limits.maximum
        return self.quantity.minimum, self.quantity.maximum


class CancellationReasonSettings(_Strict):
    enabled: bool = True
    options: list[CancellationReason] = list(ALL_CANCELLATION_REASONS)
    # Stripe's custom feedback options (ids); the portal offers none, so this stays empty.
    feedback_options: list[str] | None = None


class RetentionOffer(_Strict):
    """Portal extension: a coupon offered before a customer confirms a cancellation."""

    enabled: bool = False
    coupon: str | None = None


class SubscriptionCancel(_Strict):
    enabled: bool = True
    mode: Literal["at_period_end", "immediately"] = "at_period_end"
    proration_behavior: ProrationBehavior = "none"
    cancellation_reason: CancellationReasonSettings = CancellationReasonSettings()
    retention: RetentionOffer = RetentionOffer()


class PauseIntervalOption(_Strict):
    interval: Literal["day", "week", "month", "year"] = "month"
    interval_count: int = PydanticField(default=1, ge=1, le=1095)


class PauseDuration(_Strict):
    type: Literal["indefinite", "interval_options"] = "interval_options"
    interval_options: list[PauseIntervalOption] = [PauseIntervalOption()]


class SubscriptionPause(_Strict):
    """Stripe's pause feature; stored and returned, the portal does not offer pausing yet."""

    enabled: bool = False
    duration: PauseDuration = PauseDuration()


class CustomerUpdate(_Strict):
    enabled: bool = True
    allowed_updates: list[CustomerUpdateField] = ["name", "email", "address", "phone"]


class PaymentMethodUpdate(_Strict):
    enabled: bool = True
    payment_method_configuration: str | None = None


class InvoiceHistory(_Strict):
    enabled: bool = True


class ConfigurationFeatures(_Strict):
    """Stripe's `features` object with its defaults, plus the portal's extensions."""

    customer_update: CustomerUpdate = CustomerUpdate()
    invoice_history: InvoiceHistory = InvoiceHistory()
    payment_method_update: PaymentMethodUpdate = PaymentMethodUpdate()
    subscription_cancel: SubscriptionCancel = SubscriptionCancel()
    subscription_pause: SubscriptionPause = SubscriptionPause()
    subscription_update: SubscriptionUpdate = SubscriptionUpdate()


def default_features() -> dict[str, Any]:
    """The JSON stored for a configuration created without feature settings."""
    return ConfigurationFeatures().model_dump(mode="json")


class PortalConfiguration(SQLModel, table=True):
    """One portal configuration (Stripe's `billing_portal.configuration`) plus its branding."""

    __tablename__ = "portal_configuration"

    id: str = Field(default_factory=lambda: new_id("bpc"), primary_key=True)
    is_default: bool = Field(default=False, index=True)
    active: bool = True
    name: str | None = None
    business_name: str
    headline: str = ""
    terms_of_service_url: str = ""
    privacy_policy_url: str = ""
    default_return_url: str = ""
    logo_url: str = ""
    icon_url: str = ""
    background_color: str = "#ffffff"
    button_color: str = "#0f62fe"
    font: str = "system"
    shape: str = "rounded"
    features: dict[str, Any] = Field(default_factory=default_features, sa_column=Column(JSON))
    # `metadata` is taken by SQLModel itself, hence the attribute name.
    stripe_metadata: dict[str, str] = Field(
        default_factory=dict, sa_column=Column("metadata", JSON)
    )
    login_page_enabled: bool = False
    login_page_token: str | None = Field(default=None, unique=True, index=True)
    # Portal extension: origins of the merchant's apps allowed to frame the portal.
    frame_origins: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    created: datetime = Field(default_factory=utcnow)
    updated: datetime = Field(default_factory=utcnow)

    @property
    def feature_settings(self) -> ConfigurationFeatures:
        """`features` typed and validated."""
        return stored_features(self.features)


def stored_features(features: dict[str, Any] | None) -> ConfigurationFeatures:
    """A configuration's stored `features` JSON, typed and validated: the one place it is read
    (from a row, or from the column alone)."""
    return ConfigurationFeatures.model_validate(features or {})
