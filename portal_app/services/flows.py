"""Deep-link flows: what a session created with `flow_data` opens on, and what follows it."""

from dataclasses import dataclass
from typing import Any

from babel.numbers import format_percent
from sqlmodel import Session

from portal_app.i18n.catalog import gettext, ngettext
from portal_app.i18n.format import money
from portal_app.models.mirror_catalog import MirrorCoupon

FLOW_KINDS = (
    "payment_method_update",
    "subscription_cancel",
    "subscription_update",
    "subscription_update_confirm",
)


@dataclass(frozen=True)
class FlowStart:
    """Which flow to open, on which subscription, and the items to confirm (if any)."""

    kind: str
    subscription_id: str
    price_id: str
    quantity: int
    promotion_code_id: str


def flow_start(flow: dict[str, Any] | None) -> FlowStart | None:
    """The flow a session opens on (already validated when the session was created)."""
    if not flow or flow.get("type") not in FLOW_KINDS:
        return None
    kind = str(flow["type"])
    details = flow.get(kind) or {}
    item = (details.get("items") or [{}])[0]
    discount = (details.get("discounts") or [{}])[0]
    return FlowStart(
        kind=kind,
        subscription_id=str(details.get("subscription") or ""),
        price_id=str(item.get("price") or ""),
        quantity=int(item.get("quantity") or 0),
        promotion_code_id=str(discount.get("promotion_code") or ""),
    )


def flow_retention_coupon(flow: dict[str, Any] | None, subscription_id: str) -> str | None:
    """The coupon a cancel flow offers for this subscription, if it sets one."""
    if not flow or flow.get("type") != "subscription_cancel":
        return None
    details = flow.get("subscription_cancel") or {}
    if details.get("subscription") != subscription_id:
        return None
    retention = details.get("retention") or {}
    return (retention.get("coupon_offer") or {}).get("coupon")


def after_completion(flow: dict[str, Any] | None, *, locale: str) -> tuple[str, str]:
    """(`redirect` | `hosted_confirmation` | `portal_homepage`, the URL or message).

    The merchant's own confirmation message is shown as written; the default is translated.
    """
    after = (flow or {}).get("after_completion") or {}
    kind = after.get("type") or "portal_homepage"
    if kind == "redirect":
        return kind, str((after.get("redirect") or {}).get("return_url") or "")
    if kind == "hosted_confirmation":
        message = (after.get("hosted_confirmation") or {}).get("custom_message")
        return kind, str(message or gettext("Your changes were saved.", locale=locale))
    return "portal_homepage", ""


def coupon_offer_text(*, session: Session, coupon_id: str, locale: str) -> str:
    """`50% off your next invoice` for a coupon that can still be offered, else ``."""
    coupon = session.get(MirrorCoupon, coupon_id)
    if coupon is None or coupon.deleted or not coupon.valid:
        return ""
    return coupon_text(coupon=coupon, locale=locale)


def coupon_text(*, coupon: MirrorCoupon, locale: str) -> str:
    """What a coupon takes off, and for how long, in the customer's language."""
    if coupon.percent_off:
        discount = format_percent(
            coupon.percent_off / 100, locale=locale, decimal_quantization=False
        )
    elif coupon.amount_off and coupon.currency:
        discount = money(coupon.amount_off, coupon.currency, locale)
    else:
        return ""
    if coupon.duration == "once":
        return gettext("{discount} off your next invoice", locale=locale, discount=discount)
    if coupon.duration == "repeating" and coupon.duration_in_months:
        return ngettext(
            "{discount} off for {count} month",
            "{discount} off for {count} months",
            coupon.duration_in_months,
            locale=locale,
            discount=discount,
        )
    return gettext("{discount} off for as long as you stay", locale=locale, discount=discount)
