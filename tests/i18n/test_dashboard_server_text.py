"""The dashboard's server-made errors are `Text`s: English in logs, the tab's language on screen."""

import pytest
from sqlmodel import Session

from portal_app.db import get_engine
from portal_app.i18n.text import Text, render_all, user_message
from portal_app.services.catalogue import CatalogueInputError, price_fields, product_fields
from portal_app.services.email import EmailSettingsError, update_email_settings


def test_a_catalogue_field_error_is_a_text() -> None:
    with pytest.raises(CatalogueInputError) as caught:
        product_fields(name=" ", unit_label="thirteen char")
    messages = caught.value.messages
    assert all(isinstance(message, Text) for message in messages.values())
    assert messages["name"].msgid == "Enter a name."
    assert render_all(messages, "en") == {
        "name": "Enter a name.",
        "unit_label": "Use at most 12 characters.",
    }
    assert caught.value.errors == render_all(messages, "en")


def test_an_amount_error_keeps_its_values() -> None:
    with pytest.raises(CatalogueInputError) as caught:
        price_fields(amount="12.5", currency="jpy", interval="month", interval_count="1")
    amount = caught.value.messages["amount"]
    assert amount.msgid == "{currency} has no decimals: enter a whole amount."
    assert render_all({"amount": amount}, "en") == {
        "amount": "JPY has no decimals: enter a whole amount."
    }


def test_an_email_settings_error_is_a_text(db_tables: None) -> None:
    with Session(get_engine()) as session, pytest.raises(EmailSettingsError) as caught:
        update_email_settings(
            session=session,
            sender_name="",
            sender_address="billing@example.com",
            send_subscription_updated=False,
            send_subscription_canceled=False,
            send_payment_method_updated=False,
        )
    error = caught.value
    assert isinstance(error.message, Text) and error.field == "sender_name"
    assert user_message(error, "en") == "Enter a sender name of 1 to 100 characters."
    assert str(error) == "Enter a sender name of 1 to 100 characters."
