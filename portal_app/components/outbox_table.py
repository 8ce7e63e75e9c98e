"""The outbox table shared by the dashboard's email page and the development outbox."""

from typing import Any

import reflex as rx

from portal_app.components.text import t
from portal_app.state.dashboard_email import OutboxRow


def _status(row: OutboxRow) -> rx.Component:
    return rx.el.span(
        row.status_label,
        class_name=[
            "badge",
            rx.match(
                row.status,
                ("sent", "badge-success"),
                ("failed", "badge-danger"),
                ("expired", "badge-muted"),
                "badge-warning",
            ),
        ],
    )


def outbox_table(rows: Any) -> rx.Component:
    """The newest messages first, with the last delivery error under the subject."""

    def row(message: OutboxRow) -> rx.Component:
        return rx.el.tr(
            rx.el.td(message.created, class_name="dash-nowrap"),
            rx.el.td(message.kind),
            rx.el.td(message.recipient),
            rx.el.td(
                message.subject,
                rx.cond(
                    message.last_error != "",
                    rx.el.p(message.last_error, class_name="dash-hint"),
                ),
                rx.cond(
                    message.body != "",
                    rx.el.pre(message.body, class_name="dash-hint"),
                ),
            ),
            rx.el.td(_status(message)),
            data_testid="outbox-row",
        )

    return rx.cond(
        rows.length() > 0,
        rx.el.div(
            rx.el.table(
                rx.el.thead(
                    rx.el.tr(
                        rx.el.th(t("Created")),
                        rx.el.th(t("Email")),
                        rx.el.th(t("To")),
                        rx.el.th(t("Subject")),
                        rx.el.th(t("Status")),
                    )
                ),
                rx.el.tbody(rx.foreach(rows, row)),
                class_name="dash-table",
            ),
            class_name="dash-table-wrap",
        ),
        rx.el.p(t("No emails yet."), class_name="muted"),
    )
