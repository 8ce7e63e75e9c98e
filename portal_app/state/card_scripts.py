"""The browser scripts that collect a card; the card never passes through the portal's backend.

Against real Stripe the portal mounts Stripe's Payment Element (Stripe.js from js.stripe.com)
and confirms the SetupIntent with `stripe.confirmSetup`. Against the embedded sandbox, which
Stripe.js cannot talk to, a plain card form posts to the sandbox's SetupIntent confirmation.
Every script resolves to an outcome the state reads the same way:
`{ok, id?, code?, param?, decline_code?, unreachable?}`; the state words the message from the
codes, so the API's own text is never shown.
"""

import json

STRIPE_JS_URL = "https://js.stripe.com/v3/"

# Loads Stripe.js once, then mounts a Payment Element for the SetupIntent into #payment-element.
# The element is kept on `window` for the confirm script; a reopened form gets a fresh one.
MOUNT_SCRIPT = """(async () => {
  const load = () => new Promise((resolve, reject) => {
    if (window.Stripe) return resolve();
    const tag = document.createElement("script");
    tag.src = %(stripe_js)s;
    tag.onload = () => resolve();
    tag.onerror = () => reject(new Error("stripe.js"));
    document.head.appendChild(tag);
  });
  const target = async () => {
    for (let i = 0; i < 100; i++) {
      const found = document.getElementById("payment-element");
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return null;
  };
  try {
    await load();
    const node = await target();
    if (!node) return {ok: false};
    const styles = getComputedStyle(node);
    const stripe = window.Stripe(%(publishable_key)s, {locale: %(locale)s});
    const elements = stripe.elements({
      clientSecret: %(client_secret)s,
      appearance: {variables: {
        colorPrimary: styles.getPropertyValue("--brand-button").trim() || undefined,
        fontFamily: styles.fontFamily || undefined,
      }},
    });
    const element = elements.create("payment", {fields: {billingDetails: "auto"}});
    element.mount(node);
    window.__portalCard = {stripe, elements};
    return {ok: true};
  } catch (error) {
    return {ok: false, unreachable: true};
  }
})()"""

CONFIRM_ELEMENT_SCRIPT = """(async () => {
  const card = window.__portalCard;
  if (!card) return {ok: false, unreachable: true};
  try {
    const result = await card.stripe.confirmSetup({
      elements: card.elements,
      redirect: "if_required",
      confirmParams: {return_url: window.location.href},
    });
    if (result.error) return {ok: false, code: result.error.code || "",
                              param: result.error.param || "",
                              decline_code: result.error.decline_code || ""};
    const intent = result.setupIntent || {};
    return {ok: intent.status === "succeeded", id: intent.id};
  } catch (error) {
    return {ok: false, unreachable: true};
  }
})()"""

# The sandbox's card form: the fields are checked in the browser first (what Stripe's own
# Element checks: Luhn, a future MM/YY, a 3 or 4 digit CVC), then go straight to the sandbox's
# SetupIntent confirmation.
CONFIRM_SANDBOX_SCRIPT = r"""(async () => {
  const value = (id) => ((document.getElementById(id) || {}).value || "").trim();
  const [month, year] = value("card-exp").split("/").map((part) => part.trim());
  const digits = value("card-number").replace(/[\s-]+/g, "");
  const luhn = (text) => {
    let sum = 0;
    for (let i = 0; i < text.length; i++) {
      let d = Number(text[text.length - 1 - i]);
      if (i %% 2 === 1) { d *= 2; if (d > 9) d -= 9; }
      sum += d;
    }
    return sum %% 10 === 0;
  };
  if (!digits) return {ok: false, code: "parameter_missing", param: "number"};
  if (!/^\d{12,19}$/.test(digits) || !luhn(digits)) {
    return {ok: false, code: "invalid_number", param: "number"};
  }
  if (!month && !year) return {ok: false, code: "parameter_missing", param: "exp_month"};
  if (!/^\d{1,2}$/.test(month || "") || Number(month) < 1 || Number(month) > 12) {
    return {ok: false, code: "invalid_expiry_month", param: "exp_month"};
  }
  if (!/^(\d{2}|\d{4})$/.test(year || "")) {
    return {ok: false, code: "invalid_expiry_year", param: "exp_year"};
  }
  const fullYear = year.length === 2 ? 2000 + Number(year) : Number(year);
  const now = new Date();
  if (fullYear < now.getFullYear() ||
      (fullYear === now.getFullYear() && Number(month) < now.getMonth() + 1)) {
    return {ok: false, code: "expired_card", param: "exp_month"};
  }
  const cvc = value("card-cvc");
  if (!cvc) return {ok: false, code: "parameter_missing", param: "cvc"};
  if (!/^\d{3,4}$/.test(cvc)) return {ok: false, code: "invalid_cvc", param: "cvc"};
  const body = new URLSearchParams({
    client_secret: %(client_secret)s,
    "payment_method_data[type]": "card",
    "payment_method_data[card][number]": digits,
    "payment_method_data[card][exp_month]": String(Number(month)),
    "payment_method_data[card][exp_year]": String(fullYear),
    "payment_method_data[card][cvc]": cvc,
    "payment_method_data[billing_details][name]": value("card-name"),
  });
  try {
    const response = await fetch(%(url)s, {method: "POST", body: body});
    const data = await response.json();
    const error = data.error || data.last_setup_error;
    if (error) return {ok: false, code: error.code || "", param: error.param || "",
                       decline_code: error.decline_code || ""};
    return {ok: data.status === "succeeded", id: data.id};
  } catch (error) {
    return {ok: false, unreachable: true};
  }
})()"""


def mount_payment_element(*, publishable_key: str, client_secret: str, locale: str) -> str:
    """The script that shows Stripe's Payment Element for one SetupIntent."""
    return MOUNT_SCRIPT % {
        "stripe_js": json.dumps(STRIPE_JS_URL),
        "publishable_key": json.dumps(publishable_key),
        "client_secret": json.dumps(client_secret),
        "locale": json.dumps(locale),
    }


def confirm_payment_element() -> str:
    """The script that confirms the mounted Payment Element's SetupIntent with Stripe."""
    return CONFIRM_ELEMENT_SCRIPT


def confirm_sandbox_card(*, sandbox_url: str, setup_intent_id: str, client_secret: str) -> str:
    """The script that posts the sandbox card form to the sandbox's SetupIntent confirmation."""
    return CONFIRM_SANDBOX_SCRIPT % {
        "client_secret": json.dumps(client_secret),
        "url": json.dumps(f"{sandbox_url}/v1/setup_intents/{setup_intent_id}/confirm"),
    }
