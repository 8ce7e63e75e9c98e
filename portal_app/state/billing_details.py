"""Editing billing information: one form, errors under each field, tax IDs beside it."""

import dataclasses
import secrets

import reflex as rx

from portal_app.billing.errors import InvalidRequest
from portal_app.i18n.catalog import N_, gettext
from portal_app.i18n.format import phone as format_phone
from portal_app.models.mirror_customer import MirrorCustomer
from portal_app.services.actors import portal_session_of
from portal_app.services.billing_details import (
    DetailsForm,
    add_tax_id,
    email_locked,
    field_for_param,
    form_from,
    remove_tax_id,
    save_details,
    states,
)
from portal_app.state.customer_action import CustomerAction
from portal_app.state.i18n import locale_of
from portal_app.state.portal import PortalState

NOT_ACCEPTED = N_("This value is not accepted. Check it and try again.")


@dataclasses.dataclass
class FieldErrors:
    name: str = ""
    email: str = ""
    phone: str = ""
    line1: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = ""


class BillingDetailsState(CustomerAction, rx.State):
    """The edit form's values come from the mirror; the allowed fields from the configuration."""

    editing: bool = False
    form: DetailsForm = DetailsForm()
    errors: FieldErrors = FieldErrors()
    allow_name: bool = False
    allow_email: bool = False
    allow_address: bool = False
    allow_phone: bool = False
    allow_tax_id: bool = False
    email_locked: bool = False
    # The chosen country's states or provinces ([code, name]); empty: a free text field.
    state_options: list[list[str]] = []
    tax_error: str = ""
    _form: DetailsForm = DetailsForm()  # what `save` sent, for a field Stripe refuses

    @rx.event
    async def open(self) -> None:
        """Show the form filled with what Stripe has now."""
        locale = await locale_of(self)
        self.error = self.notice = ""
        self.errors = FieldErrors()
        acted = await self._act(
            lambda db, actor: (
                db.get(MirrorCustomer, actor.customer),
                email_locked(portal_session_of(db, actor)),
            )
        )
        if acted is None:
            return
        actor, (row, locked) = acted.actor, acted.prepared
        allowed = set(actor.features.customer_update.allowed_updates)
        if not actor.features.customer_update.enabled or row is None:
            self.error = gettext("Billing information cannot be changed here.", locale=locale)
            return
        address = row.address or {}
        self.form = DetailsForm(
            name=row.name or "",
            email=row.email or "",
            # International and spaced: still right if the customer changes the country.
            phone=format_phone(row.phone, None),
            line1=address.get("line1") or "",
            line2=address.get("line2") or "",
            city=address.get("city") or "",
            state=address.get("state") or "",
            postal_code=address.get("postal_code") or "",
            country=address.get("country") or "",
        )
        self.allow_name, self.allow_email = "name" in allowed, "email" in allowed
        self.allow_address, self.allow_phone = "address" in allowed, "phone" in allowed
        self.allow_tax_id = "tax_id" in allowed
        self.email_locked = locked
        self.state_options = [list(pair) for pair in states(self.form.country)]
        self._nonce = secrets.token_hex(8)
        self.editing = True

    def _refused(self, exc: Exception, locale: str, error_var: str) -> None:
        """Stripe refused one field: say so next to it, in the portal's words."""
        field_name = field_for_param(exc.param) if isinstance(exc, InvalidRequest) else None
        if field_name is None:
            super()._refused(exc, locale, error_var)
            return
        self.form = self._form
        self.errors = FieldErrors(**{field_name: gettext(NOT_ACCEPTED, locale=locale)})

    @rx.event
    def choose_country(self, country: str) -> None:
        """Offer the chosen country's states or provinces (any value: checked on save)."""
        code = country.upper() if isinstance(country, str) else ""
        self.state_options = [list(pair) for pair in states(code)]

    @rx.event
    def close(self) -> None:
        """Leave the form without saving."""
        self.editing = False
        self.errors = FieldErrors()

    @rx.event
    async def save(self, form_data: dict):
        """Validate every field; save only when all are right."""
        locale = await locale_of(self)
        if self.busy:
            return None
        self.error = self.notice = ""
        form = self._form = form_from(form_data)
        self.busy = True
        nonce = self._nonce
        try:
            acted = await self._act(
                lambda db, actor: email_locked(portal_session_of(db, actor)),
                lambda actor, gateway, locked: save_details(
                    gateway=gateway, actor=actor, form=form, locked_email=locked, nonce=nonce
                ),
            )
        finally:
            self.busy = False
        if acted is None:
            return None
        checked = acted.result
        self.form = form
        self.state_options = [list(pair) for pair in states(form.country)]
        self.errors = FieldErrors(
            **{k: v.render(locale) for k, v in checked.errors.items() if hasattr(FieldErrors, k)}
        )
        if checked.errors:
            return None
        self.editing = False
        self._nonce = secrets.token_hex(8)
        self.notice = gettext("Your billing information was updated.", locale=locale)
        return PortalState.load

    @rx.event
    async def add_tax_id(self, form_data: dict):
        """Add a tax ID after checking its format and checksum."""
        locale = await locale_of(self)
        self.tax_error = self.notice = ""
        data = form_data if isinstance(form_data, dict) else {}
        nonce = secrets.token_hex(8)
        acted = await self._act(
            call=lambda actor, gateway, _: add_tax_id(
                gateway=gateway,
                actor=actor,
                tax_type=data.get("tax_type"),
                value=data.get("tax_value"),
                nonce=nonce,
            ),
            error_var="tax_error",
        )
        if acted is None:
            return None
        self.notice = gettext("The tax ID was added.", locale=locale)
        return PortalState.load

    @rx.event
    async def remove_tax_id(self, tax_id: str):
        """Remove one of the customer's tax IDs."""
        locale = await locale_of(self)
        self.tax_error = self.notice = ""
        nonce = secrets.token_hex(8)
        acted = await self._act(
            call=lambda actor, gateway, _: remove_tax_id(
                gateway=gateway, actor=actor, tax_id=tax_id, nonce=nonce
            ),
            error_var="tax_error",
        )
        if acted is None:
            return None
        self.notice = gettext("The tax ID was removed.", locale=locale)
        return PortalState.load
