"""The customer portal's home page: view rows loaded from the mirror for the session's customer."""

import reflex as rx

from portal_app.auth.portal_sessions import SessionError, end_session
from portal_app.billing.views import CustomerNotMirrored, invoice_page
from portal_app.db import session_scope
from portal_app.i18n.catalog import gettext
from portal_app.i18n.text import user_message
from portal_app.models.mirror_customer import MirrorCustomer
from portal_app.services.branding import brand_for
from portal_app.services.portal_view import (
    BillingRow,
    Features,
    InvoiceRow,
    PaymentMethodRow,
    SubscriptionRow,
    invoice_row,
    portal_home,
)
from portal_app.state.brand import BrandState
from portal_app.state.customer_session import CustomerSessionState
from portal_app.state.flow import FlowState
from portal_app.state.i18n import I18nState


class PortalState(rx.State):
    """What the signed-in customer sees; every handler re-checks the session first."""

    signed_in: bool = False
    loaded: bool = False
    page_error: str = ""
    subscriptions: list[SubscriptionRow] = []
    payment_methods: list[PaymentMethodRow] = []
    billing: BillingRow = BillingRow()
    invoices: list[InvoiceRow] = []
    invoices_cursor: str = ""
    features: Features = Features()

    @rx.event
    async def load(self):
        """Fill the page from the mirror in the customer's language; send the tab home when
        the session is over."""
        customer = await self.get_state(CustomerSessionState)
        i18n = await self.get_state(I18nState)
        try:
            with session_scope() as db:
                portal_session = customer._portal_session(db)
                config = customer._configuration(db, portal_session)
                mirrored = db.get(MirrorCustomer, portal_session.customer)
                set_lang = await i18n.settle(
                    session_locale=portal_session.locale,
                    preferred=list(mirrored.preferred_locales or []) if mirrored else [],
                )
                home = portal_home(
                    session=db,
                    customer_id=portal_session.customer,
                    config=config,
                    locale=i18n.locale,
                )
                brand = await self.get_state(BrandState)
                brand.brand = brand_for(config, return_url=portal_session.return_url)
        except SessionError as exc:
            return self._signed_out(user_message(exc, customer._locale))
        except CustomerNotMirrored:
            self.page_error = gettext(
                "We could not find your billing account. Please try again shortly.",
                locale=i18n.locale,
            )
            self.loaded = True
            return set_lang
        self.signed_in = True
        self.page_error = ""
        self.subscriptions = home.subscriptions
        self.payment_methods = home.payment_methods
        self.billing = home.billing
        self.invoices = home.invoices
        self.invoices_cursor = home.invoices_cursor
        self.features = home.features
        self.loaded = True
        return [set_lang, FlowState.begin]

    def _signed_out(self, message: str) -> None:
        self.signed_in = False
        self.loaded = True
        self.subscriptions, self.payment_methods, self.invoices = [], [], []
        self.billing = BillingRow()
        self.page_error = message

    @rx.event
    async def more_invoices(self) -> None:
        """The next page of invoice history (keyset cursor checked against the customer)."""
        customer = await self.get_state(CustomerSessionState)
        try:
            with session_scope() as db:
                portal_session = customer._portal_session(db)
                page = invoice_page(
                    session=db,
                    customer_id=portal_session.customer,
                    starting_after=self.invoices_cursor or None,
                )
        except SessionError as exc:
            self._signed_out(user_message(exc, customer._locale))
            return
        rows = [invoice_row(i, customer._locale) for i in page.invoices]
        self.invoices = [*self.invoices, *rows]
        self.invoices_cursor = page.next_cursor or ""

    @rx.event
    async def logout(self):
        """End the session for good and leave the portal."""
        customer = await self.get_state(CustomerSessionState)
        with session_scope() as db:
            end_session(session=db, session_id=customer._session_id)
        customer._session_id = ""
        self._signed_out(gettext("You have signed out.", locale=customer._locale))
        return rx.redirect("/", replace=True)
