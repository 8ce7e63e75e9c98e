"""The dashboard's customers page: find a customer and create a portal-session link."""

from dataclasses import dataclass
from typing import Any

import reflex as rx
from reflex_base.event import EventSpec
from sqlmodel import Session

from portal_app.billing.views import CustomerNotMirrored
from portal_app.i18n.catalog import gettext
from portal_app.services.configuration_document import ConfigurationError
from portal_app.services.configurations import default_configuration
from portal_app.services.customer_directory import MAX_QUERY, search_customers
from portal_app.services.off_loop import in_session
from portal_app.services.portal_links import create_portal_link
from portal_app.services.portal_view import (
    BillingRow,
    InvoiceRow,
    PaymentMethodRow,
    PortalHome,
    SubscriptionRow,
    portal_home,
)
from portal_app.state.dashboard_auth import merchant_only
from portal_app.state.dashboard_configuration_form import field_error
from portal_app.state.i18n import locale_of

FLOW_CHOICES = ("", "payment_method_update", "subscription_update", "subscription_cancel")


@dataclass
class CustomerRow:
    """One search result."""

    id: str
    name: str
    email: str


def _preview(*, session: Session, customer_id: str, locale: str) -> PortalHome | None:
    """What the default configuration's portal shows this customer, from the mirror."""
    config = default_configuration(session=session)
    if config is None:
        return None
    try:
        return portal_home(session=session, customer_id=customer_id, config=config, locale=locale)
    except CustomerNotMirrored:
        return None


class DashboardCustomersState(rx.State):
    """Search results, the chosen customer and the link created for them."""

    query: str = ""
    results: list[CustomerRow] = []
    searched: bool = False
    customer_id: str = ""
    link_url: str = ""
    errors: dict[str, str] = {}
    has_preview: bool = False
    preview_subscriptions: list[SubscriptionRow] = []
    preview_payment_methods: list[PaymentMethodRow] = []
    preview_billing: BillingRow = BillingRow()
    preview_invoices: list[InvoiceRow] = []

    @rx.var
    def has_results(self) -> bool:
        """Whether the search found anyone."""
        return bool(self.results)

    async def _search(self, query: str) -> None:
        found = await in_session(lambda db: search_customers(session=db, query=query))
        self.results = [CustomerRow(id=c.id, name=c.name, email=c.email) for c in found]

    @rx.event
    @merchant_only
    async def load(self) -> EventSpec | None:
        """Page load: the first customers, no link shown."""
        self.query, self.link_url, self.customer_id, self.errors = "", "", "", {}
        self.searched = False
        await self._search("")
        return None

    @rx.event
    @merchant_only
    async def search(self, form_data: dict[str, Any]) -> EventSpec | None:
        """Search the mirror by email, name or id."""
        query = form_data.get("query") if isinstance(form_data, dict) else None
        self.query = query.strip()[:MAX_QUERY] if isinstance(query, str) else ""
        self.searched = True
        await self._search(self.query)
        return None

    @rx.event
    @merchant_only
    async def choose(self, customer_id: str) -> EventSpec | None:
        """Pick a customer from the results for the link form."""
        if isinstance(customer_id, str) and customer_id in {row.id for row in self.results}:
            self.customer_id = customer_id
            self.link_url, self.errors = "", {}
            locale = await locale_of(self)
            home = await in_session(
                lambda db: _preview(session=db, customer_id=customer_id, locale=locale)
            )
            self.has_preview = home is not None
            if home is not None:
                self.preview_subscriptions = home.subscriptions
                self.preview_payment_methods = home.payment_methods
                self.preview_billing = home.billing
                self.preview_invoices = home.invoices
        return None

    @rx.event
    @merchant_only
    async def create_link(self, form_data: dict[str, Any]) -> EventSpec | None:
        """Create a one-time portal link for the customer, optionally into a flow."""
        locale = await locale_of(self)
        self.link_url = ""
        data = form_data if isinstance(form_data, dict) else {}
        customer = data.get("customer")
        flow_type = data.get("flow_type") or ""
        subscription = data.get("subscription") or ""
        return_url = data.get("return_url") or None
        if flow_type not in FLOW_CHOICES:
            self.errors = {"flow_type": gettext("Choose one of the listed flows.", locale=locale)}
            return None
        if flow_type and flow_type != "payment_method_update" and not subscription:
            self.errors = {
                "subscription": gettext(
                    "Enter the id of the subscription this flow opens (sub_…).", locale=locale
                )
            }
            return None
        flow_data: dict[str, Any] | None = None
        if flow_type:
            flow_data = {"type": flow_type}
            if flow_type != "payment_method_update":
                flow_data[flow_type] = {"subscription": subscription}
        try:
            link = await in_session(
                lambda db: create_portal_link(
                    session=db, customer=customer, return_url=return_url, flow_data=flow_data
                )
            )
        except ConfigurationError as exc:
            param = exc.param or ""
            field = "subscription" if param.endswith("[subscription]") else param
            field = "flow_type" if field.startswith("flow_data") else field
            self.errors = {field or "form": field_error(exc)[1].render(locale)}
            return None
        self.errors = {}
        self.customer_id = link.customer
        self.link_url = link.url
        return None
