"""SQLModel tables: the Stripe mirror and the portal's own data."""

from portal_app.models import mirror
from portal_app.models.audit import AuditEntry, CancellationFeedback
from portal_app.models.configuration import PortalConfiguration
from portal_app.models.email import EmailSettings, OutboxEmail
from portal_app.models.lifecycle import AcceptedRetentionOffer, CustomerChange
from portal_app.models.login_code import LoginCode
from portal_app.models.merchant import (
    Merchant,
    MerchantApiKey,
    MerchantLoginThrottle,
    MerchantSession,
)
from portal_app.models.portal_session import PortalSession

__all__ = [
    "AcceptedRetentionOffer",
    "AuditEntry",
    "CancellationFeedback",
    "CustomerChange",
    "EmailSettings",
    "LoginCode",
    "Merchant",
    "MerchantApiKey",
    "MerchantLoginThrottle",
    "MerchantSession",
    "OutboxEmail",
    "PortalConfiguration",
    "PortalSession",
    "mirror",
]
