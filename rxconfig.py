"""Reflex's own options; the portal's settings live in portal_app/settings.py."""

import reflex as rx

from portal_app.settings import get_settings

_settings = get_settings()

config = rx.Config(
    app_name="portal_app",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    cors_allowed_origins=_settings.allowed_origins,
    db_url=_settings.database_url,
    redis_url=_settings.redis_url,
    plugins=[],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
