"""Validating and saving the customer's billing information, field by field.

Each rule uses a library that knows it: email-validator for addresses, phonenumbers for
phones, Babel's territory list for countries, python-stdnum for tax ID checksums.
"""

import re
from dataclasses import asdict, dataclass, field
from typing import Any

import phonenumbers
from babel import Locale
from email_validator import EmailNotValidError, validate_email
from stdnum import exceptions as stdnum_errors
from stdnum.au import abn
from stdnum.ca import bn
from stdnum.ch import vat as ch_vat
from stdnum.eu import vat as eu_vat
from stdnum.gb import vat as gb_vat
from stdnum.in_ import gstin
from stdnum.no import mva
from stdnum.us import ein

from portal_app.billing.gateway import Gateway
from portal_app.billing.sync import record
from portal_app.db import session_scope
from portal_app.i18n.catalog import N_
from portal_app.i18n.text import Text
from portal_app.models.mirror_customer import MirrorCustomer, MirrorTaxId
from portal_app.models.portal_session import PortalSession
from portal_app.services.customer_actions import ActionRefused, Actor, audit
from portal_app.services.text_rules import (
    CONTROL_CHARACTERS,
    control_character_errors,
    has_control_characters,
)

MAX_TEXT = 200
# Countries where a postal code, and a state or province, must be given.
POSTAL_CODE_FORMATS = {
    "US": r"\d{5}(-\d{4})?",
    "CA": r"[A-Za-z]\d[A-Za-z] ?\d[A-Za-z]\d",
    "GB": r"[A-Za-z]{1,2}\d[A-Za-z\d]? ?\d[A-Za-z]{2}",
    "FR": r"\d{5}",
    "DE": r"\d{5}",
    "IT": r"\d{5}",
    "ES": r"\d{5}",
    "NL": r"\d{4} ?[A-Za-z]{2}",
    "AU": r"\d{4}",
    "JP": r"\d{3}-?\d{4}",
    "IN": r"\d{6}",
    "BR": r"\d{5}-?\d{3}",
}
STATE_REQUIRED = {"US", "CA", "AU", "IN", "BR"}
NO_POSTAL_CODE = {"AE", "HK", "IE", "QA"}
TAX_ID_TYPES = {
    "eu_vat": (N_("EU VAT number"), eu_vat),
    "gb_vat": (N_("UK VAT number"), gb_vat),
    "ch_vat": (N_("Swiss VAT number"), ch_vat),
    "no_vat": (N_("Norwegian VAT number"), mva),
    "us_ein": (N_("US EIN"), ein),
    "ca_bn": (N_("Canadian BN"), bn),
    "au_abn": (N_("Australian ABN"), abn),
    "in_gst": (N_("Indian GST number"), gstin),
}


def countries(locale: str = "en") -> list[tuple[str, str]]:
    """(code, name in `locale`) for every ISO country, sorted by name."""
    territories = Locale.parse(locale).territories
    return sorted(
        ((code, name) for code, name in territories.items() if len(code) == 2 and code.isalpha()),
        key=lambda pair: pair[1],
    )


COUNTRY_CODES = {code for code, _ in countries()}


@dataclass
class DetailsForm:
    """What the customer typed; every value is checked before anything is sent."""

    name: str = ""
    email: str = ""
    phone: str = ""
    line1: str = ""
    line2: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = ""


@dataclass
class CheckedDetails:
    changes: dict[str, Any]
    errors: dict[str, Text] = field(default_factory=dict)


def _text(value: object) -> str:
    return value.strip()[:MAX_TEXT] if isinstance(value, str) else ""


def form_from(data: object) -> DetailsForm:
    """A form from whatever the browser sent (unknown keys and non-strings ignored)."""
    values = data if isinstance(data, dict) else {}
    return DetailsForm(**{key: _text(values.get(key)) for key in DetailsForm.__dataclass_fields__})


def check_details(*, form: DetailsForm, allowed: set[str], email_locked: bool) -> CheckedDetails:
    """The Stripe changes for the allowed fields, or a message per field that is wrong."""
    changes: dict[str, Any] = {}
    errors: dict[str, Text] = {}
    refused = control_character_errors(asdict(form))
    if "name" in allowed:
        if not form.name:
            errors["name"] = Text("Enter your name.")
        else:
            changes["name"] = form.name
    if "email" in allowed and not email_locked:
        try:
            changes["email"] = validate_email(form.email, check_deliverability=False).normalized
        except EmailNotValidError as exc:
            errors["email"] = Text("Enter a valid email address: {reason}", reason=str(exc))
    country = form.country.upper()
    if "address" in allowed:
        address_errors = _address_errors(form, country)
        errors.update(address_errors)
        if not address_errors:
            changes["address"] = {
                "line1": form.line1,
                "line2": form.line2,
                "city": form.city,
                "state": form.state,
                "postal_code": form.postal_code.upper()
                if country in {"GB", "CA", "NL"}
                else form.postal_code,
                "country": country,
            }
    if "phone" in allowed:
        if form.phone:
            phone = _phone(form.phone, country or None)
            if phone is None:
                errors["phone"] = Text(
                    "Enter a valid phone number, with the country code (+33 …) if abroad."
                )
            else:
                changes["phone"] = phone
        else:
            changes["phone"] = ""
    return CheckedDetails(changes=changes, errors={**errors, **refused})


def _address_errors(form: DetailsForm, country: str) -> dict[str, Text]:
    errors: dict[str, Text] = {}
    if country not in COUNTRY_CODES:
        errors["country"] = Text("Choose your country.")
        return errors
    if not form.line1:
        errors["line1"] = Text("Enter the street address.")
    if not form.city:
        errors["city"] = Text("Enter the city.")
    if country in STATE_REQUIRED and not form.state:
        errors["state"] = Text("Enter the state, province or region.")
    pattern = POSTAL_CODE_FORMATS.get(country)
    if country not in NO_POSTAL_CODE and not form.postal_code:
        errors["postal_code"] = Text("Enter the postal code.")
    elif pattern and not re.fullmatch(pattern, form.postal_code):
        errors["postal_code"] = Text("That postal code does not look right for this country.")
    return errors


def _phone(raw: str, region: str | None) -> str | None:
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def check_tax_id(*, tax_type: object, value: object) -> tuple[str, str]:
    """A tax ID type and its value in the compact form, or ActionRefused saying what is wrong."""
    if not isinstance(tax_type, str) or tax_type not in TAX_ID_TYPES:
        raise ActionRefused(Text("Choose the kind of tax ID."))
    label, module = TAX_ID_TYPES[tax_type]
    text = _text(value)
    if has_control_characters(text):
        raise ActionRefused(CONTROL_CHARACTERS)
    try:
        compact = module.validate(text)
    except stdnum_errors.ValidationError as exc:
        raise ActionRefused(
            Text(
                "That {label} is not valid ({reason}).",
                label=Text(label),
                reason=str(exc).rstrip(".").lower(),
            )
        ) from exc
    # Stripe's formats keep the country marker some validators strip off.
    if tax_type == "gb_vat" and not compact.startswith("GB"):
        compact = f"GB{compact}"
    if tax_type == "no_vat" and not compact.endswith("MVA"):
        compact = f"{compact}MVA"
    return tax_type, compact


def email_locked(portal_session: PortalSession) -> bool:
    """A customer who signed in with an email code cannot change that email."""
    return portal_session.login_method == "email_code"


async def save_details(
    *, gateway: Gateway, actor: Actor, form: DetailsForm, locked_email: bool, nonce: str
) -> CheckedDetails:
    """Validate and save; nothing is sent to Stripe while any field is wrong."""
    settings = actor.features.customer_update
    if not settings.enabled:
        raise ActionRefused(Text("Billing information cannot be changed here."))
    checked = check_details(
        form=form, allowed=set(settings.allowed_updates), email_locked=locked_email
    )
    if checked.errors or not checked.changes:
        return checked
    with session_scope() as db:
        customer = db.get(MirrorCustomer, actor.customer)
        if customer is None:
            raise ActionRefused(Text("We could not find your billing account."))
        before = {
            "name": customer.name,
            "email": customer.email,
            "phone": customer.phone,
            "address": customer.address,
        }
    updated = await gateway.update_customer(
        customer_id=actor.customer,
        changes=checked.changes,
        intent=f"{actor.session_id}:details:{nonce}",
    )
    with session_scope() as db:
        record(session=db, obj=updated)
        audit(db, actor, "customer.update", actor.customer, before, checked.changes)
    return checked


async def add_tax_id(
    *, gateway: Gateway, actor: Actor, tax_type: object, value: object, nonce: str
) -> None:
    """Add a validated tax ID, when the configuration allows tax IDs."""
    if "tax_id" not in actor.features.customer_update.allowed_updates:
        raise ActionRefused(Text("Tax IDs cannot be changed here."))
    kind, compact = check_tax_id(tax_type=tax_type, value=value)
    created = await gateway.add_tax_id(
        customer_id=actor.customer,
        type=kind,
        value=compact,
        intent=f"{actor.session_id}:tax_id:{kind}:{compact}:{nonce}",
    )
    with session_scope() as db:
        record(session=db, obj=created)
        audit(
            db,
            actor,
            "customer.tax_id.add",
            str(created["id"]),
            {},
            {"type": kind, "value": compact},
        )


async def remove_tax_id(*, gateway: Gateway, actor: Actor, tax_id: object, nonce: str) -> None:
    """Remove one of the customer's own tax IDs."""
    if "tax_id" not in actor.features.customer_update.allowed_updates:
        raise ActionRefused(Text("Tax IDs cannot be changed here."))
    with session_scope() as db:
        row = db.get(MirrorTaxId, tax_id) if isinstance(tax_id, str) else None
        if row is None or row.customer != actor.customer or row.deleted:
            raise ActionRefused(Text("That tax ID was not found."))
        before = {"type": row.type, "value": row.value}
        tax_id_str = row.id
    deleted = await gateway.remove_tax_id(
        customer_id=actor.customer,
        tax_id=tax_id_str,
        intent=f"{actor.session_id}:tax_id_rm:{tax_id_str}:{nonce}",
    )
    with session_scope() as db:
        record(session=db, obj=deleted)
        audit(db, actor, "customer.tax_id.remove", tax_id_str, before, {})
