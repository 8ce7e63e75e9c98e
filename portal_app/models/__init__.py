"""SQLModel tables: the Stripe mirror and the portal's own data."""

from portal_app.models.configuration import PortalConfiguration

__all__ = ["PortalConfiguration"]
