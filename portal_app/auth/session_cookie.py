"""The portal session's cookie: HttpOnly, SameSite=Lax, signed under the secret key.

A customer's session lives in the browser tab (Reflex keeps its id server-side) and, once the
browser has stored it, in this cookie too. The cookie lets a tab resume after a server restart
and binds the session to the browser: a tab token used from elsewhere without the cookie is
refused. Where the browser refuses the cookie (a portal framed by another site with
third-party cookies blocked), the session stays bound to the tab alone.

The tab asks for the cookie with a one-minute ticket, since Reflex's socket cannot set one.
"""

import hashlib
import hmac
from datetime import UTC, datetime
from http.cookies import CookieError, SimpleCookie

from portal_app.settings import get_settings

COOKIE_NAME = "portal_session"
# Set beside it, readable by the page's script (the session cookie is HttpOnly): finding it in
# `document.cookie` tells the tab the browser kept the pair, without asking the server again.
KEPT_NAME = "portal_session_kept"
# Where `api.session_cookie` serves the ticket exchange (the tab's script calls it).
PATH = "/api/portal/session-cookie"
TICKET_SECONDS = 60
MAX_VALUE = 200


def _mac(purpose: str, value: str) -> str:
    key = get_settings().secret_key.get_secret_value().encode()
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def cookie_value(session_id: str) -> str:
    """What the cookie holds for a session: its id and a signature."""
    return f"{session_id}.{_mac('portal-session-cookie', session_id)}"


def session_of_cookie(value: str | None) -> str | None:
    """The session id a cookie value names, when its signature holds."""
    if not value or len(value) > MAX_VALUE or "." not in value:
        return None
    session_id, mac = value.rsplit(".", 1)
    return (
        session_id if hmac.compare_digest(mac, _mac("portal-session-cookie", session_id)) else None
    )


def session_in_header(cookie_header: str | None) -> str | None:
    """The session id of a valid portal cookie in a `Cookie` header, if any."""
    if not cookie_header or len(cookie_header) > 8192:
        return None
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(cookie_header)
    except CookieError:
        return None
    morsel = jar.get(COOKIE_NAME)
    return session_of_cookie(morsel.value) if morsel is not None else None


def bind_ticket(session_id: str, *, now: datetime | None = None) -> str:
    """A short-lived proof that the tab holds this session, exchanged for the cookie."""
    expires = int((now or datetime.now(UTC)).timestamp()) + TICKET_SECONDS
    body = f"{session_id}.{expires}"
    return f"{body}.{_mac('portal-session-ticket', body)}"


def session_of_ticket(ticket: str, *, now: datetime | None = None) -> str | None:
    """The session id of a valid, unexpired ticket."""
    parts = ticket.strip().split(".") if len(ticket) <= MAX_VALUE else []
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    session_id, expires, mac = parts
    if not hmac.compare_digest(mac, _mac("portal-session-ticket", f"{session_id}.{expires}")):
        return None
    moment = int((now or datetime.now(UTC)).timestamp())
    return session_id if moment <= int(expires) else None
