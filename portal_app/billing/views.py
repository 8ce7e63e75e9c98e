"""What a customer's portal page reads: view models built from the mirror, never from Stripe.

Every query is bounded by the customer's own rows and served by an index, so a page view costs
the same however large the whole mirror grows.
"""

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

import sqlalchemy
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, or_, select

from portal_app.billing.shapes import ref
from portal_app.models.mirror import (
    MirrorCustomer,
    MirrorInvoice,
    MirrorPaymentMethod,
    MirrorPrice,
    MirrorProduct,
    MirrorSubscription,
    MirrorSubscriptionItem,
    MirrorSubscriptionSchedule,
    MirrorTaxId,
)

# What Stripe's hosted portal lists as a customer's current subscriptions.
CURRENT_STATUSES = ("active", "trialing", "past_due", "unpaid", "paused", "incomplete")
INVOICE_PAGE_SIZE = 10


class View(BaseModel):
    """Immutable plain data handed to the UI layer."""

    model_config = ConfigDict(frozen=True)


class PlanView(View):
    """A price with the product it sells, as a subscription line shows it."""

    price_id: str
    product_id: str | None
    product_name: str
    unit_amount: int | None
    currency: str
    interval: str | None
    interval_count: int | None
    unit_label: str | None


class SubscriptionItemView(View):
    id: str
    plan: PlanView
    quantity: int


class ScheduledChangeView(View):
    """A change already booked for a future date (e.g. a downgrade at period end)."""

    effective_at: datetime
    plan: PlanView
    quantity: int


class DiscountView(View):
    """A discount on a subscription: its coupon (None while only its id is known) and end."""

    coupon: str | None
    end: datetime | None


class SubscriptionView(View):
    id: str
    status: str
    items: list[SubscriptionItemView]
    current_period_end: datetime | None
    cancel_at_period_end: bool
    cancel_at: datetime | None
    trial_end: datetime | None
    schedule_id: str | None
    scheduled_change: ScheduledChangeView | None
    discounts: list[DiscountView] = []


class PaymentMethodView(View):
    id: str
    type: str
    brand: str | None
    last4: str | None
    exp_month: int | None
    exp_year: int | None
    is_default: bool


class TaxIdView(View):
    id: str
    type: str
    value: str
    country: str | None
    verification_status: str | None


class BillingDetailsView(View):
    name: str | None
    email: str | None
    phone: str | None
    address: dict[str, Any] | None
    shipping: dict[str, Any] | None
    preferred_locales: list[str]
    tax_ids: list[TaxIdView]


class InvoicePurpose(View):
    """What an invoice was for, as Stripe's portal says it: a plan and its period, a plan
    change (prorations), or the merchant's own description of a one-off invoice."""

    kind: str  # "period", "change", "description" or "" (nothing to say)
    plan: str = ""
    start: datetime | None = None
    end: datetime | None = None
    text: str = ""


class InvoiceView(View):
    id: str
    number: str | None
    created: datetime | None
    status: str | None
    purpose: InvoicePurpose
    total: int
    amount_due: int
    amount_remaining: int
    currency: str
    hosted_invoice_url: str | None
    invoice_pdf: str | None
    payable: bool


class InvoicePage(View):
    invoices: list[InvoiceView]
    next_cursor: str | None


class CustomerOverview(View):
    """Everything the portal home page shows for one customer."""

    customer_id: str
    billing: BillingDetailsView
    subscriptions: list[SubscriptionView]
    payment_methods: list[PaymentMethodView]
    invoices: InvoicePage


class CustomerNotMirrored(LookupError):
    """The customer is not in the mirror (not synced yet, or deleted in Stripe)."""


def customer_overview(
    *, session: Session, customer_id: str, invoice_limit: int = INVOICE_PAGE_SIZE
) -> CustomerOverview:
    """The portal home page's data for one customer, from the mirror alone."""
    customer = session.get(MirrorCustomer, customer_id)
    if customer is None or customer.deleted:
        raise CustomerNotMirrored(customer_id)
    return CustomerOverview(
        customer_id=customer_id,
        billing=billing_details(session=session, customer=customer),
        subscriptions=current_subscriptions(session=session, customer_id=customer_id),
        payment_methods=payment_methods(session=session, customer=customer),
        invoices=invoice_page(session=session, customer_id=customer_id, limit=invoice_limit),
    )


def billing_details(*, session: Session, customer: MirrorCustomer) -> BillingDetailsView:
    tax_ids = session.exec(
        select(MirrorTaxId)
        .where(MirrorTaxId.customer == customer.id, col(MirrorTaxId.deleted).is_(False))
        .order_by(col(MirrorTaxId.created))
    ).all()
    return BillingDetailsView(
        name=customer.name,
        email=customer.email,
        phone=customer.phone,
        address=customer.address,
        shipping=customer.shipping,
        preferred_locales=customer.preferred_locales,
        tax_ids=[
            TaxIdView(
                id=t.id,
                type=t.type,
                value=t.value,
                country=t.country,
                verification_status=t.verification_status,
            )
            for t in tax_ids
        ],
    )


def payment_methods(*, session: Session, customer: MirrorCustomer) -> list[PaymentMethodView]:
    rows = session.exec(
        select(MirrorPaymentMethod)
        .where(
            MirrorPaymentMethod.customer == customer.id,
            col(MirrorPaymentMethod.deleted).is_(False),
        )
        .order_by(col(MirrorPaymentMethod.created).desc())
    ).all()
    return [
        PaymentMethodView(
            id=pm.id,
            type=pm.type,
            brand=pm.card_brand,
            last4=pm.card_last4,
            exp_month=pm.card_exp_month,
            exp_year=pm.card_exp_year,
            is_default=pm.id == customer.default_payment_method,
        )
        for pm in rows
    ]


def current_subscriptions(*, session: Session, customer_id: str) -> list[SubscriptionView]:
    subscriptions = session.exec(
        select(MirrorSubscription)
        .where(
            MirrorSubscription.customer == customer_id,
            col(MirrorSubscription.status).in_(CURRENT_STATUSES),
            col(MirrorSubscription.deleted).is_(False),
        )
        .order_by(col(MirrorSubscription.created))
    ).all()
    if not subscriptions:
        return []
    ids = [s.id for s in subscriptions]
    items = session.exec(
        select(MirrorSubscriptionItem).where(col(MirrorSubscriptionItem.subscription).in_(ids))
    ).all()
    schedule_ids = [s.schedule for s in subscriptions if s.schedule]
    schedules = {
        s.id: s
        for s in session.exec(
            select(MirrorSubscriptionSchedule).where(
                col(MirrorSubscriptionSchedule.id).in_(schedule_ids)
            )
        ).all()
    }
    price_ids = {i.price for i in items} | {
        price for s in schedules.values() for price, _ in _next_phase_items(s)
    }
    plans = _plans(session=session, price_ids=price_ids)
    return [
        SubscriptionView(
            id=s.id,
            status=s.status,
            items=[
                SubscriptionItemView(id=i.id, plan=plans[i.price], quantity=i.quantity)
                for i in items
                if i.subscription == s.id
            ],
            current_period_end=s.current_period_end,
            cancel_at_period_end=s.cancel_at_period_end,
            cancel_at=s.cancel_at,
            trial_end=s.trial_end,
            schedule_id=s.schedule,
            discounts=[_discount_of(d) for d in s.discounts or []],
            scheduled_change=_scheduled_change(schedules.get(s.schedule or ""), plans),
        )
        for s in subscriptions
    ]


def _discount_of(discount: Any) -> DiscountView:
    """An expanded discount (current and older API shapes), or one named only by its id."""
    if not isinstance(discount, dict):
        return DiscountView(coupon=None, end=None)
    coupon = (discount.get("source") or {}).get("coupon") or discount.get("coupon")
    end = discount.get("end")
    return DiscountView(
        coupon=ref(coupon), end=datetime.fromtimestamp(end, UTC) if isinstance(end, int) else None
    )


def _next_phase_items(schedule: MirrorSubscriptionSchedule) -> list[tuple[str, int]]:
    phase = next_phase(schedule)
    if phase is None:
        return []
    return [
        (ref(item.get("price")) or "", int(item.get("quantity") or 1)) for item in phase["items"]
    ]


def next_phase(schedule: MirrorSubscriptionSchedule) -> dict[str, Any] | None:
    """The phase a live schedule has still to start: its pending change (None once the last
    phase has begun, or when the schedule completed or was released)."""
    if schedule.status not in ("not_started", "active"):
        return None
    current_end = (schedule.current_phase or {}).get("end_date")
    for phase in schedule.phases:
        if current_end is not None and phase.get("start_date") == current_end:
            return phase
    return None


def _scheduled_change(
    schedule: MirrorSubscriptionSchedule | None, plans: dict[str, PlanView]
) -> ScheduledChangeView | None:
    if schedule is None:
        return None
    phase = next_phase(schedule)
    items = _next_phase_items(schedule)
    if phase is None or not items:
        return None
    price_id, quantity = items[0]
    return ScheduledChangeView(
        effective_at=datetime.fromtimestamp(phase["start_date"], tz=UTC),
        plan=plans[price_id],
        quantity=quantity,
    )


# Prices with their products (`product_id` None when the product is not mirrored): the
# columns the portal shows of the catalogue, in one Core read built once.
_PRICES_WITH_PRODUCTS: sqlalchemy.Select[*tuple[Any, ...]] = (
    sqlalchemy.select(
        col(MirrorPrice.id),
        col(MirrorPrice.product),
        col(MirrorPrice.active),
        col(MirrorPrice.currency),
        col(MirrorPrice.unit_amount),
        col(MirrorPrice.recurring_interval),
        col(MirrorPrice.recurring_interval_count),
        col(MirrorProduct.id).label("product_id"),
        col(MirrorProduct.active).label("product_active"),
        col(MirrorProduct.name),
        col(MirrorProduct.unit_label),
        col(MirrorProduct.description),
    )
    .select_from(MirrorPrice)
    .outerjoin(MirrorProduct, col(MirrorProduct.id) == MirrorPrice.product)
    .where(col(MirrorPrice.id).in_(sqlalchemy.bindparam("ids", expanding=True)))
)


def prices_with_products(*, session: Session, price_ids: Iterable[str]) -> Sequence[Any]:
    """The mirrored prices among `price_ids`, each with its product's columns."""
    return session.connection().execute(_PRICES_WITH_PRODUCTS, {"ids": list(price_ids)}).all()


def _plans(*, session: Session, price_ids: set[str]) -> dict[str, PlanView]:
    plans = {
        row.id: PlanView(
            price_id=row.id,
            product_id=row.product,
            product_name=row.name or "",
            unit_amount=row.unit_amount,
            currency=row.currency,
            interval=row.recurring_interval,
            interval_count=row.recurring_interval_count,
            unit_label=row.unit_label,
        )
        for row in prices_with_products(session=session, price_ids=price_ids)
    }
    for missing in price_ids - plans.keys():
        # Not synced yet: show the line rather than fail the page; full sync fills it in.
        plans[missing] = PlanView(
            price_id=missing,
            product_id=None,
            product_name="",
            unit_amount=None,
            currency="",
            interval=None,
            interval_count=None,
            unit_label=None,
        )
    return plans


class InvoiceColumns(Protocol):
    """What an invoice view reads of a mirrored invoice (a row, or just its columns)."""

    @property
    def id(self) -> str: ...
    @property
    def number(self) -> str | None: ...
    @property
    def created(self) -> datetime | None: ...
    @property
    def status(self) -> str | None: ...
    @property
    def total(self) -> int: ...
    @property
    def amount_due(self) -> int: ...
    @property
    def amount_remaining(self) -> int: ...
    @property
    def currency(self) -> str: ...
    @property
    def hosted_invoice_url(self) -> str | None: ...
    @property
    def invoice_pdf(self) -> str | None: ...
    @property
    def subscription(self) -> str | None: ...
    @property
    def billing_reason(self) -> str | None: ...
    @property
    def description(self) -> str | None: ...
    @property
    def lines(self) -> list[dict[str, Any]]: ...


_ANCHOR = aliased(MirrorInvoice)
_ANCHOR_CREATED = (
    sqlalchemy.select(col(_ANCHOR.created))
    .where(
        col(_ANCHOR.id) == sqlalchemy.bindparam("after"),
        col(_ANCHOR.customer) == sqlalchemy.bindparam("customer"),
    )
    .scalar_subquery()
)
# A page is one Core read of the columns a row shows (no ORM rows, no stored Stripe object),
# built once; the next page starts after the anchor, which must be the customer's own (an
# unknown anchor reads as NULL: an empty page).
_FIRST_PAGE = (
    sqlalchemy.select(
        *(
            col(getattr(MirrorInvoice, name))
            for name in (
                "id",
                "number",
                "created",
                "status",
                "total",
                "amount_due",
                "amount_remaining",
                "currency",
                "hosted_invoice_url",
                "invoice_pdf",
                "subscription",
                "billing_reason",
                "description",
                "lines",
            )
        )
    )
    .where(
        col(MirrorInvoice.customer) == sqlalchemy.bindparam("customer"),
        col(MirrorInvoice.status) != "draft",
        col(MirrorInvoice.deleted).is_(False),
    )
    .order_by(col(MirrorInvoice.created).desc(), col(MirrorInvoice.id).desc())
    .limit(sqlalchemy.bindparam("limit"))
)
_NEXT_PAGE = _FIRST_PAGE.where(
    or_(
        col(MirrorInvoice.created) < _ANCHOR_CREATED,
        (col(MirrorInvoice.created) == _ANCHOR_CREATED)
        & (col(MirrorInvoice.id) < sqlalchemy.bindparam("after")),
    )
)


def invoice_page(
    *,
    session: Session,
    customer_id: str,
    limit: int = INVOICE_PAGE_SIZE,
    starting_after: str | None = None,
) -> InvoicePage:
    """A page of finalized invoices, newest first, continuing after the invoice id given.

    Keyset pagination on the (customer, created, id) index: each page costs the same.
    """
    params = {"customer": customer_id, "limit": limit + 1, "after": starting_after}
    statement = _FIRST_PAGE if starting_after is None else _NEXT_PAGE
    rows: list[Any] = list(session.connection().execute(statement, params).all())
    shown = rows[:limit]
    price_ids = {str(line["price"]) for row in shown for line in row.lines if line.get("price")}
    plans = _plans(session=session, price_ids=price_ids) if price_ids else {}
    return InvoicePage(
        invoices=[_invoice_view(row, plans) for row in shown],
        next_cursor=shown[-1].id if len(rows) > limit else None,
    )


def _invoice_view(row: InvoiceColumns, plans: dict[str, PlanView]) -> InvoiceView:
    return InvoiceView(
        id=row.id,
        number=row.number,
        created=row.created,
        status=row.status,
        purpose=invoice_purpose(row, plans),
        total=row.total,
        amount_due=row.amount_due,
        amount_remaining=row.amount_remaining,
        currency=row.currency,
        hosted_invoice_url=row.hosted_invoice_url,
        invoice_pdf=row.invoice_pdf,
        payable=row.status == "open" and row.amount_remaining > 0,
    )


def invoice_purpose(row: InvoiceColumns, plans: dict[str, PlanView]) -> InvoicePurpose:
    """What the invoice was for. A subscription's invoice: from its lines' prices and periods
    (never a line's own description, which is Stripe's English); prorations mean the plan
    changed, and the plan named is the one charged for (the positive line), else the one
    credited. A one-off invoice: the merchant's description of it or of its items."""

    def names(lines: list[dict[str, Any]]) -> str:
        found: list[str] = []
        for line in lines:
            plan = plans.get(str(line.get("price") or ""))
            if plan is not None and plan.product_name and plan.product_name not in found:
                found.append(plan.product_name)
        return " + ".join(found)

    def moment(seconds: Any) -> datetime | None:
        return datetime.fromtimestamp(seconds, UTC) if isinstance(seconds, int) else None

    priced = [line for line in row.lines if line.get("price")]
    prorations = [line for line in priced if line.get("proration")]
    if row.subscription is None and not prorations:
        # A one-off invoice: its items' descriptions are the merchant's own words.
        described = [str(line["description"]) for line in row.lines if line.get("description")]
        text = row.description or ", ".join(described)
        return InvoicePurpose(kind="description" if text else "", text=text)
    if prorations or row.billing_reason == "subscription_update":
        charged = [line for line in prorations if (line.get("amount") or 0) > 0]
        return InvoicePurpose(kind="change", plan=names(charged or prorations or priced))
    if priced:
        starts = [line["period_start"] for line in priced if line.get("period_start")]
        ends = [line["period_end"] for line in priced if line.get("period_end")]
        return InvoicePurpose(
            kind="period",
            plan=names(priced),
            start=moment(min(starts)) if starts else None,
            end=moment(max(ends)) if ends else None,
        )
    if row.description:
        return InvoicePurpose(kind="description", text=row.description)
    return InvoicePurpose(kind="")
