"""The merchant dashboard: importing this module registers every dashboard page."""

from portal_app.pages import (  # noqa: F401  (each module registers its page)
    dashboard_api_keys,
    dashboard_branding,
    dashboard_catalogue,
    dashboard_configurations,
    dashboard_customers,
    dashboard_email,
    dashboard_embed,
    dashboard_login,
    dashboard_login_link,
)
