"""Money, dates and numbers formatted for a locale with Babel (amounts are minor units)."""

from datetime import UTC, datetime
from decimal import Decimal

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_currency, get_currency_precision

DEFAULT_LOCALE = "en"


def locale_or_default(tag: str | None) -> str:
    """A locale Babel knows (Stripe's `pt-BR` style accepted), else English."""
    if not tag:
        return DEFAULT_LOCALE
    try:
        return str(Locale.parse(tag.replace("-", "_")))
    except (UnknownLocaleError, ValueError):
        return DEFAULT_LOCALE


def money(amount: int, currency: str, locale: str = DEFAULT_LOCALE) -> str:
    """`1500, "usd"` → `$15.00` (zero-decimal currencies such as JPY handled by Babel)."""
    code = currency.upper()
    value = Decimal(amount).scaleb(-get_currency_precision(code))
    return format_currency(value, code, locale=locale_or_default(locale))


def day(moment: datetime | None, locale: str = DEFAULT_LOCALE) -> str:
    """A date as people read it: `November 21, 2026`; empty for no date."""
    if moment is None:
        return ""
    return format_date(moment.date(), format="long", locale=locale_or_default(locale))


def interval_phrase(interval: str | None, count: int | None) -> str:
    """`month, 1` → `per month`; `month, 3` → `every 3 months`; one-off → ``."""
    if not interval:
        return ""
    count = count or 1
    return f"per {interval}" if count == 1 else f"every {count} {interval}s"


def day_from_unix(seconds: int | None, locale: str = DEFAULT_LOCALE) -> str:
    """A Stripe timestamp as a long date."""
    if seconds is None:
        return ""
    return day(datetime.fromtimestamp(seconds, UTC), locale)


def price_phrase(
    amount: int,
    currency: str,
    interval: str | None,
    interval_count: int | None,
    unit_label: str | None = None,
    locale: str = DEFAULT_LOCALE,
) -> str:
    """`$29.00 per month`, or `$8.00 per seat per month` when the product has a unit label."""
    unit = f" per {unit_label}" if unit_label else ""
    every = interval_phrase(interval, interval_count)
    return f"{money(amount, currency, locale)}{unit} {every}".strip()
