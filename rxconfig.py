"""Reflex's own options; the portal's settings live in portal_app/settings.py."""

import reflex as rx

from portal_app.settings import get_settings

_settings = get_settings()

# With Redis, every worker and instance keeps Reflex's per-tab state there, so a browser's
# events may land on any of them; without it, one process keeps the state on local disk.
_state_manager = (
    rx.constants.StateManagerMode.REDIS
    if _settings.redis_url
    else rx.constants.StateManagerMode.DISK
)

config = rx.Config(
    app_name="portal_app",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    cors_allowed_origins=_settings.allowed_origins,
    # Behind N reverse proxies, the client is the N-th address from the right of
    # X-Forwarded-For (per-client rate limits key on it); 0 trusts only the socket peer.
    trusted_proxy_hops=_settings.trusted_proxy_hops,
    # Any SQLAlchemy URL, e.g. postgresql+psycopg://user:password@host:5432/portal.
    db_url=_settings.database_url,
    redis_url=_settings.redis_url,
    state_manager_mode=_state_manager,
    plugins=[],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
