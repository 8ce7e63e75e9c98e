"""Who may show the portal in an iframe: `Content-Security-Policy: frame-ancestors`.

A page opened from a session link or a login link may be framed by the origins its
configuration lists (and the portal itself); other portal pages by any active
configuration's origins; every other document (the dashboard, the development outbox, any
unknown path) never. Paths are normalised first, so `//dashboard/` or `/dashboard.html`
cannot pass for a portal page.
"""

from sqlmodel import col, select
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal_app.auth.portal_sessions import configuration_for_link
from portal_app.db import session_scope
from portal_app.models.configuration import PortalConfiguration
from portal_app.services.configurations import configuration_for_login_token

NEVER = "'none'"
# Prefixes that serve no framable document (APIs, files, the sandbox, Reflex's own routes).
NOT_DOCUMENTS = ("/v1/", "/api/", "/sandbox/", "/files/", "/_event", "/ping", "/_upload")
# The customer-facing pages (`portal_page`); every other document is never framed.
PORTAL_PAGES = ("/", "/portal", "/404")
LINK_PAGES = ("session", "login")


def normalise(path: str) -> str:
    """The page a path names, as the static server resolves it: repeated slashes, `.` and
    `..` segments, a trailing slash, `.html` and `/index` are folded away."""
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            continue
        parts.append(part)
    if parts and parts[-1].lower().endswith(".html"):
        parts[-1] = parts[-1][: -len(".html")]
    if parts and parts[-1].lower() == "index":
        parts.pop()
    return "/" + "/".join(parts)


def frame_ancestors(path: str) -> str:
    """The `frame-ancestors` sources for a document path."""
    page = normalise(path)
    parts = page.strip("/").split("/")
    is_link = len(parts) == 2 and parts[0] in LINK_PAGES
    if page not in PORTAL_PAGES and not is_link:
        return NEVER
    with session_scope() as db:
        origins: list[str]
        if is_link:
            config_id = (
                configuration_for_link(session=db, token=parts[1])
                if parts[0] == "session"
                else getattr(configuration_for_login_token(session=db, token=parts[1]), "id", None)
            )
            config = db.get(PortalConfiguration, config_id) if config_id else None
            origins = list(config.frame_origins or []) if config else []
        else:
            rows = db.exec(
                select(PortalConfiguration.frame_origins).where(col(PortalConfiguration.active))
            ).all()
            origins = sorted({origin for row in rows for origin in (row or [])})
    # Exactly the listed origins; the portal's own origin only when none is listed.
    return " ".join(origins) if origins else "'self'"


def is_document(path: str) -> bool:
    """Pages, not scripts, styles or API calls (those have no framing to protect)."""
    page = normalise(path)
    last = page.rsplit("/", 1)[-1]
    return not (page + "/").startswith(NOT_DOCUMENTS) and "." not in last


def with_frame_headers(app: ASGIApp) -> ASGIApp:
    """Wrap the whole ASGI app so every document carries its framing policy."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_document(scope["path"]):
            await app(scope, receive, send)
            return
        sources = await run_in_threadpool(frame_ancestors, scope["path"])

        async def send_with_policy(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = f"frame-ancestors {sources}"
                if sources == NEVER:
                    headers["X-Frame-Options"] = "DENY"
            await send(message)

        await app(scope, receive, send_with_policy)

    return wrapped
