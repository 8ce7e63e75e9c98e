"""The Reflex app: pages, the portal's stylesheet, and the HTTP routes mounted beside it."""

import reflex as rx

from portal_app.api import build_api
from portal_app.db import create_tables
from portal_app.pages import home  # noqa: F401  (registers the page)

create_tables()

app = rx.App(
    stylesheets=["/portal.css"],
    api_transformer=build_api(),
    html_lang="en",
)
