"""Updating a subscription: choose a plan and quantity → review the preview → confirm."""

import dataclasses
from typing import Any

import reflex as rx

from portal_app.i18n.catalog import gettext
from portal_app.i18n.format import day_from_unix, money, price_phrase
from portal_app.services.customer_actions import cancel_scheduled_change
from portal_app.services.plan_change import (
    Review,
    ReviewLine,
    apply_change,
    card_text,
    check_change,
    plan_options,
    promotion_code_text,
    review_change,
    review_hooks,
    review_items,
    review_lines,
)
from portal_app.state.customer_action import CustomerAction
from portal_app.state.flow import register_opener
from portal_app.state.i18n import locale_of
from portal_app.state.portal import PortalState


@dataclasses.dataclass
class ChoiceRow:
    price_id: str = ""
    name: str = ""
    price_line: str = ""
    description: str = ""
    is_current: bool = False


@dataclasses.dataclass
class ReviewItemRow:
    label: str = ""
    amount_text: str = ""
    amount: int = 0


@dataclasses.dataclass
class PlanSide:
    """One side of the change (from or to): product, price per interval, quantity."""

    product: str = ""
    price_line: str = ""
    quantity: int = 0


def _stored(review: Review) -> dict[str, Any]:
    return dataclasses.asdict(review)


def _restored(data: dict[str, Any]) -> Review | None:
    if not data:
        return None
    return Review(**{**data, "lines": [ReviewLine(**line) for line in data["lines"]]})


def _checked(subscription_id: str, price_id: str, quantity: str | int, code: str) -> Any:
    """The `_act` step that checks a change (the same check before review and confirm)."""
    return lambda db, actor: check_change(
        session=db,
        actor=actor,
        subscription_id=subscription_id,
        price_id=price_id,
        quantity=quantity,
        promotion_code=code,
    )


def _field(form_data: Any, key: str) -> str:
    value = form_data.get(key, "") if isinstance(form_data, dict) else ""
    return str(value)[:100] if isinstance(value, str | int) else ""


class PlanChangeState(CustomerAction, rx.State):
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
    review_from: PlanSide = PlanSide()
    review_to: PlanSide = PlanSide()
    review_items: list[ReviewItemRow] = []
    review_currency: str = ""
    due_today_amount: int = 0
    due_today_text: str = ""
    next_invoice_amount: int = 0
    next_invoice_text: str = ""
    next_invoice_date: str = ""
    next_invoice_day: str = ""
    review_card: str = ""
    terms_url: str = ""
    promotion_error: str = ""
    # What the previews used (proration date, promotion code): the write sends the same.
    _reviewed: dict[str, Any] = {}

    _field_vars: dict[str, str] = {"promotion_code": "promotion_error"}

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
        acted = await self._act(
            lambda db, _actor: promotion_code_text(
                session=db, promotion_code_id=str(promotion_code_id)
            )
        )
        if acted is None:
            return
        code = acted.prepared
        await self._review(
            str(price_id or self.selected_price), str(quantity or self.quantity), code
        )

    async def _open(self, subscription_id: str) -> None:
        locale = await locale_of(self)
        self.error = self.promotion_error = self.notice = ""
        acted = await self._act(
            lambda db, actor: plan_options(session=db, actor=actor, subscription_id=subscription_id)
        )
        if acted is None:
            return
        actor, options = acted.actor, acted.prepared
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
        self.terms_url = actor.terms_of_service_url
        self.step = "choose"
        self._new_nonce()

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
        self._reviewed = {}
        subscription_id = self.subscription_id
        acted = await self._act(
            _checked(subscription_id, price_id, quantity, code),
            lambda actor, gateway, request: review_change(
                gateway=gateway, actor=actor, request=request
            ),
        )
        if acted is None:
            return
        request, review = acted.prepared, acted.result
        self.selected_price, self.quantity, self.promotion_code = price_id, request.quantity, code
        self._reviewed = _stored(review)
        old = next((c for c in self.choices if c.price_id == request.current_price.id), None)
        new = next((c for c in self.choices if c.price_id == price_id), None)
        self.review_from = PlanSide(
            product=old.name if old else "",
            price_line=old.price_line if old else "",
            quantity=request.current_quantity,
        )
        self.review_to = PlanSide(
            product=new.name if new else "",
            price_line=new.price_line if new else "",
            quantity=request.quantity,
        )
        new_name = self.review_to.product or gettext("the new plan", locale=locale)
        self.review_items = [
            ReviewItemRow(label=item.label, amount_text=item.amount_text, amount=item.amount)
            for item in review_items(
                review,
                old_plan=f"{request.current_quantity} \u00d7 {self.review_from.product}",
                new_plan=f"{request.quantity} \u00d7 {new_name}",
                locale=locale,
            )
        ]
        hooks = review_hooks(review)
        self.review_currency = hooks.currency
        self.due_today_amount = hooks.due_today_amount
        self.due_today_text = money(review.due_today, review.currency, locale)
        self.next_invoice_amount = hooks.next_invoice_amount
        self.next_invoice_text = money(review.next_invoice_amount, review.currency, locale)
        self.next_invoice_date = hooks.next_invoice_date
        self.next_invoice_day = day_from_unix(review.next_invoice_at, locale)
        self.review_card = card_text(review, locale)
        self.review_lines = review_lines(review, new_name, locale)
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
        review = _restored(self._reviewed)
        if self.busy or self.step != "review" or review is None:
            return
        self.busy, self.error = True, ""
        yield
        subscription_id, nonce = self.subscription_id, self._nonce
        price_id, quantity, code = self.selected_price, self.quantity, self.promotion_code
        try:
            acted = await self._act(
                _checked(subscription_id, price_id, quantity, code),
                lambda actor, gateway, request: apply_change(
                    gateway=gateway, actor=actor, request=request, review=review, nonce=nonce
                ),
            )
        finally:
            self.busy = False
        if acted is None:
            yield PortalState.load
            return
        self.notice = (
            gettext("Your plan change is scheduled.", locale=locale)
            if acted.prepared.scheduled
            else gettext("Your plan has been updated.", locale=locale)
        )
        self.subscription_id = self.step = ""
        self._reviewed = {}
        yield self._done(
            "subscription_update", "portal.subscription.updated", subscription=subscription_id
        )

    @rx.event
    async def cancel_scheduled(self, subscription_id: str):
        """Drop a plan change booked for the period end."""
        if await self._one_click(cancel_scheduled_change, subscription_id) is None:
            return None
        locale = await locale_of(self)
        self.notice = gettext("The scheduled change was canceled.", locale=locale)
        return self._done(embed="portal.subscription.updated", subscription=str(subscription_id))


register_opener("subscription_update", lambda start: PlanChangeState.open(start.subscription_id))
register_opener(
    "subscription_update_confirm",
    lambda start: PlanChangeState.open_confirm(
        start.subscription_id, start.price_id, start.quantity, start.promotion_code_id
    ),
)
