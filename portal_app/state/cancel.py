"""Cancelling a subscription: retention offer (when configured), reason survey, confirmation."""

import secrets

import reflex as rx

from portal_app.auth.portal_sessions import SessionError
from portal_app.billing.gateway import get_gateway
from portal_app.db import session_scope
from portal_app.i18n.catalog import N_, gettext
from portal_app.i18n.format import day
from portal_app.i18n.text import user_message
from portal_app.services.customer_actions import (
    ActionRefused,
    CancellationTerms,
    accept_retention_offer,
    cancel_subscription,
    cancellation_terms,
    own_subscription,
    renew_subscription,
    retention_coupon,
    retention_refusal,
)
from portal_app.services.flows import coupon_offer_text, flow_retention_coupon
from portal_app.state.customer_session import CUSTOMER_ERRORS, CustomerSessionState
from portal_app.state.embed import embed_event
from portal_app.state.flow import FlowState
from portal_app.state.i18n import locale_of
from portal_app.state.portal import PortalState

REASON_LABELS = {
    "too_expensive": N_("It's too expensive"),
    "missing_features": N_("Some features are missing"),
    "switched_service": N_("I'm switching to a different service"),
    "unused": N_("I don't use the service enough"),
    "customer_service": N_("Customer service was less than expected"),
    "too_complex": N_("Ease of use was less than expected"),
    "low_quality": N_("Quality was less than expected"),
    "other": N_("Other reason"),
}


UNUSED_TIME = {
    "none": N_("Unused time is not refunded."),
    "credit": N_("The unused time is credited to your account and taken off future invoices."),
    "invoice": N_(
        "The unused time is credited to your account on a final invoice issued today, "
        "and taken off future invoices."
    ),
}


class CancelState(rx.State):
    """One cancellation at a time; the subscription id is re-checked on every step."""

    subscription_id: str = ""
    offer: str = ""
    reasons: list[tuple[str, str]] = []
    reason: str = ""
    # What cancelling does, said before the final button (from `cancellation_terms`).
    ends_now: bool = False
    ends_on: str = ""  # YYYY-MM-DD, for QA hooks
    access_text: str = ""
    unused_text: str = ""
    error: str = ""
    confirmation: str = ""
    busy: bool = False
    _nonce: str = ""
    _offer_coupon: str = ""

    @rx.event
    async def open(self, subscription_id: str) -> None:
        """Start cancelling one of the customer's subscriptions."""
        locale = await locale_of(self)
        self.error = self.confirmation = self.reason = ""
        customer = await self.get_state(CustomerSessionState)
        try:
            with session_scope() as db:
                actor = customer._actor(db)
                sub = own_subscription(session=db, actor=actor, subscription_id=subscription_id)
                survey = actor.features.subscription_cancel.cancellation_reason
                terms = cancellation_terms(actor=actor, sub=sub)
                coupon = retention_coupon(
                    actor=actor, flow_coupon=flow_retention_coupon(customer._flow(db), sub.id)
                )
                if coupon and retention_refusal(session=db, sub=sub, coupon_id=coupon):
                    coupon = None  # one offer per subscription, and none once it cancels
                offer = (
                    coupon_offer_text(session=db, coupon_id=coupon, locale=locale) if coupon else ""
                )
        except (SessionError, ActionRefused) as exc:
            self.error = user_message(exc, locale)
            return
        self.subscription_id = sub.id
        self._state_terms(terms, locale)
        self._offer_coupon, self.offer = (coupon or "", offer) if offer else ("", "")
        self.reasons = (
            [
                (r, gettext(REASON_LABELS[r], locale=locale))
                for r in survey.options
                if r in REASON_LABELS
            ]
            if survey.enabled
            else []
        )
        self._nonce = secrets.token_hex(8)

    def _state_terms(self, terms: CancellationTerms, locale: str) -> None:
        self.ends_now = terms.ends_now
        self.ends_on = terms.access_ends.date().isoformat() if terms.access_ends else ""
        if terms.ends_now:
            self.access_text = gettext(
                "Your subscription ends now, and you lose access right away.", locale=locale
            )
        elif terms.access_ends:
            self.access_text = gettext(
                "You keep access until {date}. After that you won't be charged again.",
                locale=locale,
                date=day(terms.access_ends, locale),
            )
        else:
            self.access_text = gettext(
                "You keep access until the end of the billing period.", locale=locale
            )
        # Waiting for the period end leaves no unused time to speak of.
        self.unused_text = (
            gettext(UNUSED_TIME[terms.unused_time], locale=locale) if terms.ends_now else ""
        )

    @rx.event
    def close(self) -> None:
        """Leave the cancellation without changing anything."""
        self.subscription_id = self.error = self.reason = self.offer = ""

    @rx.event
    def decline_offer(self) -> None:
        """Go on to the cancellation itself."""
        self.offer = ""

    @rx.event
    async def accept_offer(self):
        """Keep the subscription with the offered coupon."""
        locale = await locale_of(self)
        if self.busy or not self._offer_coupon or not self.subscription_id:
            return None
        self.busy, self.error = True, ""
        customer = await self.get_state(CustomerSessionState)
        try:
            with session_scope() as db:
                actor = customer._actor(db)
                flow_coupon = flow_retention_coupon(customer._flow(db), self.subscription_id)
            await accept_retention_offer(
                gateway=get_gateway(),
                actor=actor,
                subscription_id=self.subscription_id,
                coupon_id=self._offer_coupon,
                nonce=self._nonce,
                flow_coupon=flow_coupon,
            )
        except CUSTOMER_ERRORS as exc:
            self.error = user_message(exc, locale)
            return None
        finally:
            self.busy = False
        self.confirmation = gettext(
            "Your discount was applied. Thank you for staying!", locale=locale
        )
        kept, self.subscription_id, self.offer = self.subscription_id, "", ""
        return [
            PortalState.load,
            FlowState.complete("subscription_cancel"),
            embed_event("portal.subscription.updated", subscription=kept),
        ]

    @rx.event
    def choose_reason(self, reason: str) -> None:
        """Remember the chosen reason (checked again on confirm)."""
        self.reason = reason if isinstance(reason, str) and reason in REASON_LABELS else ""

    @rx.event
    async def confirm(self, form_data: dict):
        """Cancel; a double click reuses the same intent, so Stripe makes one change."""
        locale = await locale_of(self)
        if self.busy or not self.subscription_id:
            return
        self.busy, self.error = True, ""
        yield
        customer = await self.get_state(CustomerSessionState)
        try:
            with session_scope() as db:
                actor = customer._actor(db)
            result = await cancel_subscription(
                gateway=get_gateway(),
                actor=actor,
                subscription_id=self.subscription_id,
                reason=form_data.get("reason", self.reason) if isinstance(form_data, dict) else "",
                comment=form_data.get("comment", "") if isinstance(form_data, dict) else "",
                nonce=self._nonce,
            )
        except CUSTOMER_ERRORS as exc:
            self.error = user_message(exc, locale)
        else:
            self.confirmation = (
                gettext("Your subscription has been canceled.", locale=locale)
                if result.get("status") == "canceled"
                else gettext(
                    "Your subscription will be canceled at the end of the billing period.",
                    locale=locale,
                )
            )
            yield embed_event("portal.subscription.canceled", subscription=self.subscription_id)
            self.subscription_id = ""
            yield FlowState.complete("subscription_cancel")
        finally:
            self.busy = False
        yield PortalState.load

    @rx.event
    async def renew(self, subscription_id: str):
        """Keep a subscription that was set to cancel at period end."""
        locale = await locale_of(self)
        self.error = self.confirmation = ""
        customer = await self.get_state(CustomerSessionState)
        try:
            with session_scope() as db:
                actor = customer._actor(db)
            await renew_subscription(
                gateway=get_gateway(),
                actor=actor,
                subscription_id=subscription_id,
                nonce=secrets.token_hex(8),
            )
        except CUSTOMER_ERRORS as exc:
            self.error = user_message(exc, locale)
            return None
        self.confirmation = gettext("Your subscription will continue.", locale=locale)
        return [
            PortalState.load,
            embed_event("portal.subscription.updated", subscription=str(subscription_id)),
        ]
