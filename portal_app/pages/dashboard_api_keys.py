"""The API keys page: create a secret key (shown once), see and revoke keys."""

import reflex as rx

from portal_app.components.dashboard import notice
from portal_app.components.text import t
from portal_app.pages.dashboard_layout import dashboard_page
from portal_app.state.dashboard_api_keys import ApiKeyRow, DashboardApiKeysState

S = DashboardApiKeysState


def new_secret() -> rx.Component:
    return rx.cond(
        S.new_secret != "",
        rx.el.div(
            rx.el.p(
                t("Copy this key now: it will not be shown again."),
                class_name="dash-warning",
                role="status",
            ),
            rx.el.div(
                rx.el.input(
                    value=S.new_secret,
                    read_only=True,
                    aria_label=t("New secret key"),
                    class_name="dash-input dash-mono",
                    data_testid="new-secret",
                ),
                rx.el.button(
                    t("Copy"),
                    type="button",
                    on_click=rx.set_clipboard(S.new_secret),
                    class_name="dash-button dash-button-quiet",
                ),
                rx.el.button(
                    t("Done"), type="button", on_click=S.dismiss_secret, class_name="dash-button"
                ),
                class_name="dash-inline",
            ),
            class_name="dash-card dash-stack",
        ),
    )


def key_table() -> rx.Component:
    def row(key: ApiKeyRow) -> rx.Component:
        return rx.el.tr(
            rx.el.td(key.name),
            rx.el.td(rx.el.code(key.prefix)),
            rx.el.td(key.created),
            rx.el.td(key.last_used),
            rx.el.td(
                rx.cond(
                    key.revoked,
                    rx.el.span(t("Revoked"), class_name="dash-badge dash-badge-muted"),
                    rx.el.button(
                        t("Revoke"),
                        type="button",
                        on_click=S.revoke(key.id),
                        class_name="dash-button dash-button-danger",
                        aria_label=t("Revoke {key}", key=key.prefix),
                    ),
                )
            ),
        )

    return rx.cond(
        S.has_keys,
        rx.el.div(
            rx.el.table(
                rx.el.thead(
                    rx.el.tr(
                        rx.el.th(t("Name")),
                        rx.el.th(t("Key")),
                        rx.el.th(t("Created")),
                        rx.el.th(t("Last used")),
                        rx.el.th(rx.el.span(t("Status"), class_name="sr-only")),
                    )
                ),
                rx.el.tbody(rx.foreach(S.keys, row)),
                class_name="dash-table",
            ),
            class_name="dash-table-wrap",
        ),
        rx.el.p(t("No keys yet."), class_name="muted"),
    )


@dashboard_page("/dashboard/api-keys", title=t("API keys"), on_load=S.load)
def api_keys() -> rx.Component:
    """Create, list and revoke."""
    return rx.el.div(
        new_secret(),
        rx.el.section(
            rx.el.form(
                rx.el.label(t("Key name"), html_for="key-name", class_name="dash-label"),
                rx.el.div(
                    rx.el.input(
                        id="key-name",
                        name="name",
                        max_length=80,
                        placeholder=t("e.g. Production backend"),
                        class_name="dash-input",
                    ),
                    rx.el.button(t("Create secret key"), type="submit", class_name="dash-button"),
                    class_name="dash-inline",
                ),
                on_submit=S.create,
                reset_on_submit=True,
            ),
            rx.el.p(
                t(
                    "Use a key as a Bearer token with the Stripe-compatible API at "
                    "/v1/billing_portal."
                ),
                class_name="dash-hint",
            ),
            notice(S.notice),
            key_table(),
            class_name="dash-card dash-stack",
        ),
        class_name="dash-stack",
    )
