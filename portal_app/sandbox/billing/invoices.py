"""Invoices: lines, totals with discounts and customer balance, numbering, payment, voiding."""

import secrets
from dataclasses import dataclass
from typing import Any

from portal_app.sandbox import events
from portal_app.sandbox.account import account_settings
from portal_app.sandbox.billing import discounts as discount_rules
from portal_app.sandbox.billing.payments import charge
from portal_app.sandbox.billing.periods import money_label
from portal_app.sandbox.context import Ctx
from portal_app.sandbox.errors import invalid_request
from portal_app.sandbox.store import new_object_id

MAX_PAYMENT_ATTEMPTS = 4
RETRY_AFTER_SECONDS = 3 * 86400

# Stripe writes "1 \u00d7 Pro" (a multiplication sign) in line descriptions.
TIMES = "\u00d7"


@dataclass
class Line:
    """What an invoice line says before it belongs to an invoice."""

    amount: int
    description: str
    quantity: int
    period_start: int
    period_end: int
    price: dict[str, Any] | None = None
    subscription: str | None = None
    subscription_item: str | None = None
    invoice_item: str | None = None
    proration: bool = False


def plan_line(item: dict[str, Any], product_name: str, start: int, end: int) -> Line:
    """The line charging one subscription item for a whole period."""
    price = item["price"]
    quantity = int(item["quantity"])
    unit = price["unit_amount"]
    interval = price["recurring"]["interval"] if price["recurring"] else "one-off"
    each = money_label(unit, price["currency"])
    description = f"{quantity} {TIMES} {product_name} (at {each} / {interval})"
    return Line(
        amount=unit * quantity,
        description=description,
        quantity=quantity,
        period_start=start,
        period_end=end,
        price=price,
        subscription=item["subscription"],
        subscription_item=item["id"],
    )


def product_name(ctx: Ctx, price: dict[str, Any]) -> str:
    """The name of a price's product."""
    row = ctx.store.find(price["product"])
    return str(row.data["name"]) if row else str(price["product"])


def create_invoice_item(ctx: Ctx, customer: str, line: Line, currency: str) -> dict[str, Any]:
    """A pending invoice item (e.g. a proration) that the customer's next invoice collects."""
    price = line.price
    item = {
        "id": new_object_id("ii"),
        "object": "invoiceitem",
        "amount": line.amount,
        "currency": currency,
        "customer": customer,
        "date": ctx.now,
        "description": line.description,
        "discountable": True,
        "discounts": [],
        "invoice": None,
        "livemode": False,
        "metadata": {},
        "period": {"start": line.period_start, "end": line.period_end},
        "proration": line.proration,
        "quantity": line.quantity,
        "tax_rates": [],
        "test_clock": None,
        "parent": {
            "type": "subscription_details",
            "subscription_details": {
                "subscription": line.subscription,
                "subscription_item": line.subscription_item,
            },
        }
        if line.subscription
        else None,
        "pricing": {
            "type": "price_details",
            "price_details": {"price": price["id"], "product": price["product"]} if price else None,
            "unit_amount_decimal": str(price["unit_amount"]) if price else None,
        },
        "net_amount": line.amount,
        "customer_account": None,
        "quantity_decimal": str(line.quantity),
    }
    ctx.store.insert(
        item,
        hidden={"line": {**line.__dict__, "invoice_item": item["id"]}},
        customer=customer,
        parent=line.subscription,
        status="pending",
    )
    events.record(ctx, "invoiceitem.created", item)
    return item


def pending_lines(ctx: Ctx, customer: str, subscription: str | None) -> list[tuple[str, Line]]:
    """Pending invoice items of a subscription (or the customer's one-off ones) as lines."""
    rows = ctx.store.rows("invoiceitem", customer=customer, status="pending", parent=subscription)
    return [(row.id, Line(**row.hidden["line"])) for row in rows]


def _line_doc(line: Line, invoice_id: str, currency: str) -> dict[str, Any]:
    price = line.price
    if line.invoice_item is not None:
        parent: dict[str, Any] = {
            "type": "invoice_item_details",
            "invoice_item_details": {
                "invoice_item": line.invoice_item,
                "proration": line.proration,
                "proration_details": {"credited_items": None},
                "subscription": line.subscription,
            },
            "subscription_item_details": None,
        }
    else:
        parent = {
            "type": "subscription_item_details",
            "invoice_item_details": None,
            "subscription_item_details": {
                "invoice_item": None,
                "proration": line.proration,
                "proration_details": {"credited_items": None},
                "subscription": line.subscription,
                "subscription_item": line.subscription_item,
            },
        }
    return {
        "id": new_object_id("il"),
        "object": "line_item",
        "amount": line.amount,
        "currency": currency,
        "description": line.description,
        "discount_amounts": [],
        "discountable": True,
        "discounts": [],
        "invoice": invoice_id,
        "livemode": False,
        "metadata": {},
        "period": {"start": line.period_start, "end": line.period_end},
        "quantity": line.quantity,
        "subscription": line.subscription,
        "pretax_credit_amounts": [],
        "taxes": [],
        "parent": parent,
        "pricing": {
            "type": "price_details",
            "price_details": {"price": price["id"], "product": price["product"]} if price else None,
            "unit_amount_decimal": str(price["unit_amount"]) if price else None,
        },
        "subtotal": line.amount,
        "quantity_decimal": str(line.quantity),
    }


def build_invoice(
    ctx: Ctx,
    *,
    customer: dict[str, Any],
    lines: list[Line],
    currency: str,
    billing_reason: str,
    subscription: dict[str, Any] | None = None,
    discount_ids: list[str] | None = None,
    collection_method: str = "charge_automatically",
    days_until_due: int | None = None,
    invoice_id: str | None = None,
    period: tuple[int, int] | None = None,
) -> dict[str, Any]:
    """A draft invoice document with totals (not stored; `open_invoice` stores it).

    `period` is Stripe's invoice period: for a renewal, the period that just ended (its
    `period_end` is the renewal date), not the new period its plan lines cover.
    """
    invoice_id = invoice_id or new_object_id("in")
    line_docs = [_line_doc(line, invoice_id, currency) for line in lines]
    applicable = discount_rules.active_discounts(ctx, discount_ids or [], ctx.now)
    per_line = discount_rules.line_discounts(applicable, line_docs, currency)
    for doc, amounts in zip(line_docs, per_line, strict=True):
        doc["discount_amounts"] = amounts
        doc["discounts"] = [a["discount"] for a in amounts]
    totals: dict[str, int] = {}
    for amounts in per_line:
        for entry in amounts:
            totals[entry["discount"]] = totals.get(entry["discount"], 0) + entry["amount"]
    subtotal = sum(line.amount for line in lines)
    total = subtotal - sum(totals.values())
    if period is None:
        starts = [line.period_start for line in lines] or [ctx.now]
        ends = [line.period_end for line in lines] or [ctx.now]
        period = (min(starts), max(ends))
    sub_id = subscription["id"] if subscription else None
    return {
        "id": invoice_id,
        "object": "invoice",
        "account_country": "US",
        "account_name": account_settings(ctx.store)["business_name"],
        "account_tax_ids": None,
        "amount_due": total,
        "amount_paid": 0,
        "amount_remaining": total,
        "amount_shipping": 0,
        "application": None,
        "attempt_count": 0,
        "attempted": False,
        "auto_advance": True,
        "automatic_tax": {
            "enabled": False,
            "liability": None,
            "status": None,
            "disabled_reason": None,
            "provider": None,
        },
        "billing_reason": billing_reason,
        "collection_method": collection_method,
        "created": ctx.now,
        "currency": currency,
        "custom_fields": None,
        "customer": customer["id"],
        "customer_address": customer["address"],
        "customer_email": customer["email"],
        "customer_name": customer["name"],
        "customer_phone": customer["phone"],
        "customer_shipping": customer["shipping"],
        "customer_tax_exempt": customer["tax_exempt"],
        "customer_tax_ids": [
            {"type": r.data["type"], "value": r.data["value"]}
            for r in ctx.store.rows("tax_id", customer=customer["id"])
        ],
        "default_payment_method": None,
        "default_source": None,
        "default_tax_rates": [],
        "description": None,
        "discounts": [d["id"] for d in applicable],
        "due_date": ctx.now + days_until_due * 86400
        if collection_method == "send_invoice" and days_until_due is not None
        else None,
        "effective_at": None,
        "ending_balance": None,
        "footer": None,
        "from_invoice": None,
        "hosted_invoice_url": None,
        "invoice_pdf": None,
        "issuer": {"type": "self"},
        "last_finalization_error": None,
        "latest_revision": None,
        "lines": {
            "object": "list",
            "data": line_docs,
            "has_more": False,
            "url": f"/v1/invoices/{invoice_id}/lines",
        },
        "livemode": False,
        "metadata": {},
        "next_payment_attempt": None,
        "number": None,
        "on_behalf_of": None,
        "payment_settings": {
            "default_mandate": None,
            "payment_method_options": None,
            "payment_method_types": None,
        },
        "period_end": period[1],
        "period_start": period[0],
        "post_payment_credit_notes_amount": 0,
        "pre_payment_credit_notes_amount": 0,
        "receipt_number": None,
        "rendering": None,
        "shipping_cost": None,
        "shipping_details": None,
        "starting_balance": 0,
        "statement_descriptor": None,
        "status": "draft",
        "status_transitions": {
            "finalized_at": None,
            "marked_uncollectible_at": None,
            "paid_at": None,
            "voided_at": None,
        },
        "subscription": sub_id,
        "subtotal": subtotal,
        "subtotal_excluding_tax": subtotal,
        "test_clock": None,
        "total": total,
        "total_discount_amounts": [
            {"amount": amount, "discount": discount_id} for discount_id, amount in totals.items()
        ],
        "total_excluding_tax": total,
        "webhooks_delivered_at": None,
        "automatically_finalizes_at": None,
        "total_pretax_credit_amounts": [],
        "total_taxes": [],
        "amount_overpaid": 0,
        "parent": {
            "type": "subscription_details",
            "quote_details": None,
            "subscription_details": {
                "metadata": dict(subscription["metadata"]),
                "subscription": sub_id,
            },
        }
        if subscription
        else None,
        "customer_account": None,
    }


def apply_balance(customer: dict[str, Any], invoice: dict[str, Any]) -> None:
    """Use the customer's credit (negative balance) or debt on the invoice's amount due."""
    starting = int(customer["balance"])
    combined = invoice["total"] + starting
    invoice["starting_balance"] = starting
    invoice["amount_due"] = max(0, combined)
    invoice["amount_remaining"] = invoice["amount_due"]
    invoice["ending_balance"] = min(0, combined)


def store_draft(ctx: Ctx, invoice: dict[str, Any], item_ids: list[str]) -> dict[str, Any]:
    """Persist a draft invoice and mark the pending items it collected as invoiced."""
    hosted_token = secrets.token_urlsafe(16)
    ctx.store.insert(
        invoice,
        hidden={"hosted_token": hosted_token},
        customer=invoice["customer"],
        parent=invoice["subscription"],
        status="draft",
    )
    for item_id in item_ids:
        item = ctx.store.get(item_id, "invoiceitem")
        item["invoice"] = invoice["id"]
        ctx.store.save(item, status="invoiced")
    events.record(ctx, "invoice.created", invoice)
    return invoice


def finalize(ctx: Ctx, invoice: dict[str, Any]) -> dict[str, Any]:
    """Draft → open: number, balance applied, hosted page and PDF; $0 invoices become paid."""
    if invoice["status"] != "draft":
        raise invalid_request(
            "This invoice is already finalized, you can't re-finalize a non-draft invoice.",
            code="invoice_not_editable",
        )
    customer = ctx.store.get(invoice["customer"], "customer")
    before_balance = customer["balance"]
    apply_balance(customer, invoice)
    sequence = customer["next_invoice_sequence"]
    customer["next_invoice_sequence"] = sequence + 1
    customer["balance"] = invoice["ending_balance"]
    if customer["balance"] != before_balance:
        events.record(ctx, "customer.updated", customer, {"balance": before_balance})
    ctx.store.save(customer)
    token = ctx.store.hidden(invoice["id"])["hosted_token"]
    base = f"{ctx.public_base}/hosted/invoices/{invoice['id']}/{token}"
    invoice.update(
        {
            "number": f"{customer['invoice_prefix']}-{sequence:04d}",
            "status": "open",
            "effective_at": ctx.now,
            "hosted_invoice_url": base,
            "invoice_pdf": f"{base}/pdf",
        }
    )
    invoice["status_transitions"] = {**invoice["status_transitions"], "finalized_at": ctx.now}
    if invoice["collection_method"] == "charge_automatically" and invoice["amount_due"] > 0:
        invoice["next_payment_attempt"] = ctx.now
    ctx.store.save(invoice, status="open")
    events.record(ctx, "invoice.finalized", invoice)
    if invoice["amount_due"] == 0:
        _mark_paid(ctx, invoice, {"status": "open"})
    return invoice


def _mark_paid(ctx: Ctx, invoice: dict[str, Any], before: dict[str, Any]) -> None:
    invoice.update(
        {
            "status": "paid",
            "amount_paid": invoice["amount_due"],
            "amount_remaining": 0,
            "next_payment_attempt": None,
        }
    )
    invoice["status_transitions"] = {**invoice["status_transitions"], "paid_at": ctx.now}
    ctx.store.save(invoice, status="paid", due_at=None)
    events.record(ctx, "invoice.paid", invoice, before)
    events.record(ctx, "invoice.payment_succeeded", invoice, before)
    events.record(ctx, "invoice.updated", invoice, before)


def default_payment_method(ctx: Ctx, invoice: dict[str, Any]) -> str | None:
    """The card an invoice is charged to: its own, its subscription's, or the customer's."""
    if invoice["default_payment_method"]:
        return str(invoice["default_payment_method"])
    if invoice["subscription"]:
        sub = ctx.store.find(invoice["subscription"])
        if sub is not None and sub.data.get("default_payment_method"):
            return str(sub.data["default_payment_method"])
    customer = ctx.store.get(invoice["customer"], "customer")
    found = customer["invoice_settings"]["default_payment_method"]
    return str(found) if found else None


def pay(ctx: Ctx, invoice: dict[str, Any], payment_method: str | None = None) -> str | None:
    """Charge an open invoice; returns None when paid, else the decline code."""
    if invoice["status"] == "paid":
        return None
    if invoice["status"] != "open":
        raise invalid_request(
            f"Invoice is {invoice['status']} and cannot be paid.", code="invoice_not_open"
        )
    pm = payment_method or default_payment_method(ctx, invoice)
    before = {"status": invoice["status"], "amount_paid": invoice["amount_paid"]}
    _, decline_code = charge(
        ctx,
        customer=invoice["customer"],
        payment_method=pm,
        amount=invoice["amount_remaining"],
        currency=invoice["currency"],
        description=f"Invoice {invoice['number']}",
    )
    invoice["attempt_count"] += 1
    invoice["attempted"] = True
    if decline_code is None:
        _mark_paid(ctx, invoice, before)
        return None
    # Like Stripe's retries: try the (possibly updated) default card again a few days later.
    retry = invoice["collection_method"] == "charge_automatically" and (
        invoice["attempt_count"] < MAX_PAYMENT_ATTEMPTS
    )
    invoice["next_payment_attempt"] = ctx.now + RETRY_AFTER_SECONDS if retry else None
    ctx.store.save(invoice, due_at=invoice["next_payment_attempt"])
    events.record(ctx, "invoice.payment_failed", invoice)
    events.record(ctx, "invoice.updated", invoice, {"attempt_count": invoice["attempt_count"] - 1})
    return decline_code


def void(ctx: Ctx, invoice: dict[str, Any]) -> dict[str, Any]:
    """Open → void (nothing is owed any more)."""
    if invoice["status"] not in ("open", "uncollectible"):
        raise invalid_request(
            f"You can only void open or uncollectible invoices (this one is {invoice['status']}).",
            code="invoice_not_open",
        )
    before = {"status": invoice["status"]}
    invoice.update({"status": "void", "amount_remaining": 0, "next_payment_attempt": None})
    invoice["status_transitions"] = {**invoice["status_transitions"], "voided_at": ctx.now}
    ctx.store.save(invoice, status="void", due_at=None)
    events.record(ctx, "invoice.voided", invoice, before)
    events.record(ctx, "invoice.updated", invoice, before)
    return invoice


def mark_uncollectible(ctx: Ctx, invoice: dict[str, Any]) -> dict[str, Any]:
    """Open → uncollectible."""
    if invoice["status"] != "open":
        raise invalid_request(
            "You can only mark open invoices as uncollectible.", code="invoice_not_open"
        )
    before = {"status": invoice["status"]}
    invoice.update({"status": "uncollectible", "next_payment_attempt": None})
    invoice["status_transitions"] = {
        **invoice["status_transitions"],
        "marked_uncollectible_at": ctx.now,
    }
    ctx.store.save(invoice, status="uncollectible", due_at=None)
    events.record(ctx, "invoice.marked_uncollectible", invoice, before)
    events.record(ctx, "invoice.updated", invoice, before)
    return invoice
