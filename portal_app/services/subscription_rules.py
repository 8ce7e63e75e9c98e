"""Which changes the portal offers on a subscription, and why it holds some back."""

from typing import Any

from sqlmodel import Session, col, select

from portal_app.models.mirror_billing import MirrorSubscription, MirrorSubscriptionItem
from portal_app.models.mirror_catalog import MirrorPrice

UPDATABLE_STATUSES = ("active", "trialing", "past_due")


def update_blockers(*, session: Session, subscription_ids: list[str]) -> dict[str, str]:
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
    reasons: dict[str, str] = {}
    for sub in subscriptions:
        own = [i for i in items if i.subscription == sub.id]
        reason = _blocker(sub, [prices.get(i.price) for i in own], len(own))
        if reason:
            reasons[sub.id] = reason
    return reasons


def _blocker(sub: MirrorSubscription, prices: list[MirrorPrice | None], item_count: int) -> str:
    raw: dict[str, Any] = sub.raw or {}
    if sub.status not in UPDATABLE_STATUSES:
        return "This subscription can no longer be changed."
    if item_count != 1:
        return "This subscription has several products, so it can only be changed by us."
    if any(p is not None and _is_metered(p) for p in prices):
        return "This subscription is billed by usage, so its plan cannot be changed here."
    if raw.get("collection_method") == "send_invoice":
        return "This subscription is paid by invoice, so its plan cannot be changed here."
    if sub.schedule:
        return "A change is already scheduled for this subscription."
    return ""


def _is_metered(price: MirrorPrice) -> bool:
    recurring = (price.raw or {}).get("recurring") or {}
    return recurring.get("usage_type") == "metered"
