"""Adding a card against real Stripe: the Payment Element is mounted and confirmed in the browser.

No real Stripe is reachable here, so the state is checked with a stand-in gateway, and the
browser scripts run in Chromium against a stand-in Stripe.js that implements the calls the
scripts make (`Stripe(key, {locale})`, `elements({clientSecret, appearance})`,
`create("payment")`, `mount`, `confirmSetup({elements, redirect: "if_required"})`).
"""

import json
from collections.abc import Iterator
from typing import Any

import pytest
from reflex.state import State

from portal_app.i18n.catalog import gettext
from portal_app.services.payment_methods import CardSetup
from portal_app.settings import get_settings
from portal_app.state import customer_action, customer_session, payment_methods
from portal_app.state.card_scripts import (
    STRIPE_JS_URL,
    confirm_payment_element,
    mount_payment_element,
)
from portal_app.state.i18n import I18nState
from portal_app.state.payment_methods import PaymentMethodsState
from tests.support import substate


@pytest.fixture
def real_stripe(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_test_not_reachable")
    monkeypatch.setenv("STRIPE_PUBLISHABLE_KEY", "pk_test_visible")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def card_state(monkeypatch: pytest.MonkeyPatch) -> PaymentMethodsState:
    root = State(_reflex_internal_init=True)  # type: ignore[call-arg]
    state = substate(root, PaymentMethodsState)
    substate(root, I18nState).locale = "fr"

    async def start(**kwargs: Any) -> Any:
        return CardSetup(setup_intent_id="seti_123", client_secret="seti_123_sec")

    monkeypatch.setattr(customer_session, "actor_for", lambda db, session_id, locale: object())
    monkeypatch.setattr(payment_methods, "start_card_setup", start)
    monkeypatch.setattr(customer_action, "gateway", object)  # the service is replaced
    return state  # type: ignore[return-value]


def script_of(spec: Any) -> str:
    return json.loads(str(spec.args[0][1]._js_expr))


async def test_real_stripe_mounts_the_payment_element(
    real_stripe: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = card_state(monkeypatch)
    spec = await PaymentMethodsState.open_add.fn(state)
    assert state.adding and state.payment_element and state.error == ""
    script = script_of(spec)
    assert STRIPE_JS_URL in script and "pk_test_visible" in script
    assert "seti_123_sec" in script and '"fr"' in script
    confirm = script_of(PaymentMethodsState.submit_card.fn(state))
    assert "confirmSetup" in confirm and "/sandbox/" not in confirm


async def test_real_stripe_without_a_publishable_key_says_cards_cannot_be_added(
    real_stripe: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("STRIPE_PUBLISHABLE_KEY")
    get_settings.cache_clear()
    state = card_state(monkeypatch)
    assert await PaymentMethodsState.open_add.fn(state) is None
    assert not state.adding
    message = "Cards cannot be added at the moment."
    assert state.error == gettext(message, locale="fr") != message


async def test_sandbox_keeps_its_own_card_form(monkeypatch: pytest.MonkeyPatch) -> None:
    state = card_state(monkeypatch)
    assert await PaymentMethodsState.open_add.fn(state) is None
    assert state.adding and not state.payment_element
    confirm = script_of(PaymentMethodsState.submit_card.fn(state))
    assert "/sandbox/v1/setup_intents/seti_123/confirm" in confirm


async def test_a_blocked_stripe_js_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    state = card_state(monkeypatch)
    await PaymentMethodsState.element_mounted.fn(state, {"ok": False, "unreachable": True})
    message = "We could not reach the payment service. Please try again."
    assert state.error == gettext(message, locale="fr") != message


# A stand-in for Stripe.js: records what the scripts call; `window.__confirmResult` decides
# what confirmSetup answers.
FAKE_STRIPE_JS = """
window.__calls = [];
window.Stripe = function (key, options) {
  window.__calls.push(["Stripe", key, options]);
  return {
    elements(options) {
      window.__calls.push(["elements", options]);
      return {
        create(type, options) {
          window.__calls.push(["create", type]);
          return {mount(node) { window.__calls.push(["mount", node.id]); }};
        },
      };
    },
    async confirmSetup(options) {
      window.__calls.push(["confirmSetup", options.redirect, !!options.elements]);
      return window.__confirmResult;
    },
  };
};
"""


@pytest.mark.e2e
def test_the_payment_element_scripts_drive_stripe_js(page: Any) -> None:
    page.route(
        f"{STRIPE_JS_URL}**",
        lambda route: route.fulfill(body=FAKE_STRIPE_JS, content_type="text/javascript"),
    )
    page.set_content(
        '<html><body><div id="payment-element" style="--brand-button: #0f62fe"></div></body></html>'
    )
    mounted = page.evaluate(
        mount_payment_element(
            publishable_key="pk_test_visible", client_secret="seti_1_secret_x", locale="pt-BR"
        )
    )
    assert mounted == {"ok": True}
    calls = page.evaluate("window.__calls")
    assert calls[0] == ["Stripe", "pk_test_visible", {"locale": "pt-BR"}]
    assert calls[1][1]["clientSecret"] == "seti_1_secret_x"
    assert calls[1][1]["appearance"]["variables"]["colorPrimary"] == "#0f62fe"
    assert calls[2:] == [["create", "payment"], ["mount", "payment-element"]]

    page.evaluate(
        "window.__confirmResult = "
        + json.dumps({"setupIntent": {"id": "seti_1", "status": "succeeded"}})
    )
    assert page.evaluate(confirm_payment_element()) == {"ok": True, "id": "seti_1"}
    assert page.evaluate("window.__calls.at(-1)") == ["confirmSetup", "if_required", True]

    page.evaluate(
        "window.__confirmResult = "
        + json.dumps(
            {
                "error": {
                    "type": "card_error",
                    "code": "card_declined",
                    "decline_code": "insufficient_funds",
                    "message": "Your card has insufficient funds.",
                }
            }
        )
    )
    assert page.evaluate(confirm_payment_element()) == {
        "ok": False,
        "code": "card_declined",
        "param": "",
        "decline_code": "insufficient_funds",
    }


@pytest.mark.e2e
def test_a_blocked_stripe_js_resolves_as_unreachable(page: Any) -> None:
    page.route(f"{STRIPE_JS_URL}**", lambda route: route.abort())
    page.set_content('<html><body><div id="payment-element"></div></body></html>')
    outcome = page.evaluate(
        mount_payment_element(publishable_key="pk_test_x", client_secret="s", locale="en")
    )
    assert outcome == {"ok": False, "unreachable": True}
