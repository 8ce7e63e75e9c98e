"""Paying an invoice: choose the card (the default first), confirm, see the outcome."""

import secrets

import reflex as rx

from portal_app.billing.errors import BillingError
from portal_app.i18n.catalog import gettext
from portal_app.services.invoices import pay_invoice
from portal_app.state.customer_action import CustomerAction
from portal_app.state.i18n import locale_of
from portal_app.state.portal import PortalState


class InvoicePaymentState(CustomerAction, rx.State):
    """One invoice payment at a time; ids are re-checked by the service."""

    invoice_id: str = ""
    # Where the Pay panel opens: under the invoice's row, or in the past-due banner.
    place: str = ""
    invoice_number: str = ""
    amount_due: str = ""
    amount_due_minor: int = 0
    currency: str = ""
    payment_method_id: str = ""

    def _refused(self, exc: Exception, locale: str, error_var: str) -> None:
        """A card refused by Stripe: choosing another card is a new attempt, not a retry."""
        super()._refused(exc, locale, error_var)
        if isinstance(exc, BillingError):
            self._new_nonce()

    @rx.event
    async def open(self, invoice_id: str) -> None:
        """Start paying an invoice from its row, with the default card chosen."""
        await self._open(invoice_id, "row")

    @rx.event
    async def open_overdue(self) -> None:
        """Start paying the overdue invoice the past-due banner names."""
        portal = await self.get_state(PortalState)
        await self._open(portal.past_due.invoice_id, "banner")

    async def _open(self, invoice_id: object, place: str) -> None:
        locale = await locale_of(self)
        portal = await self.get_state(PortalState)
        self.error = self.notice = ""
        rows = [
            (i.id, i.number, i.amount_due, i.amount_due_minor, i.currency)
            for i in portal.invoices
            if i.payable
        ]
        overdue = portal.past_due
        if overdue.invoice_id:
            rows.append(
                (
                    overdue.invoice_id,
                    overdue.number,
                    overdue.amount,
                    overdue.amount_minor,
                    overdue.currency,
                )
            )
        found = next((row for row in rows if row[0] == invoice_id), None) if invoice_id else None
        if found is None:
            self.error = gettext("That invoice was not found.", locale=locale)
            return
        self.invoice_id, self.invoice_number, self.amount_due = found[0], found[1], found[2]
        self.amount_due_minor, self.currency = found[3], found[4]
        self.place = place
        default = next((pm.id for pm in portal.payment_methods if pm.is_default), "")
        self.payment_method_id = default or (
            portal.payment_methods[0].id if portal.payment_methods else ""
        )
        self._nonce = secrets.token_hex(8)

    @rx.event
    def close(self) -> None:
        """Leave without paying."""
        self.invoice_id = self.error = self.place = ""

    @rx.event
    async def choose(self, payment_method_id: str) -> None:
        """Remember the chosen card, if it is one the page lists (checked again when paying)."""
        portal = await self.get_state(PortalState)
        if any(pm.id == payment_method_id for pm in portal.payment_methods):
            self.payment_method_id = payment_method_id

    @rx.event
    async def pay(self):
        """Pay with the chosen card; a declined card shows the card's own message."""
        locale = await locale_of(self)
        if self.busy or not self.invoice_id:
            return
        self.busy, self.error = True, ""
        yield
        invoice_id, payment_method_id, nonce = self.invoice_id, self.payment_method_id, self._nonce
        try:
            acted = await self._act(
                call=lambda actor, gateway, _: pay_invoice(
                    gateway=gateway,
                    actor=actor,
                    invoice_id=invoice_id,
                    payment_method_id=payment_method_id,
                    nonce=nonce,
                )
            )
        finally:
            self.busy = False
        if acted is not None:
            self.notice = (
                gettext("Thank you, the invoice is paid.", locale=locale)
                if acted.result.get("status") == "paid"
                else gettext("Your payment is being processed.", locale=locale)
            )
            self.invoice_id = self.place = ""
        yield PortalState.load
