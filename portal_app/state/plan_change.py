"""Updating a subscription: choose a plan and quantity → review the preview → confirm."""

import dataclasses
import secrets
from typing import Any

import reflex as rx

from portal_app.auth.portal_sessions import SessionError
from portal_app.billing.errors import BillingError
from portal_app.billing.gateway import get_gateway
from portal_app.db import session_scope
from portal_app.i18n.catalog import gettext
from portal_app.i18n.format import price_phrase
from portal_app.i18n.text import user_message
from portal_app.models.configuration import PortalConfiguration
from portal_app.services.customer_actions import ActionRefused, Actor, cancel_scheduled_change
from portal_app.services.plan_change import (
    apply_change,
    check_change,
    plan_options,
    preview_change,
    promotion_code_text,
    review_lines,
)
from portal_app.state.customer_session import CUSTOMER_ERRORS, CustomerSessionState, locale_of
from portal_app.state.embed import embed_event
from portal_app.state.flow import FlowState
from portal_app.state.portal import PortalState


@dataclasses.dataclass
class ChoiceRow:
    price_id: str = ""
    name: str = ""
    price_line: str = ""
    description: str = ""
    is_current: bool = False


def _field(form_data: Any, key: str) -> str:
    value = form_data.get(key, "") if isinstance(form_data, dict) else ""
    return str(value)[:100] if isinstance(value, str | int) else ""


class PlanChangeState(rx.State):
    """One subscription update at a time; everything is re-checked on confirm."""

    subscription_id: str = ""
    step: str = ""  # choose, review
    choices: list[ChoiceRow] = []
    selected_price: str = ""
    quantity: int = 1
    quantity_min: int = 1
    quantity_max: int = 1
    quantity_enabled: bool = False
    promotion_enabled: bool = False
    promotion_code: str = ""
    review_lines: list[str] = []
    terms_url: str = ""
    error: str = ""
    promotion_error: str = ""
    confirmation: str = ""
    busy: bool = False
    _proration_date: int = 0
    _nonce: str = ""

    async def _actor(self) -> tuple[Actor, PortalConfiguration]:
        customer = await self.get_state(CustomerSessionState)
        with session_scope() as db:
            portal_session = customer._portal_session(db)
            config = customer._configuration(db, portal_session)
            return customer._actor(db), config

    @rx.event
    async def open(self, subscription_id: str) -> None:
        """List the plans this subscription may switch to."""
        await self._open(subscription_id)

    @rx.event
    async def open_confirm(
        self, subscription_id: str, price_id: str, quantity: int, promotion_code_id: str
    ) -> None:
        """Open straight on the review of a change the merchant's link proposes."""
        await self._open(subscription_id)
        if self.step != "choose":
            return
        with session_scope() as db:
            code = promotion_code_text(session=db, promotion_code_id=str(promotion_code_id))
        await self._review(
            str(price_id or self.selected_price), str(quantity or self.quantity), code
        )

    async def _open(self, subscription_id: str) -> None:
        locale = await locale_of(self)
        self.error = self.promotion_error = self.confirmation = ""
        try:
            actor, config = await self._actor()
            with session_scope() as db:
                options = plan_options(session=db, actor=actor, subscription_id=subscription_id)
        except (SessionError, ActionRefused) as exc:
            self.error = user_message(exc, locale)
            return
        settings = actor.features.subscription_update
        self.subscription_id = subscription_id
        self.choices = [
            ChoiceRow(
                price_id=c.price_id,
                name=c.product_name,
                price_line=price_phrase(
                    c.unit_amount, c.currency, c.interval, c.interval_count, c.unit_label, locale
                ),
                description=c.description,
                is_current=c.is_current,
            )
            for c in options.choices
        ]
        self.selected_price = next((c.price_id for c in options.choices if c.is_current), "")
        self.quantity = options.quantity
        self.quantity_enabled = "quantity" in settings.default_allowed_updates
        self.quantity_min = settings.quantity.minimum
        self.quantity_max = settings.quantity.maximum or 10_000
        self.promotion_enabled = "promotion_code" in settings.default_allowed_updates
        self.promotion_code = ""
        self.terms_url = config.terms_of_service_url
        self.step = "choose"
        self._nonce = secrets.token_hex(8)

    @rx.event
    def close(self) -> None:
        """Leave without changing anything."""
        self.subscription_id = self.step = self.error = self.promotion_error = ""

    @rx.event
    def select_price(self, price_id: str) -> None:
        """Remember the chosen price (checked again on review and confirm)."""
        if any(c.price_id == price_id for c in self.choices):
            self.selected_price = price_id

    @rx.event
    async def review(self, form_data: dict) -> None:
        """Check the choice and show what it will cost before the customer commits."""
        await self._review(
            _field(form_data, "price") or self.selected_price,
            _field(form_data, "quantity") or str(self.quantity),
            _field(form_data, "promotion_code"),
        )

    async def _review(self, price_id: str, quantity: str, code: str) -> None:
        locale = await locale_of(self)
        self.error = self.promotion_error = ""
        try:
            actor, _ = await self._actor()
            with session_scope() as db:
                request = check_change(
                    session=db,
                    actor=actor,
                    subscription_id=self.subscription_id,
                    price_id=price_id,
                    quantity=quantity,
                    promotion_code=code,
                )
            preview = await preview_change(gateway=get_gateway(), actor=actor, request=request)
        except ActionRefused as exc:
            if "promotion code" in str(exc):
                self.promotion_error = user_message(exc, locale)
            else:
                self.error = user_message(exc, locale)
            return
        except (SessionError, BillingError) as exc:
            self.error = user_message(exc, locale)
            return
        self.selected_price, self.quantity, self.promotion_code = price_id, request.quantity, code
        self._proration_date = preview.proration_date
        name = next((c.name for c in self.choices if c.price_id == price_id), "")
        self.review_lines = review_lines(
            preview, name or gettext("the new plan", locale=locale), locale
        )
        self.step = "review"

    @rx.event
    def back(self) -> None:
        """Return to the plan choice."""
        self.step = "choose"
        self.error = ""

    @rx.event
    async def confirm(self):
        """Make the change (re-checked); a double click reuses the same intent."""
        locale = await locale_of(self)
        if self.busy or self.step != "review":
            return
        self.busy, self.error = True, ""
        yield
        try:
            actor, _ = await self._actor()
            with session_scope() as db:
                request = check_change(
                    session=db,
                    actor=actor,
                    subscription_id=self.subscription_id,
                    price_id=self.selected_price,
                    quantity=self.quantity,
                    promotion_code=self.promotion_code,
                )
            await apply_change(
                gateway=get_gateway(),
                actor=actor,
                request=request,
                proration_date=self._proration_date,
                nonce=self._nonce,
            )
        except CUSTOMER_ERRORS as exc:
            self.error = user_message(exc, locale)
        else:
            self.confirmation = (
                gettext("Your plan change is scheduled.", locale=locale)
                if request.scheduled
                else gettext("Your plan has been updated.", locale=locale)
            )
            yield embed_event("portal.subscription.updated", subscription=self.subscription_id)
            self.subscription_id = self.step = ""
            yield FlowState.complete("subscription_update")
        finally:
            self.busy = False
        yield PortalState.load

    @rx.event
    async def cancel_scheduled(self, subscription_id: str):
        """Drop a plan change booked for the period end."""
        locale = await locale_of(self)
        self.error = self.confirmation = ""
        try:
            actor, _ = await self._actor()
            await cancel_scheduled_change(
                gateway=get_gateway(),
                actor=actor,
                subscription_id=subscription_id,
                nonce=secrets.token_hex(8),
            )
        except CUSTOMER_ERRORS as exc:
            self.error = user_message(exc, locale)
            return None
        self.confirmation = gettext("The scheduled change was canceled.", locale=locale)
        return [
            PortalState.load,
            embed_event("portal.subscription.updated", subscription=str(subscription_id)),
        ]
