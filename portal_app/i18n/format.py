"""Money, dates, numbers and price phrases formatted for a locale (amounts are minor units)."""

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_skeleton
from babel.numbers import format_currency, get_currency_precision

from portal_app.i18n.catalog import N_, gettext, ngettext

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
    """`1500, "usd"` → `$15.00` (`15,00 $US` in French; JPY has no decimals)."""
    code = currency.upper()
    value = Decimal(amount).scaleb(-get_currency_precision(code))
    return format_currency(value, code, locale=locale_or_default(locale))


def day(moment: datetime | None, locale: str = DEFAULT_LOCALE) -> str:
    """A date as people read it: `November 21, 2026`, `21 novembre 2026`; empty for no date."""
    if moment is None:
        return ""
    return format_date(moment.date(), format="long", locale=locale_or_default(locale))


def short_day(moment: datetime | None, locale: str = DEFAULT_LOCALE) -> str:
    """A compact date for tables: `Nov 21, 2026`, `21 nov. 2026`; empty for no date."""
    if moment is None:
        return ""
    return format_date(moment.date(), format="medium", locale=locale_or_default(locale))


def utc_moment(moment: datetime | None, locale: str = DEFAULT_LOCALE) -> str:
    """A moment for the merchant's tables: `Nov 21, 2026, 14:05 UTC`; empty for none."""
    if moment is None:
        return ""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    # Translators: when something happened; {day} is a short date, {time} the hour (14:05).
    return gettext(
        "{day}, {time} UTC",
        locale=locale,
        day=short_day(aware, locale),
        time=format_skeleton("Hm", aware, tzinfo=UTC, locale=locale_or_default(locale)),
    )


def day_from_unix(seconds: int | None, locale: str = DEFAULT_LOCALE) -> str:
    """A Stripe timestamp as a long date."""
    if seconds is None:
        return ""
    return day(datetime.fromtimestamp(seconds, UTC), locale)


def interval_phrase(interval: str | None, count: int | None, locale: str = DEFAULT_LOCALE) -> str:
    """`month, 1` → `per month`; `month, 3` → `every 3 months`; one-off → ``."""
    if not interval:
        return ""
    count = count or 1
    if interval not in _PER:  # Stripe only has these four; show anything else as is
        return interval
    if count == 1:
        return gettext(_PER[interval], locale=locale)
    return _EVERY[interval](count, locale)


def price_phrase(
    amount: int,
    currency: str,
    interval: str | None,
    interval_count: int | None,
    unit_label: str | None = None,
    locale: str = DEFAULT_LOCALE,
) -> str:
    """`$29.00 per month`, or `$8.00 per seat per month` when the product has a unit label."""
    price = money(amount, currency, locale)
    if unit_label:
        price = gettext("{price} per {unit}", locale=locale, price=price, unit=unit_label)
    every = interval_phrase(interval, interval_count, locale)
    if not every:
        return price
    return gettext("{price} {interval}", locale=locale, price=price, interval=every)


# Literal msgids in calls, so that extraction finds them.
_PER = {
    "day": N_("per day"),
    "week": N_("per week"),
    "month": N_("per month"),
    "year": N_("per year"),
}
_EVERY: dict[str, Callable[[int, str], str]] = {
    "day": lambda n, loc: ngettext("every {count} day", "every {count} days", n, locale=loc),
    "week": lambda n, loc: ngettext("every {count} week", "every {count} weeks", n, locale=loc),
    "month": lambda n, loc: ngettext("every {count} month", "every {count} months", n, locale=loc),
    "year": lambda n, loc: ngettext("every {count} year", "every {count} years", n, locale=loc),
}
