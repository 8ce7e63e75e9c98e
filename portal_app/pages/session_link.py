"""`/session/{token}`: where a merchant's portal-session link lands, and the portal opens."""

import reflex as rx

from portal_app.components.text import t
from portal_app.pages.layout import portal_page
from portal_app.pages.portal import portal
from portal_app.state.i18n import reload_on_switch
from portal_app.state.portal import PortalState
from portal_app.state.session_link import SessionLinkState

# The link's redemption reads the home in the same event and the page shows it here, at the
# link's address (then renamed `/portal`): no client navigation, no second page load.
reload_on_switch("/session/[token]", SessionLinkState.redeem)


@portal_page(
    "/session/[token]",
    title=rx.cond(
        PortalState.loaded & (SessionLinkState.error == ""),
        t("Billing"),
        t("Opening your billing portal"),
    ),
    on_load=SessionLinkState.redeem,
)
def session_link() -> rx.Component:
    """The portal (shown once the cookie binding answered), or progress, or why the link
    cannot be used."""
    return rx.cond(
        PortalState.loaded & (SessionLinkState.error == ""),
        rx.el.div(portal(), class_name="awaits-binding"),
        rx.el.section(
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
        ),
    )
