"""The dashboard never shows the merchant API's bracketed parameter names: every refused
configuration change is worded for its form field, in the merchant's language."""

import re
from typing import Any

import pytest
from reflex.state import State
from sqlmodel import Session

from portal_app.models import Merchant
from portal_app.services.configuration_document import ConfigurationError
from portal_app.services.configurations import create_configuration, update_configuration
from portal_app.state.dashboard_auth import DashboardAuthState
from portal_app.state.dashboard_configuration_form import field_error
from portal_app.state.dashboard_configurations import DashboardConfigurationsState
from portal_app.state.i18n import I18nState
from tests.support import substate

RAW_API_TEXT = re.compile(r"\w\[\w+\]|Missing required param|Invalid (string|boolean|object)")


def refusal(db: Session, fields: dict[str, Any]) -> ConfigurationError:
    config = create_configuration(session=db, fields={"business_name": "Acme"})
    with pytest.raises(ConfigurationError) as refused:
        update_configuration(session=db, configuration_id=config.id, fields=fields)
    return refused.value


# (a change the API refuses, the dashboard field that shows it)
CASES = [
    ({"business_profile": {"headline": "x" * 61}}, "headline"),
    ({"business_profile": {"headline": 12}}, "headline"),
    ({"business_profile": {"privacy_policy_url": "not a url"}}, "privacy_policy_url"),
    ({"business_profile": {"colour": "red"}}, "form"),
    ({"active": "maybe"}, "active"),
    ({"features": {"subscription_update": {"quantity": "lots"}}}, "quantity"),
    ({"features": {"subscription_cancel": {"mode": "never"}}}, "form"),
]


@pytest.mark.parametrize(("fields", "field"), CASES)
@pytest.mark.parametrize("locale", ["en", "de"])
def test_every_refusal_is_worded_for_its_field(
    db: Session, fields: dict[str, Any], field: str, locale: str
) -> None:
    error = refusal(db, fields)
    got_field, message = field_error(error)
    assert got_field == field
    shown = message.render(locale)
    assert shown and not RAW_API_TEXT.search(shown), shown
    if locale == "de":
        assert shown != message.render("en")


async def test_the_form_shows_a_long_headline_next_to_the_field_translated(
    db: Session, merchant: Merchant, password: str
) -> None:
    root = State(_reflex_internal_init=True)  # type: ignore[call-arg]
    auth = substate(root, DashboardAuthState)
    await DashboardAuthState.log_in.fn(auth, {"email": merchant.email, "password": password})
    substate(root, I18nState).locale = "fr"
    state: Any = substate(root, DashboardConfigurationsState)
    await DashboardConfigurationsState.save.fn(
        state,
        {
            "name": "Main",
            "business_name": "Acme",
            "headline": "A headline far longer than the sixty characters it may hold, " * 2,
        },
    )
    assert set(state.errors) == {"headline"}
    assert "60" in state.errors["headline"] != "Use at most 60 characters."
    assert not RAW_API_TEXT.search(state.errors["headline"])
    assert "business_profile" not in state.errors["headline"]
