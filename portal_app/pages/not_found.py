"""The page for an unknown address, in the branded shell and the visitor's language."""

import reflex as rx

from portal_app.components.text import t
from portal_app.pages.layout import portal_page
from portal_app.state.brand import BrandState

# Reflex serves the page registered at this route for every unknown path.
NOT_FOUND_ROUTE = "404"


@portal_page(NOT_FOUND_ROUTE, title=t("Page not found"))
def not_found() -> rx.Component:
    """Says the address is wrong and how to get back in, instead of Reflex's English default."""
    return rx.el.section(
        rx.el.h1(t("Page not found"), class_name="section-title"),
        rx.el.p(
            t(
                "This address does not lead anywhere. To see your billing, use the link "
                "from {business} again.",
                business=BrandState.brand.business_name,
            ),
            class_name="muted",
        ),
        class_name="card",
        data_testid="not-found",
    )
