"""Billing information per locale: ISO countries only, each country's address rules and
states, phones formatted and exemplified for the customer's country, duplicate tax IDs."""

import secrets
from types import SimpleNamespace
from typing import Any

import phonenumbers
import pytest
from reflex.state import State
from sqlmodel import Session

from portal_app.billing.errors import InvalidRequest
from portal_app.db import get_engine
from portal_app.i18n.catalog import gettext
from portal_app.i18n.format import address_lines, phone
from portal_app.i18n.text import user_message
from portal_app.models.configuration import ConfigurationFeatures, CustomerUpdate
from portal_app.models.mirror_customer import MirrorTaxId
from portal_app.services import billing_details
from portal_app.services.billing_details import (
    COUNTRY_CODES,
    DetailsForm,
    add_tax_id,
    check_details,
    countries,
    field_for_param,
    states,
)
from portal_app.services.customer_actions import ActionRefused, Actor
from portal_app.services.portal_view import billing_row
from portal_app.state import billing_details as billing_state
from portal_app.state import customer_session
from portal_app.state.billing_details import BillingDetailsState
from portal_app.state.i18n import I18nState
from tests import factories
from tests.support import substate

ADDRESS = {"address", "phone"}


def check(**values: str) -> Any:
    return check_details(form=DetailsForm(**values), allowed=ADDRESS, email_locked=False)


@pytest.mark.parametrize("code", ["XA", "XB", "EU", "UN", "ZZ", "EZ", "QO", "AC", "TA", "XK"])
def test_groupings_and_test_regions_are_not_countries(code: str) -> None:
    assert code not in COUNTRY_CODES
    assert code not in {c for c, _ in countries("fr")}
    refused = check(line1="1 Main", city="X", postal_code="1", country=code)
    assert set(refused.errors) == {"country"} and "address" not in refused.changes


def test_the_country_list_is_iso_3166_named_in_the_locale() -> None:
    assert len(countries()) == 249
    names = dict(countries("de"))
    assert names["DE"] == "Deutschland" and names["US"] == "Vereinigte Staaten"


def test_a_country_with_states_offers_them_once_each() -> None:
    canada = states("CA")
    codes = [code for code, _ in canada]
    assert ("BC", "British Columbia") in canada and len(codes) == len(set(codes)) == 13
    assert ("OR", "Oregon") in states("US")
    assert states("FR") == [] and states("XA") == []


def test_us_address_needs_a_state_and_a_zip_and_stores_the_state_code() -> None:
    missing = check(line1="1 Main St", city="Brothers", postal_code="97712", country="US")
    assert set(missing.errors) == {"state"}
    wrong_zip = check(
        line1="1 Main St", city="Brothers", state="OR", postal_code="977", country="US"
    )
    assert "95014" in str(wrong_zip.errors["postal_code"])
    unknown = check(
        line1="1 Main St", city="Brothers", state="Atlantis", postal_code="97712", country="US"
    )
    assert set(unknown.errors) == {"state"}
    saved = check(
        line1="1 Main St", city="Brothers", state="oregon", postal_code="97712", country="US"
    )
    assert saved.errors == {}
    # An empty line is left out: Stripe refuses `""` for an address line.
    assert saved.changes["address"] == {
        "line1": "1 Main St",
        "city": "Brothers",
        "state": "OR",
        "postal_code": "97712",
        "country": "US",
    }


def test_each_country_asks_for_what_its_post_needs() -> None:
    # The Emirates have no postal codes, but an emirate from the list.
    assert set(check(line1="Sheikh Zayed Rd", city="Dubai", country="AE").errors) == {"state"}
    dubai = next(code for code, name in states("AE") if name == "Dubai")
    assert check(line1="Sheikh Zayed Rd", city="Dubai", state=dubai, country="AE").errors == {}
    assert (
        check(line1="8 rue de Rivoli", city="Paris", postal_code="75001", country="FR").errors == {}
    )
    gb = check(line1="10 Downing St", city="London", postal_code="sw1a 2aa", country="GB")
    assert gb.errors == {} and gb.changes["address"]["postal_code"] == "SW1A 2AA"


@pytest.mark.parametrize(("country", "prefix"), [("US", "+1 "), ("FR", "+33 "), ("JP", "+81 ")])
def test_a_phone_error_gives_an_example_from_the_chosen_country(country: str, prefix: str) -> None:
    message = str(check(phone="12", country=country).errors["phone"])
    assert prefix in message
    example = message.rsplit("example ", 1)[1].rstrip(".")
    assert phonenumbers.region_code_for_number(phonenumbers.parse(example)) == country


def test_a_phone_error_without_a_country_gives_no_foreign_example() -> None:
    message = str(check(phone="12").errors["phone"])
    assert "+33" not in message and "country code" in message


def test_phones_are_shown_national_at_home_and_international_abroad() -> None:
    assert phone("+15417543010", "US") == "(541) 754-3010"
    assert phone("+15417543010", "FR") == "+1 541-754-3010"
    assert phone("+33612345678", "FR") == "06 12 34 56 78"
    assert phone("+33612345678", None) == "+33 6 12 34 56 78"
    assert phone("", "US") == ""


def test_addresses_are_written_as_each_country_writes_them() -> None:
    us = {
        "line1": "1 Main St",
        "city": "Brothers",
        "state": "OR",
        "postal_code": "97712",
        "country": "US",
    }
    assert address_lines(us) == ["1 Main St", "Brothers, OR 97712", "United States"]
    fr = {"line1": "8 rue de Rivoli", "city": "Paris", "postal_code": "75001", "country": "FR"}
    assert address_lines(fr, "de") == ["8 rue de Rivoli", "75001 Paris", "Frankreich"]
    gb = {"line1": "10 Downing St", "city": "London", "postal_code": "SW1A 2AA", "country": "GB"}
    assert address_lines(gb) == ["10 Downing St", "London", "SW1A 2AA", "United Kingdom"]
    dubai = next(code for code, name in states("AE") if name == "Dubai")
    emirates = {"line1": "Sheikh Zayed Rd", "city": "Dubai", "state": dubai, "country": "AE"}
    assert address_lines(emirates) == ["Sheikh Zayed Rd", "Dubai", "Dubai", "United Arab Emirates"]
    assert address_lines(None) == []


class RecordingGateway:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    async def add_tax_id(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(kwargs)
        return {
            "id": f"txi_{secrets.token_hex(4)}",
            "object": "tax_id",
            "customer": kwargs["customer_id"],
            "type": kwargs["type"],
            "value": kwargs["value"],
            "country": "FR",
            "created": 1,
            "livemode": False,
        }


async def test_a_duplicate_tax_id_is_refused_before_stripe(db_tables: None) -> None:
    customer = f"cus_{secrets.token_hex(4)}"
    other = f"cus_{secrets.token_hex(4)}"
    with Session(get_engine()) as db:
        factories.mirror_customer(db, customer_id=customer, email="dup@example.com")
        db.add(
            MirrorTaxId(
                id=f"txi_{secrets.token_hex(4)}",
                customer=customer,
                type="eu_vat",
                value="FR40303265045",
            )
        )
        db.add(
            MirrorTaxId(
                id=f"txi_{secrets.token_hex(4)}",
                customer=other,
                type="eu_vat",
                value="FR83404833048",
            )
        )
        db.commit()
    features = ConfigurationFeatures(
        customer_update=CustomerUpdate(
            allowed_updates=["name", "email", "address", "phone", "tax_id"]
        )
    )
    actor = Actor(session_id="bps_1", customer=customer, features=features)
    gateway = RecordingGateway()
    with pytest.raises(ActionRefused) as refused:
        await add_tax_id(
            gateway=gateway,  # type: ignore[arg-type]
            actor=actor,
            tax_type="eu_vat",
            value="FR 40 303 265 045",
            nonce="n1",
        )
    assert str(refused.value) == "This tax ID is already on your account."
    assert gateway.calls == []
    # The same number on another customer's account is no duplicate of this one's.
    await add_tax_id(
        gateway=gateway, actor=actor, tax_type="eu_vat", value="FR83404833048", nonce="n2"
    )  # type: ignore[arg-type]
    assert [call["value"] for call in gateway.calls] == ["FR83404833048"]


def test_an_email_may_wrap_only_before_its_at_sign_and_dots() -> None:
    overview = SimpleNamespace(
        billing=SimpleNamespace(
            name="Jenny",
            email="jenny.rosen.accounts-payable@subsidiary.example.com",
            phone="+15417543010",
            address={
                "line1": "1 Main St",
                "city": "Brothers",
                "state": "OR",
                "postal_code": "97712",
                "country": "US",
            },
            tax_ids=[],
        )
    )
    row = billing_row(overview, "en")  # type: ignore[arg-type]
    assert row.email_parts == [
        "jenny",
        ".rosen",
        ".accounts-payable",
        "@subsidiary",
        ".example",
        ".com",
    ]
    assert "".join(row.email_parts) == row.email
    assert row.phone == "(541) 754-3010"
    assert row.address_lines == ["1 Main St", "Brothers, OR 97712", "United States"]


@pytest.mark.parametrize(
    ("param", "field"),
    [
        ("address[postal_code]", "postal_code"),
        ("address[line1]", "line1"),
        ("address[country]", "country"),
        ("phone", "phone"),
        ("invoice_settings[default_payment_method]", None),
        (None, None),
    ],
)
def test_stripe_params_name_the_form_field(param: Any, field: Any) -> None:
    assert field_for_param(param) == field


async def test_a_field_stripe_refuses_is_marked_in_the_portals_words(
    db_tables: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = State(_reflex_internal_init=True)  # type: ignore[call-arg]
    substate(root, I18nState).locale = "de"
    state: Any = substate(root, BillingDetailsState)
    monkeypatch.setattr(
        billing_state, "portal_session_of", lambda db, actor: SimpleNamespace(login_method="link")
    )
    monkeypatch.setattr(customer_session, "actor_for", lambda db, session_id, locale: object())

    async def refuse(**kwargs: Any) -> Any:
        raise InvalidRequest(
            "InvalidRequestError: address[postal_code] is invalid",
            param="address[postal_code]",
            code="postal_code_invalid",
        )

    monkeypatch.setattr(billing_state, "save_details", refuse)
    await BillingDetailsState.save.fn(state, {"postal_code": "97712", "country": "US"})
    shown = state.errors.postal_code
    assert shown == gettext("This value is not accepted. Check it and try again.", locale="de")
    assert "address[" not in shown and state.error == ""


@pytest.mark.parametrize(
    ("value", "english"),
    [
        ("DE12345678", "too many or too few characters"),
        ("DE12345678X", "not written in this ID's format"),
        ("XX123456789", "not recognised"),
    ],
)
def test_a_refused_tax_id_says_why_in_the_customers_language(value: str, english: str) -> None:
    with pytest.raises(ActionRefused) as refused:
        billing_details.check_tax_id(tax_type="eu_vat", value=value)
    assert refused.value.code == "tax_id_invalid" and refused.value.field == "tax_value"
    assert english in user_message(refused.value, "en")
    french = user_message(refused.value, "fr")
    # python-stdnum's own English reason never reaches the customer.
    assert english not in french and "number" not in french.lower()
