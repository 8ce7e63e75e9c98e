"""Cancelling a subscription: retention offer (when configured), reason survey, confirmation."""

from dataclasses import dataclass

import reflex as rx
from sqlmodel import Session

from portal_app.i18n.catalog import N_, gettext
from portal_app.i18n.format import day
from portal_app.services.actors import flow_of
from portal_app.services.customer_actions import (
    Actor,
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
from portal_app.state.customer_action import CustomerAction
from portal_app.state.flow import register_opener
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


@dataclass(frozen=True)
class _Opened:
    subscription_id: str
    terms: CancellationTerms
    coupon: str
    offer: str


class CancelState(CustomerAction, rx.State):
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
    _offer_coupon: str = ""

    @rx.event
    async def open(self, subscription_id: str) -> None:
        """Start cancelling one of the customer's subscriptions."""
        locale = await locale_of(self)
        self.error = self.notice = self.reason = ""

        def terms_and_offer(db: Session, actor: Actor) -> _Opened:
            sub = own_subscription(session=db, actor=actor, subscription_id=subscription_id)
            coupon = retention_coupon(
                actor=actor, flow_coupon=flow_retention_coupon(flow_of(db, actor), sub.id)
            )
            if coupon and retention_refusal(session=db, sub=sub, coupon_id=coupon):
                coupon = None  # one offer per subscription, and none once it cancels
            offer = coupon_offer_text(session=db, coupon_id=coupon, locale=locale) if coupon else ""
            return _Opened(sub.id, cancellation_terms(actor=actor, sub=sub), coupon or "", offer)

        acted = await self._act(terms_and_offer)
        if acted is None:
            return
        opened, survey = (
            acted.prepared,
            acted.actor.features.subscription_cancel.cancellation_reason,
        )
        self.subscription_id = opened.subscription_id
        self._state_terms(opened.terms, locale)
        self._offer_coupon, self.offer = (opened.coupon, opened.offer) if opened.offer else ("", "")
        self.reasons = (
            [
                (r, gettext(REASON_LABELS[r], locale=locale))
                for r in survey.options
                if r in REASON_LABELS
            ]
            if survey.enabled
            else []
        )
        self._new_nonce()

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
        subscription_id, coupon_id, nonce = self.subscription_id, self._offer_coupon, self._nonce
        try:
            acted = await self._act(
                lambda db, actor: flow_retention_coupon(flow_of(db, actor), subscription_id),
                lambda actor, gateway, flow_coupon: accept_retention_offer(
                    gateway=gateway,
                    actor=actor,
                    subscription_id=subscription_id,
                    coupon_id=coupon_id,
                    nonce=nonce,
                    flow_coupon=flow_coupon,
                ),
            )
        finally:
            self.busy = False
        if acted is None:
            return None
        self.notice = gettext("Your discount was applied. Thank you for staying!", locale=locale)
        self.subscription_id, self.offer = "", ""
        return self._done(
            "subscription_cancel", "portal.subscription.updated", subscription=subscription_id
        )

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
        form = form_data if isinstance(form_data, dict) else {}
        reason = form.get("reason", self.reason) if isinstance(form_data, dict) else ""
        subscription_id, nonce = self.subscription_id, self._nonce
        try:
            acted = await self._act(
                call=lambda actor, gateway, _: cancel_subscription(
                    gateway=gateway,
                    actor=actor,
                    subscription_id=subscription_id,
                    reason=reason,
                    comment=form.get("comment", ""),
                    nonce=nonce,
                )
            )
        finally:
            self.busy = False
        if acted is None:
            yield PortalState.load
            return
        self.notice = (
            gettext("Your subscription has been canceled.", locale=locale)
            if acted.result.get("status") == "canceled"
            else gettext(
                "Your subscription will be canceled at the end of the billing period.",
                locale=locale,
            )
        )
        self.subscription_id = ""
        yield self._done(
            "subscription_cancel", "portal.subscription.canceled", subscription=subscription_id
        )

    @rx.event
    async def renew(self, subscription_id: str):
        """Keep a subscription that was set to cancel at period end."""
        if await self._one_click(renew_subscription, subscription_id) is None:
            return None
        self.notice = gettext("Your subscription will continue.", locale=await locale_of(self))
        return self._done(embed="portal.subscription.updated", subscription=str(subscription_id))


register_opener("subscription_cancel", lambda start: CancelState.open(start.subscription_id))
