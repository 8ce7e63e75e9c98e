"""The Reflex app: pages, the portal's stylesheet, and the HTTP routes mounted beside it."""

import reflex as rx

from portal_app.api import build_api
from portal_app.api.frame_headers import with_frame_headers
from portal_app.db import create_tables
from portal_app.pages import (  # noqa: F401  (register the pages)
    dashboard,
    dev_outbox,
    home,
    login,
    not_found,
    portal,
    session_link,
)
from portal_app.services.email_delivery import delivery_loop as email_delivery_loop
from portal_app.settings import get_settings
from portal_app.state.dashboard_auth import token_has_merchant

# A guessable secret key must never guard a real Stripe account or a reachable server.
get_settings().check_safe_to_serve(host=rx.config.get_config().backend_host)
create_tables()


async def _upload_check(token: str) -> bool:
    """Uploads (product images) only from a tab a merchant signed in on."""
    return await token_has_merchant(app.state_manager, token)


app = rx.App(
    stylesheets=["/portal.css", "/dashboard.css"],
    api_transformer=[build_api(upload_check=_upload_check), with_frame_headers],
    html_lang="en",
    # A plain script tag, so it runs before the app's modules: it guards storage and talks
    # to the parent page when a merchant's app frames the portal.
    head_components=[rx.el.script(src="/portal-embed-child.js")],
)

# Sends queued emails by SMTP (returns at once in outbox mode, without PORTAL_SMTP_HOST).
app.register_lifespan_task(email_delivery_loop)

if get_settings().sandbox_mode:
    from portal_app.sandbox.webhooks import delivery_loop

    # The sandbox sends its webhooks (and retries them) like Stripe, from the server itself.
    app.register_lifespan_task(delivery_loop)
