"""Which changes the portal offers on a subscription, and why it holds some back."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy
from sqlmodel import Session, col, select

from portal_app.billing.views import next_phase
from portal_app.i18n.text import Text
from portal_app.models.mirror_billing import (
    MirrorSubscription,
    MirrorSubscriptionItem,
    MirrorSubscriptionSchedule,
)
from portal_app.models.mirror_catalog import MirrorPrice

UPDATABLE_STATUSES = ("active", "trialing", "past_due")


@dataclass(frozen=True)
class ItemFacts:
    """A subscription item as the rules read it: its price (the price's currency and usage
    type, None when the price is not mirrored) and quantity."""

    id: str
    price: str
    quantity: int
    current_period_end: datetime | None
    price_currency: str | None
    usage_type: str | None


@dataclass(frozen=True)
class SubscriptionFacts:
    """The columns of a subscription the portal's rules use, with its items: read in one
    statement, without the stored Stripe object (only its `collection_method`)."""

    id: str
    customer: str
    status: str
    deleted: bool
    cancel_at_period_end: bool
    currency: str | None
    schedule: str | None
    current_period_end: datetime | None
    collection_method: str | None
    items: tuple[ItemFacts, ...]


# A Core read of just the columns the rules use (no ORM rows, no stored Stripe objects), built
# once: building a statement costs more than running it. SQLAlchemy's own `select`, as
# sqlmodel's is typed for four columns at most.
_FACTS = (
    sqlalchemy.select(
        col(MirrorSubscription.id),
        col(MirrorSubscription.customer),
        col(MirrorSubscription.status),
        col(MirrorSubscription.deleted),
        col(MirrorSubscription.cancel_at_period_end),
        col(MirrorSubscription.currency),
        col(MirrorSubscription.schedule),
        col(MirrorSubscription.current_period_end),
        col(MirrorSubscription.raw)["collection_method"].as_string(),
        col(MirrorSubscriptionItem.id),
        col(MirrorSubscriptionItem.price),
        col(MirrorSubscriptionItem.quantity),
        col(MirrorSubscriptionItem.current_period_end),
        col(MirrorPrice.currency),
        col(MirrorPrice.raw)[("recurring", "usage_type")].as_string(),
    )
    .select_from(MirrorSubscription)
    .outerjoin(
        MirrorSubscriptionItem, col(MirrorSubscriptionItem.subscription) == MirrorSubscription.id
    )
    .outerjoin(MirrorPrice, col(MirrorPrice.id) == MirrorSubscriptionItem.price)
    .where(col(MirrorSubscription.id).in_(sqlalchemy.bindparam("ids", expanding=True)))
    .order_by(col(MirrorSubscriptionItem.id))
)


def subscription_facts(
    *, session: Session, subscription_ids: list[str]
) -> dict[str, SubscriptionFacts]:
    """The facts of these subscriptions (the ones in the mirror), with items and prices."""
    if not subscription_ids:
        return {}
    rows = session.connection().execute(_FACTS, {"ids": subscription_ids}).all()
    items: dict[str, list[ItemFacts]] = {}
    heads: dict[str, Any] = {}
    for row in rows:
        heads[row[0]] = row
        own = items.setdefault(row[0], [])
        if row[9] is not None:
            own.append(ItemFacts(*row[9:15]))
    return {
        sub_id: SubscriptionFacts(
            id=head[0],
            customer=head[1],
            status=head[2],
            deleted=head[3],
            cancel_at_period_end=head[4],
            currency=head[5],
            schedule=head[6],
            current_period_end=head[7],
            collection_method=head[8],
            items=tuple(items[sub_id]),
        )
        for sub_id, head in heads.items()
    }


def update_blockers(*, session: Session, subscription_ids: list[str]) -> dict[str, Text]:
    """For each subscription the portal can only cancel, the reason to show the customer."""
    facts = subscription_facts(session=session, subscription_ids=subscription_ids)
    return blockers_of(session=session, subscriptions=list(facts.values()))


def blockers_of(*, session: Session, subscriptions: list[SubscriptionFacts]) -> dict[str, Text]:
    """`update_blockers` for facts already read (schedules are read only when one is set)."""
    schedule_ids = [s.schedule for s in subscriptions if s.schedule]
    schedules = {
        s.id: s
        for s in (
            session.exec(
                select(MirrorSubscriptionSchedule).where(
                    col(MirrorSubscriptionSchedule.id).in_(schedule_ids)
                )
            ).all()
            if schedule_ids
            else []
        )
    }
    reasons: dict[str, Text] = {}
    for sub in subscriptions:
        pending = bool(sub.schedule) and has_pending_change(schedules.get(sub.schedule or ""))
        reason = _blocker(sub, pending)
        if reason is not None:
            reasons[sub.id] = reason
    return reasons


def has_pending_change(schedule: MirrorSubscriptionSchedule | None) -> bool:
    """Whether a subscription's schedule still has a change to make. A schedule not mirrored
    yet counts as pending (the safe answer); one whose last phase has begun, or that completed
    or was released, has nothing left to wait for."""
    if schedule is None:
        return True
    return next_phase(schedule) is not None


def _blocker(sub: SubscriptionFacts, pending: bool) -> Text | None:
    if sub.status not in UPDATABLE_STATUSES:
        return Text("This subscription can no longer be changed.")
    if len(sub.items) != 1:
        return Text("This subscription has several products, so it can only be changed by us.")
    if any(item.usage_type == "metered" for item in sub.items):
        return Text("This subscription is billed by usage, so its plan cannot be changed here.")
    if sub.collection_method == "send_invoice":
        return Text("This subscription is paid by invoice, so its plan cannot be changed here.")
    if pending:
        return Text("A change is already scheduled for this subscription.")
    return None
