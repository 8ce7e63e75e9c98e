"""Card form errors: worded by the portal from Stripe's codes, next to their field, never raw.

Each error path is driven: the sandbox's own refusals (the same codes Stripe answers), the
browser-side checks of the sandbox card form, and the Payment Element's errors.
"""

import json
import re
import time
from typing import Any

import pytest
import stripe
from reflex.state import State

from portal_app.billing.gateway import portal_error
from portal_app.i18n.billing_errors import KNOWN, card_error
from portal_app.i18n.catalog import gettext
from portal_app.i18n.text import user_message
from portal_app.sandbox.cards import card_details, decline
from portal_app.sandbox.errors import ApiError
from portal_app.state.card_scripts import confirm_sandbox_card
from portal_app.state.i18n import I18nState
from portal_app.state.payment_methods import CardErrors, PaymentMethodsState
from tests.support import substate

RAW_API_TEXT = re.compile(r"\w\[\w+\]|Missing required param|param", re.IGNORECASE)


def card_state(locale: str) -> PaymentMethodsState:
    root = State(_reflex_internal_init=True)  # type: ignore[call-arg]
    state = substate(root, PaymentMethodsState)
    substate(root, I18nState).locale = locale
    return state  # type: ignore[return-value]


def sandbox_refusal(card: dict[str, Any]) -> ApiError:
    with pytest.raises(ApiError) as refused:
        card_details(card, int(time.time()))
    return refused.value


# (what was typed, the field its message belongs to, the catalogued message)
SANDBOX_CASES = [
    ({"number": ""}, "number", "Your card number is incorrect."),
    ({"number": "4242424242424241"}, "number", "Your card number is incorrect."),
    ({"number": "4111111111111111"}, "form", "Your card was declined."),
    (
        {"number": "4242424242424242", "exp_month": "13", "exp_year": "2034"},
        "exp",
        "Your card's expiration month is invalid.",
    ),
    (
        {"number": "4242424242424242", "exp_month": "1", "exp_year": "2001"},
        "exp",
        "Your card's expiration year is invalid.",
    ),
    (
        {"number": "4242424242424242", "exp_month": "1", "exp_year": "2034", "cvc": "12a"},
        "cvc",
        "Your card's security code is invalid.",
    ),
]


@pytest.mark.parametrize(("card", "field", "message"), SANDBOX_CASES)
@pytest.mark.parametrize("locale", ["en", "fr"])
async def test_sandbox_refusals_are_shown_translated_next_to_their_field(
    card: dict[str, Any], field: str, message: str, locale: str
) -> None:
    refusal = sandbox_refusal(card)
    state = card_state(locale)
    outcome = {
        "ok": False,
        "code": refusal.code,
        "param": refusal.param,
        "decline_code": refusal.decline_code,
    }
    await PaymentMethodsState.card_confirmed.fn(state, outcome)
    expected = gettext(message, locale=locale)
    assert state.card_errors == CardErrors(**{field: expected})
    assert refusal.message not in {expected, ""} or refusal.message == message
    assert not RAW_API_TEXT.search(expected)
    if locale == "fr":
        assert expected != message


@pytest.mark.parametrize(
    ("code", "param", "decline_code", "field"),
    [
        ("parameter_missing", "payment_method_data[card][number]", "", "number"),
        ("parameter_missing", "card[exp_month]", "", "exp"),
        ("parameter_missing", "cvc", "", "cvc"),
        ("card_declined", "", "insufficient_funds", "form"),
        ("expired_card", "", "", "exp"),
        ("incorrect_cvc", "cvc", "", "cvc"),
        ("processing_error", "", "", "form"),
        ("incomplete_number", "", "", "number"),
        ("invalid_expiry_year_past", "", "", "exp"),
        ("incomplete_cvc", "", "", "cvc"),
        ("resource_missing", "payment_method_data[card][brand]", "", "form"),
        (None, None, None, "form"),
    ],
)
def test_every_code_gets_a_catalogued_message_without_api_syntax(
    code: Any, param: Any, decline_code: Any, field: str
) -> None:
    got_field, message = card_error(code, param, decline_code)
    assert got_field == field
    assert not RAW_API_TEXT.search(message)
    assert gettext(message, locale="de") != message


async def test_the_payment_element_puts_every_message_below_the_element() -> None:
    state = card_state("en")
    state.payment_element = True
    await PaymentMethodsState.card_confirmed.fn(
        state, {"ok": False, "code": "incorrect_number", "param": "number"}
    )
    assert state.card_errors == CardErrors(form="Your card number is incorrect.")


def test_a_decline_from_the_sandbox_maps_on_its_decline_code() -> None:
    refusal = decline("insufficient_funds")
    assert card_error(refusal.code, refusal.param, refusal.decline_code) == (
        "form",
        "Your card has insufficient funds.",
    )


SANDBOX_FORM = """<html><body>
<input id="card-name" value="Jenny Rosen"><input id="card-number" value="%(number)s">
<input id="card-exp" value="%(exp)s"><input id="card-cvc" value="%(cvc)s">
</body></html>"""


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("number", "exp", "cvc", "code"),
    [
        ("", "12/34", "123", "parameter_missing"),
        ("4242 4242 4242 4241", "12/34", "123", "invalid_number"),
        ("4242 4242 4242 4242", "", "123", "parameter_missing"),
        ("4242 4242 4242 4242", "13/34", "123", "invalid_expiry_month"),
        ("4242 4242 4242 4242", "12/3", "123", "invalid_expiry_year"),
        ("4242 4242 4242 4242", "01/20", "123", "expired_card"),
        ("4242 4242 4242 4242", "12/34", "", "parameter_missing"),
        ("4242 4242 4242 4242", "12/34", "12", "invalid_cvc"),
    ],
)
def test_the_sandbox_card_form_checks_fields_before_posting(
    page: Any, number: str, exp: str, cvc: str, code: str
) -> None:
    posted: list[str] = []
    page.route("http://sandbox.test/**", lambda route: posted.append(route.request.url))
    page.set_content(SANDBOX_FORM % {"number": number, "exp": exp, "cvc": cvc})
    outcome = page.evaluate(
        confirm_sandbox_card(
            sandbox_url="http://sandbox.test", setup_intent_id="seti_1", client_secret="s"
        )
    )
    assert outcome["ok"] is False and outcome["code"] == code
    assert posted == []
    field, message = card_error(outcome["code"], outcome["param"], "")
    assert field in {"number", "exp", "cvc"} and not RAW_API_TEXT.search(message)


@pytest.mark.e2e
def test_the_sandbox_card_form_reports_codes_not_messages(page: Any) -> None:
    refusal = decline("generic_decline")
    page.route(
        "http://sandbox.test/**",
        lambda route: route.fulfill(
            status=402, body=json.dumps(refusal.body()), content_type="application/json"
        ),
    )
    page.set_content(SANDBOX_FORM % {"number": "4000000000000002", "exp": "12/34", "cvc": "123"})
    outcome = page.evaluate(
        confirm_sandbox_card(
            sandbox_url="http://sandbox.test", setup_intent_id="seti_1", client_secret="s"
        )
    )
    assert outcome == {
        "ok": False,
        "code": "card_declined",
        "param": "",
        "decline_code": "generic_decline",
    }


@pytest.mark.parametrize(
    "error",
    [
        stripe.InvalidRequestError(
            "Missing required param: card[number].", param="card[number]", code="parameter_missing"
        ),
        stripe.InvalidRequestError(
            "No such price: 'price_x'", param="items[0][price]", code="resource_missing"
        ),
        stripe.CardError(
            "Your card was declined. Your request was in test mode, but used a non test (live) "
            "card. For a list of valid test cards, visit: https://stripe.com/docs/testing.",
            param=None,
            code="card_declined",
            json_body={"error": {"decline_code": "test_mode_live_card"}},
        ),
        stripe.CardError(
            "Your card has insufficient funds.",
            param=None,
            code="card_declined",
            json_body={"error": {"code": "card_declined", "decline_code": "insufficient_funds"}},
        ),
        stripe.CardError("Processing failed.", param=None, code="processing_error"),
    ],
)
@pytest.mark.parametrize("locale", ["en", "it"])
def test_gateway_errors_reach_people_in_catalogued_words(error: Any, locale: str) -> None:
    shown = user_message(portal_error(error), locale)
    assert shown and not RAW_API_TEXT.search(shown)
    assert "test mode" not in shown and "stripe.com" not in shown
    assert shown in {gettext(msgid, locale=locale) for msgid in KNOWN}
