"""Switching plan or quantity: the choices the configuration offers, the preview, the change.

A change that lowers the amount per period (or shortens the interval) waits for the period end
when the configuration says so; everything else applies now with the configured proration.
"""

import time
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from portal_app.billing.gateway import Gateway
from portal_app.billing.sync import account_now, record
from portal_app.db import session_scope
from portal_app.i18n.catalog import gettext
from portal_app.i18n.format import day_from_unix, money
from portal_app.i18n.text import Text
from portal_app.models.mirror_billing import MirrorSubscription, MirrorSubscriptionItem
from portal_app.models.mirror_catalog import MirrorPrice, MirrorProduct, MirrorPromotionCode
from portal_app.services.customer_actions import (
    ActionRefused,
    Actor,
    audit,
    confirm_by_email,
    own_subscription,
)
from portal_app.services.email_templates import SUBSCRIPTION_UPDATED, subscription_updated
from portal_app.services.subscription_rules import update_blockers

INTERVAL_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}
MAX_QUANTITY = 10_000


@dataclass(frozen=True)
class PlanChoice:
    """A price the customer may switch to."""

    price_id: str
    product_name: str
    unit_amount: int
    currency: str
    interval: str
    interval_count: int
    unit_label: str
    description: str
    is_current: bool


@dataclass(frozen=True)
class ChangeRequest:
    """A checked change: the subscription's item, the new price and quantity, and the code."""

    subscription_id: str
    customer: str
    item_id: str
    current_price: MirrorPrice
    new_price: MirrorPrice
    current_quantity: int
    quantity: int
    promotion_code_id: str | None
    scheduled: bool
    period_end: int | None


def _updatable(session: Session, actor: Actor, subscription_id: object) -> MirrorSubscription:
    settings = actor.features.subscription_update
    if not settings.enabled:
        raise ActionRefused(Text("Changing plans is not available here."))
    sub = own_subscription(session=session, actor=actor, subscription_id=subscription_id)
    reason = update_blockers(session=session, subscription_ids=[sub.id]).get(sub.id)
    if reason:
        raise ActionRefused(reason)
    if sub.cancel_at_period_end:
        raise ActionRefused(Text("Renew this subscription before changing its plan."))
    return sub


def _item(session: Session, sub: MirrorSubscription) -> MirrorSubscriptionItem:
    item = session.exec(
        select(MirrorSubscriptionItem).where(MirrorSubscriptionItem.subscription == sub.id)
    ).first()
    if item is None:
        raise ActionRefused(Text("This subscription has no plan to change."))
    return item


@dataclass(frozen=True)
class PlanOptions:
    """What the plan step offers: the prices, and the quantity the subscription has now."""

    choices: list[PlanChoice]
    quantity: int


def plan_options(*, session: Session, actor: Actor, subscription_id: object) -> PlanOptions:
    """The configuration's prices in the subscription's currency, current one marked."""
    sub = _updatable(session, actor, subscription_id)
    item = _item(session, sub)
    current = session.get(MirrorPrice, item.price)
    allowed = [p for entry in actor.features.subscription_update.products for p in entry.prices]
    if item.price not in allowed:
        allowed.append(item.price)
    prices = session.exec(select(MirrorPrice).where(col(MirrorPrice.id).in_(allowed))).all()
    products = {
        p.id: p
        for p in session.exec(
            select(MirrorProduct).where(col(MirrorProduct.id).in_({p.product for p in prices}))
        ).all()
    }
    currency = current.currency if current else sub.currency
    choices = [
        PlanChoice(
            price_id=price.id,
            product_name=products[price.product].name if price.product in products else "",
            unit_amount=price.unit_amount or 0,
            currency=price.currency,
            interval=price.recurring_interval or "month",
            interval_count=price.recurring_interval_count or 1,
            unit_label=(products[price.product].unit_label or "")
            if price.product in products
            else "",
            description=(products[price.product].description or "")
            if price.product in products
            else "",
            is_current=price.id == item.price,
        )
        for price in prices
        if (price.active or price.id == item.price)
        and price.currency == currency
        and price.unit_amount is not None
        and price.recurring_interval
        and (
            price.product not in products
            or products[price.product].active
            or price.id == item.price
        )
    ]
    ordered = sorted(
        choices, key=lambda c: (per_day(c.unit_amount, c.interval, c.interval_count), c.price_id)
    )
    return PlanOptions(choices=ordered, quantity=item.quantity)


def per_day(amount: int, interval: str | None, count: int | None) -> float:
    """An amount per day, to compare prices across intervals (for ordering only, not money)."""
    days = INTERVAL_DAYS.get(interval or "month", 30) * (count or 1)
    return amount / days


def is_downgrade(
    *, actor: Actor, old: MirrorPrice, new: MirrorPrice, old_quantity: int, new_quantity: int
) -> bool:
    """True when the configuration schedules this change for the period end."""
    conditions = {
        c.type for c in actor.features.subscription_update.schedule_at_period_end.conditions
    }
    old_days = INTERVAL_DAYS.get(old.recurring_interval or "month", 30) * (
        old.recurring_interval_count or 1
    )
    new_days = INTERVAL_DAYS.get(new.recurring_interval or "month", 30) * (
        new.recurring_interval_count or 1
    )
    if "shortening_interval" in conditions and new_days < old_days:
        return True
    if "decreasing_item_amount" in conditions:
        # Compare what one period costs, scaled to the same length of time.
        old_amount = (old.unit_amount or 0) * old_quantity * new_days
        new_amount = (new.unit_amount or 0) * new_quantity * old_days
        return new_amount < old_amount
    return False


def check_change(
    *,
    session: Session,
    actor: Actor,
    subscription_id: object,
    price_id: object,
    quantity: object,
    promotion_code: object = "",
) -> ChangeRequest:
    """Validate a requested change against the subscription, configuration and catalogue."""
    sub = _updatable(session, actor, subscription_id)
    item = _item(session, sub)
    options = plan_options(session=session, actor=actor, subscription_id=sub.id)
    choices = {c.price_id: c for c in options.choices}
    if not isinstance(price_id, str) or price_id not in choices:
        raise ActionRefused(Text("Choose one of the plans listed."))
    settings = actor.features.subscription_update
    try:
        qty = int(quantity) if isinstance(quantity, int | str) else -1
    except ValueError:
        qty = -1
    limits = settings.quantity
    maximum = min(limits.maximum or MAX_QUANTITY, MAX_QUANTITY)
    if "quantity" not in settings.default_allowed_updates and qty != item.quantity:
        raise ActionRefused(Text("The quantity cannot be changed here."))
    if not limits.minimum <= qty <= maximum:
        raise ActionRefused(
            Text(
                "Choose a quantity from {minimum} to {maximum}.",
                minimum=limits.minimum,
                maximum=maximum,
            )
        )
    if "price" not in settings.default_allowed_updates and price_id != item.price:
        raise ActionRefused(Text("The plan cannot be changed here, only the quantity."))
    if price_id == item.price and qty == item.quantity and not promotion_code:
        raise ActionRefused(Text("That is already your plan. Choose a different plan or quantity."))
    promo_id = _promotion_code(session, actor, promotion_code)
    current = session.get(MirrorPrice, item.price)
    new = session.get(MirrorPrice, price_id)
    if current is None or new is None:
        raise ActionRefused(Text("That plan is not available right now."))
    scheduled = is_downgrade(
        actor=actor, old=current, new=new, old_quantity=item.quantity, new_quantity=qty
    )
    period_end = item.current_period_end or sub.current_period_end
    return ChangeRequest(
        subscription_id=sub.id,
        customer=sub.customer,
        item_id=item.id,
        current_price=current,
        new_price=new,
        current_quantity=item.quantity,
        quantity=qty,
        promotion_code_id=promo_id,
        scheduled=scheduled,
        period_end=int(period_end.timestamp()) if period_end else None,
    )


def _promotion_code(session: Session, actor: Actor, code: object) -> str | None:
    text = code.strip() if isinstance(code, str) else ""
    if not text:
        return None
    if "promotion_code" not in actor.features.subscription_update.default_allowed_updates:
        raise ActionRefused(Text("Promotion codes cannot be used here."))
    if len(text) > 64:
        raise ActionRefused(Text("That promotion code is not valid."))
    row = session.exec(select(MirrorPromotionCode).where(MirrorPromotionCode.code == text)).first()
    if row is None or not row.active or row.deleted:
        raise ActionRefused(Text("The promotion code {code} is not valid.", code=text))
    return row.id


def promotion_code_text(*, session: Session, promotion_code_id: str) -> str:
    """The code a customer would type for a promotion code id (from a merchant's link)."""
    row = session.get(MirrorPromotionCode, promotion_code_id) if promotion_code_id else None
    return row.code if row is not None and row.active and not row.deleted else ""


@dataclass(frozen=True)
class Preview:
    """What the customer is told before they confirm."""

    scheduled: bool
    effective_at: int | None
    amount_due_now: int
    proration_total: int
    next_invoice_total: int
    next_invoice_at: int | None
    currency: str
    proration_date: int


def _proration_lines_total(invoice: dict[str, Any]) -> int:
    lines = (invoice.get("lines") or {}).get("data") or []
    total = 0
    for line in lines:
        parent = line.get("parent") or {}
        details = (
            parent.get("subscription_item_details") or parent.get("invoice_item_details") or {}
        )
        if line.get("proration") or details.get("proration"):
            total += int(line.get("amount") or 0)
    return total


async def preview_change(*, gateway: Gateway, actor: Actor, request: ChangeRequest) -> Preview:
    """Ask Stripe what the change would cost now and on the next invoice."""
    with session_scope() as db:
        # The customer's clock: a Stripe test clock may stand anywhere in time.
        proration_date = account_now(db, customer_id=request.customer)
    currency = request.new_price.currency
    if request.scheduled:
        return Preview(
            scheduled=True,
            effective_at=request.period_end,
            amount_due_now=0,
            proration_total=0,
            next_invoice_total=(request.new_price.unit_amount or 0) * request.quantity,
            next_invoice_at=request.period_end,
            currency=currency,
            proration_date=proration_date,
        )
    behavior = actor.features.subscription_update.proration_behavior
    invoice = await gateway.preview_subscription_change(
        customer_id=request.customer,
        subscription_id=request.subscription_id,
        item_id=request.item_id,
        price_id=request.new_price.id,
        quantity=request.quantity,
        proration_behavior=behavior,
        proration_date=proration_date,
    )
    proration = _proration_lines_total(invoice)
    due_now = max(proration, 0) if behavior == "always_invoice" else 0
    return Preview(
        scheduled=False,
        effective_at=None,
        amount_due_now=due_now,
        proration_total=proration,
        next_invoice_total=int(invoice.get("total") or 0)
        - (due_now if behavior == "always_invoice" else 0),
        next_invoice_at=invoice.get("period_end") or request.period_end,
        currency=currency,
        proration_date=proration_date,
    )


def review_lines(preview: Preview, name: str, locale: str) -> list[str]:
    """What the change costs today and what the next invoice will be, in words."""

    def price(amount: int) -> str:
        return money(amount, preview.currency, locale)

    if preview.scheduled:
        today = gettext(
            "Your plan changes to {plan} on {date}. Nothing is charged today.",
            locale=locale,
            plan=name,
            date=day_from_unix(preview.effective_at, locale),
        )
    elif preview.amount_due_now > 0:
        today = gettext(
            "You will be charged {amount} today.",
            locale=locale,
            amount=price(preview.amount_due_now),
        )
    elif preview.proration_total < 0:
        today = gettext(
            "You will be credited {amount} on your next invoice.",
            locale=locale,
            amount=price(-preview.proration_total),
        )
    elif preview.proration_total > 0:
        today = gettext(
            "{amount} for the rest of this period will be added to your next invoice.",
            locale=locale,
            amount=price(preview.proration_total),
        )
    else:
        today = gettext("Nothing is charged today.", locale=locale)
    following = gettext(
        "Your next invoice on {date} will be {amount}.",
        locale=locale,
        date=day_from_unix(preview.next_invoice_at, locale),
        amount=price(preview.next_invoice_total),
    )
    return [today, following]


async def apply_change(
    *, gateway: Gateway, actor: Actor, request: ChangeRequest, proration_date: int, nonce: str
) -> dict[str, Any]:
    """Make the change now, or book it for the period end when it is a scheduled downgrade."""
    intent = ":".join(
        (
            actor.session_id,
            request.subscription_id,
            "change",
            request.new_price.id,
            str(request.quantity),
            nonce,
        )
    )
    before = {"price": request.current_price.id, "quantity": request.current_quantity}
    after = {
        "price": request.new_price.id,
        "quantity": request.quantity,
        "scheduled": request.scheduled,
    }
    if request.scheduled:
        result = await gateway.schedule_change_at_period_end(
            subscription_id=request.subscription_id,
            price_id=request.new_price.id,
            quantity=request.quantity,
            interval=request.new_price.recurring_interval or "month",
            interval_count=request.new_price.recurring_interval_count or 1,
            intent=intent,
        )
    else:
        result = await gateway.update_subscription_item(
            subscription_id=request.subscription_id,
            item_id=request.item_id,
            price_id=request.new_price.id,
            quantity=request.quantity,
            proration_behavior=actor.features.subscription_update.proration_behavior,
            proration_date=proration_date,
            promotion_code_id=request.promotion_code_id,
            intent=intent,
        )
    with session_scope() as db:
        record(session=db, obj=result)
        if request.scheduled:
            row = db.get(MirrorSubscription, request.subscription_id)
            if row is not None:
                row.schedule = str(result.get("id"))
                db.add(row)
        audit(db, actor, "subscription.update", request.subscription_id, before, after)
        product = db.get(MirrorProduct, request.new_price.product)
        name = product.name if product else gettext("your new plan", locale=actor.locale)
        plan = f"{name} x {request.quantity}"
        effective = day_from_unix(
            request.period_end if request.scheduled else int(time.time()), actor.locale
        )
        confirm_by_email(
            db,
            actor,
            SUBSCRIPTION_UPDATED,
            lambda brand: subscription_updated(
                brand=brand, plan=plan, effective=effective, locale=actor.locale
            ),
        )
    return result
