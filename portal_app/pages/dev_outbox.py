"""`/dev/outbox`: read the emails the portal queued, for development with the sandbox."""

import reflex as rx

from portal_app.components.outbox_table import outbox_table
from portal_app.components.text import t
from portal_app.state.dev_outbox import DevOutboxState
from portal_app.state.i18n import I18nState

S = DevOutboxState


@rx.page(route="/dev/outbox", title=t("Development outbox"), on_load=[I18nState.detect, S.load])
def dev_outbox() -> rx.Component:
    """The outbox, or "not available" outside sandbox mode."""
    return rx.el.main(
        rx.cond(
            S.available,
            rx.el.div(
                rx.el.h1(t("Development outbox"), class_name="dash-title"),
                rx.el.p(
                    t("Sandbox mode: every email the portal queued, newest first."),
                    class_name="muted",
                ),
                rx.el.button(
                    t("Refresh"),
                    type="button",
                    on_click=S.load,
                    class_name="dash-button dash-button-quiet",
                ),
                outbox_table(S.messages),
                class_name="dash-stack",
            ),
            rx.el.div(
                rx.el.h1(t("Not available"), class_name="dash-title"),
                rx.el.p(
                    t("The development outbox exists only in sandbox mode."),
                    class_name="muted",
                    data_testid="dev-outbox-unavailable",
                ),
            ),
        ),
        class_name="dash-main",
        id="main",
        lang=I18nState.lang,
    )
