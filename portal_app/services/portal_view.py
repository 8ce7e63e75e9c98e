"""The customer portal's home page as display rows: text already formatted, flags decided.

Built from the mirror (`billing.views`) and the session's configuration; no Stripe calls.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlmodel import Session, col, select

from portal_app.billing.views import (
    CustomerOverview,
    InvoicePurpose,
    InvoiceView,
    PaymentMethodView,
    PlanView,
    SubscriptionView,
    customer_overview,
)
from portal_app.i18n.catalog import N_, gettext, ngettext
from portal_app.i18n.format import address_lines, day, money, price_phrase, short_day
from portal_app.i18n.format import phone as format_phone
from portal_app.i18n.text import Plural, Text
from portal_app.models.configuration import ConfigurationFeatures, PortalConfiguration
from portal_app.models.mirror_billing import MirrorInvoice
from portal_app.models.mirror_catalog import MirrorCoupon
from portal_app.services.flows import coupon_text
from portal_app.services.subscription_rules import update_blockers

STATUS_LABELS = {
    "active": (N_("Active"), "success"),
    "trialing": (N_("Trial"), "info"),
    "past_due": (N_("Past due"), "danger"),
    "unpaid": (N_("Unpaid"), "danger"),
    "paused": (N_("Paused"), "neutral"),
    "incomplete": (N_("Incomplete"), "warning"),
}
INVOICE_STATUS = {
    "paid": (N_("Paid"), "success"),
    "open": (N_("Due"), "warning"),
    "void": (N_("Void"), "neutral"),
    "uncollectible": (N_("Uncollectible"), "danger"),
}

PAYMENT_METHOD_TYPES = {
    "card": N_("Card"),
    "sepa_debit": N_("SEPA Direct Debit"),
    "us_bank_account": N_("Bank account"),
    "link": N_("Link"),
}


@dataclass
class SubscriptionRow:
    id: str = ""
    title: str = ""
    price_line: str = ""
    quantity_line: str = ""
    status_label: str = ""
    status_tone: str = ""
    timeline: str = ""
    next_invoice: str = ""
    discount: str = ""
    scheduled_change: str = ""
    can_update: bool = False
    can_cancel: bool = False
    can_renew: bool = False
    can_cancel_scheduled_change: bool = False
    blocked_reason: str = ""


@dataclass
class PaymentMethodRow:
    id: str = ""
    brand: str = ""
    last4: str = ""
    expiry: str = ""
    is_default: bool = False


@dataclass
class TaxIdRow:
    id: str = ""
    label: str = ""


@dataclass
class BillingRow:
    name: str = ""
    email: str = ""
    # The email cut before each "@" and ".", where a narrow screen may wrap it.
    email_parts: list[str] = field(default_factory=list)
    phone: str = ""
    address_lines: list[str] = field(default_factory=list)
    tax_ids: list[TaxIdRow] = field(default_factory=list)


@dataclass
class InvoiceRow:
    id: str = ""
    date: str = ""
    number: str = ""
    amount: str = ""
    amount_due: str = ""
    amount_due_minor: int = 0
    currency: str = ""
    status_label: str = ""
    status_tone: str = ""
    summary: str = ""
    view_url: str = ""
    pdf_url: str = ""
    payable: bool = False


@dataclass
class PastDueRow:
    """What past-due subscriptions owe, for the banner that offers to pay it: the oldest
    open invoice (the one Pay settles first) and the total of every open one (empty
    `invoice_id` when nothing is overdue)."""

    invoice_id: str = ""
    number: str = ""
    amount: str = ""
    amount_minor: int = 0
    currency: str = ""
    total_minor: int = 0
    open_invoices: int = 0
    message: str = ""


@dataclass
class Features:
    """What the configuration lets the customer do, as flags the page can branch on."""

    update_subscription: bool = False
    cancel_subscription: bool = False
    payment_methods: bool = False
    billing_info: bool = False
    tax_ids: bool = False
    invoice_history: bool = False


@dataclass
class PortalHome:
    subscriptions: list[SubscriptionRow]
    payment_methods: list[PaymentMethodRow]
    billing: BillingRow
    invoices: list[InvoiceRow]
    invoices_cursor: str
    features: Features
    past_due: PastDueRow = field(default_factory=PastDueRow)


def features_of(config: PortalConfiguration) -> ConfigurationFeatures:
    """The typed feature settings of a stored configuration."""
    return config.feature_settings


def portal_home(
    *, session: Session, customer_id: str, config: PortalConfiguration, locale: str
) -> PortalHome:
    """Everything the home page shows for the session's customer."""
    overview = customer_overview(session=session, customer_id=customer_id)
    features = features_of(config)
    coupons = applied_coupons(
        session=session,
        coupon_ids={d.coupon for s in overview.subscriptions for d in s.discounts if d.coupon},
    )
    blockers = update_blockers(
        session=session, subscription_ids=[s.id for s in overview.subscriptions]
    )
    flags = Features(
        update_subscription=features.subscription_update.enabled
        and bool(features.subscription_update.products),
        cancel_subscription=features.subscription_cancel.enabled,
        payment_methods=features.payment_method_update.enabled,
        billing_info=features.customer_update.enabled,
        tax_ids=features.customer_update.enabled
        and "tax_id" in features.customer_update.allowed_updates,
        invoice_history=features.invoice_history.enabled,
    )
    return PortalHome(
        subscriptions=[
            subscription_row(s, flags, blockers.get(s.id), locale, coupons)
            for s in overview.subscriptions
        ],
        payment_methods=[payment_method_row(pm, locale) for pm in overview.payment_methods],
        billing=billing_row(overview, locale),
        invoices=[invoice_row(i, locale) for i in overview.invoices.invoices],
        invoices_cursor=overview.invoices.next_cursor or "",
        features=flags,
        past_due=past_due_row(
            session=session,
            customer_id=customer_id,
            subscription_ids=[
                s.id for s in overview.subscriptions if s.status in ("past_due", "unpaid")
            ],
            locale=locale,
        )
        if flags.invoice_history
        else PastDueRow(),
    )


def past_due_row(
    *, session: Session, customer_id: str, subscription_ids: list[str], locale: str
) -> PastDueRow:
    """The open invoices of past-due subscriptions: their total, and the oldest to pay first."""
    if not subscription_ids:
        return PastDueRow()
    invoices = session.exec(
        select(MirrorInvoice)
        .where(
            MirrorInvoice.customer == customer_id,
            col(MirrorInvoice.subscription).in_(subscription_ids),
            MirrorInvoice.status == "open",
            MirrorInvoice.amount_remaining > 0,
            col(MirrorInvoice.deleted).is_(False),
        )
        .order_by(col(MirrorInvoice.created))
    ).all()
    if not invoices:
        return PastDueRow()
    oldest = invoices[0]
    # Totalled in the oldest invoice's currency (a subscription bills in one currency).
    total = sum(i.amount_remaining for i in invoices if i.currency == oldest.currency)
    amount = money(oldest.amount_remaining, oldest.currency, locale)
    message = Plural(
        "Your payment of {amount} is past due. Pay it now to keep your subscription.",
        "{count} payments totalling {total} are past due. Pay them now, oldest first, to keep "
        "your subscription.",
        len(invoices),
        amount=amount,
        total=money(total, oldest.currency, locale),
    )
    return PastDueRow(
        invoice_id=oldest.id,
        number=oldest.number or "",
        amount=amount,
        amount_minor=oldest.amount_remaining,
        currency=oldest.currency,
        total_minor=total,
        open_invoices=len(invoices),
        message=message.render(locale),
    )


def plan_price_line(plan: PlanView, locale: str) -> str:
    """`$29.00 per month`, with `per seat` when the product has a unit label."""
    if plan.unit_amount is None:
        return ""
    return price_phrase(
        plan.unit_amount, plan.currency, plan.interval, plan.interval_count, plan.unit_label, locale
    )


def applied_coupons(*, session: Session, coupon_ids: set[str]) -> dict[str, MirrorCoupon]:
    """The coupons behind subscriptions' discounts, as far as the mirror knows them."""
    if not coupon_ids:
        return {}
    rows = session.exec(select(MirrorCoupon).where(col(MirrorCoupon.id).in_(coupon_ids))).all()
    return {row.id: row for row in rows}


def subscription_row(
    sub: SubscriptionView,
    flags: Features,
    blocked_reason: Text | None,
    locale: str,
    coupons: Mapping[str, MirrorCoupon] | None = None,
) -> SubscriptionRow:
    item = sub.items[0] if sub.items else None
    fallback = gettext("Subscription", locale=locale)
    title = " + ".join(i.plan.product_name or fallback for i in sub.items) or fallback
    label, tone = _status(STATUS_LABELS, sub.status, locale)
    if sub.cancel_at_period_end or sub.cancel_at:
        ends = day(sub.cancel_at or sub.current_period_end, locale)
        label, tone = gettext("Cancels {date}", locale=locale, date=ends), "warning"
        timeline = gettext("Cancels on {date}", locale=locale, date=ends)
    elif sub.status == "trialing" and sub.trial_end:
        timeline = gettext("Trial ends on {date}", locale=locale, date=day(sub.trial_end, locale))
    elif sub.current_period_end:
        timeline = gettext(
            "Renews on {date}", locale=locale, date=day(sub.current_period_end, locale)
        )
    else:
        timeline = ""
    scheduled = ""
    if sub.scheduled_change:
        change = sub.scheduled_change
        scheduled = gettext(
            "Changes to {plan} ({price}) on {date}",
            locale=locale,
            plan=change.plan.product_name or gettext("a new plan", locale=locale),
            price=plan_price_line(change.plan, locale),
            date=day(change.effective_at, locale),
        )
    cancelling = sub.cancel_at_period_end or sub.cancel_at is not None
    next_invoice = ""
    coupons = coupons or {}
    if not cancelling:
        amount = next_invoice_amount(sub, coupons)
        if amount is not None:
            next_invoice = gettext(
                "Next invoice: {amount}", locale=locale, amount=money(*amount, locale)
            )
    return SubscriptionRow(
        id=sub.id,
        title=title,
        price_line=plan_price_line(item.plan, locale) if item else "",
        quantity_line=quantity_line(item.quantity, item.plan.unit_label, locale) if item else "",
        status_label=label,
        status_tone=tone,
        timeline=timeline,
        next_invoice=next_invoice,
        discount=" · ".join(discount_lines(sub, coupons, locale)),
        scheduled_change=scheduled,
        can_update=flags.update_subscription and not blocked_reason and not cancelling,
        can_cancel=flags.cancel_subscription and not cancelling,
        can_renew=sub.cancel_at_period_end,
        can_cancel_scheduled_change=bool(sub.scheduled_change) and not cancelling,
        blocked_reason=blocked_reason.render(locale)
        if blocked_reason and flags.update_subscription
        else "",
    )


def discount_lines(
    sub: SubscriptionView, coupons: Mapping[str, MirrorCoupon], locale: str
) -> list[str]:
    """`20% off for 3 months` per known coupon; a plain note for discounts not yet described."""
    known = [coupons[d.coupon] for d in sub.discounts if d.coupon and d.coupon in coupons]
    lines = [coupon_text(coupon=coupon, locale=locale) for coupon in known]
    if len(known) < len(sub.discounts):
        lines.append(gettext("Discount applied", locale=locale))
    return lines


def next_invoice_amount(
    sub: SubscriptionView, coupons: Mapping[str, MirrorCoupon] | None = None
) -> tuple[int, str] | None:
    """What the next period costs before tax, from the mirror: the scheduled plan if one takes
    over at the period end, else the current items, less the discounts still running then.
    None when a price or a discount's coupon is unknown: no amount beats a wrong one."""
    if sub.scheduled_change is not None:
        change = sub.scheduled_change
        lines = [(change.plan.unit_amount, change.plan.currency, change.quantity)]
    else:
        lines = [(i.plan.unit_amount, i.plan.currency, i.quantity) for i in sub.items]
    currencies = {currency for _, currency, _ in lines}
    if not lines or len(currencies) != 1 or any(amount is None for amount, _, _ in lines):
        return None
    currency = currencies.pop()
    amounts = [(amount or 0) * quantity for amount, _, quantity in lines]
    running = [d for d in sub.discounts if not _ended(d.end, sub.current_period_end)]
    if any(d.coupon not in (coupons or {}) for d in running):
        return None
    found = [(coupons or {})[d.coupon or ""] for d in running]
    # Stripe takes percentages off each line first, then fixed amounts off what is left.
    total = sum(amounts)
    for coupon in found:
        if coupon.percent_off is not None:
            total -= sum(_percent_of(amount, coupon.percent_off) for amount in amounts)
    for coupon in found:
        if coupon.percent_off is None and coupon.amount_off and coupon.currency == currency:
            total -= min(coupon.amount_off, max(total, 0))
    return max(total, 0), currency


def _ended(end: datetime | None, period_end: datetime | None) -> bool:
    """A discount whose end comes before the next invoice does not reduce it."""
    return end is not None and period_end is not None and end <= period_end


def _percent_of(amount: int, percent: float) -> int:
    """`percent`% of `amount` minor units, rounded half away from zero as Stripe does."""
    return int((Decimal(amount) * Decimal(str(percent)) / 100).to_integral_value(ROUND_HALF_UP))


def quantity_line(quantity: int, unit: str | None, locale: str) -> str:
    """`3 seats` (the merchant's unit label) or `3 units`; nothing for a single unit."""
    if quantity == 1 and not unit:
        return ""
    if unit:
        return ngettext("{count} {unit}", "{count} {unit}s", quantity, locale=locale, unit=unit)
    return ngettext("{count} unit", "{count} units", quantity, locale=locale)


def _status(labels: dict[str, tuple[str, str]], status: str, locale: str) -> tuple[str, str]:
    """A status's translated label and tone (unknown statuses shown as Stripe names them)."""
    if status in labels:
        label, tone = labels[status]
        return gettext(label, locale=locale), tone
    return status.replace("_", " ").capitalize(), "neutral"


def payment_method_row(pm: PaymentMethodView, locale: str) -> PaymentMethodRow:
    expiry = f"{pm.exp_month:02d}/{pm.exp_year}" if pm.exp_month and pm.exp_year else ""
    return PaymentMethodRow(
        id=pm.id,
        brand=pm.brand.replace("_", " ").title()
        if pm.brand
        else gettext(PAYMENT_METHOD_TYPES.get(pm.type, pm.type), locale=locale),
        last4=pm.last4 or "",
        expiry=expiry,
        is_default=pm.is_default,
    )


def billing_row(overview: CustomerOverview, locale: str) -> BillingRow:
    billing = overview.billing
    address = billing.address or {}
    return BillingRow(
        name=billing.name or "",
        email=billing.email or "",
        email_parts=[part for part in re.split(r"(?=[@.])", billing.email or "") if part],
        phone=format_phone(billing.phone, address.get("country")),
        address_lines=address_lines(address, locale),
        tax_ids=[
            TaxIdRow(id=t.id, label=f"{t.type.replace('_', ' ').upper()} {t.value}")
            for t in billing.tax_ids
        ],
    )


def invoice_row(invoice: InvoiceView, locale: str) -> InvoiceRow:
    status = invoice.status or ""
    label, tone = _status(INVOICE_STATUS, status, locale)
    return InvoiceRow(
        id=invoice.id,
        date=short_day(invoice.created, locale),
        number=invoice.number or "",
        amount=money(invoice.total, invoice.currency, locale),
        amount_due=money(invoice.amount_remaining, invoice.currency, locale),
        amount_due_minor=invoice.amount_remaining,
        currency=invoice.currency,
        status_label=label,
        status_tone=tone,
        summary=invoice_summary(invoice.purpose, locale),
        view_url=invoice.hosted_invoice_url or "",
        pdf_url=invoice.invoice_pdf or "",
        payable=invoice.payable,
    )


def invoice_summary(purpose: InvoicePurpose, locale: str) -> str:
    """`Pro, 4 Dec 2026 to 4 Jan 2027`, `Plan change to Enterprise`, or the merchant's text."""
    if purpose.kind == "change":
        if purpose.plan:
            return gettext("Plan change to {plan}", locale=locale, plan=purpose.plan)
        return gettext("Plan change", locale=locale)
    if purpose.kind == "period":
        plan = purpose.plan or gettext("Subscription", locale=locale)
        if purpose.start and purpose.end:
            return gettext(
                "{plan}, {start} to {end}",
                locale=locale,
                plan=plan,
                start=short_day(purpose.start, locale),
                end=short_day(purpose.end, locale),
            )
        return plan
    return purpose.text
