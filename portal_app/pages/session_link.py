"""`/session/{token}`: where a merchant's portal-session link lands."""

import reflex as rx

from portal_app.components.text import t
from portal_app.pages.layout import portal_page
from portal_app.state.session_link import SessionLinkState


@portal_page(
    "/session/[token]", title=t("Opening your billing portal"), on_load=SessionLinkState.redeem
)
def session_link() -> rx.Component:
    """Shows progress, or why the link cannot be used."""
    return rx.el.section(
        rx.cond(
            SessionLinkState.error != "",
            rx.fragment(
                rx.el.h1(t("This link can't be used"), class_name="section-title"),
                rx.el.p(SessionLinkState.error, class_name="muted", role="alert"),
            ),
            rx.el.p(t("Opening your billing portal…"), class_name="muted", role="status"),
        ),
        class_name="card",
        data_testid="session-link",
    )
