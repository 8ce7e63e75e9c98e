"""The dashboard's page decorator: a signed-in merchant only, inside the dashboard frame."""

from collections.abc import Callable
from typing import Any

import reflex as rx

from portal_app.components.dashboard import dashboard_frame
from portal_app.components.text import t
from portal_app.state.dashboard_auth import DashboardAuthState
from portal_app.state.i18n import I18nState, reload_on_switch

ContentFn = Callable[[], rx.Component]


def dashboard_page(route: str, title: rx.Var, on_load: Any) -> Callable[[ContentFn], ContentFn]:
    """Register `route` as a dashboard page; its loader runs after the session check.

    `title` is a `t()` text: the page's heading, and (with the dashboard's name) the browser
    tab's title, both following the language.
    """

    def decorator(content: ContentFn) -> ContentFn:
        def page() -> rx.Component:
            return dashboard_frame(title, content())

        page.__name__ = f"dashboard_{content.__name__}"
        rx.page(
            route=route,
            title=t("{page} · Dashboard", page=title),
            # The browser's language first, as on the customer portal's pages.
            on_load=[I18nState.detect, DashboardAuthState.require_merchant, on_load],
        )(page)
        reload_on_switch(route, on_load)
        return content

    return decorator
