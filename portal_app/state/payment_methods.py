"""Payment methods: add a card (confirmed by the browser with Stripe), make default, remove."""

import dataclasses
import logging
import secrets
from typing import Any

import reflex as rx

from portal_app.billing.gateway import uses_payment_element
from portal_app.i18n.billing_errors import card_error
from portal_app.i18n.catalog import gettext
from portal_app.i18n.locales import html_lang
from portal_app.services.payment_methods import (
    finish_card_setup,
    make_default,
    remove,
    start_card_setup,
)
from portal_app.settings import get_settings
from portal_app.state.card_scripts import (
    confirm_payment_element,
    confirm_sandbox_card,
    mount_payment_element,
)
from portal_app.state.customer_action import CustomerAction
from portal_app.state.flow import register_opener
from portal_app.state.i18n import locale_of
from portal_app.state.portal import PortalState

log = logging.getLogger(__name__)


@dataclasses.dataclass
class CardErrors:
    """One message per card field; `form` for what concerns the card as a whole."""

    number: str = ""
    exp: str = ""
    cvc: str = ""
    form: str = ""


class PaymentMethodsState(CustomerAction, rx.State):
    """The add-card form and the card actions; ids are re-checked by the services."""

    adding: bool = False
    # Real Stripe: Stripe's Payment Element; the sandbox: the portal's plain card form.
    payment_element: bool = False
    card_errors: CardErrors = CardErrors()
    # The card whose removal waits for the customer's confirmation.
    removing: str = ""
    _setup_intent_id: str = ""
    _client_secret: str = ""

    @rx.event
    async def open_add(self):
        """Prepare a SetupIntent and show the card form (mounting Stripe's Payment Element)."""
        locale = await locale_of(self)
        self.error = self.notice = ""
        self.card_errors = CardErrors()
        settings = get_settings()
        if uses_payment_element(settings) and not settings.stripe_publishable_key:
            log.warning("STRIPE_PUBLISHABLE_KEY is not set: customers cannot add cards")
            self.error = gettext("Cards cannot be added at the moment.", locale=locale)
            return None
        self._new_nonce()
        nonce = self._nonce
        acted = await self._act(
            call=lambda actor, gateway, _: start_card_setup(
                gateway=gateway, actor=actor, nonce=nonce
            )
        )
        if acted is None:
            return None
        setup = acted.result
        self._setup_intent_id, self._client_secret = setup.setup_intent_id, setup.client_secret
        self.adding, self.busy = True, False
        self.payment_element = uses_payment_element(settings)
        if not self.payment_element:
            return None
        script = mount_payment_element(
            publishable_key=settings.stripe_publishable_key or "",
            client_secret=setup.client_secret,
            locale=html_lang(locale),
        )
        return rx.call_script(script, callback=PaymentMethodsState.element_mounted)

    @rx.event
    async def element_mounted(self, outcome: Any) -> None:
        """Stripe.js could not be loaded (blocked or offline): say so instead of a blank form."""
        if isinstance(outcome, dict) and outcome.get("ok"):
            return
        self.error = gettext(
            "We could not reach the payment service. Please try again.",
            locale=await locale_of(self),
        )

    @rx.event
    def close_add(self) -> None:
        """Hide the card form."""
        self.adding = False
        self.error = ""
        self.card_errors = CardErrors()

    @rx.event
    def submit_card(self):
        """Hand the card to the browser script, which confirms it with the payment service."""
        if not self._setup_intent_id or self.busy:
            return None
        self.busy, self.error, self.card_errors = True, "", CardErrors()
        if self.payment_element:
            script = confirm_payment_element()
        else:
            script = confirm_sandbox_card(
                sandbox_url=get_settings().sandbox_public_url,
                setup_intent_id=self._setup_intent_id,
                client_secret=self._client_secret,
            )
        return rx.call_script(script, callback=PaymentMethodsState.card_confirmed)

    @rx.event
    async def card_confirmed(self, outcome: Any):
        """The browser's report; the SetupIntent is re-read from Stripe before anything is saved."""
        locale = await locale_of(self)
        self.busy = False
        result = outcome if isinstance(outcome, dict) else {}
        if not result.get("ok"):
            if result.get("unreachable"):
                self.error = gettext(
                    "We could not reach the payment service. Please try again.", locale=locale
                )
                return None
            field, message = card_error(
                result.get("code"), result.get("param"), result.get("decline_code")
            )
            # Stripe's Payment Element marks its own fields; the portal's message goes below it.
            field = "form" if self.payment_element else field
            self.card_errors = CardErrors(**{field: gettext(message, locale=locale)})
            return None
        setup_intent_id, nonce = self._setup_intent_id, self._nonce
        acted = await self._act(
            call=lambda actor, gateway, _: finish_card_setup(
                gateway=gateway, actor=actor, setup_intent_id=setup_intent_id, nonce=nonce
            )
        )
        if acted is None:
            return None
        self.adding = False
        self._setup_intent_id = self._client_secret = ""
        self.notice = gettext("Your card was added.", locale=locale)
        return self._done("payment_method_update", "portal.payment_method.updated")

    @rx.event
    async def make_default(self, payment_method_id: str):
        """Use this card for future payments."""
        locale = await locale_of(self)
        self.error = self.notice = ""
        nonce = secrets.token_hex(8)
        acted = await self._act(
            call=lambda actor, gateway, _: make_default(
                gateway=gateway, actor=actor, payment_method_id=payment_method_id, nonce=nonce
            )
        )
        if acted is None:
            return None
        self.notice = gettext("Your default payment method was updated.", locale=locale)
        return self._done(embed="portal.payment_method.updated")

    @rx.event
    async def ask_remove(self, payment_method_id: str) -> None:
        """Ask before removing a card the page lists."""
        portal = await self.get_state(PortalState)
        self.error = self.notice = ""
        known = any(pm.id == payment_method_id for pm in portal.payment_methods)
        self.removing = payment_method_id if known else ""

    @rx.event
    def keep_card(self) -> None:
        """Keep the card after all."""
        self.removing = ""

    @rx.event
    async def remove(self, payment_method_id: str):
        """Remove a card once confirmed (not the last one while a subscription is active)."""
        locale = await locale_of(self)
        self.error = self.notice = ""
        if not payment_method_id or payment_method_id != self.removing:
            return None  # only the card the customer was asked about
        self.removing = ""
        nonce = secrets.token_hex(8)
        acted = await self._act(
            call=lambda actor, gateway, _: remove(
                gateway=gateway, actor=actor, payment_method_id=payment_method_id, nonce=nonce
            )
        )
        if acted is None:
            return None
        self.notice = gettext("The payment method was removed.", locale=locale)
        return self._done(embed="portal.payment_method.updated")


register_opener("payment_method_update", lambda _start: PaymentMethodsState.open_add)
