"""Paying an invoice: choose the card (the default first), confirm, see the outcome."""

import secrets

import reflex as rx

from portal_app.auth.portal_sessions import SessionError
from portal_app.billing.errors import BillingError
from portal_app.billing.gateway import get_gateway
from portal_app.db import session_scope
from portal_app.i18n.catalog import gettext
from portal_app.i18n.text import user_message
from portal_app.services.customer_actions import ActionRefused
from portal_app.services.invoices import pay_invoice
from portal_app.state.customer_session import CustomerSessionState, locale_of
from portal_app.state.portal import PortalState


class InvoicePaymentState(rx.State):
    """One invoice payment at a time; ids are re-checked by the service."""

    invoice_id: str = ""
    payment_method_id: str = ""
    busy: bool = False
    error: str = ""
    notice: str = ""
    _nonce: str = ""

    @rx.event
    async def open(self, invoice_id: str) -> None:
        """Start paying an invoice, with the default card chosen."""
        locale = await locale_of(self)
        portal = await self.get_state(PortalState)
        self.error = self.notice = ""
        if not any(i.id == invoice_id and i.payable for i in portal.invoices):
            self.error = gettext("That invoice was not found.", locale=locale)
            return
        self.invoice_id = invoice_id
        default = next((pm.id for pm in portal.payment_methods if pm.is_default), "")
        self.payment_method_id = default or (
            portal.payment_methods[0].id if portal.payment_methods else ""
        )
        self._nonce = secrets.token_hex(8)

    @rx.event
    def close(self) -> None:
        """Leave without paying."""
        self.invoice_id = self.error = ""

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
        customer = await self.get_state(CustomerSessionState)
        try:
            with session_scope() as db:
                actor = customer._actor(db)
            result = await pay_invoice(
                gateway=get_gateway(),
                actor=actor,
                invoice_id=self.invoice_id,
                payment_method_id=self.payment_method_id,
                nonce=self._nonce,
            )
        except (SessionError, ActionRefused) as exc:
            self.error = user_message(exc, locale)
        except BillingError as exc:
            self.error = user_message(exc, locale)
            self._nonce = secrets.token_hex(8)  # a new card choice is a new attempt
        else:
            self.notice = (
                gettext("Thank you, the invoice is paid.", locale=locale)
                if result.get("status") == "paid"
                else gettext("Your payment is being processed.", locale=locale)
            )
            self.invoice_id = ""
        finally:
            self.busy = False
        yield PortalState.load
