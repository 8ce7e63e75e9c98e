"""The dashboard's configurations page: list, pick, edit, create, make default."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import reflex as rx
from reflex_base.event import EventSpec
from sqlmodel import Session

from portal_app.i18n.catalog import gettext
from portal_app.i18n.format import utc_moment
from portal_app.i18n.text import user_message
from portal_app.services.configuration_document import ConfigurationError
from portal_app.services.configuration_views import ConfigurationView
from portal_app.services.configurations import (
    create_configuration,
    get_configuration,
    list_configurations,
    make_default,
    update_configuration,
)
from portal_app.services.off_loop import in_session
from portal_app.state.dashboard_auth import merchant_only
from portal_app.state.dashboard_configuration_form import (
    ConfigurationForm,
    FormInputError,
    field_errors,
    fields_from_form,
    form_of,
    new_form,
)
from portal_app.state.i18n import locale_of

MAX_LISTED = 100


@dataclass
class ConfigurationRow:
    """One line of the configurations list."""

    id: str
    label: str
    is_default: bool
    active: bool
    updated: str


def _rows(*, session: Session, locale: str) -> list[ConfigurationRow]:
    views, _ = list_configurations(session=session, limit=MAX_LISTED)
    return [
        ConfigurationRow(
            id=view.id,
            label=view.name or view.business_name,
            is_default=view.is_default,
            active=view.active,
            updated=utc_moment(datetime.fromtimestamp(view.updated, UTC), locale),
        )
        for view in views
    ]


class DashboardConfigurationsState(rx.State):
    """The list, the configuration being edited and its field errors."""

    rows: list[ConfigurationRow] = []
    selected_id: str = ""
    form: ConfigurationForm = ConfigurationForm()
    form_version: int = 0
    errors: dict[str, str] = {}
    notice: str = ""

    def _show(self, view: ConfigurationView | None) -> None:
        """Open `view` in the form, or a new configuration's form when None."""
        self.selected_id = view.id if view else ""
        self.form = form_of(view) if view else new_form()
        self.form_version += 1
        self.errors = {}

    @rx.event
    @merchant_only
    async def load(self) -> EventSpec | None:
        """Page load: the list, with the default configuration open."""
        locale = await locale_of(self)

        def read(db: Session) -> tuple[list[ConfigurationRow], ConfigurationView | None]:
            rows = _rows(session=db, locale=locale)
            chosen = next((row for row in rows if row.is_default), None)
            shown = get_configuration(session=db, configuration_id=chosen.id) if chosen else None
            return rows, shown

        self.rows, shown = await in_session(read)
        self.notice = ""
        self._show(shown)
        return None

    @rx.event
    @merchant_only
    async def select(self, configuration_id: str) -> EventSpec | None:
        """Open one of the listed configurations."""
        if not isinstance(configuration_id, str) or configuration_id not in {
            row.id for row in self.rows
        }:
            return None
        self.notice = ""
        self._show(
            await in_session(
                lambda db: get_configuration(session=db, configuration_id=configuration_id)
            )
        )
        return None

    @rx.event
    @merchant_only
    async def new(self) -> EventSpec | None:
        """Start a new configuration with Stripe's defaults."""
        self.notice = ""
        self._show(None)
        return None

    @rx.event
    @merchant_only
    async def save(self, form_data: dict[str, Any]) -> EventSpec | None:
        """Validate and store the form; errors appear next to their fields."""
        locale = await locale_of(self)
        self.notice = ""
        if not isinstance(form_data, dict):
            return None
        try:
            fields = fields_from_form(form_data)
        except FormInputError as exc:
            self.errors = {exc.field: user_message(exc, locale)}
            return None
        selected = self.selected_id

        def store(db: Session) -> tuple[list[ConfigurationRow], ConfigurationView]:
            if selected:
                view = update_configuration(session=db, configuration_id=selected, fields=fields)
            else:
                view = create_configuration(session=db, fields=fields)
            return _rows(session=db, locale=locale), view

        try:
            self.rows, view = await in_session(store)
        except ConfigurationError as exc:
            self.errors = field_errors(exc, locale)
            return None
        self._show(view)
        self.notice = gettext("Saved.", locale=locale)
        return None

    @rx.event
    @merchant_only
    async def make_default(self) -> EventSpec | None:
        """Make the open configuration the one new sessions use."""
        if not self.selected_id:
            return None
        locale = await locale_of(self)
        selected = self.selected_id

        def store(db: Session) -> tuple[list[ConfigurationRow], ConfigurationView]:
            view = make_default(session=db, configuration_id=selected)
            return _rows(session=db, locale=locale), view

        try:
            self.rows, view = await in_session(store)
        except ConfigurationError as exc:
            self.errors = field_errors(exc, locale)
            return None
        self._show(view)
        self.notice = gettext("This configuration is now the default.", locale=locale)
        return None
