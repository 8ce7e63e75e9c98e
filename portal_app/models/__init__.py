"""SQLModel tables: the Stripe mirror and the portal's own data."""

from portal_app.models.configuration import PortalConfiguration
from portal_app.models.portal_session import PortalSession

__all__ = ["PortalConfiguration", "PortalSession"]
