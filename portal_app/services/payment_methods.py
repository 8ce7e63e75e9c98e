"""Saving, choosing and removing the customer's cards.

Card details never reach the portal: the browser confirms the SetupIntent with Stripe (or the
sandbox) using its client secret, and the portal only checks the result by id.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlmodel import Session, col, select

from portal_app.billing.errors import CardDeclined
from portal_app.billing.gateway import Gateway
from portal_app.billing.sync import record
from portal_app.i18n.catalog import gettext
from portal_app.i18n.text import Text
from portal_app.models.mirror_billing import MirrorInvoice, MirrorSubscription
from portal_app.models.mirror_customer import MirrorCustomer, MirrorPaymentMethod
from portal_app.services.customer_actions import ActionRefused, Actor, audit, confirm_by_email
from portal_app.services.email_templates import PAYMENT_METHOD_UPDATED, payment_method_updated
from portal_app.services.off_loop import in_session

LIVE_STATUSES = ("active", "trialing", "past_due", "unpaid")
LAST_CARD = Text(
    "This is your only payment method and you have an active subscription. "
    "Add a new payment method first, then remove this one."
)


@dataclass(frozen=True)
class CardSetup:
    """What the browser needs to confirm a new card with Stripe."""

    setup_intent_id: str
    client_secret: str


def _enabled(actor: Actor) -> None:
    if not actor.features.payment_method_update.enabled:
        raise ActionRefused(
            Text("Payment methods cannot be changed here."), code="feature_disabled"
        )


def own_payment_method(
    *, session: Session, actor: Actor, payment_method_id: object
) -> MirrorPaymentMethod:
    """The customer's own saved payment method, or ActionRefused."""
    if not isinstance(payment_method_id, str) or not payment_method_id.startswith("pm_"):
        raise ActionRefused(
            Text("That payment method was not found."),
            code="resource_missing",
            field="payment_method",
        )
    row = session.get(MirrorPaymentMethod, payment_method_id)
    if row is None or row.customer != actor.customer or row.deleted:
        raise ActionRefused(
            Text("That payment method was not found."),
            code="resource_missing",
            field="payment_method",
        )
    return row


async def start_card_setup(*, gateway: Gateway, actor: Actor, nonce: str) -> CardSetup:
    """A SetupIntent for the customer; its client secret goes to the browser's card form."""
    _enabled(actor)
    result = await gateway.create_setup_intent(
        customer_id=actor.customer, intent=f"{actor.session_id}:setup_intent:{nonce}"
    )
    return CardSetup(setup_intent_id=str(result["id"]), client_secret=str(result["client_secret"]))


async def finish_card_setup(
    *, gateway: Gateway, actor: Actor, setup_intent_id: object, nonce: str
) -> str:
    """Check the browser's confirmation with Stripe and store the new card; returns its id.

    As in Stripe's portal, the card just added becomes the default, for the customer and for
    every live subscription; then any open invoice of a past-due subscription is retried with
    it (a declined retry leaves the card saved and the invoice open).
    """
    _enabled(actor)
    if not isinstance(setup_intent_id, str) or not setup_intent_id.startswith("seti_"):
        raise ActionRefused(
            Text("The card could not be saved. Please try again."), code="setup_intent_mismatch"
        )
    intent = await gateway.retrieve_setup_intent(setup_intent_id=setup_intent_id)
    if intent.get("customer") != actor.customer:
        raise ActionRefused(
            Text("The card could not be saved. Please try again."), code="setup_intent_mismatch"
        )
    if intent.get("status") != "succeeded":
        error = intent.get("last_setup_error") or {}
        # Stripe's own decline wording is shown as is (translated when it is catalogued).
        raise ActionRefused(
            error.get("message") or Text("The card could not be saved."), code="setup_failed"
        )
    payment_method: dict[str, Any] = intent["payment_method"]
    pm_id = str(payment_method["id"])

    def store(db: Session) -> None:
        record(session=db, obj=payment_method)
        audit(db, actor, "payment_method.attach", pm_id, {}, {"id": pm_id})

    await in_session(store)
    await use_everywhere(gateway=gateway, actor=actor, payment_method_id=pm_id, nonce=nonce)
    return pm_id


async def use_everywhere(
    *, gateway: Gateway, actor: Actor, payment_method_id: str, nonce: str
) -> list[str]:
    """Make the card the customer's and their live subscriptions' default, then retry the open
    invoices of past-due subscriptions with it; returns the ids of the invoices it paid."""
    updated = await gateway.set_default_payment_method(
        customer_id=actor.customer,
        payment_method_id=payment_method_id,
        intent=f"{actor.session_id}:default:{payment_method_id}:{nonce}",
    )

    def store_and_find(db: Session) -> tuple[list[str], list[tuple[str, str | None]]]:
        record(session=db, obj=updated)
        subscriptions = db.exec(
            select(MirrorSubscription).where(
                MirrorSubscription.customer == actor.customer,
                col(MirrorSubscription.status).in_(LIVE_STATUSES),
                col(MirrorSubscription.deleted).is_(False),
            )
        ).all()
        to_update = [
            s.id
            for s in subscriptions
            if s.default_payment_method and s.default_payment_method != payment_method_id
        ]
        overdue = [s.id for s in subscriptions if s.status in ("past_due", "unpaid")]
        open_invoices = db.exec(
            select(MirrorInvoice.id, MirrorInvoice.subscription).where(
                MirrorInvoice.customer == actor.customer,
                col(MirrorInvoice.subscription).in_(overdue),
                MirrorInvoice.status == "open",
                MirrorInvoice.amount_remaining > 0,
                col(MirrorInvoice.deleted).is_(False),
            )
        ).all()
        return to_update, [(i, s) for i, s in open_invoices]

    to_update, open_invoices = await in_session(store_and_find)
    for sub_id in to_update:
        result = await gateway.set_subscription_payment_method(
            subscription_id=sub_id,
            payment_method_id=payment_method_id,
            intent=f"{actor.session_id}:{sub_id}:default:{payment_method_id}:{nonce}",
        )
        await in_session(_recorder(result))
    paid: list[str] = []
    for invoice_id, subscription_id in open_invoices:
        try:
            result = await gateway.pay_invoice(
                invoice_id=invoice_id,
                payment_method_id=payment_method_id,
                intent=f"{actor.session_id}:retry:{invoice_id}:{payment_method_id}:{nonce}",
            )
        except CardDeclined:
            continue  # the invoice stays open and the page keeps offering Pay
        await in_session(
            partial(
                _store_retry,
                actor=actor,
                result=result,
                invoice_id=invoice_id,
                payment_method_id=payment_method_id,
            )
        )
        if result.get("status") == "paid":
            paid.append(invoice_id)
            if subscription_id:
                # Active again: read it now so "Past due" goes with this page load.
                sub = await gateway.retrieve_subscription(subscription_id=subscription_id)
                await in_session(_recorder(sub))
    return paid


def _recorder(obj: dict[str, Any]) -> Callable[[Session], None]:
    """Store one API response (in `in_session`)."""
    return lambda db: record(session=db, obj=obj)


def _store_retry(
    db: Session, *, actor: Actor, result: dict[str, Any], invoice_id: str, payment_method_id: str
) -> None:
    record(session=db, obj=result)
    audit(
        db,
        actor,
        "invoice.pay",
        invoice_id,
        {"status": "open"},
        {"status": result.get("status"), "payment_method": payment_method_id},
    )


async def make_default(
    *, gateway: Gateway, actor: Actor, payment_method_id: object, nonce: str
) -> None:
    """Charge this card for future invoices."""
    _enabled(actor)

    def check(db: Session) -> tuple[str, dict[str, Any]]:
        pm = own_payment_method(session=db, actor=actor, payment_method_id=payment_method_id)
        customer = db.get(MirrorCustomer, actor.customer)
        before = {"default_payment_method": customer.default_payment_method if customer else None}
        return pm.id, before

    pm_id, before = await in_session(check)
    updated = await gateway.set_default_payment_method(
        customer_id=actor.customer,
        payment_method_id=pm_id,
        intent=f"{actor.session_id}:default:{pm_id}:{nonce}",
    )

    def store(db: Session) -> None:
        record(session=db, obj=updated)
        pm_row = db.get(MirrorPaymentMethod, pm_id)
        label = (
            gettext(
                "{brand} ending in {last4}",
                locale=actor.locale,
                brand=(pm_row.card_brand or "card").title(),
                last4=pm_row.card_last4,
            )
            if pm_row is not None
            else gettext("your new card", locale=actor.locale)
        )
        confirm_by_email(
            db,
            actor,
            PAYMENT_METHOD_UPDATED,
            lambda brand: payment_method_updated(
                brand=brand, payment_method=label, locale=actor.locale
            ),
        )
        audit(
            db,
            actor,
            "customer.default_payment_method",
            actor.customer,
            before,
            {"default_payment_method": pm_id},
        )

    await in_session(store)


def removal_refusal(*, session: Session, actor: Actor, payment_method_id: str) -> Text | None:
    """Why this card may not be removed now (None when it may)."""
    others = session.exec(
        select(MirrorPaymentMethod.id).where(
            MirrorPaymentMethod.customer == actor.customer,
            col(MirrorPaymentMethod.deleted).is_(False),
            MirrorPaymentMethod.id != payment_method_id,
        )
    ).first()
    live = session.exec(
        select(MirrorSubscription.id).where(
            MirrorSubscription.customer == actor.customer,
            col(MirrorSubscription.status).in_(LIVE_STATUSES),
        )
    ).first()
    return LAST_CARD if others is None and live is not None else None


async def remove(*, gateway: Gateway, actor: Actor, payment_method_id: object, nonce: str) -> None:
    """Detach a card, unless it is the last one while a subscription is live."""
    _enabled(actor)

    def check(db: Session) -> tuple[str, dict[str, Any]]:
        pm = own_payment_method(session=db, actor=actor, payment_method_id=payment_method_id)
        refusal = removal_refusal(session=db, actor=actor, payment_method_id=pm.id)
        if refusal:
            raise ActionRefused(refusal, code="payment_method_in_use")
        return pm.id, {"brand": pm.card_brand, "last4": pm.card_last4}

    pm_id, before = await in_session(check)
    detached = await gateway.detach_payment_method(
        payment_method_id=pm_id, intent=f"{actor.session_id}:detach:{pm_id}:{nonce}"
    )

    def store_detached(db: Session) -> None:
        record(session=db, obj=detached)
        audit(db, actor, "payment_method.detach", pm_id, before, {})

    await in_session(store_detached)
