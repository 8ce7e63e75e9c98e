"""Subscription schedules: phases that change a subscription at a future date (e.g. downgrades)."""

import copy
from typing import Any

from portal_app.sandbox import events
from portal_app.sandbox.billing import subscriptions
from portal_app.sandbox.billing.periods import next_period_end
from portal_app.sandbox.context import Ctx
from portal_app.sandbox.errors import invalid_request
from portal_app.sandbox.params import get_int, get_list, get_str, merge_metadata, require_str
from portal_app.sandbox.store import new_object_id


def _phase(
    ctx: Ctx,
    items: list[dict[str, Any]],
    start: int,
    end: int,
    *,
    currency: str,
    proration_behavior: str = "create_prorations",
) -> dict[str, Any]:
    return {
        "add_invoice_items": [],
        "application_fee_percent": None,
        "billing_cycle_anchor": None,
        "collection_method": None,
        "currency": currency,
        "default_payment_method": None,
        "default_tax_rates": [],
        "description": None,
        "discounts": [],
        "end_date": end,
        "invoice_settings": None,
        "items": items,
        "metadata": {},
        "on_behalf_of": None,
        "proration_behavior": proration_behavior,
        "start_date": start,
        "transfer_data": None,
        "trial_end": None,
        "billing_thresholds": None,
    }


def _phase_item(price_id: str, quantity: int) -> dict[str, Any]:
    return {
        "billing_thresholds": None,
        "discounts": [],
        "metadata": {},
        # Stripe still names a recurring price's legacy plan (the same id) on phase items.
        "plan": price_id,
        "price": price_id,
        "quantity": quantity,
        "tax_rates": [],
    }


def _save(ctx: Ctx, schedule: dict[str, Any]) -> None:
    phase = schedule["current_phase"]
    due = phase["end_date"] if schedule["status"] == "active" and phase else None
    ctx.store.save(schedule, status=schedule["status"], due_at=due)


def create_schedule(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """`POST /v1/subscription_schedules` with `from_subscription` (the sandbox's only way)."""
    sub_id = get_str(params, "from_subscription")
    if sub_id is None:
        raise invalid_request(
            "The sandbox creates subscription schedules from_subscription only.",
            param="from_subscription",
            code="parameter_missing",
        )
    sub = ctx.store.get(sub_id, "subscription")
    if sub["schedule"]:
        raise invalid_request(
            f"You cannot migrate a subscription that is already attached to a schedule: "
            f"`{sub['schedule']}`.",
            param="from_subscription",
        )
    if sub["status"] in subscriptions.ENDED:
        raise invalid_request("The subscription has ended.", param="from_subscription")
    start, end = subscriptions.period(sub)
    items = [_phase_item(i["price"]["id"], i["quantity"]) for i in sub["items"]["data"]]
    schedule_id = new_object_id("sub_sched")
    schedule = {
        "id": schedule_id,
        "object": "subscription_schedule",
        "application": None,
        "canceled_at": None,
        "completed_at": None,
        "created": ctx.now,
        "current_phase": {"start_date": start, "end_date": end},
        "customer": sub["customer"],
        "default_settings": {
            "application_fee_percent": None,
            "automatic_tax": {"enabled": False, "liability": None, "disabled_reason": None},
            "billing_cycle_anchor": "automatic",
            "collection_method": sub["collection_method"],
            "default_payment_method": sub["default_payment_method"],
            "description": None,
            "invoice_settings": {
                "account_tax_ids": None,
                "days_until_due": None,
                "issuer": {"type": "self"},
            },
            "on_behalf_of": None,
            "transfer_data": None,
            "billing_thresholds": None,
        },
        "end_behavior": "release",
        "livemode": False,
        "metadata": merge_metadata({}, params.get("metadata")),
        "phases": [_phase(ctx, items, start, end, currency=sub["currency"])],
        "released_at": None,
        "released_subscription": None,
        "status": "active",
        "subscription": sub_id,
        "test_clock": None,
        "billing_mode": {"type": "classic", "flexible": None},
        "customer_account": None,
    }
    ctx.store.insert(schedule, customer=sub["customer"], parent=sub_id, status="active")
    _save(ctx, schedule)
    before = copy.deepcopy(sub)
    sub["schedule"] = schedule_id
    subscriptions.save(ctx, sub)
    events.record(ctx, "subscription_schedule.created", schedule)
    events.record_update(ctx, "customer.subscription.updated", before, sub)
    return schedule


def _resolve_time(ctx: Ctx, value: Any, param: str) -> int | None:
    if value in (None, ""):
        return None
    if value == "now":
        return ctx.now
    try:
        return int(str(value))
    except ValueError:
        raise invalid_request(f"Invalid timestamp: {value}", param=param) from None


def update_schedule(ctx: Ctx, params: dict[str, Any], id: str) -> dict[str, Any]:
    """`POST /v1/subscription_schedules/{id}`: replace phases (the current one first)."""
    schedule = ctx.store.get(id, "subscription_schedule")
    if schedule["status"] not in ("active", "not_started"):
        raise invalid_request(
            f"You cannot update a subscription schedule that is currently in the "
            f"`{schedule['status']}` status.",
        )
    before = copy.deepcopy(schedule)
    entries = get_list(params, "phases")
    if entries is not None:
        schedule["phases"] = _phases(ctx, schedule, entries)
        current = schedule["phases"][0]
        schedule["current_phase"] = {
            "start_date": current["start_date"],
            "end_date": current["end_date"],
        }
    end_behavior = get_str(params, "end_behavior")
    if end_behavior is not None:
        if end_behavior not in ("release", "cancel"):
            raise invalid_request(f"Invalid end_behavior: {end_behavior}", param="end_behavior")
        schedule["end_behavior"] = end_behavior
    if "metadata" in params:
        schedule["metadata"] = merge_metadata(schedule["metadata"], params["metadata"])
    _save(ctx, schedule)
    events.record_update(ctx, "subscription_schedule.updated", before, schedule)
    return schedule


def _phases(ctx: Ctx, schedule: dict[str, Any], entries: list[Any]) -> list[dict[str, Any]]:
    sub = ctx.store.get(schedule["subscription"], "subscription")
    current_start = schedule["current_phase"]["start_date"]
    phases: list[dict[str, Any]] = []
    start = current_start
    for index, entry in enumerate(entries):
        where = f"phases[{index}]"
        given_start = _resolve_time(ctx, entry.get("start_date"), f"{where}[start_date]")
        if index == 0 and given_start is not None and given_start != current_start:
            raise invalid_request(
                "You can not modify the start date of the current phase.",
                param=f"{where}[start_date]",
            )
        items = []
        prices = []
        for item_index, item in enumerate(get_list(entry, "items") or []):
            price = subscriptions.recurring_price(
                ctx, require_str(item, "price"), f"{where}[items][{item_index}][price]"
            )
            prices.append(price)
            items.append(_phase_item(price["id"], get_int(item, "quantity", 1) or 1))
        if not items:
            raise invalid_request("Each phase needs items.", param=f"{where}[items]")
        end = _resolve_time(ctx, entry.get("end_date"), f"{where}[end_date]")
        duration = entry.get("duration")
        if end is None and isinstance(duration, dict):
            # Stripe's `duration` (API 2025+; `iterations` was removed): a span of intervals.
            span = {
                "interval": duration.get("interval"),
                "interval_count": get_int(duration, "interval_count", 1) or 1,
            }
            end = next_period_end(start, span, start)
        if end is None:
            end = next_period_end(start, prices[0]["recurring"], start)
        if end <= start:
            raise invalid_request("A phase must end after it starts.", param=f"{where}[end_date]")
        phases.append(
            _phase(
                ctx,
                items,
                start,
                end,
                currency=sub["currency"],
                proration_behavior=get_str(entry, "proration_behavior") or "create_prorations",
            )
        )
        start = end
    return phases


def release_schedule(ctx: Ctx, params: dict[str, Any], id: str) -> dict[str, Any]:
    """`POST /v1/subscription_schedules/{id}/release`: the subscription carries on unscheduled."""
    schedule = ctx.store.get(id, "subscription_schedule")
    if schedule["status"] not in ("active", "not_started"):
        raise invalid_request(
            f"You cannot release a subscription schedule that is currently in the "
            f"`{schedule['status']}` status."
        )
    _release(ctx, schedule)
    return schedule


def _release(ctx: Ctx, schedule: dict[str, Any]) -> None:
    sub_id = schedule["subscription"]
    schedule.update(
        {
            "status": "released",
            "released_at": ctx.now,
            "released_subscription": sub_id,
            "subscription": None,
            "current_phase": None,
        }
    )
    _save(ctx, schedule)
    events.record(ctx, "subscription_schedule.released", schedule)
    sub = ctx.store.get(sub_id, "subscription")
    before = copy.deepcopy(sub)
    sub["schedule"] = None
    subscriptions.save(ctx, sub)
    events.record_update(ctx, "customer.subscription.updated", before, sub)


def cancel_schedule(ctx: Ctx, params: dict[str, Any], id: str) -> dict[str, Any]:
    """`POST /v1/subscription_schedules/{id}/cancel`: cancels the subscription now too."""
    schedule = ctx.store.get(id, "subscription_schedule")
    if schedule["status"] not in ("active", "not_started"):
        raise invalid_request(
            f"You cannot cancel a subscription schedule that is currently in the "
            f"`{schedule['status']}` status."
        )
    subscriptions.cancel_now(
        ctx,
        schedule["subscription"],
        invoice_now=params.get("invoice_now") == "true",
        prorate=params.get("prorate", "true") == "true",
    )
    return ctx.store.get(id, "subscription_schedule")


def process_due(ctx: Ctx, schedule_id: str) -> None:
    """At the current phase's end: start the next phase, or release/cancel after the last."""
    schedule = ctx.store.get(schedule_id, "subscription_schedule")
    before = copy.deepcopy(schedule)
    ended_at = schedule["current_phase"]["end_date"]
    upcoming = [p for p in schedule["phases"] if p["start_date"] >= ended_at]
    if not upcoming:
        if schedule["end_behavior"] == "cancel":
            subscriptions.cancel_now(
                ctx, schedule["subscription"], invoice_now=False, prorate=False
            )
            schedule = ctx.store.get(schedule_id, "subscription_schedule")
            schedule.update({"status": "completed", "completed_at": ctx.now})
            _save(ctx, schedule)
            events.record(ctx, "subscription_schedule.completed", schedule)
        else:
            _release(ctx, schedule)
        return
    phase = upcoming[0]
    sub = ctx.store.get(schedule["subscription"], "subscription")
    sub_before = copy.deepcopy(sub)
    start, end = subscriptions.period(sub)
    sub["items"]["data"] = [
        subscriptions.item_for_phase(ctx, sub, item, start, end) for item in phase["items"]
    ]
    sub["items"]["total_count"] = len(phase["items"])
    subscriptions.save(ctx, sub)
    events.record_update(ctx, "customer.subscription.updated", sub_before, sub)
    schedule["current_phase"] = {"start_date": phase["start_date"], "end_date": phase["end_date"]}
    _save(ctx, schedule)
    events.record_update(ctx, "subscription_schedule.updated", before, schedule)
