"""The sandbox account's public face: the business name and branding Stripe puts on the
invoices, hosted invoice pages and PDFs it makes (set in the Stripe Dashboard on Stripe, with a
test helper here)."""

import re
from typing import Any

from portal_app.sandbox.errors import invalid_request
from portal_app.sandbox.params import get_str
from portal_app.sandbox.store import Store

STATE_KEY = "account"
DEFAULTS = {"business_name": "Sandbox", "primary_color": "#0f62fe", "logo_url": ""}
COLOR = re.compile(r"#[0-9a-fA-F]{6}")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def account_settings(store: Store) -> dict[str, str]:
    """The account's business name, brand colour and logo URL (defaults until set)."""
    return {**DEFAULTS, **{k: str(v) for k, v in store.state(STATE_KEY).items() if k in DEFAULTS}}


def update_account_settings(store: Store, params: dict[str, Any]) -> dict[str, str]:
    """`POST /v1/test_helpers/account`: set `business_name`, `primary_color`, `logo_url`."""
    unknown = set(params) - set(DEFAULTS)
    if unknown:
        first = sorted(unknown)[0]
        raise invalid_request(f"Received unknown parameter: {first}", param=first)
    values = account_settings(store)
    name = get_str(params, "business_name")
    if name is not None:
        if not name.strip() or len(name) > 100 or CONTROL.search(name):
            raise invalid_request("Invalid business_name.", param="business_name")
        values["business_name"] = name.strip()
    color = get_str(params, "primary_color")
    if color is not None:
        if not COLOR.fullmatch(color):
            raise invalid_request(
                "Invalid primary_color: must be a hex colour such as #0f62fe.",
                param="primary_color",
            )
        values["primary_color"] = color.lower()
    logo = get_str(params, "logo_url")
    if logo is not None:
        if logo and (not logo.startswith(("https://", "http://")) or len(logo) > 2000):
            raise invalid_request("Invalid logo_url: must be an http(s) URL.", param="logo_url")
        values["logo_url"] = logo
    store.set_state(STATE_KEY, values)
    return values
