"""The message catalogues: gettext with the locale passed explicitly.

Two domains live under `locales/<locale>/LC_MESSAGES/`: `ui.po` (the text the compiled
components show, sent to the browser as one dict per locale) and `messages.po` (text made on
the server: view rows, notices, errors, emails). The .po files are read and compiled in memory
on first use, so there is no build step and no .mo file to keep in sync.
"""

from functools import cache
from gettext import GNUTranslations, NullTranslations
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from portal_app.i18n.locales import DEFAULT, SHIPPED

LOCALES_DIR = Path(__file__).parent / "locales"
UI_DOMAIN = "ui"
MESSAGES_DOMAIN = "messages"


def N_(msgid: str) -> str:
    """Mark a constant for extraction; it is translated where it is shown."""
    return msgid


def read_catalog(locale: str, domain: str) -> Catalog:
    """The .po file of one locale and domain (the template for English)."""
    path = (
        LOCALES_DIR / f"{domain}.pot"
        if locale == DEFAULT
        else LOCALES_DIR / locale / "LC_MESSAGES" / f"{domain}.po"
    )
    with path.open("rb") as handle:
        return read_po(handle, locale=locale, domain=domain)


@cache
def translations(locale: str, domain: str = MESSAGES_DOMAIN) -> NullTranslations:
    """Compiled translations for a shipped locale; English (the msgids) otherwise."""
    if locale not in SHIPPED or locale == DEFAULT:
        return NullTranslations()
    buffer = BytesIO()
    write_mo(buffer, read_catalog(locale, domain))
    buffer.seek(0)
    return GNUTranslations(buffer)


def gettext(msgid: str, *, locale: str, **values: object) -> str:
    """`msgid` in `locale`, with `{placeholders}` filled from `values`."""
    text = translations(locale).gettext(msgid)
    return text.format(**values) if values else text


def ngettext(singular: str, plural: str, count: int, *, locale: str, **values: object) -> str:
    """The plural form for `count` (`{count}` is filled too)."""
    text = translations(locale).ngettext(singular, plural, count)
    return text.format(count=count, **values)


@cache
def ui_messages(locale: str) -> dict[str, str]:
    """Every UI msgid with its text in `locale` (English where a translation is missing)."""
    translated = translations(locale, UI_DOMAIN)
    return {
        str(message.id): translated.gettext(str(message.id))
        for message in read_catalog(DEFAULT, UI_DOMAIN)
        if message.id
    }
