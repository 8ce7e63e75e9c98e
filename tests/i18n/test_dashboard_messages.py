"""The merchant's dashboard shows server-made messages in the tab's language.

Services raise `Text`s (English for `str()`, logs and the Stripe-compatible API); dashboard
states render them with `user_message` / `gettext` in the tab's locale. A stand-in catalogue
(every msgid marked `[xx] …`) proves the locale is followed without depending on the real
translations.
"""

from gettext import NullTranslations

import pytest
from reflex.state import State

from portal_app.db import session_scope
from portal_app.i18n import catalog
from portal_app.i18n.text import Plural, Text, render_all, user_message
from portal_app.services.branding import button_contrast_warning
from portal_app.services.configuration_document import (
    ConfigurationError,
    PriceFacts,
    check_one_price_per_interval,
)
from portal_app.services.configurations import create_configuration
from portal_app.services.images import ImageRejected, image_format
from portal_app.services.portal_links import create_portal_link
from portal_app.state import dashboard_auth
from portal_app.state.dashboard_configuration_form import FormInputError, fields_from_form
from portal_app.state.dashboard_configurations import DashboardConfigurationsState
from portal_app.state.dashboard_customers import DashboardCustomersState
from portal_app.state.i18n import I18nState
from tests.support import substate

MARKED = "xx"


class MarkedTranslations(NullTranslations):
    """A catalogue that "translates" every msgid by marking it."""

    def gettext(self, message: str) -> str:
        return f"[{MARKED}] {message}"

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return f"[{MARKED}] {msgid1 if n == 1 else msgid2}"


@pytest.fixture
def marked_locale(monkeypatch: pytest.MonkeyPatch) -> str:
    real = catalog.translations

    def translations(locale: str, domain: str = catalog.MESSAGES_DOMAIN) -> NullTranslations:
        return MarkedTranslations() if locale == MARKED else real(locale, domain)

    monkeypatch.setattr(catalog, "translations", translations)
    return MARKED


def caught_text(error: Exception) -> Text:
    message = error.args[0]
    assert isinstance(message, Text)
    return message


def test_configuration_errors_are_texts_but_the_api_keeps_english(db_tables: None) -> None:
    with pytest.raises(ConfigurationError) as caught, session_scope() as session:
        create_configuration(
            session=session,
            fields={"business_name": "Acme", "branding": {"button_color": "blue"}},
            price_lookup=None,
        )
    error = caught.value
    assert caught_text(error).msgid == "Enter a colour as #rrggbb, for example #0f62fe."
    english = "Enter a colour as #rrggbb, for example #0f62fe."
    assert error.message == str(error) == user_message(error, "en") == english
    assert error.param == "branding[button_color]"


def test_portal_link_errors_keep_stripes_english_for_the_api() -> None:
    with pytest.raises(ConfigurationError) as caught:
        create_portal_link(
            session=None,  # type: ignore[arg-type]  (refused before the database is read)
            customer="cus_gone",
            customer_exists=lambda *_: False,
        )
    error = caught.value
    assert caught_text(error).msgid == "No such customer: '{customer}'"
    assert error.message == user_message(error, "en") == "No such customer: 'cus_gone'"
    assert error.message.startswith("No such")  # how the API picks `resource_missing`


def test_placeholders_are_filled_in_the_locale(marked_locale: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        check_one_price_per_interval(
            product="prod_a",
            prices=["price_1", "price_2"],
            facts={
                "price_1": PriceFacts("prod_a", "month", 3, "usd"),
                "price_2": PriceFacts("prod_a", "month", 3, "usd"),
            },
            param="prices",
        )
    error = caught.value
    assert user_message(error, "en") == (
        "Choose at most one price per billing interval and currency: price_1 and price_2 are "
        "both billed every 3 months in USD."
    )
    # The interval is a nested plural, rendered in the same locale as the sentence.
    assert isinstance(caught_text(error).values["every"], Plural)
    assert user_message(error, marked_locale).startswith("[xx] Choose at most one price")
    assert "are both billed [xx] every 3 months in USD." in user_message(error, marked_locale)


def test_image_and_form_errors_render_per_locale(marked_locale: str) -> None:
    with pytest.raises(ImageRejected) as image:
        image_format(data=b"")
    assert caught_text(image.value).msgid == "The file is empty."
    assert user_message(image.value, "en") == str(image.value) == "The file is empty."
    assert user_message(image.value, marked_locale) == "[xx] The file is empty."

    with pytest.raises(FormInputError) as form:
        fields_from_form({"quantity_minimum": "-1"})
    errors = {form.value.field: caught_text(form.value)}
    assert render_all(errors, "en") == {"quantity_minimum": "Enter a whole number."}
    assert render_all(errors, marked_locale) == {"quantity_minimum": "[xx] Enter a whole number."}


def test_contrast_warning_follows_the_locale(marked_locale: str) -> None:
    english = button_contrast_warning("#ffd700")
    assert english is not None and english.startswith("White text on #ffd700 has a contrast")
    assert button_contrast_warning("#ffd700", marked_locale) == f"[xx] {english}"


@pytest.fixture
def marked_tab(marked_locale: str, monkeypatch: pytest.MonkeyPatch) -> State:
    """A signed-in dashboard tab whose language is the marked locale."""

    async def signed_in(_state: State) -> object:
        return object()

    monkeypatch.setattr(dashboard_auth, "signed_in_merchant", signed_in)
    root = State(_reflex_internal_init=True)  # type: ignore[call-arg]
    substate(root, I18nState).locale = marked_locale
    return root


async def test_dashboard_states_show_errors_in_the_tabs_language(marked_tab: State) -> None:
    customers = substate(marked_tab, DashboardCustomersState)
    await DashboardCustomersState.create_link.fn(customers, {"flow_type": "teleport"})
    assert customers.errors == {"flow_type": "[xx] Choose one of the listed flows."}

    await DashboardCustomersState.create_link.fn(customers, {"customer": "acct_1"})
    assert customers.errors == {"customer": "[xx] Enter an ID starting with cus_."}

    configs = substate(marked_tab, DashboardConfigurationsState)
    await DashboardConfigurationsState.save.fn(configs, {"products": "just words"})
    assert configs.errors == {
        "products": "[xx] Write one product per line as prod_…: price_…, price_…"
    }
