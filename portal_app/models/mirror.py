"""The Stripe mirror: the objects the portal shows, kept current by webhooks and writes."""

from portal_app.models.mirror_billing import (
    MirrorInvoice,
    MirrorSubscription,
    MirrorSubscriptionItem,
    MirrorSubscriptionSchedule,
)
from portal_app.models.mirror_catalog import (
    MirrorCoupon,
    MirrorPrice,
    MirrorProduct,
    MirrorPromotionCode,
)
from portal_app.models.mirror_clock import MirrorTestClock
from portal_app.models.mirror_customer import MirrorCustomer, MirrorPaymentMethod, MirrorTaxId
from portal_app.models.webhook_event import ProcessedWebhookEvent

__all__ = [
    "MirrorCoupon",
    "MirrorCustomer",
    "MirrorInvoice",
    "MirrorPaymentMethod",
    "MirrorPrice",
    "MirrorProduct",
    "MirrorPromotionCode",
    "MirrorSubscription",
    "MirrorSubscriptionItem",
    "MirrorSubscriptionSchedule",
    "MirrorTaxId",
    "MirrorTestClock",
    "ProcessedWebhookEvent",
]
