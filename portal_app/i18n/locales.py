"""Which locales the portal ships, and how one is chosen for a customer."""

from collections.abc import Iterable

from babel import Locale

# English first: it is the source language and the fallback. A locale is listed once both of
# its catalogues are complete (tests/i18n checks it).
SHIPPED = ("en", "fr", "de", "es", "ja", "it", "nl", "pt_BR", "pl", "sv", "da", "fi")
DEFAULT = "en"


def _normalise(tag: str) -> str:
    """`pt-BR`, `pt_br`, `PT-BR` → `pt_BR`; `fr-CA` → `fr_CA`."""
    parts = tag.strip().replace("-", "_").split("_")
    if len(parts) > 1:
        return f"{parts[0].lower()}_{parts[1].upper()}"
    return parts[0].lower()


def match(tag: str | None) -> str | None:
    """The shipped locale for a tag (exact, else same language), or None."""
    if not tag or tag == "auto":
        return None
    wanted = _normalise(tag)
    if wanted in SHIPPED:
        return wanted
    language = wanted.split("_")[0]
    return next((loc for loc in SHIPPED if loc.split("_")[0] == language), None)


def parse_accept_language(header: str) -> list[str]:
    """The tags of an Accept-Language header, most wanted first (q=0 dropped)."""
    weighted = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and tag != "*" and quality > 0:
            weighted.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(weighted)]


def first_match(tags: Iterable[str | None]) -> str | None:
    """The first tag that matches a shipped locale."""
    return next((found for found in map(match, tags) if found), None)


def choose(*, session_locale: str | None, preferred: Iterable[str], accept_language: str) -> str:
    """The portal session's locale, else the customer's preferred ones, else the browser's."""
    return (
        first_match([session_locale])
        or first_match(preferred)
        or first_match(parse_accept_language(accept_language))
        or DEFAULT
    )


def html_lang(locale: str) -> str:
    """`pt_BR` → `pt-BR`, for the `lang` attribute."""
    return locale.replace("_", "-")


def native_name(locale: str) -> str:
    """The language's own name, capitalised: `Français`, `日本語`, `Português (Brasil)`."""
    name = Locale.parse(locale).get_display_name(locale) or locale
    return name[:1].upper() + name[1:]


# (locale, its name in itself, its `lang` attribute) for the language switcher.
OPTIONS = [(loc, native_name(loc), html_lang(loc)) for loc in SHIPPED]
