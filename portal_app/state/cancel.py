"""Cancelling a subscription: retention offer (when configured), reason survey, confirmation."""

import secrets

import reflex as rx

from portal_app.auth.portal_sessions import SessionError
from portal_app.billing.errors import BillingError
from portal_app.billing.gateway import get_gateway
from portal_app.db import session_scope
from portal_app.services.customer_actions import (
    ActionRefused,
    accept_retention_offer,
    cancel_subscription,
    own_subscription,
    renew_subscription,
    retention_coupon,
)
from portal_app.services.flows import coupon_offer_text, flow_retention_coupon
from portal_app.state.customer_session import CustomerSessionState
from portal_app.state.flow import FlowState
from portal_app.state.portal import PortalState

REASON_LABELS = {
    "too_expensive": "It's too expensive",
    "missing_features": "Some features are missing",
    "switched_service": "I'm switching to a different service",
    "unused": "I don't use the service enough",
    "customer_service": "Customer service was less than expected",
    "too_complex": "Ease of use was less than expected",
    "low_quality": "Quality was less than expected",
    "other": "Other reason",
}


class CancelState(rx.State):
    """One cancellation at a time; the subscription id is re-checked on every step."""

    subscription_id: str = ""
    offer: str = ""
    reasons: list[tuple[str, str]] = []
    reason: str = ""
    error: str = ""
    confirmation: str = ""
    busy: bool = False
    _nonce: str = ""
    _offer_coupon: str = ""

    @rx.event
    async def open(self, subscription_id: str) -> None:
        """Start cancelling one of the customer's subscriptions."""
        self.error = self.confirmation = self.reason = ""
        customer = await self.get_state(CustomerSessionState)
        try:
            with session_scope() as db:
                actor = customer._actor(db)
                sub = own_subscription(session=db, actor=actor, subscription_id=subscription_id)
                survey = actor.features.subscription_cancel.cancellation_reason
                coupon = retention_coupon(
                    actor=actor, flow_coupon=flow_retention_coupon(customer._flow(db), sub.id)
                )
                offer = coupon_offer_text(session=db, coupon_id=coupon) if coupon else ""
        except (SessionError, ActionRefused) as exc:
            self.error = str(exc)
            return
        self.subscription_id = sub.id
        self._offer_coupon, self.offer = (coupon or "", offer) if offer else ("", "")
        self.reasons = (
            [(r, REASON_LABELS[r]) for r in survey.options if r in REASON_LABELS]
            if survey.enabled
            else []
        )
        self._nonce = secrets.token_hex(8)

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
        if self.busy or not self._offer_coupon or not self.subscription_id:
            return None
        self.busy, self.error = True, ""
        customer = await self.get_state(CustomerSessionState)
        try:
            with session_scope() as db:
                actor = customer._actor(db)
            await accept_retention_offer(
                gateway=get_gateway(),
                actor=actor,
                subscription_id=self.subscription_id,
                coupon_id=self._offer_coupon,
                nonce=self._nonce,
            )
        except (SessionError, ActionRefused) as exc:
            self.error = str(exc)
            return None
        except BillingError as exc:
            self.error = exc.user_message
            return None
        finally:
            self.busy = False
        self.confirmation = "Your discount was applied. Thank you for staying!"
        self.subscription_id = self.offer = ""
        return [PortalState.load, FlowState.complete("subscription_cancel")]

    @rx.event
    def choose_reason(self, reason: str) -> None:
        """Remember the chosen reason (checked again on confirm)."""
        self.reason = reason if isinstance(reason, str) and reason in REASON_LABELS else ""

    @rx.event
    async def confirm(self, form_data: dict):
        """Cancel; a double click reuses the same intent, so Stripe makes one change."""
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
        except (SessionError, ActionRefused) as exc:
            self.error = str(exc)
        except BillingError as exc:
            self.error = exc.user_message
        else:
            self.confirmation = (
                "Your subscription has been canceled."
                if result.get("status") == "canceled"
                else "Your subscription will be canceled at the end of the billing period."
            )
            self.subscription_id = ""
            yield FlowState.complete("subscription_cancel")
        finally:
            self.busy = False
        yield PortalState.load

    @rx.event
    async def renew(self, subscription_id: str):
        """Keep a subscription that was set to cancel at period end."""
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
        except (SessionError, ActionRefused) as exc:
            self.error = str(exc)
            return None
        except BillingError as exc:
            self.error = exc.user_message
            return None
        self.confirmation = "Your subscription will continue."
        return PortalState.load
