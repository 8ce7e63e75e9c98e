"""Invoices, their lines, invoice items and previews of subscription changes."""

from typing import Any

from portal_app.sandbox import cards, events
from portal_app.sandbox.billing import discounts as discount_rules
from portal_app.sandbox.billing import invoices, subscriptions
from portal_app.sandbox.billing.invoices import Line
from portal_app.sandbox.billing.periods import next_period_end
from portal_app.sandbox.endpoints import Ctx, RouteSpec
from portal_app.sandbox.errors import invalid_request
from portal_app.sandbox.params import (
    get_bool,
    get_dict,
    get_int,
    get_list,
    get_str,
    merge_metadata,
    require_str,
)
from portal_app.sandbox.store import list_object, new_object_id


def list_invoices(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """`GET /v1/invoices` by `customer`, `subscription` and `status`."""
    return ctx.store.page(
        "invoice",
        params,
        "/v1/invoices",
        customer=get_str(params, "customer"),
        parent=get_str(params, "subscription"),
        status=get_str(params, "status"),
    )


def retrieve_invoice(ctx: Ctx, params: dict[str, Any], id: str) -> dict[str, Any]:
    """`GET /v1/invoices/{id}`."""
    return ctx.store.get(id, "invoice")


def update_invoice(ctx: Ctx, params: dict[str, Any], id: str) -> dict[str, Any]:
    """`POST /v1/invoices/{id}`: description, metadata, default payment method."""
    invoice = ctx.store.get(id, "invoice")
    before = dict(invoice)
    if "metadata" in params:
        invoice["metadata"] = merge_metadata(invoice["metadata"], params["metadata"])
    for name in ("description", "footer", "default_payment_method"):
        if name in params:
            invoice[name] = get_str(params, name)
    ctx.store.save(invoice)
    events.record_update(ctx, "invoice.updated", before, invoice)
    return invoice


def list_lines(ctx: Ctx, params: dict[str, Any], id: str) -> dict[str, Any]:
    """`GET /v1/invoices/{id}/lines` with cursor pagination over the invoice's lines."""
    lines = ctx.store.get(id, "invoice")["lines"]["data"]
    limit = get_int(params, "limit", 10) or 10
    after = get_str(params, "starting_after")
    if after is not None:
        ids = [line["id"] for line in lines]
        lines = lines[ids.index(after) + 1 :] if after in ids else []
    return list_object(lines[:limit], f"/v1/invoices/{id}/lines", has_more=len(lines) > limit)


def pay_invoice(ctx: Ctx, params: dict[str, Any], id: str) -> dict[str, Any]:
    """`POST /v1/invoices/{id}/pay` (optionally with `payment_method` or `paid_out_of_band`)."""
    invoice = ctx.store.get(id, "invoice")
    if invoice["status"] == "draft":
        invoices.finalize(ctx, invoice)
    if get_bool(params, "paid_out_of_band", False) and invoice["status"] == "open":
        before = {"status": "open"}
        invoice.update({"status": "paid", "amount_remaining": 0})
        invoice["status_transitions"] = {**invoice["status_transitions"], "paid_at": ctx.now}
        ctx.store.save(invoice, status="paid", due_at=None)
        events.record(ctx, "invoice.paid", invoice, before)
        events.record(ctx, "invoice.updated", invoice, before)
        subscriptions.mark_active_after_payment(ctx, invoice)
        return invoice
    pm_id = get_str(params, "payment_method")
    if pm_id is not None:
        pm = ctx.store.get(pm_id, "payment_method")
        if pm["customer"] != invoice["customer"]:
            raise invalid_request(
                "The payment method must be attached to the invoice's customer.",
                param="payment_method",
            )
    decline_code = invoices.pay(ctx, invoice, pm_id)
    if decline_code == "no_payment_method":
        raise invalid_request(
            "This customer has no attached payment source or default payment method.",
            code="resource_missing",
        )
    if decline_code is not None:
        raise cards.decline(decline_code, keep_changes=True)
    subscriptions.mark_active_after_payment(ctx, invoice)
    return invoice


def void_invoice(ctx: Ctx, params: dict[str, Any], id: str) -> dict[str, Any]:
    """`POST /v1/invoices/{id}/void`."""
    return invoices.void(ctx, ctx.store.get(id, "invoice"))


def mark_uncollectible(ctx: Ctx, params: dict[str, Any], id: str) -> dict[str, Any]:
    """`POST /v1/invoices/{id}/mark_uncollectible`."""
    return invoices.mark_uncollectible(ctx, ctx.store.get(id, "invoice"))


def finalize_invoice(ctx: Ctx, params: dict[str, Any], id: str) -> dict[str, Any]:
    """`POST /v1/invoices/{id}/finalize`."""
    return invoices.finalize(ctx, ctx.store.get(id, "invoice"))


def create_invoice(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """`POST /v1/invoices`: a draft collecting the customer's pending one-off items."""
    customer = ctx.store.get(require_str(params, "customer"), "customer")
    pending = []
    if (get_str(params, "pending_invoice_items_behavior") or "include") == "include":
        pending = invoices.pending_lines(ctx, customer["id"], None)
    currency = get_str(params, "currency") or "usd"
    collection_method = get_str(params, "collection_method") or "charge_automatically"
    days = get_int(params, "days_until_due")
    if collection_method == "send_invoice" and days is None:
        days = 30
    discount_ids = discount_rules.redeem(
        ctx,
        get_list(params, "discounts") or [],
        customer=customer["id"],
        subscription=None,
        amount=None,
    )
    invoice = invoices.build_invoice(
        ctx,
        customer=customer,
        lines=[line for _, line in pending],
        currency=currency,
        billing_reason="manual",
        discount_ids=discount_ids,
        collection_method=collection_method,
        days_until_due=days,
    )
    invoice["description"] = get_str(params, "description")
    invoice["metadata"] = merge_metadata({}, params.get("metadata"))
    invoice["auto_advance"] = bool(get_bool(params, "auto_advance", False))
    return invoices.store_draft(ctx, invoice, [item_id for item_id, _ in pending])


def create_invoice_item(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """`POST /v1/invoiceitems`: a one-off charge (`amount` or `price` times `quantity`)."""
    customer = ctx.store.get(require_str(params, "customer"), "customer")
    quantity = get_int(params, "quantity", 1) or 1
    price_id = get_str(params, "price")
    price = ctx.store.get(price_id, "price") if price_id else None
    amount = get_int(params, "amount")
    if amount is None:
        if price is None:
            raise invalid_request("Pass an amount or a price.", param="amount")
        amount = price["unit_amount"] * quantity
    currency = (get_str(params, "currency") or (price["currency"] if price else "usd")).lower()
    line = Line(
        amount=amount,
        description=get_str(params, "description")
        or (invoices.product_name(ctx, price) if price else "Invoice item"),
        quantity=quantity,
        period_start=ctx.now,
        period_end=ctx.now,
        price=price,
        subscription=get_str(params, "subscription"),
    )
    return invoices.create_invoice_item(ctx, customer["id"], line, currency)


def list_invoice_items(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """`GET /v1/invoiceitems` by `customer` and `pending`."""
    pending = get_bool(params, "pending")
    status = None if pending is None else ("pending" if pending else "invoiced")
    return ctx.store.page(
        "invoiceitem",
        params,
        "/v1/invoiceitems",
        customer=get_str(params, "customer"),
        status=status,
    )


def retrieve_invoice_item(ctx: Ctx, params: dict[str, Any], id: str) -> dict[str, Any]:
    """`GET /v1/invoiceitems/{id}`."""
    return ctx.store.get(id, "invoiceitem")


def delete_invoice_item(ctx: Ctx, params: dict[str, Any], id: str) -> dict[str, Any]:
    """`DELETE /v1/invoiceitems/{id}` (pending items only)."""
    item = ctx.store.get(id, "invoiceitem")
    if item["invoice"] is not None:
        raise invalid_request("This invoice item is already on an invoice.", param="id")
    ctx.store.delete(id)
    events.record(ctx, "invoiceitem.deleted", item)
    return {"id": id, "object": "invoiceitem", "deleted": True}


def create_preview(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """`POST /v1/invoices/create_preview`: the invoice a subscription change would produce.

    As Stripe's: a change that bills at once (`always_invoice`, a new interval or
    `billing_cycle_anchor=now`) previews the invoice made now; any other previews the upcoming
    renewal, whose `period_end` is the renewal date itself, with the subscription's schedule
    applied (a phase starting at the renewal bills its own prices). The change really runs
    inside the request's transaction, which is then rolled back.
    """
    details = get_dict(params, "subscription_details") or {}
    sub_id = get_str(params, "subscription")
    if sub_id is None:
        return _preview_new_subscription(ctx, params, details)
    sub = ctx.store.get(sub_id, "subscription")
    if sub["status"] in subscriptions.ENDED:
        raise invalid_request(
            "No upcoming invoices for this subscription.", code="invoice_upcoming_none"
        )
    customer = ctx.store.get(sub["customer"], "customer")
    change_params: dict[str, Any] = {
        key: details[key]
        for key in (
            "items",
            "proration_behavior",
            "proration_date",
            "cancel_at_period_end",
            "cancel_at",
            "default_payment_method",
        )
        if key in details
    }
    anchor_type = (get_dict(details, "billing_cycle_anchor") or {}).get("type")
    if anchor_type == "now":
        change_params["billing_cycle_anchor"] = {"type": "now"}
    elif anchor_type == "timestamp":
        raise invalid_request(
            "An existing subscription's billing_cycle_anchor can only be `now` or `unchanged`.",
            param="subscription_details[billing_cycle_anchor][type]",
        )
    if "discounts" in params:
        change_params["discounts"] = params["discounts"]
    changes_items = bool(get_list(details, "items"))
    ends_trial = get_str(details, "trial_end") == "now" and sub["status"] == "trialing"
    change = subscriptions.plan_change(ctx, sub, change_params)
    pending = [line for _, line in invoices.pending_lines(ctx, sub["customer"], sub["id"])]
    period: tuple[int, int]
    if ends_trial:
        # Ending the trial now bills the first paid period at once.
        recurring = sub["items"]["data"][0]["price"]["recurring"]
        new_end = next_period_end(ctx.now, recurring, ctx.now)
        lines = pending + [
            invoices.plan_line(i, invoices.product_name(ctx, i["price"]), ctx.now, new_end)
            for i in sub["items"]["data"]
        ]
        reason = "subscription_update"
        period = (ctx.now, ctx.now)
    elif change.invoice_now:
        lines = pending + change.proration_lines + change.reset_lines
        reason = "subscription_update"
        period = (ctx.now, ctx.now)
    else:
        start, end = subscriptions.period(sub)
        if sub["cancel_at"] is not None and sub["cancel_at"] <= end:
            raise invalid_request(
                "No upcoming invoices: the subscription ends at the end of this period.",
                code="invoice_upcoming_none",
            )
        renewing = sub["items"]["data"]
        if not changes_items:
            renewing = _scheduled_items(ctx, sub, end) or renewing
        recurring = renewing[0]["price"]["recurring"]
        anchor = end if sub["status"] == "trialing" else int(sub["billing_cycle_anchor"])
        new_end = next_period_end(end, recurring, anchor)
        lines = pending + change.proration_lines
        lines += [
            invoices.plan_line(i, invoices.product_name(ctx, i["price"]), end, new_end)
            for i in renewing
        ]
        reason = "upcoming"
        period = (start, end)
        ctx.now = end
    invoice = invoices.build_invoice(
        ctx,
        customer=customer,
        lines=lines,
        currency=sub["currency"],
        billing_reason=reason,
        subscription=sub,
        discount_ids=sub["discounts"],
        collection_method=sub["collection_method"],
        days_until_due=sub["days_until_due"],
        invoice_id=new_object_id("upcoming_in"),
        period=period,
    )
    invoices.apply_balance(customer, invoice)
    if sub["collection_method"] == "charge_automatically" and invoice["amount_due"] > 0:
        # When Stripe will try to collect it: now for an invoice made now, else the renewal.
        invoice["next_payment_attempt"] = ctx.now
    return invoice


def _scheduled_items(ctx: Ctx, sub: dict[str, Any], at: int) -> list[dict[str, Any]]:
    """The items of the schedule phase that starts at `at` (none when no phase does)."""
    if not sub["schedule"]:
        return []
    schedule = ctx.store.get(sub["schedule"], "subscription_schedule")
    if schedule["status"] != "active":
        return []
    phase = next((p for p in schedule["phases"] if p["start_date"] == at), None)
    if phase is None:
        return []
    return [subscriptions.item_for_phase(ctx, sub, item, at, at) for item in phase["items"]]


def _preview_new_subscription(
    ctx: Ctx, params: dict[str, Any], details: dict[str, Any]
) -> dict[str, Any]:
    customer = ctx.store.get(require_str(params, "customer"), "customer")
    entries = get_list(details, "items")
    if not entries:
        raise invalid_request(
            "Pass a subscription or subscription_details[items].",
            param="subscription_details[items]",
        )
    lines = []
    currency = "usd"
    for index, entry in enumerate(entries):
        price = subscriptions.recurring_price(
            ctx, require_str(entry, "price"), f"subscription_details[items][{index}][price]"
        )
        currency = price["currency"]
        end = next_period_end(ctx.now, price["recurring"], ctx.now)
        item = {
            "id": None,
            "price": price,
            "quantity": get_int(entry, "quantity", 1) or 1,
            "subscription": None,
        }
        lines.append(invoices.plan_line(item, invoices.product_name(ctx, price), ctx.now, end))
    amount = sum(line.amount for line in lines)
    discount_ids = discount_rules.redeem(
        ctx,
        get_list(params, "discounts") or [],
        customer=customer["id"],
        subscription=None,
        amount=amount,
    )
    invoice = invoices.build_invoice(
        ctx,
        customer=customer,
        lines=lines,
        currency=currency,
        billing_reason="subscription_create",
        discount_ids=discount_ids,
        invoice_id=new_object_id("upcoming_in"),
    )
    invoices.apply_balance(customer, invoice)
    return invoice


ROUTES: list[RouteSpec] = [
    ("POST", "/v1/invoices/create_preview", create_preview),
    ("POST", "/v1/invoices", create_invoice),
    ("GET", "/v1/invoices", list_invoices),
    ("GET", "/v1/invoices/{id}", retrieve_invoice),
    ("POST", "/v1/invoices/{id}", update_invoice),
    ("GET", "/v1/invoices/{id}/lines", list_lines),
    ("POST", "/v1/invoices/{id}/pay", pay_invoice),
    ("POST", "/v1/invoices/{id}/void", void_invoice),
    ("POST", "/v1/invoices/{id}/mark_uncollectible", mark_uncollectible),
    ("POST", "/v1/invoices/{id}/finalize", finalize_invoice),
    ("POST", "/v1/invoiceitems", create_invoice_item),
    ("GET", "/v1/invoiceitems", list_invoice_items),
    ("GET", "/v1/invoiceitems/{id}", retrieve_invoice_item),
    ("DELETE", "/v1/invoiceitems/{id}", delete_invoice_item),
]
