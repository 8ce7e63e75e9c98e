"""The dashboard's page decorator: a signed-in merchant only, inside the dashboard frame."""

from collections.abc import Callable
from typing import Any

import reflex as rx

from portal_app.components.dashboard import dashboard_frame
from portal_app.state.dashboard_auth import DashboardAuthState

ContentFn = Callable[[], rx.Component]


def dashboard_page(route: str, title: str, on_load: Any) -> Callable[[ContentFn], ContentFn]:
    """Register `route` as a dashboard page; its loader runs after the session check."""

    def decorator(content: ContentFn) -> ContentFn:
        def page() -> rx.Component:
            return dashboard_frame(title, content())

        page.__name__ = f"dashboard_{content.__name__}"
        rx.page(
            route=route,
            title=f"{title} · Dashboard",
            on_load=[DashboardAuthState.require_merchant, on_load],
        )(page)
        return content

    return decorator
