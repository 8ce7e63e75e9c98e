"""Switching plan or quantity: the choices the configuration offers, the preview, the change.

A change that lowers the amount per period (or shortens the interval) waits for the period end
when the configuration says so; everything else applies now with the configured proration.
"""

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, select

from portal_app.billing.gateway import Gateway, ProrationBehavior
from portal_app.billing.sync import account_now, record
from portal_app.billing.views import prices_with_products
from portal_app.i18n.catalog import gettext
from portal_app.i18n.format import day_from_unix, money
from portal_app.i18n.text import Text
from portal_app.models.mirror_billing import MirrorSubscription
from portal_app.models.mirror_catalog import MirrorPrice, MirrorProduct, MirrorPromotionCode
from portal_app.models.mirror_customer import MirrorCustomer, MirrorPaymentMethod
from portal_app.services.customer_actions import (
    ActionRefused,
    Actor,
    audit,
    confirm_by_email,
    owned,
    release_spent_schedule,
    subscription_ref,
)
from portal_app.services.email_templates import SUBSCRIPTION_UPDATED, subscription_updated
from portal_app.services.invoices import record_latest_invoice
from portal_app.services.off_loop import in_session
from portal_app.services.subscription_rules import (
    ItemFacts,
    SubscriptionFacts,
    blockers_of,
    subscription_facts,
)

INTERVAL_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}
MAX_QUANTITY = 10_000


class PromotionCodeRefused(ActionRefused):
    """The promotion code cannot be used (shown next to the code's field)."""

    def __init__(self, message: object, *, code: str = "promotion_code_invalid"):
        super().__init__(message, code=code, field="promotion_code")


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
    trialing: bool = False
    # The configuration's `trial_update_behavior=end_trial` on a trialing subscription.
    ends_trial: bool = False
    # The configuration's `billing_cycle_anchor=now`: the change restarts the billing cycle.
    resets_cycle: bool = False


def _updatable(session: Session, actor: Actor, subscription_id: object) -> SubscriptionFacts:
    settings = actor.features.subscription_update
    if not settings.enabled:
        raise ActionRefused(Text("Changing plans is not available here."), code="feature_disabled")
    sub_id = subscription_ref(subscription_id)
    sub = owned(actor, subscription_facts(session=session, subscription_ids=[sub_id]).get(sub_id))
    reason = blockers_of(session=session, subscriptions=[sub]).get(sub.id)
    if reason:
        raise ActionRefused(reason, code="update_blocked")
    if sub.cancel_at_period_end:
        raise ActionRefused(
            Text("Renew this subscription before changing its plan."), code="already_canceling"
        )
    return sub


def _item(sub: SubscriptionFacts) -> ItemFacts:
    if not sub.items:
        raise ActionRefused(
            Text("This subscription has no plan to change."), code="resource_missing"
        )
    return sub.items[0]


@dataclass(frozen=True)
class PlanOptions:
    """What the plan step offers: the prices, and the quantity the subscription has now."""

    choices: list[PlanChoice]
    quantity: int


def plan_options(*, session: Session, actor: Actor, subscription_id: object) -> PlanOptions:
    """The configuration's prices in the subscription's currency, current one marked."""
    return _options(session, actor, _updatable(session, actor, subscription_id))


def _options(session: Session, actor: Actor, sub: SubscriptionFacts) -> PlanOptions:
    item = _item(sub)
    allowed = [p for entry in actor.features.subscription_update.products for p in entry.prices]
    if item.price not in allowed:
        allowed.append(item.price)
    currency = item.price_currency or sub.currency
    choices = [
        PlanChoice(
            price_id=row.id,
            product_name=row.name or "",
            unit_amount=row.unit_amount,
            currency=row.currency,
            interval=row.recurring_interval,
            interval_count=row.recurring_interval_count or 1,
            unit_label=row.unit_label or "",
            description=row.description or "",
            is_current=row.id == item.price,
        )
        for row in prices_with_products(session=session, price_ids=allowed)
        if (row.active or row.id == item.price)
        and row.currency == currency
        and row.unit_amount is not None
        and row.recurring_interval
        and (row.product_id is None or row.product_active or row.id == item.price)
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
    item = _item(sub)
    choices = {c.price_id: c for c in _options(session, actor, sub).choices}
    if not isinstance(price_id, str) or price_id not in choices:
        raise ActionRefused(
            Text("Choose one of the plans listed."), code="invalid_choice", field="price"
        )
    settings = actor.features.subscription_update
    try:
        qty = int(quantity) if isinstance(quantity, int | str) else -1
    except ValueError:
        qty = -1
    # The chosen product's `adjustable_quantity` (Stripe's), else the portal-wide limits.
    chosen = session.get(MirrorPrice, price_id)
    minimum, most = settings.quantity_limits(chosen.product if chosen else "")
    maximum = min(most or MAX_QUANTITY, MAX_QUANTITY)
    if "quantity" not in settings.default_allowed_updates and qty != item.quantity:
        raise ActionRefused(
            Text("The quantity cannot be changed here."), code="feature_disabled", field="quantity"
        )
    if not minimum <= qty <= maximum:
        raise ActionRefused(
            Text(
                "Choose a quantity from {minimum} to {maximum}.",
                minimum=minimum,
                maximum=maximum,
            ),
            code="quantity_out_of_range",
            field="quantity",
        )
    if "price" not in settings.default_allowed_updates and price_id != item.price:
        raise ActionRefused(
            Text("The plan cannot be changed here, only the quantity."),
            code="feature_disabled",
            field="price",
        )
    if price_id == item.price and qty == item.quantity and not promotion_code:
        raise ActionRefused(
            Text("That is already your plan. Choose a different plan or quantity."),
            code="no_change",
        )
    promo_id = _promotion_code(session, actor, promotion_code)
    current = session.get(MirrorPrice, item.price)
    new = session.get(MirrorPrice, price_id)
    if current is None or new is None:
        raise ActionRefused(
            Text("That plan is not available right now."), code="resource_missing", field="price"
        )
    scheduled = is_downgrade(
        actor=actor, old=current, new=new, old_quantity=item.quantity, new_quantity=qty
    )
    if scheduled and promo_id is not None:
        # A change booked for the period end has no invoice now to take the code.
        raise PromotionCodeRefused(
            Text("Promotion codes apply to changes made now, not to scheduled ones."),
            code="promotion_code_not_scheduled",
        )
    period_end = item.current_period_end or sub.current_period_end
    trialing = sub.status == "trialing"
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
        trialing=trialing,
        ends_trial=trialing and not scheduled and settings.trial_update_behavior == "end_trial",
        resets_cycle=not trialing and not scheduled and settings.billing_cycle_anchor == "now",
    )


def _promotion_code(session: Session, actor: Actor, code: object) -> str | None:
    text = code.strip() if isinstance(code, str) else ""
    if not text:
        return None
    if "promotion_code" not in actor.features.subscription_update.default_allowed_updates:
        raise PromotionCodeRefused(
            Text("Promotion codes cannot be used here."), code="feature_disabled"
        )
    if len(text) > 64:
        raise PromotionCodeRefused(Text("That promotion code is not valid."))
    row = session.exec(select(MirrorPromotionCode).where(MirrorPromotionCode.code == text)).first()
    if row is None or not row.active or row.deleted:
        raise PromotionCodeRefused(Text("The promotion code {code} is not valid.", code=text))
    return row.id


def promotion_code_text(*, session: Session, promotion_code_id: str) -> str:
    """The code a customer would type for a promotion code id (from a merchant's link)."""
    row = session.get(MirrorPromotionCode, promotion_code_id) if promotion_code_id else None
    return row.code if row is not None and row.active and not row.deleted else ""


@dataclass(frozen=True)
class ReviewLine:
    """One line of the review: `credit` (unused time), `charge` (remaining time), `plan` (a
    new period billed in full), `other` (pending items) or `discount`; amount in minor units."""

    kind: str
    amount: int


@dataclass(frozen=True)
class Review:
    """What the customer is told before they confirm, all read from Stripe's previews.

    `proration_date` and `promotion_code_id` are what the previews used: the write must send
    the same, so they stay on the server with the review.
    """

    subscription_id: str
    price_id: str
    quantity: int
    scheduled: bool
    bills_now: bool
    effective_at: int | None
    currency: str
    due_today: int
    lines: list[ReviewLine]
    next_invoice_amount: int
    next_invoice_at: int | None
    proration_date: int
    promotion_code_id: str | None
    card_brand: str
    card_last4: str
    ends_trial: bool = False
    resets_cycle: bool = False
    # Credit an invoice made now leaves on the customer's balance (for the next invoice).
    credit_left: int = 0


def _line_parent(line: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    parent = line.get("parent") or {}
    kind = str(parent.get("type") or "")
    return kind, parent.get(kind) or {}


def _is_proration(line: dict[str, Any]) -> bool:
    return bool(line.get("proration") or _line_parent(line)[1].get("proration"))


def _discounted(line: dict[str, Any], keep: set[str] | None = None) -> int:
    """A line's amount less what its discounts take off (only the `keep` ones, if given)."""
    off = sum(
        int(entry.get("amount") or 0)
        for entry in line.get("discount_amounts") or []
        if keep is None or _discount_id(entry.get("discount")) in keep
    )
    return int(line.get("amount") or 0) - off


def _discount_id(value: Any) -> str:
    return str(value.get("id")) if isinstance(value, dict) else str(value)


def _review_lines(invoice: dict[str, Any], *, prorations_only: bool) -> list[ReviewLine]:
    lines: list[ReviewLine] = []
    for line in (invoice.get("lines") or {}).get("data") or []:
        amount = int(line.get("amount") or 0)
        if _is_proration(line):
            lines.append(ReviewLine("credit" if amount < 0 else "charge", amount))
        elif prorations_only:
            continue
        elif _line_parent(line)[0] == "subscription_item_details":
            lines.append(ReviewLine("plan", amount))
        else:
            lines.append(ReviewLine("other", amount))
    discount = sum(
        int(entry.get("amount") or 0) for entry in invoice.get("total_discount_amounts") or []
    )
    if discount and not prorations_only:
        lines.append(ReviewLine("discount", -discount))
    return lines


def _due_at(invoice: dict[str, Any]) -> int | None:
    """The date of an upcoming invoice: Stripe's `period_end` is the renewal date itself
    (`next_payment_attempt` comes about an hour later, when the draft is finalized)."""
    found = invoice.get("period_end") or invoice.get("next_payment_attempt")
    return int(found) if found else None


async def _lasting_discounts(
    gateway: Gateway, invoice: dict[str, Any], at: int | None, used_up: set[str]
) -> set[str]:
    """The invoice's discounts that will still apply at `at` (not once-only coupons already
    used up, not repeating ones ending before it)."""
    keep: set[str] = set()
    for discount in invoice.get("discounts") or []:
        if not isinstance(discount, dict):
            continue
        coupon_id = _discount_id((discount.get("source") or {}).get("coupon") or "")
        coupon = await gateway.retrieve_coupon(coupon_id=coupon_id) if coupon_id else {}
        duration = coupon.get("duration")
        end = discount.get("end")
        if duration == "once" and coupon_id in used_up:
            continue
        if end is not None and at is not None and int(end) <= at:
            continue
        keep.add(str(discount["id"]))
    return keep


def _coupons_used(invoice: dict[str, Any]) -> set[str]:
    """Coupons an invoice made now uses up (Stripe drops `once` coupons after one invoice)."""
    if int(invoice.get("subtotal") or 0) <= 0:
        return set()
    used = {_discount_id(e.get("discount")) for e in invoice.get("total_discount_amounts") or []}
    return {
        _discount_id((d.get("source") or {}).get("coupon") or "")
        for d in invoice.get("discounts") or []
        if isinstance(d, dict) and str(d.get("id")) in used
    }


def _card(session: Session, sub: MirrorSubscription | None, customer: str) -> tuple[str, str]:
    """Brand and last 4 of the card the subscription's invoices are charged to."""
    row = session.get(MirrorCustomer, customer)
    pm_id = (sub.default_payment_method if sub else None) or (
        row.default_payment_method if row else None
    )
    pm = session.get(MirrorPaymentMethod, pm_id) if pm_id else None
    if pm is None or pm.deleted:
        return "", ""
    return pm.card_brand or "", pm.card_last4 or ""


def _bills_now(request: ChangeRequest, behavior: str, preview: dict[str, Any]) -> bool:
    """Whether Stripe invoices the change at once (so its preview is today's invoice).

    Stripe's rules, decided on the change itself, and the preview's own `billing_reason`
    (anything but `upcoming` is an invoice made now).
    """
    if preview.get("billing_reason") not in (None, "upcoming"):
        return True
    if request.ends_trial or request.resets_cycle:
        return True
    if request.trialing:
        return False
    old, new = request.current_price, request.new_price
    new_interval = (new.recurring_interval, new.recurring_interval_count or 1)
    if (old.recurring_interval, old.recurring_interval_count or 1) != new_interval:
        return True  # a new interval restarts the billing cycle today
    return behavior == "always_invoice"


async def review_change(*, gateway: Gateway, actor: Actor, request: ChangeRequest) -> Review:
    """Ask Stripe what the change costs today and what the next invoice will be.

    One preview cannot answer both when the change bills at once: Stripe then previews the
    invoice made now, so a second preview (or the new period's lines) gives the renewal.
    """

    def facts(db: Session) -> tuple[int, str, str]:
        # The customer's clock: a Stripe test clock may stand anywhere in time.
        now = account_now(db, customer_id=request.customer)
        brand, last4 = _card(
            db, db.get(MirrorSubscription, request.subscription_id), request.customer
        )
        return now, brand, last4

    proration_date, card_brand, card_last4 = await in_session(facts)
    promo = request.promotion_code_id

    async def preview(behavior: ProrationBehavior) -> dict[str, Any]:
        return await gateway.preview_subscription_change(
            customer_id=request.customer,
            subscription_id=request.subscription_id,
            item_id=request.item_id,
            price_id=request.new_price.id,
            quantity=request.quantity,
            proration_behavior=behavior,
            proration_date=proration_date,
            promotion_code_id=promo,
            end_trial=request.ends_trial,
            reset_billing_cycle=request.resets_cycle,
        )

    def review(**values: Any) -> Review:
        return Review(
            subscription_id=request.subscription_id,
            price_id=request.new_price.id,
            quantity=request.quantity,
            scheduled=request.scheduled,
            currency=request.new_price.currency,
            proration_date=proration_date,
            promotion_code_id=promo,
            card_brand=card_brand,
            card_last4=card_last4,
            ends_trial=request.ends_trial,
            resets_cycle=request.resets_cycle,
            **values,
        )

    if request.scheduled:
        # What the renewal bills once the new phase starts: the new items, nothing prorated.
        renewal = await preview("none")
        bills_now = renewal.get("billing_reason") != "upcoming"
        return review(
            bills_now=False,
            effective_at=request.period_end,
            due_today=0,
            lines=[],
            next_invoice_amount=int(renewal.get("amount_due") or 0),
            next_invoice_at=request.period_end if bills_now else _due_at(renewal),
        )
    behavior = actor.features.subscription_update.proration_behavior
    first = await preview(behavior)
    if not _bills_now(request, behavior, first):
        # Nothing is invoiced now: prorations (if any) wait for the next invoice.
        return review(
            bills_now=False,
            effective_at=None,
            due_today=0,
            lines=_review_lines(first, prorations_only=True),
            next_invoice_amount=int(first.get("amount_due") or 0),
            next_invoice_at=_due_at(first),
        )
    used_up = _coupons_used(first)
    new_period = [
        line
        for line in (first.get("lines") or {}).get("data") or []
        if not _is_proration(line) and _line_parent(line)[0] == "subscription_item_details"
    ]
    if new_period:
        # The billing cycle restarts today: the next invoice renews the period billed now.
        next_at = max(int((line.get("period") or {}).get("end") or 0) for line in new_period)
        keep = await _lasting_discounts(gateway, first, next_at, used_up)
        next_amount = sum(_discounted(line, keep) for line in new_period)
    else:
        renewal = await preview("none")
        next_at = _due_at(renewal) or request.period_end or 0
        keep = await _lasting_discounts(gateway, renewal, next_at, used_up)
        # Pending items are swept into today's invoice, so they are not on the next one.
        next_amount = sum(
            _discounted(line, keep)
            for line in (renewal.get("lines") or {}).get("data") or []
            if _line_parent(line)[0] != "invoice_item_details"
        )
    # A credit left over today (e.g. a downgrade applied at once) goes to the customer's
    # balance, which Stripe takes off the next invoice.
    # (`ending_balance` stays null until an invoice is finalized, so it is worked out here.)
    left = min(0, int(first.get("total") or 0) + int(first.get("starting_balance") or 0))
    next_amount += left
    return review(
        credit_left=-left,
        bills_now=True,
        effective_at=None,
        due_today=int(first.get("amount_due") or 0),
        lines=_review_lines(first, prorations_only=False),
        next_invoice_amount=max(0, next_amount),
        next_invoice_at=next_at,
    )


def review_lines(review: Review, name: str, locale: str) -> list[str]:
    """What the change costs today and what the next invoice will be, in words."""

    def price(amount: int) -> str:
        return money(amount, review.currency, locale)

    prorated = sum(line.amount for line in review.lines if line.kind in ("credit", "charge"))
    if review.scheduled:
        today = gettext(
            "Your plan changes to {plan} on {date}. Nothing is charged today.",
            locale=locale,
            plan=name,
            date=day_from_unix(review.effective_at, locale),
        )
    elif review.due_today > 0:
        today = gettext(
            "You will be charged {amount} today.", locale=locale, amount=price(review.due_today)
        )
    elif review.bills_now and review.credit_left > 0:
        today = gettext(
            "You will be credited {amount} on your next invoice.",
            locale=locale,
            amount=price(review.credit_left),
        )
    elif not review.bills_now and prorated < 0:
        today = gettext(
            "You will be credited {amount} on your next invoice.",
            locale=locale,
            amount=price(-prorated),
        )
    elif not review.bills_now and prorated > 0:
        today = gettext(
            "{amount} for the rest of this period will be added to your next invoice.",
            locale=locale,
            amount=price(prorated),
        )
    else:
        today = gettext("Nothing is charged today.", locale=locale)
    following = gettext(
        "Your next invoice on {date} will be {amount}.",
        locale=locale,
        date=day_from_unix(review.next_invoice_at, locale),
        amount=price(review.next_invoice_amount),
    )
    if review.ends_trial:
        return [gettext("Your trial ends today.", locale=locale), today, following]
    return [today, following]


@dataclass(frozen=True)
class ReviewItem:
    """One line of the review, in words, with its amount (minor units) for QA hooks."""

    label: str
    amount_text: str
    amount: int


def review_items(review: Review, *, old_plan: str, new_plan: str, locale: str) -> list[ReviewItem]:
    """The review's lines in words: credit for unused time, remaining time, discount."""
    labels = {
        "credit": gettext("Unused time on {plan}", locale=locale, plan=old_plan),
        "charge": gettext("Remaining time on {plan}", locale=locale, plan=new_plan),
        "plan": gettext("{plan}, a new billing period from today", locale=locale, plan=new_plan),
        "other": gettext("Other pending charges", locale=locale),
        "discount": gettext("Discount", locale=locale),
    }
    return [
        ReviewItem(
            label=labels[line.kind],
            amount_text=money(line.amount, review.currency, locale),
            amount=line.amount,
        )
        for line in review.lines
    ]


def card_text(review: Review, locale: str) -> str:
    """`Visa ending in 4242`, or that no card is saved."""
    if not review.card_last4:
        return gettext("No payment method is saved.", locale=locale)
    return gettext(
        "{brand} ending in {last4}",
        locale=locale,
        brand=(review.card_brand or "card").replace("_", " ").title(),
        last4=review.card_last4,
    )


@dataclass(frozen=True)
class ReviewHooks:
    """The values behind the review's QA hooks (`review-due-today`, `review-next-invoice`)."""

    due_today_amount: int
    next_invoice_amount: int
    next_invoice_date: str
    currency: str


def review_hooks(review: Review) -> ReviewHooks:
    """What the review states, machine-readable: minor units, lower-case ISO currency, day."""
    return ReviewHooks(
        due_today_amount=review.due_today,
        next_invoice_amount=review.next_invoice_amount,
        next_invoice_date=iso_day(review.next_invoice_at),
        currency=review.currency.lower(),
    )


def iso_day(seconds: int | None) -> str:
    """A Stripe timestamp as `YYYY-MM-DD` (UTC), for machine-readable hooks."""
    if seconds is None:
        return ""
    return datetime.fromtimestamp(seconds, UTC).date().isoformat()


async def apply_change(
    *, gateway: Gateway, actor: Actor, request: ChangeRequest, review: Review, nonce: str
) -> dict[str, Any]:
    """Make the change now, or book it for the period end when it is a scheduled downgrade.

    The write sends the `proration_date` and promotion code its review's previews used, so
    what is charged is what the review said; a review of a different change is refused.
    """
    reviewed = (
        review.subscription_id,
        review.price_id,
        review.quantity,
        review.promotion_code_id,
        review.scheduled,
        review.ends_trial,
        review.resets_cycle,
    )
    asked = (
        request.subscription_id,
        request.new_price.id,
        request.quantity,
        request.promotion_code_id,
        request.scheduled,
        request.ends_trial,
        request.resets_cycle,
    )
    if reviewed != asked:
        raise ActionRefused(
            Text("This change has changed since you reviewed it. Review it again."),
            code="review_stale",
        )
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
    await release_spent_schedule(
        gateway=gateway, actor=actor, subscription_id=request.subscription_id
    )
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
            proration_date=review.proration_date,
            promotion_code_id=review.promotion_code_id,
            end_trial=request.ends_trial,
            reset_billing_cycle=request.resets_cycle,
            intent=intent,
        )
    if not request.scheduled:
        await record_latest_invoice(gateway=gateway, subscription=result)

    def store(db: Session) -> None:
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

    await in_session(store)
    return result
