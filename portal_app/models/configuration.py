"""Portal configurations: what customers may do, and how the portal looks (portal-owned)."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from portal_app.models.base import new_id, utcnow


class PortalConfiguration(SQLModel, table=True):
    """One portal configuration (Stripe's `billing_portal.configuration`) plus its branding."""

    __tablename__ = "portal_configuration"

    id: str = Field(default_factory=lambda: new_id("bpc"), primary_key=True)
    is_default: bool = Field(default=False, index=True)
    active: bool = True
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
    created: datetime = Field(default_factory=utcnow)
    updated: datetime = Field(default_factory=utcnow)
