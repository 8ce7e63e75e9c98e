"""What a signed-in customer may change, checked against the mirror and the configuration.

Every function takes the customer's live portal session, refuses ids that are not that
customer's, refuses what the configuration does not allow, makes one Stripe write through
the gateway (keyed on the customer's intent), stores the response in the mirror and an audit
entry. The DB is not held open across the network call.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from portal_app.billing.errors import BillingError
from portal_app.billing.gateway import Gateway
from portal_app.billing.shapes import ref
from portal_app.billing.sync import record
from portal_app.billing.views import next_phase
from portal_app.i18n.catalog import gettext
from portal_app.i18n.format import day_from_unix
from portal_app.i18n.text import Text
from portal_app.models.audit import AuditEntry, CancellationFeedback
from portal_app.models.configuration import ALL_CANCELLATION_REASONS, ConfigurationFeatures
from portal_app.models.lifecycle import AcceptedRetentionOffer
from portal_app.models.mirror_billing import (
    MirrorSubscription,
    MirrorSubscriptionItem,
    MirrorSubscriptionSchedule,
)
from portal_app.models.mirror_catalog import MirrorPrice, MirrorProduct
from portal_app.models.mirror_customer import MirrorCustomer
from portal_app.rules.text import CONTROL_CHARACTERS, has_control_characters
from portal_app.services.branding import BrandView
from portal_app.services.email import configuration_brand, queue_rendered, should_send
from portal_app.services.email_templates import (
    SUBSCRIPTION_CANCELED,
    RenderedEmail,
    subscription_canceled,
)
from portal_app.services.off_loop import in_session

MAX_COMMENT = 500


class ActionRefused(Exception):
    """The customer may not do this; the message (a `Text`) is fit to show them.

    Code decides on `code` (a stable word, like Stripe's error codes) and `field` (the input
    the refusal is about, if any), never on the message's words.
    """

    def __init__(self, message: object, *, code: str = "refused", field: str | None = None):
        super().__init__(message)
        self.code = code
        self.field = field


@dataclass(frozen=True)
class Actor:
    """Who acts: the portal session, its customer, what its configuration allows (and the
    terms the customer agrees to by changing plan), and the language the customer reads (for
    confirmation emails)."""

    session_id: str
    customer: str
    features: ConfigurationFeatures
    configuration_id: str = ""
    locale: str = "en"
    terms_of_service_url: str = ""


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
    return owned(actor, session.get(MirrorSubscription, subscription_ref(subscription_id)))


def subscription_ref(subscription_id: object) -> str:
    """A subscription id as given by the browser, checked for shape before any DB read."""
    if not isinstance(subscription_id, str) or not subscription_id.startswith("sub_"):
        raise _subscription_not_found()
    return subscription_id


class _CustomerRow(Protocol):
    @property
    def customer(self) -> str: ...

    @property
    def deleted(self) -> bool: ...


OwnedRow = TypeVar("OwnedRow", bound=_CustomerRow)


def owned(actor: Actor, row: OwnedRow | None) -> OwnedRow:
    """A subscription read for the actor (a row or its facts): theirs and not deleted, or the
    refusal any other id gets."""
    if row is None or row.customer != actor.customer or row.deleted:
        raise _subscription_not_found()
    return row


def _subscription_not_found() -> ActionRefused:
    return ActionRefused(
        Text("That subscription was not found."), code="resource_missing", field="subscription"
    )


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
        raise ActionRefused(
            Text("Cancelling is not available here. Please contact us."), code="feature_disabled"
        )
    reason_text = reason if isinstance(reason, str) else ""
    comment_text = comment.strip()[:MAX_COMMENT] if isinstance(comment, str) else ""
    if has_control_characters(comment_text, multiline=True):
        raise ActionRefused(CONTROL_CHARACTERS, code="invalid_characters", field="comment")
    survey = settings.cancellation_reason
    if reason_text and (
        reason_text not in ALL_CANCELLATION_REASONS
        or (survey.enabled and reason_text not in survey.options)
    ):
        raise ActionRefused(
            Text("Choose one of the reasons listed."), code="invalid_choice", field="reason"
        )
    return reason_text, comment_text


@dataclass(frozen=True)
class CancellationTerms:
    """What cancelling will do, as the form states it before the customer confirms."""

    ends_now: bool
    access_ends: datetime | None  # the period end when it waits for it
    unused_time: str  # "none": nothing back; "credit": to the balance; "invoice": final invoice


def cancellation_terms(*, actor: Actor, sub: MirrorSubscription) -> CancellationTerms:
    """When access ends and what happens to the unused time, by the configuration: the same
    settings `cancel_subscription` sends to Stripe."""
    settings = actor.features.subscription_cancel
    if settings.mode == "at_period_end":
        return CancellationTerms(
            ends_now=False, access_ends=sub.current_period_end, unused_time="none"
        )
    unused = {"create_prorations": "credit", "always_invoice": "invoice"}.get(
        settings.proration_behavior, "none"
    )
    # A trial has no paid time left to credit.
    return CancellationTerms(
        ends_now=True,
        access_ends=None,
        unused_time="none" if sub.status == "trialing" else unused,
    )


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

    def check(db: Session) -> tuple[dict[str, Any], str, str]:
        sub = own_subscription(session=db, actor=actor, subscription_id=subscription_id)
        if sub.cancel_at_period_end or sub.cancel_at is not None:
            raise ActionRefused(
                Text("This subscription is already set to cancel."), code="already_canceling"
            )
        if sub.status not in ("active", "trialing", "past_due", "unpaid", "paused", "incomplete"):
            raise ActionRefused(
                Text("This subscription has already ended."), code="subscription_ended"
            )
        plan = subscription_plan_name(session=db, subscription_id=sub.id, locale=actor.locale)
        return _subscription_facts(sub), sub.id, plan

    before, sub_id, plan_name = await in_session(check)
    await release_spent_schedule(gateway=gateway, actor=actor, subscription_id=sub_id)
    at_period_end = actor.features.subscription_cancel.mode == "at_period_end"
    result = await gateway.cancel_subscription(
        subscription_id=sub_id,
        intent=f"{actor.session_id}:{sub_id}:cancel:{nonce}",
        at_period_end=at_period_end,
        proration_behavior=actor.features.subscription_cancel.proration_behavior,
        feedback=reason_text or None,
        comment=comment_text or None,
    )

    def store(db: Session) -> None:
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

    await in_session(store)
    return result


async def renew_subscription(
    *, gateway: Gateway, actor: Actor, subscription_id: object, nonce: str
) -> dict[str, Any]:
    """Undo a cancellation that waits for the period end."""

    def check(db: Session) -> tuple[dict[str, Any], str]:
        sub = own_subscription(session=db, actor=actor, subscription_id=subscription_id)
        if not sub.cancel_at_period_end:
            raise ActionRefused(
                Text("This subscription is not set to cancel."), code="not_canceling"
            )
        return _subscription_facts(sub), sub.id

    before, sub_id = await in_session(check)
    result = await gateway.renew_subscription(
        subscription_id=sub_id, intent=f"{actor.session_id}:{sub_id}:renew:{nonce}"
    )

    def store(db: Session) -> None:
        record(session=db, obj=result)
        audit(db, actor, "subscription.renew", sub_id, before, _subscription_facts(result))

    await in_session(store)
    return result


async def cancel_scheduled_change(
    *, gateway: Gateway, actor: Actor, subscription_id: object, nonce: str
) -> dict[str, Any]:
    """Drop a change booked for period end (the subscription stays as it is)."""

    def check(db: Session) -> tuple[str, str]:
        sub = own_subscription(session=db, actor=actor, subscription_id=subscription_id)
        schedule = db.get(MirrorSubscriptionSchedule, sub.schedule) if sub.schedule else None
        if schedule is None:
            raise ActionRefused(
                Text("No change is scheduled for this subscription."), code="nothing_scheduled"
            )
        return sub.id, schedule.id

    sub_id, schedule_id = await in_session(check)
    result = await gateway.release_schedule(
        schedule_id=schedule_id, intent=f"{actor.session_id}:{schedule_id}:release:{nonce}"
    )

    def store(db: Session) -> None:
        record(session=db, obj=result)
        row = db.get(MirrorSubscription, sub_id)
        if row is not None:
            row.schedule = None
            db.add(row)
        audit(
            db, actor, "subscription.scheduled_change.cancel", sub_id, {"schedule": schedule_id}, {}
        )

    await in_session(store)
    return result


async def release_spent_schedule(*, gateway: Gateway, actor: Actor, subscription_id: str) -> None:
    """Detach a schedule whose change already took effect (its last phase has begun) before
    the customer changes the subscription again: Stripe would refuse a second schedule, and
    the spent one would otherwise hold the plan until it ends. Schedules that will still
    change something, or cancel at their end, are left alone."""

    def spent(db: Session) -> str | None:
        sub = db.get(MirrorSubscription, subscription_id)
        if sub is None or sub.customer != actor.customer or not sub.schedule:
            return None
        schedule = db.get(MirrorSubscriptionSchedule, sub.schedule)
        if (
            schedule is None
            or schedule.status != "active"
            or schedule.end_behavior != "release"
            or len(schedule.phases or []) < 2
            or next_phase(schedule) is not None
        ):
            return None
        return schedule.id

    schedule_id = await in_session(spent)
    if schedule_id is None:
        return
    result = await gateway.release_schedule(
        schedule_id=schedule_id, intent=f"{actor.session_id}:{schedule_id}:release-spent"
    )

    def store(db: Session) -> None:
        record(session=db, obj=result)
        row = db.get(MirrorSubscription, subscription_id)
        if row is not None and row.schedule == schedule_id:
            row.schedule = None
            db.add(row)
        audit(db, actor, "subscription.schedule.release", subscription_id, {}, {})

    await in_session(store)


def retention_coupon(*, actor: Actor, flow_coupon: str | None) -> str | None:
    """The coupon to offer before a cancellation: the session flow's, else the configuration's."""
    if flow_coupon:
        return flow_coupon
    retention = actor.features.subscription_cancel.retention
    return retention.coupon if retention.enabled and retention.coupon else None


def retention_refusal(*, session: Session, sub: MirrorSubscription, coupon_id: str) -> Text | None:
    """Why this subscription may not take a retention offer (None when it may): one offer per
    subscription, ever, and none once it is set to cancel or already carries the coupon."""
    if sub.cancel_at_period_end or sub.cancel_at is not None:
        return Text("This subscription is already set to cancel.")
    if session.get(AcceptedRetentionOffer, sub.id) is not None:
        return Text("This offer was already used for this subscription.")
    carried = {
        ref((d.get("source") or {}).get("coupon") or d.get("coupon"))
        for d in sub.discounts or []
        if isinstance(d, dict)
    }
    if coupon_id in carried:
        return Text("This offer was already used for this subscription.")
    return None


async def accept_retention_offer(
    *,
    gateway: Gateway,
    actor: Actor,
    subscription_id: object,
    coupon_id: str,
    nonce: str,
    flow_coupon: str | None = None,
) -> dict[str, Any]:
    """Keep the subscription with the offered coupon instead of cancelling.

    The offer is claimed (a row keyed by the subscription) and committed before Stripe is
    asked, so a second acceptance, from any tab or worker, is refused rather than discounted
    again; the claim is given back only when Stripe refused the discount.
    """
    offered = retention_coupon(actor=actor, flow_coupon=flow_coupon)
    if not isinstance(coupon_id, str) or not coupon_id or coupon_id != offered:
        # Only the coupon the configuration (or the session's flow) offers.
        raise ActionRefused(Text("This offer is no longer available."), code="offer_unavailable")

    def check(db: Session) -> tuple[str, dict[str, Any]]:
        sub = own_subscription(session=db, actor=actor, subscription_id=subscription_id)
        refusal = retention_refusal(session=db, sub=sub, coupon_id=coupon_id)
        if refusal is not None:
            raise ActionRefused(refusal, code="offer_unavailable")
        return sub.id, {"discounts": sub.discounts}

    sub_id, before = await in_session(check)
    try:
        await in_session(
            lambda db: db.add(
                AcceptedRetentionOffer(
                    subscription=sub_id, customer=actor.customer, coupon=coupon_id
                )
            )
        )
    except IntegrityError as exc:
        raise ActionRefused(
            Text("This offer was already used for this subscription."), code="offer_used"
        ) from exc
    try:
        result = await gateway.apply_coupon(
            subscription_id=sub_id,
            coupon_id=coupon_id,
            intent=f"{actor.session_id}:{sub_id}:retain:{nonce}",
        )
    except BillingError:

        def give_back(db: Session) -> None:
            claim = db.get(AcceptedRetentionOffer, sub_id)
            if claim is not None:
                db.delete(claim)

        await in_session(give_back)
        raise

    def store(db: Session) -> None:
        record(session=db, obj=result)
        audit(
            db, actor, "subscription.retention_offer.accept", sub_id, before, {"coupon": coupon_id}
        )

    await in_session(store)
    return result
