"""M5: every text a merchant or customer sets refuses control characters, with one rule."""

import pytest
from sqlmodel import Session

from portal_app.auth.api_keys import create_api_key
from portal_app.db import get_engine
from portal_app.models import PortalConfiguration
from portal_app.rules.text import CONTROL_CHARACTERS, has_control_characters
from portal_app.services import billing_details, catalogue, configurations, customer_actions
from portal_app.services.customer_actions import ActionRefused, Actor
from portal_app.services.email import EmailSettingsError, update_email_settings
from portal_app.services.portal_view import features_of
from tests import factories

BAD = ["Acme\r\nBcc: x@example.com", "Acme\x00", "Acme\x1b[31m", "Acme\u202egnp.exe", "A\u2028B"]


def test_the_rule() -> None:
    for text in BAD:
        assert has_control_characters(text), repr(text)
    for text in ("Acme Cloud", "Café Zoë — 東京", "👩‍💻 Dev"):
        assert not has_control_characters(text)
    assert has_control_characters("line one\nline two")
    assert not has_control_characters("line one\r\nline two\tend", multiline=True)
    assert has_control_characters("bell\x07", multiline=True)


@pytest.mark.parametrize("bad", BAD)
def test_configuration_texts(db_tables: None, bad: str) -> None:
    with Session(get_engine()) as db:
        config = factories.configuration(db)
        for fields, param in (
            ({"business_name": bad}, "business_name"),
            ({"business_profile": {"headline": bad}}, "business_profile[headline]"),
        ):
            with pytest.raises(configurations.ConfigurationError) as caught:
                configurations.update_configuration(
                    session=db, configuration_id=config.id, fields=fields, price_lookup=None
                )
            assert caught.value.args[0] == CONTROL_CHARACTERS
            assert caught.value.param == param
        db.rollback()


def test_catalogue_texts() -> None:
    with pytest.raises(catalogue.CatalogueInputError) as caught:
        catalogue.product_fields(name="Pro\r\nX", description="ok", unit_label="seat\x00")
    assert set(caught.value.messages) == {"name", "unit_label"}
    fields = catalogue.product_fields(name="Pro", description="Line one\nLine two")
    assert fields.description == "Line one\nLine two"
    with pytest.raises(catalogue.CatalogueInputError) as caught:
        catalogue.product_fields(name="Pro", description="ring\x07")
    assert set(caught.value.messages) == {"description"}


def test_billing_details_and_tax_ids() -> None:
    form = billing_details.form_from(
        {"name": "Jane\x00Doe", "line1": "1 Main St\r\nX", "city": "Paris", "country": "FR"}
    )
    checked = billing_details.check_details(
        form=form, allowed={"name", "address"}, email_locked=True
    )
    assert checked.errors["name"] == CONTROL_CHARACTERS
    assert checked.errors["line1"] == CONTROL_CHARACTERS
    with pytest.raises(ActionRefused) as refused:
        billing_details.check_tax_id(tax_type="eu_vat", value="DE123\x00456789")
    assert refused.value.args[0] == CONTROL_CHARACTERS


def test_email_sender_name_api_key_name_and_cancellation_comment(db_tables: None) -> None:
    with Session(get_engine()) as db:
        with pytest.raises(EmailSettingsError) as caught:
            update_email_settings(
                session=db,
                sender_name="Acme\x1b",
                sender_address="billing@acme.example",
                send_subscription_updated=False,
                send_subscription_canceled=False,
                send_payment_method_updated=False,
            )
        assert caught.value.args[0] == CONTROL_CHARACTERS and caught.value.field == "sender_name"
        with pytest.raises(ValueError) as named:
            create_api_key(session=db, merchant_id="mer_x", name="ci\r\nkey")
        assert named.value.args[0] == CONTROL_CHARACTERS
        db.rollback()
    features = features_of(PortalConfiguration(business_name="Acme"))
    features.subscription_cancel.enabled = True
    actor = Actor(session_id="ps", customer="cus", features=features)
    assert customer_actions.check_cancellation(actor=actor, reason="", comment="Too\ndear") == (
        "",
        "Too\ndear",
    )
    with pytest.raises(ActionRefused) as refused:
        customer_actions.check_cancellation(actor=actor, reason="", comment="Too\x1b dear")
    assert refused.value.args[0] == CONTROL_CHARACTERS
