"""One rule for every text a merchant or customer sets: no control characters.

A line break in a business name ends up in an email header; bidirectional overrides make a
text read differently from what it holds. Such characters are refused with a message next to
the field, never silently dropped. Multi-line fields (descriptions, comments) may hold line
breaks and tabs.
"""

import unicodedata
from collections.abc import Collection, Mapping

from portal_app.i18n.text import Text

CONTROL_CHARACTERS = Text("Remove the line breaks and other control characters from this text.")
# Line and paragraph separators and the bidirectional embeddings, overrides and isolates.
_ALSO_REFUSED = frozenset("\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_MULTILINE_ALLOWED = frozenset("\n\r\t")


def has_control_characters(text: str, *, multiline: bool = False) -> bool:
    """True when the text holds a character no person meant to type in it."""
    for character in text:
        if multiline and character in _MULTILINE_ALLOWED:
            continue
        if character in _ALSO_REFUSED or unicodedata.category(character) == "Cc":
            return True
    return False


def control_character_errors(
    fields: Mapping[str, object], *, multiline: Collection[str] = ()
) -> dict[str, Text]:
    """A message for each text field that holds control characters (other values pass)."""
    return {
        name: CONTROL_CHARACTERS
        for name, value in fields.items()
        if isinstance(value, str) and has_control_characters(value, multiline=name in multiline)
    }
