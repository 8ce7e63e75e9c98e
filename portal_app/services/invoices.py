"""Paying an open or past-due invoice from the portal."""

from typing import Any

from sqlmodel import Session

from portal_app.billing.gateway import Gateway
from portal_app.billing.shapes import ref
from portal_app.billing.sync import record
from portal_app.i18n.text import Text
from portal_app.models.mirror_billing import MirrorInvoice
from portal_app.services.customer_actions import ActionRefused, Actor, audit
from portal_app.services.off_loop import in_session
from portal_app.services.payment_methods import own_payment_method


async def pay_invoice(
    *, gateway: Gateway, actor: Actor, invoice_id: object, payment_method_id: object, nonce: str
) -> dict[str, Any]:
    """Pay one of the customer's open invoices with one of their saved cards."""
    if not actor.features.invoice_history.enabled:
        raise ActionRefused(Text("Invoices are not available here."), code="feature_disabled")

    def check(db: Session) -> tuple[str, str, str | None, dict[str, Any]]:
        invoice = db.get(MirrorInvoice, invoice_id) if isinstance(invoice_id, str) else None
        if invoice is None or invoice.customer != actor.customer or invoice.deleted:
            raise ActionRefused(
                Text("That invoice was not found."), code="resource_missing", field="invoice"
            )
        if invoice.status != "open" or invoice.amount_remaining <= 0:
            raise ActionRefused(
                Text("This invoice has nothing left to pay."), code="invoice_not_payable"
            )
        pm = own_payment_method(session=db, actor=actor, payment_method_id=payment_method_id)
        before = {"status": invoice.status, "amount_remaining": invoice.amount_remaining}
        return invoice.id, pm.id, invoice.subscription, before

    invoice_ref, pm_ref, subscription_ref, before = await in_session(check)
    paid = await gateway.pay_invoice(
        invoice_id=invoice_ref,
        payment_method_id=pm_ref,
        intent=f"{actor.session_id}:pay:{invoice_ref}:{pm_ref}:{nonce}",
    )

    def store(db: Session) -> None:
        record(session=db, obj=paid)
        audit(
            db,
            actor,
            "invoice.pay",
            invoice_ref,
            before,
            {"status": paid.get("status"), "payment_method": pm_ref},
        )

    await in_session(store)
    if paid.get("status") == "paid" and subscription_ref:
        # Paying the overdue invoice makes the subscription active again; read it now so the
        # page drops "Past due" at once rather than when the webhook lands.
        subscription = await gateway.retrieve_subscription(subscription_id=subscription_ref)
        await in_session(lambda db: record(session=db, obj=subscription))
    return paid


async def record_latest_invoice(*, gateway: Gateway, subscription: dict[str, Any]) -> None:
    """Store the invoice a subscription write just made (a plan change invoiced at once), so
    the invoice history shows it with the page's next load rather than when its webhook lands.
    """
    invoice_id = ref(subscription.get("latest_invoice"))
    if not invoice_id:
        return

    def known_status(db: Session) -> str | None:
        known = db.get(MirrorInvoice, invoice_id)
        return known.status if known is not None else None

    status = await in_session(known_status)
    if status is not None and status != "draft":
        return
    invoice = await gateway.retrieve_invoice(invoice_id=invoice_id)
    await in_session(lambda db: record(session=db, obj=invoice))
