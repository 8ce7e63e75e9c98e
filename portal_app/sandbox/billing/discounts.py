"""Coupons and promotion codes applied as discounts, and what they take off an invoice."""

from typing import Any

from portal_app.sandbox import events
from portal_app.sandbox.billing.periods import add_interval
from portal_app.sandbox.context import Ctx
from portal_app.sandbox.errors import invalid_request
from portal_app.sandbox.params import get_str
from portal_app.sandbox.store import new_object_id


def coupon_usable(coupon: dict[str, Any], now: int) -> bool:
    """Whether a coupon can still be redeemed (Stripe's `valid`)."""
    if coupon["redeem_by"] is not None and coupon["redeem_by"] <= now:
        return False
    limit = coupon["max_redemptions"]
    return limit is None or coupon["times_redeemed"] < limit


def _has_prior_payment(ctx: Ctx, customer: str) -> bool:
    return any(
        r.data["status"] == "paid" and r.data["amount_paid"] > 0
        for r in ctx.store.rows("invoice", customer=customer)
    )


def check_promotion_code(
    ctx: Ctx, promo: dict[str, Any], customer: str, amount: int | None, param: str
) -> dict[str, Any]:
    """The promotion code's coupon if `customer` may redeem it now, else 400."""
    coupon = ctx.store.get(promo["promotion"]["coupon"], "coupon")
    restrictions = promo["restrictions"]
    problem = None
    if not promo["active"]:
        problem = "This promotion code is not active."
    elif promo["expires_at"] is not None and promo["expires_at"] <= ctx.now:
        problem = "This promotion code has expired."
    elif (
        promo["max_redemptions"] is not None and promo["times_redeemed"] >= promo["max_redemptions"]
    ):
        problem = "This promotion code has reached its maximum number of redemptions."
    elif promo["customer"] is not None and promo["customer"] != customer:
        problem = "This promotion code cannot be redeemed by this customer."
    elif restrictions["first_time_transaction"] and _has_prior_payment(ctx, customer):
        problem = (
            "This promotion code cannot be redeemed because the associated customer has prior "
            "transactions."
        )
    elif (
        restrictions["minimum_amount"] is not None
        and amount is not None
        and amount < restrictions["minimum_amount"]
    ):
        problem = "This promotion code requires a minimum order amount."
    elif not coupon_usable(coupon, ctx.now):
        problem = "This promotion code's coupon is no longer valid."
    if problem is not None:
        raise invalid_request(problem, param=param, code="promotion_code_invalid")
    return coupon


def redeem(
    ctx: Ctx,
    entries: list[Any],
    *,
    customer: str,
    subscription: str | None,
    amount: int | None,
    param: str = "discounts",
) -> list[str]:
    """Turn `discounts[n][coupon|promotion_code|discount]` into discount objects; their ids."""
    ids: list[str] = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise invalid_request("Invalid discounts entry.", param=param)
        where = f"{param}[{index}]"
        existing = get_str(entry, "discount")
        if existing is not None:
            ctx.store.get(existing, "discount")
            ids.append(existing)
            continue
        promo = None
        promo_id = get_str(entry, "promotion_code")
        if promo_id is not None:
            promo = ctx.store.get(promo_id, "promotion_code")
            coupon = check_promotion_code(ctx, promo, customer, amount, f"{where}[promotion_code]")
        else:
            coupon_id = get_str(entry, "coupon")
            if coupon_id is None:
                raise invalid_request("Pass a coupon or a promotion_code.", param=where)
            coupon = ctx.store.get(coupon_id, "coupon")
            if not coupon_usable(coupon, ctx.now):
                raise invalid_request(
                    f"Coupon expired: {coupon_id}", param=f"{where}[coupon]", code="coupon_expired"
                )
        ids.append(_new_discount(ctx, coupon, promo, customer, subscription)["id"])
    return ids


def _new_discount(
    ctx: Ctx,
    coupon: dict[str, Any],
    promo: dict[str, Any] | None,
    customer: str,
    subscription: str | None,
) -> dict[str, Any]:
    end = None
    if coupon["duration"] == "repeating":
        end = add_interval(ctx.now, "month", int(coupon["duration_in_months"] or 1), ctx.now)
    discount = {
        "id": new_object_id("di"),
        "object": "discount",
        "checkout_session": None,
        "customer": customer,
        "end": end,
        "invoice": None,
        "invoice_item": None,
        "promotion_code": promo["id"] if promo else None,
        "start": ctx.now,
        "subscription": subscription,
        "subscription_item": None,
        "source": {"coupon": coupon["id"], "type": "coupon"},
        "customer_account": None,
    }
    ctx.store.insert(discount, customer=customer, parent=subscription)
    events.record(ctx, "customer.discount.created", discount)
    _count_redemption(ctx, coupon["id"])
    if promo is not None:
        _count_redemption(ctx, promo["id"])
    return discount


def _count_redemption(ctx: Ctx, object_id: str) -> None:
    obj = ctx.store.get(object_id)
    before = {"times_redeemed": obj["times_redeemed"]}
    obj["times_redeemed"] += 1
    if obj["object"] == "coupon":
        obj["valid"] = coupon_usable(obj, ctx.now)
    ctx.store.save(obj)
    kind = "coupon" if obj["object"] == "coupon" else "promotion_code"
    events.record(ctx, f"{kind}.updated", obj, before)


def attach_to_subscription(ctx: Ctx, discount_ids: list[str], subscription: str) -> None:
    """Point discounts created before the subscription existed at it."""
    for discount_id in discount_ids:
        discount = ctx.store.get(discount_id, "discount")
        if discount["subscription"] is None:
            discount["subscription"] = subscription
            ctx.store.save(discount, parent=subscription)
            events.record(ctx, "customer.discount.updated", discount, {"subscription": None})


def remove_from_subscription(ctx: Ctx, before: list[str], after: list[str]) -> None:
    """Stripe deletes a discount that leaves its subscription, and says so in an event."""
    for discount_id in before:
        if discount_id not in after:
            row = ctx.store.find(discount_id)
            if row is not None:
                events.record(ctx, "customer.discount.deleted", row.data)


def active_discounts(ctx: Ctx, discount_ids: list[str], at: int) -> list[dict[str, Any]]:
    """The discounts (with their coupons) that still apply at time `at`."""
    found = []
    for discount_id in discount_ids:
        row = ctx.store.find(discount_id)
        if row is None:
            continue
        discount = row.data
        if discount["end"] is not None and discount["end"] <= at:
            continue
        found.append({**discount, "coupon": ctx.store.get(discount["source"]["coupon"])})
    return found


def _round_half_away(numerator: int, denominator: int) -> int:
    sign = -1 if numerator < 0 else 1
    return sign * ((2 * abs(numerator) + denominator) // (2 * denominator))


def line_discounts(
    discounts: list[dict[str, Any]], lines: list[dict[str, Any]], currency: str
) -> list[list[dict[str, Any]]]:
    """Per line, the `discount_amounts` each discount takes off (percent, then amounts)."""
    result: list[list[dict[str, Any]]] = [[] for _ in lines]
    remaining = [line["amount"] for line in lines]
    for discount in discounts:
        coupon = discount["coupon"]
        if coupon["percent_off"] is not None:
            # Percent is stored as a decimal; scale to hundredths of a percent to stay integer.
            basis_points = round(float(coupon["percent_off"]) * 100)
            for index, line in enumerate(lines):
                off = _round_half_away(line["amount"] * basis_points, 10000)
                result[index].append({"amount": off, "discount": discount["id"]})
                remaining[index] -= off
        elif coupon["amount_off"] is not None and coupon["currency"] == currency:
            budget = min(int(coupon["amount_off"]), max(0, sum(remaining)))
            for index, _line in enumerate(lines):
                off = max(0, min(budget, remaining[index]))
                budget -= off
                remaining[index] -= off
                result[index].append({"amount": off, "discount": discount["id"]})
    return result
