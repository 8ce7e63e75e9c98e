"""The customer portal's home page: view rows loaded from the mirror for the session's customer."""

from dataclasses import dataclass
from datetime import UTC, datetime

import reflex as rx
from sqlmodel import Session

from portal_app.auth.portal_sessions import SessionError, end_session, live
from portal_app.billing.sync import customer_version
from portal_app.billing.views import CustomerNotMirrored, invoice_page
from portal_app.i18n.catalog import gettext
from portal_app.i18n.text import user_message
from portal_app.models.mirror_customer import MirrorCustomer
from portal_app.models.portal_session import PortalSession
from portal_app.services.branding import BrandView, brand_for
from portal_app.services.off_loop import in_session
from portal_app.services.portal_view import (
    BillingRow,
    Features,
    InvoiceRow,
    PastDueRow,
    PaymentMethodRow,
    PortalHome,
    SubscriptionRow,
    invoice_row,
    portal_home,
)
from portal_app.state.brand import BrandState
from portal_app.state.customer_session import CustomerSessionState
from portal_app.state.flow import FlowState
from portal_app.state.i18n import I18nState, locale_of

# How often an open tab asks whether its customer's account changed (one primary-key read).
WATCH_INTERVAL_MS = 3000
# Resolves after the interval with the loop's ticket; the tab's visibility rides along so a
# hidden tab does not reload what nobody sees until it is shown again.
WATCH_SCRIPT = (
    "new Promise((resolve) => setTimeout(() => resolve({ticket: %d, hidden: document.hidden}), %d))"
)


@dataclass(frozen=True)
class _HomeRead:
    """What one worker-thread read of the home page found."""

    customer: str
    version: int
    session_locale: str | None
    preferred: list[str]
    home: PortalHome | None  # None: the customer is not in the mirror yet
    brand: BrandView


def _read_home(db: Session, customer: CustomerSessionState, i18n: I18nState) -> _HomeRead:
    """Every database read of the home page, in one session (run off the event loop)."""
    portal_session = customer._portal_session(db)
    config = customer._configuration(db, portal_session)
    # Read before the rows: a change landing meanwhile shows on the next check.
    version = customer_version(session=db, customer_id=portal_session.customer)
    mirrored = db.get(MirrorCustomer, portal_session.customer)
    preferred = list(mirrored.preferred_locales or []) if mirrored else []
    locale = i18n.settled_locale(session_locale=portal_session.locale, preferred=preferred)
    try:
        home: PortalHome | None = portal_home(
            session=db, customer_id=portal_session.customer, config=config, locale=locale
        )
    except CustomerNotMirrored:
        home = None
    return _HomeRead(
        customer=portal_session.customer,
        version=version,
        session_locale=portal_session.locale,
        preferred=preferred,
        home=home,
        brand=brand_for(config, return_url=portal_session.return_url),
    )


def _check(db: Session, session_id: str, customer_id: str) -> tuple[bool, int]:
    """Whether the session is live (the actions' own rule, read without counting as
    activity), and the customer's mirror version."""
    try:
        live(db.get(PortalSession, session_id) if session_id else None, datetime.now(UTC))
    except SessionError:
        return False, 0
    return True, customer_version(session=db, customer_id=customer_id)


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
    past_due: PastDueRow = PastDueRow()
    _version: int = -1
    _customer: str = ""
    _watch_ticket: int = 0

    @rx.event
    async def load(self):
        """Fill the page from the mirror in the customer's language; send the tab home when
        the session is over."""
        return await self.fill()

    async def fill(self):
        """Read the home page in a worker thread (the event loop never waits on the
        database), then put it into the state."""
        customer = await self.get_state(CustomerSessionState)
        i18n = await self.get_state(I18nState)
        try:
            read = await in_session(lambda db: _read_home(db, customer, i18n))
        except SessionError as exc:
            return self._signed_out(user_message(exc, i18n.locale))
        set_lang = await i18n.settle(session_locale=read.session_locale, preferred=read.preferred)
        # The watch reloads the page once an account that is not mirrored yet arrives.
        self._version, self._customer = read.version, read.customer
        self.loaded = True
        if read.home is None:
            self.page_error = gettext(
                "We could not find your billing account. Please try again shortly.",
                locale=i18n.locale,
            )
            return set_lang
        (await self.get_state(BrandState)).brand = read.brand
        home = read.home
        self.signed_in = True
        self.page_error = ""
        self.subscriptions = home.subscriptions
        self.payment_methods = home.payment_methods
        self.billing = home.billing
        self.invoices = home.invoices
        self.invoices_cursor = home.invoices_cursor
        self.features = home.features
        self.past_due = home.past_due
        return [set_lang, FlowState.begin]

    def _signed_out(self, message: str) -> None:
        self.signed_in = False
        self.loaded = True
        self.subscriptions, self.payment_methods, self.invoices = [], [], []
        self.billing = BillingRow()
        self.past_due = PastDueRow()
        self._customer = ""
        self.page_error = message

    @rx.event
    def watch(self):
        """Start this tab's check for changes made elsewhere (another tab, the merchant, a
        webhook): the browser waits, then asks `check_for_changes`. The loop lives in the
        tab, so it ends when the tab closes, and any worker can answer it (the counter is in
        the database). A new ticket retires any loop already running in this tab."""
        self._watch_ticket += 1
        return rx.call_script(
            WATCH_SCRIPT % (self._watch_ticket, WATCH_INTERVAL_MS),
            callback=PortalState.check_for_changes,
        )

    @rx.event
    async def check_for_changes(self, tick: dict):
        """Reload when the customer's account changed since this tab loaded it, then wait
        again. Stops with a retired ticket, once the tab is signed out, or when the session
        ended or went idle (an open tab does not poll forever)."""
        ticket = tick.get("ticket") if isinstance(tick, dict) else None
        if type(ticket) is not int or ticket != self._watch_ticket or not self._customer:
            return None
        # Not `_portal_session`: a check is not activity, and must not keep an idle session
        # alive. A session that ended or went idle stops the loop and says so.
        customer = await self.get_state(CustomerSessionState)
        session_id, customer_id = customer._session_id, self._customer
        is_live, version = await in_session(lambda db: _check(db, session_id, customer_id))
        if not is_live:
            locale = await locale_of(self)
            return self._signed_out(
                gettext("Your session has expired. Please sign in again.", locale=locale)
            )
        again = rx.call_script(
            WATCH_SCRIPT % (self._watch_ticket, WATCH_INTERVAL_MS),
            callback=PortalState.check_for_changes,
        )
        if version != self._version and not tick.get("hidden"):
            return [PortalState.load, again]
        return again

    @rx.event
    async def more_invoices(self) -> None:
        """The next page of invoice history (keyset cursor checked against the customer).

        Without a cursor there is no next page; rows already shown are not added twice, so
        repeated calls cannot grow the tab's state."""
        if not self.invoices_cursor:
            return
        customer = await self.get_state(CustomerSessionState)
        locale = await locale_of(self)
        cursor = self.invoices_cursor
        try:
            _actor, page = await customer._off_loop(
                lambda db, actor: invoice_page(
                    session=db, customer_id=actor.customer, starting_after=cursor
                )
            )
        except SessionError as exc:
            self._signed_out(user_message(exc, locale))
            return
        # The plain list, not Reflex's change-tracking proxy of every row (read only here).
        current: list[InvoiceRow] = self.get_value("invoices")
        shown = {row.id for row in current}
        rows = [invoice_row(i, locale) for i in page.invoices if i.id not in shown]
        self.invoices = [*current, *rows]
        self.invoices_cursor = page.next_cursor or ""

    @rx.event
    async def logout(self):
        """End the session for good and leave the portal."""
        customer = await self.get_state(CustomerSessionState)
        session_id = customer._session_id
        await in_session(lambda db: end_session(session=db, session_id=session_id))
        customer._session_id = ""
        self._signed_out(gettext("You have signed out.", locale=await locale_of(self)))
        return rx.redirect("/", replace=True)
