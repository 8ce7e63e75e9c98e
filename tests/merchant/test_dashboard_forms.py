"""The dashboard's form mapping and customer search: hostile input is read safely."""

from collections.abc import Callable

import pytest
from sqlmodel import Session

from portal_app.services.configurations import create_configuration
from portal_app.services.customer_directory import search_customers
from portal_app.state.dashboard_configuration_form import (
    FormInputError,
    field_for_param,
    fields_from_form,
    form_of,
    new_form,
)


def test_a_round_trip_keeps_every_option(db: Session) -> None:
    form = new_form()
    assert form.cancel_enabled and not form.update_enabled
    assert form.customer_fields == {
        "name": True,
        "email": True,
        "address": True,
        "phone": True,
        "shipping": False,
        "tax_id": False,
    }
    submitted = {
        "business_name": " Acme ",
        "headline": "Hello",
        "active": "on",
        "customer_update_enabled": "on",
        "customer_email": "on",
        "cancel_enabled": "on",
        "cancel_mode": "immediately",
        "cancel_proration": "create_prorations",
        "reason_unused": "on",
        "reasons_enabled": "on",
        "update_proration": "always_invoice",
        "trial_update_behavior": "continue_trial",
        "quantity_minimum": "2",
        "quantity_maximum": "9",
        "schedule_shortening_interval": "on",
        "products": "prod_a: price_1, price_2\n\nprod_b: price_3",
    }
    fields = fields_from_form(submitted)
    view = create_configuration(session=db, fields=fields, price_lookup=None)
    again = form_of(view)
    assert again.business_name == "Acme" and again.headline == "Hello"
    assert again.customer_fields["email"] and not again.customer_fields["name"]
    assert again.cancel_mode == "immediately" and again.reasons["unused"]
    assert not again.reasons["other"] and not again.payment_method_update_enabled
    assert again.quantity_minimum == "2" and again.quantity_maximum == "9"
    assert again.schedule_conditions == {
        "decreasing_item_amount": False,
        "shortening_interval": True,
    }
    assert again.products == "prod_a: price_1, price_2\nprod_b: price_3"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"business_name": ["not", "text"]}, "business_name"),
        ({"quantity_minimum": "-1"}, "quantity_minimum"),
        ({"products": "just some words"}, "products"),
    ],
)
def test_unreadable_fields_name_themselves(data: dict[str, object], field: str) -> None:
    with pytest.raises(FormInputError) as caught:
        fields_from_form(data)
    assert caught.value.field == field


def test_service_errors_map_to_the_field_that_shows_them() -> None:
    assert field_for_param("features[subscription_update][products][0][prices]") == "products"
    assert field_for_param("business_profile[headline]") == "headline"
    assert field_for_param("business_name") == "business_name"
    assert field_for_param("features[bogus]") == "form"
    assert field_for_param(None) == "form"


def test_customer_search_matches_email_name_and_id_literally(
    db: Session, add_customer: Callable[..., None]
) -> None:
    add_customer("cus_ada", "ada@example.com", "Ada Lovelace")
    add_customer("cus_alan", "alan@example.org", "Alan Turing")
    assert [c.id for c in search_customers(session=db, query="LOVELACE")] == ["cus_ada"]
    assert [c.id for c in search_customers(session=db, query="example.org")] == ["cus_alan"]
    assert [c.id for c in search_customers(session=db, query="cus_alan")] == ["cus_alan"]
    assert search_customers(session=db, query="%") == []
    assert len(search_customers(session=db, query="")) == 2
