"""The portal's front door: where a customer lands without a session link."""

import reflex as rx

from portal_app.pages.layout import portal_page
from portal_app.state.brand import BrandState


@portal_page("/", title="Billing portal")
def home() -> rx.Component:
    """Explains how to get in: the merchant's link, or the email sign-in when it is active."""
    return rx.el.section(
        rx.el.h1("Manage your billing", class_name="section-title"),
        rx.el.p(
            "Use the billing link from ",
            BrandState.brand.business_name,
            " to see your subscriptions, payment methods and invoices.",
            class_name="muted",
        ),
        class_name="card",
        aria_labelledby="home-title",
        data_testid="home-card",
    )
