"""The brand shown in the shell, as a view model (never an ORM row)."""

import reflex as rx

from portal_app.services.branding import BrandView, css_variables, default_brand
from portal_app.services.off_loop import in_session


class BrandState(rx.State):
    """The merchant's brand for the current page."""

    brand: BrandView = BrandView()

    @rx.var
    def css_variables(self) -> dict[str, str]:
        """The brand as CSS custom properties on the shell (readable colours derived)."""
        return css_variables(self.brand)

    @rx.event
    async def load_brand(self) -> None:
        """Read the default configuration's brand from the database."""
        self.brand = await in_session(lambda db: default_brand(session=db))
