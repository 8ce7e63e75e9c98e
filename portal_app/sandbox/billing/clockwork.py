"""Moving the sandbox clock: everything due on the way happens in time order."""

from sqlmodel import col, select

from portal_app.sandbox.billing import invoices, schedules, subscriptions
from portal_app.sandbox.clock import set_sandbox_now
from portal_app.sandbox.context import Ctx
from portal_app.sandbox.models import SandboxObject

MAX_STEPS = 10_000


def advance_to(ctx: Ctx, target: int) -> None:
    """Process renewals, trial ends, cancellations and schedule phases up to `target`."""
    for _ in range(MAX_STEPS):
        row = ctx.session.exec(
            select(SandboxObject)
            .where(
                col(SandboxObject.due_at).is_not(None),
                col(SandboxObject.due_at) <= target,
                col(SandboxObject.object).in_(["subscription", "subscription_schedule", "invoice"]),
            )
            # At the same moment: schedule phase changes, then renewals, then payment retries.
            .order_by(
                col(SandboxObject.due_at), col(SandboxObject.object).desc(), col(SandboxObject.seq)
            )
            .limit(1)
        ).first()
        if row is None:
            break
        ctx.now = max(ctx.now, int(row.due_at or 0))
        if row.object == "subscription_schedule":
            schedules.process_due(ctx, row.id)
        elif row.object == "subscription":
            subscriptions.process_due(ctx, row.id)
        else:
            _retry_payment(ctx, row.id)
    else:
        raise RuntimeError("the sandbox clock did not settle; a due date failed to move")
    ctx.now = target
    set_sandbox_now(ctx.store, target)


def _retry_payment(ctx: Ctx, invoice_id: str) -> None:
    invoice = ctx.store.get(invoice_id, "invoice")
    if invoice["status"] != "open":
        ctx.store.save(invoice, due_at=None)
        return
    if invoices.pay(ctx, invoice) is None:
        subscriptions.mark_active_after_payment(ctx, invoice)
