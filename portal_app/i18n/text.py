"""Messages raised by services before the locale is known, translated where they are shown.

Services raise `ActionRefused(Text("That invoice was not found."))`; `str(error)` stays
English (logs and tests), and the state that shows it calls `user_message(error, locale)`.
"""

from collections.abc import Mapping

from portal_app.i18n.catalog import gettext, ngettext


class Text:
    """A msgid and its values, rendered in a locale on demand."""

    def __init__(self, msgid: str, **values: object) -> None:
        self.msgid = msgid
        self.values = values

    def render(self, locale: str) -> str:
        return gettext(self.msgid, locale=locale, **self._values(locale))

    def _values(self, locale: str) -> dict[str, object]:
        """The values, with nested Texts (e.g. a translated label) in the same locale."""
        return {
            key: value.render(locale) if isinstance(value, Text) else value
            for key, value in self.values.items()
        }

    def __str__(self) -> str:
        return self.render("en")

    def __repr__(self) -> str:
        return f"Text({self.msgid!r})"


class Plural(Text):
    """A message whose wording depends on `count`."""

    def __init__(self, singular: str, plural: str, count: int, **values: object) -> None:
        super().__init__(singular, **values)
        self.plural, self.count = plural, count

    def render(self, locale: str) -> str:
        return ngettext(self.msgid, self.plural, self.count, locale=locale, **self._values(locale))


def user_message(error: Exception, locale: str) -> str:
    """What to show for an error: its Text in `locale`, a catalogued English text translated,
    or (for wording from outside, such as a card issuer's decline reason) the text as is."""
    message = error.args[0] if error.args else ""
    if isinstance(message, Text):
        return message.render(locale)
    text = getattr(error, "user_message", None) or str(message)
    return gettext(text, locale=locale)


def render_all(messages: Mapping[str, "Text | str"], locale: str) -> dict[str, str]:
    """Field errors (field → Text, or catalogued English) in `locale`, for a form to show."""
    return {
        field: message.render(locale)
        if isinstance(message, Text)
        else gettext(message, locale=locale)
        for field, message in messages.items()
    }
