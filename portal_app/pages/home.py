"""The portal's front door: where a customer lands without a session link."""

import reflex as rx

from portal_app.components.text import t
from portal_app.pages.layout import portal_page
from portal_app.state.brand import BrandState


@portal_page("/", title=t("Billing portal"))
def home() -> rx.Component:
    """Explains how to get in: the merchant's link, or the email sign-in when it is active."""
    return rx.el.section(
        rx.el.h1(t("Manage your billing"), class_name="section-title"),
        rx.el.p(
            t(
                "Use the billing link from {business} to see your subscriptions, "
                "payment methods and invoices.",
                business=BrandState.brand.business_name,
            ),
            class_name="muted",
        ),
        class_name="card",
        aria_labelledby="home-title",
        data_testid="home-card",
    )
