"""Payment methods: add a card (confirmed by the browser with Stripe), make default, remove."""

import json
import secrets
from typing import Any

import reflex as rx

from portal_app.billing.gateway import get_gateway
from portal_app.db import session_scope
from portal_app.i18n.catalog import N_, gettext
from portal_app.i18n.text import user_message
from portal_app.services.customer_actions import Actor
from portal_app.services.payment_methods import (
    finish_card_setup,
    make_default,
    remove,
    start_card_setup,
)
from portal_app.settings import get_settings
from portal_app.state.customer_session import CUSTOMER_ERRORS, CustomerSessionState, locale_of
from portal_app.state.embed import embed_event
from portal_app.state.flow import FlowState
from portal_app.state.portal import PortalState

# Runs in the browser: the card goes straight to the sandbox's SetupIntent confirmation, never
# to the portal's backend; only the outcome comes back to `card_confirmed`.
CONFIRM_SCRIPT = """(async () => {
  const value = (id) => (document.getElementById(id) || {}).value || "";
  const [month, year] = value("card-exp").split("/").map((part) => part.trim());
  const body = new URLSearchParams({
    client_secret: %(secret)s,
    "payment_method_data[type]": "card",
    "payment_method_data[card][number]": value("card-number").replace(/[\\s-]+/g, ""),
    "payment_method_data[card][exp_month]": month || "",
    "payment_method_data[card][exp_year]": year && year.length === 2 ? "20" + year : (year || ""),
    "payment_method_data[card][cvc]": value("card-cvc"),
    "payment_method_data[billing_details][name]": value("card-name"),
  });
  try {
    const response = await fetch(%(url)s, {method: "POST", body: body});
    const data = await response.json();
    if (data.error) return {ok: false, message: data.error.message || ""};
    return {ok: data.status === "succeeded", id: data.id,
            message: (data.last_setup_error || {}).message || ""};
  } catch (error) {
    return {ok: false, unreachable: true};
  }
})()"""


class PaymentMethodsState(rx.State):
    """The add-card form and the card actions; ids are re-checked by the services."""

    adding: bool = False
    busy: bool = False
    error: str = ""
    notice: str = ""
    _setup_intent_id: str = ""
    _client_secret: str = ""
    _nonce: str = ""

    async def _actor(self) -> Actor:
        customer = await self.get_state(CustomerSessionState)
        with session_scope() as db:
            return customer._actor(db)

    @rx.event
    async def open_add(self) -> None:
        """Prepare a SetupIntent and show the card form."""
        locale = await locale_of(self)
        self.error = self.notice = ""
        self._nonce = secrets.token_hex(8)
        try:
            setup = await start_card_setup(
                gateway=get_gateway(), actor=await self._actor(), nonce=self._nonce
            )
        except CUSTOMER_ERRORS as exc:
            self.error = user_message(exc, locale)
            return
        self._setup_intent_id, self._client_secret = setup.setup_intent_id, setup.client_secret
        self.adding = True

    @rx.event
    def close_add(self) -> None:
        """Hide the card form."""
        self.adding = False
        self.error = ""

    @rx.event
    def submit_card(self):
        """Hand the card form to the browser script, which confirms with the payment service."""
        if not self._setup_intent_id or self.busy:
            return None
        self.busy, self.error = True, ""
        base = get_settings().sandbox_public_url
        url = f"{base}/v1/setup_intents/{self._setup_intent_id}/confirm"
        script = CONFIRM_SCRIPT % {
            "secret": json.dumps(self._client_secret),
            "url": json.dumps(url),
        }
        return rx.call_script(script, callback=PaymentMethodsState.card_confirmed)

    @rx.event
    async def card_confirmed(self, outcome: Any):
        """The browser's report; the SetupIntent is re-read from Stripe before anything is saved."""
        locale = await locale_of(self)
        self.busy = False
        result = outcome if isinstance(outcome, dict) else {}
        if not result.get("ok"):
            message = str(result.get("message") or "")[:200]
            if result.get("unreachable"):
                message = N_("We could not reach the payment service. Please try again.")
            # The payment service's own wording is shown translated when catalogued.
            self.error = gettext(message or "The card could not be saved.", locale=locale)
            return None
        try:
            await finish_card_setup(
                gateway=get_gateway(),
                actor=await self._actor(),
                setup_intent_id=self._setup_intent_id,
                nonce=self._nonce,
            )
        except CUSTOMER_ERRORS as exc:
            self.error = user_message(exc, locale)
            return None
        self.adding = False
        self._setup_intent_id = self._client_secret = ""
        self.notice = gettext("Your card was added.", locale=locale)
        return [
            PortalState.load,
            FlowState.complete("payment_method_update"),
            embed_event("portal.payment_method.updated"),
        ]

    @rx.event
    async def make_default(self, payment_method_id: str):
        """Use this card for future payments."""
        locale = await locale_of(self)
        self.error = self.notice = ""
        try:
            await make_default(
                gateway=get_gateway(),
                actor=await self._actor(),
                payment_method_id=payment_method_id,
                nonce=secrets.token_hex(8),
            )
        except CUSTOMER_ERRORS as exc:
            self.error = user_message(exc, locale)
            return None
        self.notice = gettext("Your default payment method was updated.", locale=locale)
        return [PortalState.load, embed_event("portal.payment_method.updated")]

    @rx.event
    async def remove(self, payment_method_id: str):
        """Remove a card (not the last one while a subscription is active)."""
        locale = await locale_of(self)
        self.error = self.notice = ""
        try:
            await remove(
                gateway=get_gateway(),
                actor=await self._actor(),
                payment_method_id=payment_method_id,
                nonce=secrets.token_hex(8),
            )
        except CUSTOMER_ERRORS as exc:
            self.error = user_message(exc, locale)
            return None
        self.notice = gettext("The payment method was removed.", locale=locale)
        return [PortalState.load, embed_event("portal.payment_method.updated")]
