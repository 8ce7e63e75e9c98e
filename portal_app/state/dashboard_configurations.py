"""The dashboard's configurations page: list, pick, edit, create, make default."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import reflex as rx
from reflex_base.event import EventSpec

from portal_app.db import session_scope
from portal_app.i18n.catalog import gettext
from portal_app.i18n.format import utc_moment
from portal_app.i18n.text import user_message
from portal_app.services.configuration_document import ConfigurationError
from portal_app.services.configurations import (
    create_configuration,
    get_configuration,
    list_configurations,
    make_default,
    update_configuration,
)
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


class DashboardConfigurationsState(rx.State):
    """The list, the configuration being edited and its field errors."""

    rows: list[ConfigurationRow] = []
    selected_id: str = ""
    form: ConfigurationForm = ConfigurationForm()
    form_version: int = 0
    errors: dict[str, str] = {}
    notice: str = ""

    def _reload_rows(self, locale: str) -> None:
        with session_scope() as session:
            views, _ = list_configurations(session=session, limit=MAX_LISTED)
        self.rows = [
            ConfigurationRow(
                id=view.id,
                label=view.name or view.business_name,
                is_default=view.is_default,
                active=view.active,
                updated=utc_moment(datetime.fromtimestamp(view.updated, UTC), locale),
            )
            for view in views
        ]

    def _show(self, configuration_id: str) -> None:
        with session_scope() as session:
            view = get_configuration(session=session, configuration_id=configuration_id)
        self.selected_id = view.id
        self.form = form_of(view)
        self.form_version += 1
        self.errors = {}

    @rx.event
    @merchant_only
    async def load(self) -> EventSpec | None:
        """Page load: the list, with the default configuration open."""
        self._reload_rows(await locale_of(self))
        self.notice = ""
        chosen = next((row for row in self.rows if row.is_default), None)
        if chosen is not None:
            self._show(chosen.id)
        else:
            self._start_new_form()
        return None

    def _start_new_form(self) -> None:
        self.selected_id = ""
        self.form = new_form()
        self.form_version += 1
        self.errors = {}

    @rx.event
    @merchant_only
    async def select(self, configuration_id: str) -> EventSpec | None:
        """Open one of the listed configurations."""
        if not isinstance(configuration_id, str) or configuration_id not in {
            row.id for row in self.rows
        }:
            return None
        self.notice = ""
        self._show(configuration_id)
        return None

    @rx.event
    @merchant_only
    async def new(self) -> EventSpec | None:
        """Start a new configuration with Stripe's defaults."""
        self.notice = ""
        self._start_new_form()
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
        try:
            with session_scope() as session:
                if self.selected_id:
                    view = update_configuration(
                        session=session, configuration_id=self.selected_id, fields=fields
                    )
                else:
                    view = create_configuration(session=session, fields=fields)
        except ConfigurationError as exc:
            self.errors = field_errors(exc, locale)
            return None
        self._reload_rows(locale)
        self._show(view.id)
        self.notice = gettext("Saved.", locale=locale)
        return None

    @rx.event
    @merchant_only
    async def make_default(self) -> EventSpec | None:
        """Make the open configuration the one new sessions use."""
        if not self.selected_id:
            return None
        locale = await locale_of(self)
        try:
            with session_scope() as session:
                make_default(session=session, configuration_id=self.selected_id)
        except ConfigurationError as exc:
            self.errors = field_errors(exc, locale)
            return None
        self._reload_rows(locale)
        self._show(self.selected_id)
        self.notice = gettext("This configuration is now the default.", locale=locale)
        return None
