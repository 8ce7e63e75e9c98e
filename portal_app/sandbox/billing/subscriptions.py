"""Subscriptions: create, change with proration, cancel, and what happens at period ends."""

import copy
from typing import Any

from portal_app.sandbox import cards, events
from portal_app.sandbox.billing import discounts as discount_rules
from portal_app.sandbox.billing import invoices
from portal_app.sandbox.billing.invoices import Line
from portal_app.sandbox.billing.periods import day_label, next_period_end, prorate, same_cycle
from portal_app.sandbox.context import Ctx
from portal_app.sandbox.errors import ApiError, invalid_request
from portal_app.sandbox.params import (
    get_bool,
    get_dict,
    get_int,
    get_list,
    get_str,
    merge_metadata,
    require_str,
)
from portal_app.sandbox.store import new_object_id

PRORATION_BEHAVIORS = ("create_prorations", "always_invoice", "none")
ENDED = ("canceled", "incomplete_expired")
INCOMPLETE_EXPIRES_AFTER = 23 * 3600


def plan_of(price: dict[str, Any]) -> dict[str, Any]:
    """The legacy `plan` hash Stripe still embeds in subscription items."""
    recurring = price["recurring"] or {}
    return {
        "id": price["id"],
        "object": "plan",
        "active": price["active"],
        "amount": price["unit_amount"],
        "amount_decimal": price["unit_amount_decimal"],
        "billing_scheme": price["billing_scheme"],
        "created": price["created"],
        "currency": price["currency"],
        "interval": recurring.get("interval"),
        "interval_count": recurring.get("interval_count"),
        "livemode": False,
        "metadata": price["metadata"],
        "meter": None,
        "nickname": price["nickname"],
        "product": price["product"],
        "tiers_mode": None,
        "transform_usage": None,
        "trial_period_days": None,
        "usage_type": "licensed",
    }


def recurring_price(ctx: Ctx, price_id: str, param: str) -> dict[str, Any]:
    """An active recurring price, or 400/404."""
    price = ctx.store.get(price_id, "price")
    if price["recurring"] is None:
        raise invalid_request(
            f"The price specified is set to `type=one_time` but this field only accepts prices "
            f"with `type=recurring`: {price_id}",
            param=param,
        )
    if not price["active"]:
        raise invalid_request(
            f"The price specified is inactive. This field only accepts active prices: {price_id}",
            param=param,
        )
    return price


def _item(
    ctx: Ctx, sub_id: str, price: dict[str, Any], quantity: int, start: int, end: int
) -> dict[str, Any]:
    return {
        "id": new_object_id("si"),
        "object": "subscription_item",
        "created": ctx.now,
        "discounts": [],
        "metadata": {},
        "price": price,
        "quantity": quantity,
        "subscription": sub_id,
        "tax_rates": [],
        "plan": plan_of(price),
        "current_period_start": start,
        "current_period_end": end,
        "billing_thresholds": None,
    }


def period(sub: dict[str, Any]) -> tuple[int, int]:
    """The current billing period (every item shares it)."""
    first = sub["items"]["data"][0]
    return int(first["current_period_start"]), int(first["current_period_end"])


def _set_period(sub: dict[str, Any], start: int, end: int) -> None:
    for item in sub["items"]["data"]:
        item["current_period_start"] = start
        item["current_period_end"] = end


def due_at(sub: dict[str, Any]) -> int | None:
    """When the clock must next look at this subscription."""
    status = sub["status"]
    if status in ENDED:
        return None
    if status == "incomplete":
        return int(sub["created"]) + INCOMPLETE_EXPIRES_AFTER
    moments = [period(sub)[1]]
    if status == "trialing" and sub["trial_end"]:
        moments.append(int(sub["trial_end"]))
    if sub["cancel_at"]:
        moments.append(int(sub["cancel_at"]))
    resumes_at = (sub["pause_collection"] or {}).get("resumes_at")
    if resumes_at:
        moments.append(int(resumes_at))
    return min(moments)


def save(ctx: Ctx, sub: dict[str, Any]) -> dict[str, Any]:
    """Persist a subscription with its lookup columns."""
    return ctx.store.save(sub, status=sub["status"], due_at=due_at(sub))


def _check_payment_method(ctx: Ctx, customer: str, pm_id: str | None, param: str) -> None:
    if pm_id is None:
        return
    pm = ctx.store.get(pm_id, "payment_method")
    if pm["customer"] != customer:
        raise invalid_request(
            f"The customer does not have a payment method with the ID {pm_id}. The payment "
            "method must be attached to the customer.",
            param=param,
        )


def _discount_entries(params: dict[str, Any]) -> list[Any] | None:
    entries = get_list(params, "discounts")
    if entries is None and (params.get("coupon") or params.get("promotion_code")):
        entries = [{k: params[k] for k in ("coupon", "promotion_code") if params.get(k)}]
    return entries


def create_subscription(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """`POST /v1/subscriptions`: the first invoice is charged now unless there is a trial."""
    customer = ctx.store.get(require_str(params, "customer"), "customer")
    entries = get_list(params, "items")
    if not entries:
        raise invalid_request(
            "Missing required param: items.", param="items", code="parameter_missing"
        )
    prices: list[tuple[dict[str, Any], int]] = []
    for index, entry in enumerate(entries):
        price = recurring_price(ctx, require_str(entry, "price"), f"items[{index}][price]")
        prices.append((price, get_int(entry, "quantity", 1) or 1))
    first = prices[0][0]
    if any(
        p["currency"] != first["currency"] or not same_cycle(p["recurring"], first["recurring"])
        for p, _ in prices
    ):
        raise invalid_request(
            "All prices on a subscription must have the same currency and billing interval.",
            param="items",
        )
    collection_method = get_str(params, "collection_method") or "charge_automatically"
    days_until_due = get_int(params, "days_until_due")
    if collection_method == "send_invoice" and days_until_due is None:
        days_until_due = 30
    default_pm = get_str(params, "default_payment_method")
    _check_payment_method(ctx, customer["id"], default_pm, "default_payment_method")
    trial_end = _trial_end(ctx, params, first)
    sub_id = new_object_id("sub")
    amount = sum(p["unit_amount"] * q for p, q in prices)
    discount_ids = discount_rules.redeem(
        ctx,
        _discount_entries(params) or [],
        customer=customer["id"],
        subscription=sub_id,
        amount=amount,
    )
    start = ctx.now
    end = trial_end if trial_end else next_period_end(start, first["recurring"], start)
    sub: dict[str, Any] = {
        "id": sub_id,
        "object": "subscription",
        "application": None,
        "application_fee_percent": None,
        "automatic_tax": {"enabled": False, "liability": None, "disabled_reason": None},
        "billing_cycle_anchor": end if trial_end else start,
        "billing_cycle_anchor_config": None,
        "cancel_at": None,
        "canceled_at": None,
        "cancellation_details": {"comment": None, "feedback": None, "reason": None},
        "collection_method": collection_method,
        "created": ctx.now,
        "currency": first["currency"],
        "customer": customer["id"],
        "days_until_due": days_until_due if collection_method == "send_invoice" else None,
        "default_payment_method": default_pm,
        "default_source": None,
        "default_tax_rates": [],
        "description": get_str(params, "description"),
        "discounts": discount_ids,
        "ended_at": None,
        "invoice_settings": {"account_tax_ids": None, "issuer": {"type": "self"}},
        "items": {
            "object": "list",
            "data": [],
            "has_more": False,
            "total_count": 0,
            "url": f"/v1/subscription_items?subscription={sub_id}",
        },
        "latest_invoice": None,
        "livemode": False,
        "metadata": merge_metadata({}, params.get("metadata")),
        "next_pending_invoice_item_invoice": None,
        "on_behalf_of": None,
        "pause_collection": None,
        "payment_settings": {
            "payment_method_options": None,
            "payment_method_types": None,
            "save_default_payment_method": "off",
        },
        "pending_invoice_item_interval": None,
        "pending_setup_intent": None,
        "pending_update": None,
        "schedule": None,
        "start_date": start,
        "status": "trialing" if trial_end else "incomplete",
        "test_clock": None,
        "transfer_data": None,
        "trial_end": trial_end,
        "trial_settings": {"end_behavior": {"missing_payment_method": "create_invoice"}},
        "trial_start": start if trial_end else None,
        "cancel_at_period_end": False,
        "billing_thresholds": None,
        "billing_mode": {"type": "classic", "flexible": None},
        "customer_account": None,
        "managed_payments": {"enabled": False},
        "billing_schedules": [],
    }
    sub["items"]["data"] = [_item(ctx, sub_id, p, q, start, end) for p, q in prices]
    sub["items"]["total_count"] = len(prices)
    ctx.store.insert(sub, customer=customer["id"], status=sub["status"])
    if trial_end:
        lines = [_trial_line(ctx, item, start, end) for item in sub["items"]["data"]]
    else:
        lines = [_plan_line(ctx, item, start, end) for item in sub["items"]["data"]]
    invoice, decline_code = _invoice_now(
        ctx,
        sub,
        lines,
        billing_reason="subscription_create",
        attempt=get_str(params, "payment_behavior") != "default_incomplete",
    )
    if trial_end:
        sub["status"] = "trialing"
    elif invoice["status"] == "paid" or collection_method == "send_invoice":
        sub["status"] = "active"
    elif decline_code is not None and get_str(params, "payment_behavior") == "error_if_incomplete":
        raise _decline_error(decline_code)
    if bool(get_bool(params, "cancel_at_period_end", False)):
        _set_cancel_at_period_end(sub, True, {}, ctx.now)
    save(ctx, sub)
    events.record(ctx, "customer.subscription.created", sub)
    return sub


def _trial_end(ctx: Ctx, params: dict[str, Any], price: dict[str, Any]) -> int | None:
    raw = get_str(params, "trial_end")
    if raw == "now":
        return None
    if raw is not None:
        trial_end = get_int(params, "trial_end") or 0
        if trial_end <= ctx.now:
            raise invalid_request(
                "Invalid timestamp: must be an integer Unix timestamp in the future.",
                param="trial_end",
            )
        return trial_end
    days = get_int(params, "trial_period_days")
    if days is None and get_bool(params, "trial_from_plan", False):
        days = price["recurring"].get("trial_period_days")
    return ctx.now + days * 86400 if days else None


def _plan_line(ctx: Ctx, item: dict[str, Any], start: int, end: int) -> Line:
    return invoices.plan_line(item, invoices.product_name(ctx, item["price"]), start, end)


def _trial_line(ctx: Ctx, item: dict[str, Any], start: int, end: int) -> Line:
    name = invoices.product_name(ctx, item["price"])
    line = _plan_line(ctx, item, start, end)
    line.amount = 0
    line.description = f"Trial period for {name}"
    return line


def _decline_error(decline_code: str) -> ApiError:
    if decline_code == "no_payment_method":
        return invalid_request(
            "This customer has no attached payment source or default payment method.",
            code="resource_missing",
        )
    return cards.decline(decline_code)


def _invoice_now(
    ctx: Ctx,
    sub: dict[str, Any],
    extra_lines: list[Line],
    *,
    billing_reason: str,
    attempt: bool = True,
    period: tuple[int, int] | None = None,
) -> tuple[dict[str, Any], str | None]:
    """Invoice the subscription's pending items plus `extra_lines` now, and try to collect."""
    customer = ctx.store.get(sub["customer"], "customer")
    pending = invoices.pending_lines(ctx, sub["customer"], sub["id"])
    lines = [line for _, line in pending] + extra_lines
    invoice = invoices.build_invoice(
        ctx,
        customer=customer,
        lines=lines,
        currency=sub["currency"],
        billing_reason=billing_reason,
        subscription=sub,
        discount_ids=sub["discounts"],
        collection_method=sub["collection_method"],
        days_until_due=sub["days_until_due"],
        period=period,
    )
    invoices.store_draft(ctx, invoice, [item_id for item_id, _ in pending])
    paused = sub["pause_collection"] if billing_reason == "subscription_cycle" else None
    if paused and paused["behavior"] == "keep_as_draft":
        # Collection paused: the renewal invoice waits as a draft, nothing is charged.
        invoice["auto_advance"] = False
        ctx.store.save(invoice)
        sub["latest_invoice"] = invoice["id"]
        return invoice, None
    invoices.finalize(ctx, invoice)
    if paused and invoice["status"] == "open":
        if paused["behavior"] == "void":
            invoices.void(ctx, invoice)
        else:
            invoices.mark_uncollectible(ctx, invoice)
        sub["latest_invoice"] = invoice["id"]
        return invoice, None
    decline_code = None
    if (
        attempt
        and invoice["status"] == "open"
        and sub["collection_method"] == "charge_automatically"
    ):
        decline_code = invoices.pay(ctx, invoice)
    sub["latest_invoice"] = invoice["id"]
    _use_up_once_discounts(ctx, sub, invoice)
    return invoice, decline_code


def _use_up_once_discounts(ctx: Ctx, sub: dict[str, Any], invoice: dict[str, Any]) -> None:
    if invoice["subtotal"] <= 0:
        return
    used = {entry["discount"] for entry in invoice["total_discount_amounts"]}
    kept = []
    for discount_id in sub["discounts"]:
        row = ctx.store.find(discount_id)
        coupon = ctx.store.find(row.data["source"]["coupon"]) if row else None
        if discount_id in used and coupon is not None and coupon.data["duration"] == "once":
            continue
        kept.append(discount_id)
    discount_rules.remove_from_subscription(ctx, sub["discounts"], kept)
    sub["discounts"] = kept


def _set_cancel_at_period_end(
    sub: dict[str, Any], value: bool, details: dict[str, Any], now: int
) -> None:
    sub["cancel_at_period_end"] = value
    if value:
        sub["cancel_at"] = period(sub)[1]
        sub["canceled_at"] = now
        sub["cancellation_details"] = {
            "comment": details.get("comment") or None,
            "feedback": details.get("feedback") or None,
            "reason": "cancellation_requested",
        }
    else:
        sub["cancel_at"] = None
        sub["canceled_at"] = None
        sub["cancellation_details"] = {"comment": None, "feedback": None, "reason": None}


def _new_items(ctx: Ctx, sub: dict[str, Any], entries: list[Any]) -> list[dict[str, Any]]:
    """The subscription's items after applying `items[n][id|price|quantity|deleted]`."""
    items = copy.deepcopy(sub["items"]["data"])
    start, end = period(sub)
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise invalid_request("Invalid items entry.", param=f"items[{index}]")
        item_id = get_str(entry, "id")
        price_id = get_str(entry, "price")
        quantity = get_int(entry, "quantity")
        if item_id is None:
            if price_id is None:
                raise invalid_request(
                    "Pass a price for a new item.", param=f"items[{index}][price]"
                )
            price = recurring_price(ctx, price_id, f"items[{index}][price]")
            if any(i["price"]["id"] == price_id for i in items):
                raise invalid_request(
                    "Cannot add multiple subscription items with the same price.",
                    param=f"items[{index}][price]",
                )
            items.append(_item(ctx, sub["id"], price, quantity or 1, start, end))
            continue
        matches = [i for i in items if i["id"] == item_id]
        if not matches:
            raise invalid_request(
                f"No such subscription item: '{item_id}'",
                param=f"items[{index}][id]",
                code="resource_missing",
            )
        item = matches[0]
        if get_bool(entry, "deleted", False):
            items.remove(item)
            continue
        if price_id is not None and price_id != item["price"]["id"]:
            price = recurring_price(ctx, price_id, f"items[{index}][price]")
            item.update({"price": price, "plan": plan_of(price)})
        if quantity is not None:
            if quantity < 0:
                raise invalid_request("Invalid quantity.", param=f"items[{index}][quantity]")
            item["quantity"] = quantity
        if "metadata" in entry:
            item["metadata"] = merge_metadata(item["metadata"], entry["metadata"])
    if not items:
        raise invalid_request("A subscription needs at least one item.", param="items")
    if any(i["price"]["currency"] != sub["currency"] for i in items):
        raise invalid_request("All prices must share the subscription's currency.", param="items")
    return items


def _proration_lines(
    ctx: Ctx,
    old_items: list[dict[str, Any]],
    new_items: list[dict[str, Any]],
    start: int,
    end: int,
    at: int,
) -> list[Line]:
    """Credit unused time of what changed and charge the remaining time of what replaced it."""
    remaining, length = max(0, end - at), end - start
    old_by_id = {i["id"]: i for i in old_items}
    new_by_id = {i["id"]: i for i in new_items}

    def unchanged(a: dict[str, Any], b: dict[str, Any] | None) -> bool:
        return (
            b is not None
            and a["price"]["id"] == b["price"]["id"]
            and a["quantity"] == b["quantity"]
        )

    lines = []
    for item in old_items:
        if unchanged(item, new_by_id.get(item["id"])):
            continue
        lines.append(_proration_line(ctx, item, remaining, length, at, end, credit=True))
    for item in new_items:
        if unchanged(item, old_by_id.get(item["id"])):
            continue
        lines.append(_proration_line(ctx, item, remaining, length, at, end, credit=False))
    return [line for line in lines if line.quantity > 0]


def _proration_line(
    ctx: Ctx,
    item: dict[str, Any],
    remaining: int,
    length: int,
    at: int,
    end: int,
    *,
    credit: bool,
) -> Line:
    price, quantity = item["price"], int(item["quantity"])
    amount = prorate(price["unit_amount"] * quantity, remaining, length)
    name = invoices.product_name(ctx, price)
    what = "Unused time" if credit else "Remaining time"
    return Line(
        amount=-amount if credit else amount,
        description=f"{what} on {quantity} {invoices.TIMES} {name} after {day_label(at)}",
        quantity=quantity,
        period_start=at,
        period_end=end,
        price=price,
        subscription=item["subscription"],
        subscription_item=item["id"],
        proration=True,
    )


class Change:
    """A subscription change worked out but not yet billed (shared by update and preview)."""

    def __init__(self, sub: dict[str, Any]) -> None:
        self.sub = sub
        self.proration_lines: list[Line] = []
        self.reset_lines: list[Line] = []
        self.invoice_now = False


def plan_change(ctx: Ctx, sub: dict[str, Any], params: dict[str, Any]) -> Change:
    """Apply an update's parameters to `sub` (in memory) and work out what to bill."""
    change = Change(sub)
    behavior = get_str(params, "proration_behavior") or "create_prorations"
    if behavior not in PRORATION_BEHAVIORS:
        raise invalid_request(f"Invalid proration_behavior: {behavior}", param="proration_behavior")
    at = get_int(params, "proration_date") or ctx.now
    start, end = period(sub)
    if not start <= at <= end:
        raise invalid_request(
            "proration_date must be within the current billing period.", param="proration_date"
        )
    entries = get_list(params, "items")
    # `billing_cycle_anchor[type]` is `now` or `unchanged` (the schema checked the enum).
    anchor = (get_dict(params, "billing_cycle_anchor") or {}).get("type")
    if entries or anchor == "now":
        old_items = sub["items"]["data"]
        new_items = _new_items(ctx, sub, entries) if entries else copy.deepcopy(old_items)
        old_cycle = old_items[0]["price"]["recurring"]
        new_cycle = new_items[0]["price"]["recurring"]
        if any(not same_cycle(i["price"]["recurring"], new_cycle) for i in new_items):
            raise invalid_request("All prices must share a billing interval.", param="items")
        if sub["status"] == "trialing":
            pass  # A trial is free: nothing to prorate.
        elif anchor == "now" or not same_cycle(old_cycle, new_cycle):
            # A new interval (or `billing_cycle_anchor=now`) restarts the billing cycle today
            # and bills the new one in full, crediting the unused time of the old one.
            if behavior != "none":
                change.proration_lines = _proration_lines(ctx, old_items, [], start, end, at)
            new_end = next_period_end(at, new_cycle, at)
            for item in new_items:
                item["current_period_start"], item["current_period_end"] = at, new_end
            change.reset_lines = [_plan_line(ctx, i, at, new_end) for i in new_items]
            sub["billing_cycle_anchor"] = at
            change.invoice_now = True
        elif behavior != "none":
            change.proration_lines = _proration_lines(ctx, old_items, new_items, start, end, at)
            change.invoice_now = behavior == "always_invoice"
        sub["items"]["data"] = new_items
        sub["items"]["total_count"] = len(new_items)
    if "discounts" in params or "coupon" in params or "promotion_code" in params:
        entries = _discount_entries(params) or []
        amount = sum(i["price"]["unit_amount"] * i["quantity"] for i in sub["items"]["data"])
        replaced = sub["discounts"]
        sub["discounts"] = discount_rules.redeem(
            ctx, entries, customer=sub["customer"], subscription=sub["id"], amount=amount
        )
        discount_rules.remove_from_subscription(ctx, replaced, sub["discounts"])
    details = get_dict(params, "cancellation_details") or {}
    if "cancel_at_period_end" in params:
        _set_cancel_at_period_end(
            sub, bool(get_bool(params, "cancel_at_period_end")), details, ctx.now
        )
    elif details:
        sub["cancellation_details"] = {
            **sub["cancellation_details"],
            **{k: details.get(k) or None for k in ("comment", "feedback")},
        }
    if "cancel_at" in params:
        cancel_at = get_int(params, "cancel_at")
        sub["cancel_at"] = cancel_at
        sub["cancel_at_period_end"] = cancel_at is not None and cancel_at == period(sub)[1]
    if "pause_collection" in params:
        sub["pause_collection"] = _pause_collection(ctx, params["pause_collection"])
    if "default_payment_method" in params:
        pm = get_str(params, "default_payment_method")
        _check_payment_method(ctx, sub["customer"], pm, "default_payment_method")
        sub["default_payment_method"] = pm
    if "metadata" in params:
        sub["metadata"] = merge_metadata(sub["metadata"], params["metadata"])
    if "description" in params:
        sub["description"] = get_str(params, "description")
    if "collection_method" in params:
        sub["collection_method"] = get_str(params, "collection_method") or "charge_automatically"
        sub["days_until_due"] = (
            get_int(params, "days_until_due", 30)
            if sub["collection_method"] == "send_invoice"
            else None
        )
    return change


PAUSE_BEHAVIORS = ("keep_as_draft", "mark_uncollectible", "void")


def _pause_collection(ctx: Ctx, raw: Any) -> dict[str, Any] | None:
    """`pause_collection[behavior|resumes_at]`; the empty string resumes collection."""
    if raw in (None, ""):
        return None
    if not isinstance(raw, dict):
        raise invalid_request("Invalid pause_collection.", param="pause_collection")
    behavior = get_str(raw, "behavior")
    if behavior is None:
        raise invalid_request(
            "Missing required param: pause_collection[behavior].",
            param="pause_collection[behavior]",
            code="parameter_missing",
        )
    if behavior not in PAUSE_BEHAVIORS:
        raise invalid_request(
            f"Invalid pause_collection[behavior]: must be one of {', '.join(PAUSE_BEHAVIORS)}",
            param="pause_collection[behavior]",
            code="parameter_invalid_string",
        )
    resumes_at = get_int(raw, "resumes_at")
    if resumes_at is not None and resumes_at <= ctx.now:
        raise invalid_request(
            "pause_collection[resumes_at] must be in the future.",
            param="pause_collection[resumes_at]",
        )
    return {"behavior": behavior, "resumes_at": resumes_at}


def update_subscription(ctx: Ctx, params: dict[str, Any], sub_id: str) -> dict[str, Any]:
    """`POST /v1/subscriptions/{id}`: plan, quantity, discounts, cancel or renew at period end."""
    sub = ctx.store.get(sub_id, "subscription")
    if sub["status"] in ENDED:
        allowed = {"metadata", "cancellation_details", "expand"}
        if set(params) - allowed:
            raise invalid_request(
                "A canceled subscription can only update its cancellation_details and metadata."
            )
    before = copy.deepcopy(sub)
    change = plan_change(ctx, sub, params)
    payment_behavior = get_str(params, "payment_behavior") or "allow_incomplete"
    if change.invoice_now:
        for line in change.proration_lines:
            invoices.create_invoice_item(ctx, sub["customer"], line, sub["currency"])
        invoice, decline_code = _invoice_now(
            ctx, sub, change.reset_lines, billing_reason="subscription_update"
        )
        if decline_code is not None:
            if payment_behavior in ("error_if_incomplete", "pending_if_incomplete"):
                raise _decline_error(decline_code)
            sub["status"] = "past_due"
        elif invoice["status"] == "paid" and sub["status"] == "past_due":
            sub["status"] = "active"
    else:
        for line in change.proration_lines:
            invoices.create_invoice_item(ctx, sub["customer"], line, sub["currency"])
    if get_str(params, "trial_end") == "now" and sub["status"] == "trialing":
        _end_trial(ctx, sub, ctx.now, billing_reason="subscription_update")
    save(ctx, sub)
    events.record_update(ctx, "customer.subscription.updated", before, sub)
    return sub


def cancel_now(
    ctx: Ctx,
    sub_id: str,
    *,
    invoice_now: bool,
    prorate: bool,
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """`DELETE /v1/subscriptions/{id}`: ends it now, optionally crediting unused time."""
    sub = ctx.store.get(sub_id, "subscription")
    if sub["status"] in ENDED:
        raise invalid_request(
            f"No such subscription: '{sub_id}' (it is already canceled).",
            code="resource_missing",
            param="id",
        )
    before = copy.deepcopy(sub)
    start, end = period(sub)
    if prorate and sub["status"] in ("active", "past_due") and ctx.now < end:
        for line in _proration_lines(ctx, sub["items"]["data"], [], start, end, ctx.now):
            invoices.create_invoice_item(ctx, sub["customer"], line, sub["currency"])
    if invoice_now and invoices.pending_lines(ctx, sub["customer"], sub_id):
        _invoice_now(ctx, sub, [], billing_reason="subscription_update")
    _end(ctx, sub, details or {})
    if sub["schedule"]:
        schedule = ctx.store.get(sub["schedule"], "subscription_schedule")
        schedule.update({"status": "canceled", "canceled_at": ctx.now, "current_phase": None})
        ctx.store.save(schedule, status="canceled", due_at=None)
        events.record(ctx, "subscription_schedule.canceled", schedule)
    save(ctx, sub)
    events.record(ctx, "customer.subscription.deleted", sub, events.changed(before, sub))
    return sub


def _end(ctx: Ctx, sub: dict[str, Any], details: dict[str, Any]) -> None:
    sub["status"] = "canceled"
    sub["ended_at"] = ctx.now
    sub["canceled_at"] = sub["canceled_at"] or ctx.now
    current = sub["cancellation_details"]
    sub["cancellation_details"] = {
        "comment": details.get("comment") or current.get("comment"),
        "feedback": details.get("feedback") or current.get("feedback"),
        "reason": current.get("reason") or "cancellation_requested",
    }


def _end_trial(
    ctx: Ctx, sub: dict[str, Any], at: int, billing_reason: str = "subscription_cycle"
) -> None:
    """The trial ends at `at` (its end, or now when an update ends it early): bill a period."""
    price = sub["items"]["data"][0]["price"]
    new_end = next_period_end(at, price["recurring"], at)
    trial_start = int(sub["trial_start"] or period(sub)[0])
    _set_period(sub, at, new_end)
    sub["trial_end"] = at
    sub["billing_cycle_anchor"] = at
    if sub["cancel_at_period_end"]:
        sub["cancel_at"] = new_end
    lines = [_plan_line(ctx, item, at, new_end) for item in sub["items"]["data"]]
    _, decline_code = _invoice_now(
        ctx, sub, lines, billing_reason=billing_reason, period=(trial_start, at)
    )
    sub["status"] = "past_due" if decline_code is not None else "active"


def _renew(ctx: Ctx, sub: dict[str, Any], at: int) -> None:
    price = sub["items"]["data"][0]["price"]
    new_end = next_period_end(at, price["recurring"], int(sub["billing_cycle_anchor"]))
    ended_start = period(sub)[0]
    _set_period(sub, at, new_end)
    lines = [_plan_line(ctx, item, at, new_end) for item in sub["items"]["data"]]
    invoice, decline_code = _invoice_now(
        ctx, sub, lines, billing_reason="subscription_cycle", period=(ended_start, at)
    )
    if decline_code is not None:
        sub["status"] = "past_due"
    elif invoice["status"] == "paid":
        sub["status"] = "active"


def process_due(ctx: Ctx, sub_id: str) -> None:
    """Do what is due at `ctx.now`: expire, cancel at period end, end a trial, or renew."""
    sub = ctx.store.get(sub_id, "subscription")
    before = copy.deepcopy(sub)
    deleted = False
    resumes_at = (sub["pause_collection"] or {}).get("resumes_at")
    if resumes_at is not None and resumes_at <= ctx.now:
        sub["pause_collection"] = None
    if sub["status"] == "incomplete":
        sub["status"] = "incomplete_expired"
        sub["ended_at"] = ctx.now
        if sub["latest_invoice"]:
            invoice = ctx.store.get(sub["latest_invoice"], "invoice")
            if invoice["status"] == "open":
                invoices.void(ctx, invoice)
    elif sub["cancel_at"] is not None and sub["cancel_at"] <= ctx.now:
        _end(ctx, sub, {})
        deleted = True
    elif sub["status"] == "trialing" and sub["trial_end"] and sub["trial_end"] <= ctx.now:
        _end_trial(ctx, sub, int(sub["trial_end"]))
    elif period(sub)[1] <= ctx.now:
        _renew(ctx, sub, period(sub)[1])
    save(ctx, sub)
    if deleted:
        events.record(ctx, "customer.subscription.deleted", sub, events.changed(before, sub))
    else:
        events.record_update(ctx, "customer.subscription.updated", before, sub)


def mark_active_after_payment(ctx: Ctx, invoice: dict[str, Any]) -> None:
    """A paid invoice brings its incomplete or past-due subscription back to active."""
    if not invoice["subscription"]:
        return
    sub = ctx.store.get(invoice["subscription"], "subscription")
    if sub["latest_invoice"] == invoice["id"] and sub["status"] in ("incomplete", "past_due"):
        before = copy.deepcopy(sub)
        sub["status"] = "active"
        save(ctx, sub)
        events.record_update(ctx, "customer.subscription.updated", before, sub)


def item_for_phase(
    ctx: Ctx, sub: dict[str, Any], phase_item: dict[str, Any], start: int, end: int
) -> dict[str, Any]:
    """The subscription item a schedule phase asks for (keeping the id of a same-price item)."""
    price = ctx.store.get(phase_item["price"], "price")
    for item in sub["items"]["data"]:
        if item["price"]["id"] == price["id"]:
            return {**item, "quantity": phase_item["quantity"]}
    return _item(ctx, sub["id"], price, int(phase_item["quantity"]), start, end)
