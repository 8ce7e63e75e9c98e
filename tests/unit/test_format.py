"""Locale-aware money and dates."""

from datetime import UTC, datetime

from portal_app.i18n.format import day, interval_phrase, locale_or_default, money


def test_money_uses_minor_units_and_currency_precision() -> None:
    assert money(1500, "usd") == "$15.00"
    assert money(1500, "jpy") == "¥1,500"
    assert money(123456, "eur", "fr") == "1\u202f234,56\u00a0€"
    assert money(-250, "usd") == "-$2.50"


def test_dates_are_long_form_per_locale() -> None:
    moment = datetime(2026, 11, 21, 23, 0, tzinfo=UTC)
    assert day(moment) == "November 21, 2026"
    assert day(moment, "fr") == "21 novembre 2026"
    assert day(None) == ""


def test_unknown_locales_fall_back_to_english() -> None:
    assert locale_or_default("pt-BR") == "pt_BR"
    assert locale_or_default("xx-nope") == "en"
    assert locale_or_default(None) == "en"


def test_interval_phrases() -> None:
    assert interval_phrase("month", 1) == "per month"
    assert interval_phrase("month", 3) == "every 3 months"
    assert interval_phrase(None, None) == ""
