"""`t()`: catalogue text for compiled components, switching with the tab's language."""

from typing import Any

import reflex as rx

from portal_app.state.i18n import I18nState


def t(msgid: str, **values: Any) -> rx.Var:
    """`msgid` in the tab's language; `{name}` placeholders filled with `values` (Vars or text).

    Components are compiled once, so the text is a lookup in `I18nState.messages`, which holds
    the current language's UI catalogue (English by default, before any event has run).
    """
    messages: Any = I18nState.messages  # a dict Var; mypy sees the class default (a dict)
    text = messages[msgid].to(str)
    for name, value in values.items():
        filler = value.to(str) if isinstance(value, rx.Var) else str(value)
        text = text.replace("{" + name + "}", filler)
    return text


def t_around(msgid: str, name: str) -> tuple[rx.Var, rx.Var]:
    """The text before and after `{name}` in `msgid`, for placing a link or emphasis inside a
    sentence while each language keeps its own word order."""
    messages: Any = I18nState.messages
    parts = messages[msgid].to(str).split("{" + name + "}")
    return parts[0].to(str), parts[1].to(str)
