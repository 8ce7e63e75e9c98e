"""Moving time: everything due on the way happens in time order.

A test clock's advance processes the objects of its customers; objects of customers on no
clock follow real time, and are processed when a write finds them due (`catch_up`).
"""

from typing import Any

from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select

from portal_app.sandbox.billing import invoices, schedules, subscriptions
from portal_app.sandbox.clock import real_now
from portal_app.sandbox.context import Ctx
from portal_app.sandbox.models import SandboxObject

MAX_STEPS = 10_000


def _clocked_customers() -> Any:
    return select(SandboxObject.id).where(
        SandboxObject.object == "customer", col(SandboxObject.parent).is_not(None)
    )


def clock_customers(ctx: Ctx, clock_id: str) -> list[str]:
    """The customers attached to a test clock."""
    return list(
        ctx.session.exec(
            select(SandboxObject.id).where(
                SandboxObject.object == "customer", SandboxObject.parent == clock_id
            )
        )
    )


def advance_clock_objects(ctx: Ctx, clock_id: str, target: int) -> None:
    """Process the due objects of a test clock's customers up to `target`."""
    customers = clock_customers(ctx, clock_id)
    _advance(ctx, target, col(SandboxObject.customer).in_(customers))


def catch_up(ctx: Ctx) -> None:
    """Process what real time has made due for customers on no test clock."""
    now = real_now()
    _advance(ctx, now, col(SandboxObject.customer).not_in(_clocked_customers()))
    ctx.now = now


def _advance(ctx: Ctx, target: int, owned: ColumnElement[bool]) -> None:
    """Renewals, trial ends, cancellations, schedule phases and payment retries, in order."""
    for _ in range(MAX_STEPS):
        row = ctx.session.exec(
            select(SandboxObject)
            .where(
                col(SandboxObject.due_at).is_not(None),
                col(SandboxObject.due_at) <= target,
                col(SandboxObject.object).in_(["subscription", "subscription_schedule", "invoice"]),
                owned,
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


def _retry_payment(ctx: Ctx, invoice_id: str) -> None:
    invoice = ctx.store.get(invoice_id, "invoice")
    if invoice["status"] != "open":
        ctx.store.save(invoice, due_at=None)
        return
    if invoices.pay(ctx, invoice) is None:
        subscriptions.mark_active_after_payment(ctx, invoice)
