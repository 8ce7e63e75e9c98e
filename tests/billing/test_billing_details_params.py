"""Billing details become only parameters Stripe's customer update accepts (checked with the
sandbox's SDK-derived schema, the same check the sandbox makes)."""

from portal_app.sandbox.errors import ApiError
from portal_app.sandbox.schema import check_request
from portal_app.services.billing_details import DetailsForm, check_details

ALL = {"name", "email", "address", "phone"}


def _accepted(changes: dict[str, object]) -> bool:
    try:
        check_request("POST", "/v1/customers/{id}", changes)
    except ApiError:
        return False
    return True


def test_empty_address_lines_and_phone_are_left_out() -> None:
    form = DetailsForm(
        name="Jenny Rosen",
        email="jenny@example.com",
        line1="8 rue de Rivoli",
        city="Paris",
        postal_code="75001",
        country="FR",
    )
    checked = check_details(form=form, allowed=ALL, email_locked=False)
    assert checked.errors == {}
    assert checked.changes["address"] == {
        "line1": "8 rue de Rivoli",
        "city": "Paris",
        "postal_code": "75001",
        "country": "FR",
    }
    assert "phone" not in checked.changes
    assert _accepted(checked.changes)


def test_what_the_old_form_sent_is_what_stripe_refuses() -> None:
    """The check is not vacuous: `""` for an address line or the phone is refused."""
    assert not _accepted({"address": {"line1": "x", "line2": ""}})
    assert not _accepted({"phone": ""})
    assert _accepted({"phone": "+33612345678", "address": {"line1": "x"}})
