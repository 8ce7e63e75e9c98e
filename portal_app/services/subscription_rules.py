"""Which changes the portal offers on a subscription, and why it holds some back."""

from typing import Any

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


def update_blockers(*, session: Session, subscription_ids: list[str]) -> dict[str, Text]:
    """For each subscription the portal can only cancel, the reason to show the customer."""
    if not subscription_ids:
        return {}
    subscriptions = session.exec(
        select(MirrorSubscription).where(col(MirrorSubscription.id).in_(subscription_ids))
    ).all()
    items = session.exec(
        select(MirrorSubscriptionItem).where(
            col(MirrorSubscriptionItem.subscription).in_(subscription_ids)
        )
    ).all()
    prices = {
        p.id: p
        for p in session.exec(
            select(MirrorPrice).where(col(MirrorPrice.id).in_({i.price for i in items}))
        ).all()
    }
    schedule_ids = [s.schedule for s in subscriptions if s.schedule]
    schedules = {
        s.id: s
        for s in session.exec(
            select(MirrorSubscriptionSchedule).where(
                col(MirrorSubscriptionSchedule.id).in_(schedule_ids)
            )
        ).all()
    }
    reasons: dict[str, Text] = {}
    for sub in subscriptions:
        own = [i for i in items if i.subscription == sub.id]
        pending = bool(sub.schedule) and has_pending_change(schedules.get(sub.schedule or ""))
        reason = _blocker(sub, [prices.get(i.price) for i in own], len(own), pending)
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


def _blocker(
    sub: MirrorSubscription, prices: list[MirrorPrice | None], item_count: int, pending: bool
) -> Text | None:
    raw: dict[str, Any] = sub.raw or {}
    if sub.status not in UPDATABLE_STATUSES:
        return Text("This subscription can no longer be changed.")
    if item_count != 1:
        return Text("This subscription has several products, so it can only be changed by us.")
    if any(p is not None and _is_metered(p) for p in prices):
        return Text("This subscription is billed by usage, so its plan cannot be changed here.")
    if raw.get("collection_method") == "send_invoice":
        return Text("This subscription is paid by invoice, so its plan cannot be changed here.")
    if pending:
        return Text("A change is already scheduled for this subscription.")
    return None


def _is_metered(price: MirrorPrice) -> bool:
    recurring = (price.raw or {}).get("recurring") or {}
    return recurring.get("usage_type") == "metered"
