"""What a signed-in customer may change, checked against the mirror and the configuration.

Every function takes the customer's live portal session, refuses ids that are not that
customer's, refuses what the configuration does not allow, makes one Stripe write through
the gateway (keyed on the customer's intent), stores the response in the mirror and an audit
entry. The DB is not held open across the network call.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from portal_app.billing.gateway import Gateway
from portal_app.billing.sync import record
from portal_app.db import session_scope
from portal_app.i18n.catalog import gettext
from portal_app.i18n.format import day_from_unix
from portal_app.i18n.text import Text
from portal_app.models.audit import AuditEntry, CancellationFeedback
from portal_app.models.configuration import ALL_CANCELLATION_REASONS, ConfigurationFeatures
from portal_app.models.mirror_billing import (
    MirrorSubscription,
    MirrorSubscriptionItem,
    MirrorSubscriptionSchedule,
)
from portal_app.models.mirror_catalog import MirrorPrice, MirrorProduct
from portal_app.models.mirror_customer import MirrorCustomer
from portal_app.services.branding import BrandView
from portal_app.services.email import configuration_brand, queue_rendered, should_send
from portal_app.services.email_templates import (
    SUBSCRIPTION_CANCELED,
    RenderedEmail,
    subscription_canceled,
)
from portal_app.services.text_rules import CONTROL_CHARACTERS, has_control_characters

MAX_COMMENT = 500


class ActionRefused(Exception):
    """The customer may not do this; the message (a `Text`) is fit to show them."""


@dataclass(frozen=True)
class Actor:
    """Who acts: the portal session, its customer, what its configuration allows, and the
    language the customer reads (for confirmation emails)."""

    session_id: str
    customer: str
    features: ConfigurationFeatures
    configuration_id: str = ""
    locale: str = "en"


def confirm_by_email(
    session: Session, actor: Actor, kind: str, render: Callable[[BrandView], RenderedEmail]
) -> None:
    """Queue a confirmation in the same transaction as the change, if the merchant sends it."""
    customer = session.get(MirrorCustomer, actor.customer)
    if customer is None or not customer.email or not should_send(session=session, kind=kind):
        return
    brand = configuration_brand(session=session, configuration_id=actor.configuration_id)
    queue_rendered(session=session, kind=kind, to=customer.email, email=render(brand))


def own_subscription(
    *, session: Session, actor: Actor, subscription_id: object
) -> MirrorSubscription:
    """The customer's own subscription, or ActionRefused (the same answer for any other id)."""
    if not isinstance(subscription_id, str) or not subscription_id.startswith("sub_"):
        raise ActionRefused(Text("That subscription was not found."))
    row = session.get(MirrorSubscription, subscription_id)
    if row is None or row.customer != actor.customer or row.deleted:
        raise ActionRefused(Text("That subscription was not found."))
    return row


def audit(
    session: Session,
    actor: Actor,
    action: str,
    target: str,
    before: dict[str, Any],
    after: dict[str, Any],
) -> None:
    session.add(
        AuditEntry(
            customer=actor.customer,
            portal_session_id=actor.session_id,
            action=action,
            target=target,
            before=before,
            after=after,
        )
    )


def _subscription_facts(sub: dict[str, Any] | MirrorSubscription) -> dict[str, Any]:
    if isinstance(sub, MirrorSubscription):
        return {"status": sub.status, "cancel_at_period_end": sub.cancel_at_period_end}
    return {"status": sub.get("status"), "cancel_at_period_end": sub.get("cancel_at_period_end")}


def subscription_plan_name(*, session: Session, subscription_id: str, locale: str) -> str:
    """The product name(s) a subscription sells, for messages."""
    items = session.exec(
        select(MirrorSubscriptionItem).where(MirrorSubscriptionItem.subscription == subscription_id)
    ).all()
    names = []
    for item in items:
        price = session.get(MirrorPrice, item.price)
        product = session.get(MirrorProduct, price.product) if price else None
        names.append(product.name if product else gettext("your plan", locale=locale))
    return " + ".join(names) or gettext("your plan", locale=locale)


def check_cancellation(*, actor: Actor, reason: object, comment: object) -> tuple[str, str]:
    """The reason and comment, validated against the configuration's survey."""
    settings = actor.features.subscription_cancel
    if not settings.enabled:
        raise ActionRefused(Text("Cancelling is not available here. Please contact us."))
    reason_text = reason if isinstance(reason, str) else ""
    comment_text = comment.strip()[:MAX_COMMENT] if isinstance(comment, str) else ""
    if has_control_characters(comment_text, multiline=True):
        raise ActionRefused(CONTROL_CHARACTERS)
    survey = settings.cancellation_reason
    if reason_text and (
        reason_text not in ALL_CANCELLATION_REASONS
        or (survey.enabled and reason_text not in survey.options)
    ):
        raise ActionRefused(Text("Choose one of the reasons listed."))
    return reason_text, comment_text


async def cancel_subscription(
    *,
    gateway: Gateway,
    actor: Actor,
    subscription_id: object,
    reason: object = "",
    comment: object = "",
    nonce: str,
) -> dict[str, Any]:
    """Cancel as the configuration says (at period end or now), with the customer's reason."""
    reason_text, comment_text = check_cancellation(actor=actor, reason=reason, comment=comment)
    with session_scope() as db:
        sub = own_subscription(session=db, actor=actor, subscription_id=subscription_id)
        if sub.cancel_at_period_end:
            raise ActionRefused(Text("This subscription is already set to cancel."))
        if sub.status not in ("active", "trialing", "past_due", "unpaid", "paused", "incomplete"):
            raise ActionRefused(Text("This subscription has already ended."))
        before = _subscription_facts(sub)
        sub_id = sub.id
        plan_name = subscription_plan_name(session=db, subscription_id=sub_id, locale=actor.locale)
    at_period_end = actor.features.subscription_cancel.mode == "at_period_end"
    result = await gateway.cancel_subscription(
        subscription_id=sub_id,
        intent=f"{actor.session_id}:{sub_id}:cancel:{nonce}",
        at_period_end=at_period_end,
        feedback=reason_text or None,
        comment=comment_text or None,
    )
    with session_scope() as db:
        record(session=db, obj=result)
        if reason_text or comment_text:
            db.add(
                CancellationFeedback(
                    customer=actor.customer,
                    subscription=sub_id,
                    reason=reason_text,
                    comment=comment_text,
                )
            )
        audit(db, actor, "subscription.cancel", sub_id, before, _subscription_facts(result))
        ends = (
            result.get("cancel_at") or result.get("current_period_end") if at_period_end else None
        )
        confirm_by_email(
            db,
            actor,
            SUBSCRIPTION_CANCELED,
            lambda brand: subscription_canceled(
                brand=brand,
                plan=plan_name,
                ends=day_from_unix(ends, actor.locale) if ends else None,
                locale=actor.locale,
            ),
        )
    return result


async def renew_subscription(
    *, gateway: Gateway, actor: Actor, subscription_id: object, nonce: str
) -> dict[str, Any]:
    """Undo a cancellation that waits for the period end."""
    with session_scope() as db:
        sub = own_subscription(session=db, actor=actor, subscription_id=subscription_id)
        if not sub.cancel_at_period_end:
            raise ActionRefused(Text("This subscription is not set to cancel."))
        before = _subscription_facts(sub)
        sub_id = sub.id
    result = await gateway.renew_subscription(
        subscription_id=sub_id, intent=f"{actor.session_id}:{sub_id}:renew:{nonce}"
    )
    with session_scope() as db:
        record(session=db, obj=result)
        audit(db, actor, "subscription.renew", sub_id, before, _subscription_facts(result))
    return result


async def cancel_scheduled_change(
    *, gateway: Gateway, actor: Actor, subscription_id: object, nonce: str
) -> dict[str, Any]:
    """Drop a change booked for period end (the subscription stays as it is)."""
    with session_scope() as db:
        sub = own_subscription(session=db, actor=actor, subscription_id=subscription_id)
        schedule = db.get(MirrorSubscriptionSchedule, sub.schedule) if sub.schedule else None
        if schedule is None:
            raise ActionRefused(Text("No change is scheduled for this subscription."))
        sub_id, schedule_id = sub.id, schedule.id
    result = await gateway.release_schedule(
        schedule_id=schedule_id, intent=f"{actor.session_id}:{schedule_id}:release:{nonce}"
    )
    with session_scope() as db:
        record(session=db, obj=result)
        row = db.get(MirrorSubscription, sub_id)
        if row is not None:
            row.schedule = None
            db.add(row)
        audit(
            db, actor, "subscription.scheduled_change.cancel", sub_id, {"schedule": schedule_id}, {}
        )
    return result


def retention_coupon(*, actor: Actor, flow_coupon: str | None) -> str | None:
    """The coupon to offer before a cancellation: the session flow's, else the configuration's."""
    if flow_coupon:
        return flow_coupon
    retention = actor.features.subscription_cancel.retention
    return retention.coupon if retention.enabled and retention.coupon else None


async def accept_retention_offer(
    *, gateway: Gateway, actor: Actor, subscription_id: object, coupon_id: str, nonce: str
) -> dict[str, Any]:
    """Keep the subscription with the offered coupon instead of cancelling."""
    with session_scope() as db:
        sub = own_subscription(session=db, actor=actor, subscription_id=subscription_id)
        if sub.cancel_at_period_end:
            raise ActionRefused(Text("This subscription is already set to cancel."))
        sub_id, before = sub.id, {"discounts": sub.discounts}
    result = await gateway.apply_coupon(
        subscription_id=sub_id,
        coupon_id=coupon_id,
        intent=f"{actor.session_id}:{sub_id}:retain:{nonce}",
    )
    with session_scope() as db:
        record(session=db, obj=result)
        audit(
            db, actor, "subscription.retention_offer.accept", sub_id, before, {"coupon": coupon_id}
        )
    return result
