"""Events for a merchant page that frames the portal (see assets/portal-embed-child.js)."""

import json

import reflex as rx
from reflex_base.event import EventSpec


def embed_event(kind: str, **detail: str) -> EventSpec:
    """Tell the framing page what the customer completed; nothing happens when not framed."""
    return rx.call_script(
        f"window.portalEmbed && window.portalEmbed.emit({json.dumps(kind)}, {json.dumps(detail)})"
    )
