"""Billing periods and proration arithmetic, to the second, in integer minor units."""

import calendar
from datetime import UTC, datetime
from typing import Any


def add_interval(start: int, interval: str, count: int, anchor: int) -> int:
    """`start` plus `count` intervals, keeping the day of month of `anchor` (clamped)."""
    if interval == "day":
        return start + count * 86400
    if interval == "week":
        return start + count * 7 * 86400
    months = count * (12 if interval == "year" else 1)
    base = datetime.fromtimestamp(start, UTC)
    anchor_dt = datetime.fromtimestamp(anchor, UTC)
    month_index = base.year * 12 + (base.month - 1) + months
    year, month = divmod(month_index, 12)
    month += 1
    day = min(anchor_dt.day, calendar.monthrange(year, month)[1])
    moved = base.replace(year=year, month=month, day=day)
    return int(moved.timestamp())


def next_period_end(start: int, recurring: dict[str, Any], anchor: int) -> int:
    """When a period of a recurring price starting at `start` ends."""
    return add_interval(start, recurring["interval"], int(recurring["interval_count"]), anchor)


def prorate(amount: int, remaining: int, period: int) -> int:
    """`amount * remaining / period`, rounded half up (amount is non-negative)."""
    if period <= 0:
        return 0
    return (2 * amount * remaining + period) // (2 * period)


def same_cycle(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether two recurring prices bill on the same interval."""
    return a["interval"] == b["interval"] and int(a["interval_count"]) == int(b["interval_count"])


def day_label(ts: int) -> str:
    """A date as Stripe writes it in line descriptions, e.g. `21 Nov 2026`."""
    return datetime.fromtimestamp(ts, UTC).strftime("%-d %b %Y")


def money_label(amount: int, currency: str) -> str:
    """An amount for descriptions, e.g. `$30.00` or `30.00 EUR`."""
    sign = "-" if amount < 0 else ""
    value = f"{abs(amount) // 100}.{abs(amount) % 100:02d}"
    if currency == "usd":
        return f"{sign}${value}"
    return f"{sign}{value} {currency.upper()}"
