"""The customer portal home: everything about the signed-in customer's billing."""

import reflex as rx

from portal_app.components.feedback import error_text
from portal_app.components.portal_sections import (
    billing_section,
    invoices_section,
    payment_methods_section,
    subscriptions_section,
)
from portal_app.components.text import t
from portal_app.pages.layout import portal_page
from portal_app.state.flow import FlowState
from portal_app.state.i18n import reload_on_switch
from portal_app.state.portal import PortalState


def signed_out_notice() -> rx.Component:
    return rx.el.section(
        rx.el.h1(t("You are signed out"), class_name="section-title"),
        rx.el.p(PortalState.page_error, class_name="muted", role="status"),
        rx.el.p(
            t("To manage your billing, open the link from the business again."), class_name="muted"
        ),
        class_name="card stack",
        data_testid="signed-out",
    )


def flow_done() -> rx.Component:
    """The hosted confirmation that ends a deep-link flow."""
    return rx.el.section(
        rx.el.h1(t("All done"), class_name="section-title"),
        rx.el.p(FlowState.done_message, class_name="muted", role="status"),
        rx.el.button(t("Back to billing"), on_click=FlowState.leave, class_name="button-secondary"),
        class_name="card stack",
        data_testid="flow-done",
    )


def flow_view() -> rx.Component:
    """Only the task the merchant's link opened: no navigation, no other sections."""
    return rx.cond(
        FlowState.done_message != "",
        flow_done(),
        rx.match(
            FlowState.kind,
            ("payment_method_update", payment_methods_section()),
            subscriptions_section(),
        ),
    )


reload_on_switch("/portal", PortalState.load)


@portal_page("/portal", title=t("Billing"), on_load=[PortalState.load, PortalState.watch])
def portal() -> rx.Component:
    """The sections the configuration enables, stacked (or the one task of a flow)."""
    return rx.cond(
        PortalState.signed_in & (FlowState.kind != ""),
        flow_view(),
        rx.cond(
            PortalState.signed_in,
            full_portal(),
            rx.cond(
                PortalState.loaded,
                signed_out_notice(),
                rx.el.p(t("Loading…"), class_name="muted", role="status"),
            ),
        ),
    )


def full_portal() -> rx.Component:
    """Every section the configuration enables."""
    return rx.fragment(
        rx.el.div(
            rx.el.h1(t("Billing"), class_name="page-title"),
            rx.el.button(
                t("Sign out"),
                on_click=PortalState.logout,
                class_name="button-link",
                data_testid="logout",
                data_portal_close="true",
            ),
            class_name="row-between",
        ),
        error_text(PortalState.page_error),
        subscriptions_section(),
        rx.cond(PortalState.features.payment_methods, payment_methods_section()),
        rx.cond(PortalState.features.billing_info, billing_section()),
        rx.cond(PortalState.features.invoice_history, invoices_section()),
    )
