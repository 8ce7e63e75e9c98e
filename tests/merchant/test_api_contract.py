"""The merchant API's objects against the pinned stripe SDK's classes and Stripe's examples.

Field sets are compared recursively: every field the SDK's `billing_portal.Configuration` and
`billing_portal.Session` classes declare is present (null when unset), and nothing else is,
apart from the documented `x_portal` extension. Parameter names: every one the SDK's
`...Params` TypedDicts define is accepted, and no Stripe name can collide with `x_portal`.
"""

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import stripe
from stripe import StripeObject
from stripe.billing_portal import Configuration, Session

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_CANDIDATES = [
    ROOT.parent / "shared/stripe-openapi/fixtures3.json",
    # A git worktree sits one level deeper than the clone.
    ROOT.parent.parent / "shared/stripe-openapi/fixtures3.json",
]
EXTENSIONS = {"configuration": {"x_portal"}}
SDK = Path(stripe.__file__).parent


@pytest.fixture
def client(api_server: str, api_key: str) -> httpx.Client:
    return httpx.Client(base_url=api_server, headers={"Authorization": f"Bearer {api_key}"})


def sdk_fields(cls: type[StripeObject]) -> dict[str, type[StripeObject] | None]:
    """The fields a StripeObject class declares, with the class of the nested ones."""
    inner: dict[str, type[StripeObject]] = getattr(cls, "_inner_class_types", {})
    return {
        name: inner.get(name)
        for name, hint in cls.__annotations__.items()
        if not name.startswith("_") and not name.isupper() and "ClassVar" not in str(hint)
    }


def sdk_problems(ours: Any, cls: type[StripeObject], path: str) -> list[str]:
    """Where our object's field set differs from the SDK class's, recursively."""
    if not isinstance(ours, dict):
        return [f"{path}: {type(ours).__name__}, the SDK has an object"]
    fields = sdk_fields(cls)
    problems = [f"{path}.{key} missing" for key in fields.keys() - ours.keys()]
    problems += [
        f"{path}.{key} not in the SDK's class"
        for key in ours.keys() - fields.keys() - EXTENSIONS.get(path, set())
    ]
    for key, nested in fields.items():
        value = ours.get(key)
        if nested is None or value is None:
            continue
        for index, entry in enumerate(value if isinstance(value, list) else [value]):
            problems += sdk_problems(entry, nested, f"{path}.{key}[{index}]".replace("[0]", ""))
    return problems


def _json_type(value: Any) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean", int: "integer"}.get(
        type(value), "null" if value is None else type(value).__name__
    )


def example_problems(ours: Any, theirs: Any, path: str) -> list[str]:
    """Where our object differs from Stripe's example object (types and field names)."""
    if theirs is None or ours is None:
        return []  # nullable in Stripe's examples, or unset here
    if _json_type(ours) != _json_type(theirs):
        return [f"{path}: {_json_type(ours)} != {_json_type(theirs)}"]
    problems: list[str] = []
    if isinstance(theirs, dict):
        problems += [f"{path}.{key} missing" for key in theirs.keys() - ours.keys()]
        # Stripe's examples leave out some fields the SDK declares; those are checked above.
        for key in theirs.keys() & ours.keys():
            problems += example_problems(ours[key], theirs[key], f"{path}.{key}")
    if isinstance(theirs, list) and theirs and ours:
        problems += example_problems(ours[0], theirs[0], f"{path}[0]")
    return problems


RICH_CONFIGURATION = {
    "business_profile[headline]": "Acme billing",
    "business_profile[privacy_policy_url]": "https://acme.example/privacy",
    "default_return_url": "https://acme.example/account",
    "name": "Everything",
    "metadata[team]": "billing",
    "login_page[enabled]": "true",
    "features[customer_update][enabled]": "true",
    "features[customer_update][allowed_updates][0]": "email",
    "features[invoice_history][enabled]": "true",
    "features[payment_method_update][enabled]": "true",
    "features[subscription_cancel][enabled]": "true",
    "features[subscription_cancel][cancellation_reason][enabled]": "true",
    "features[subscription_cancel][cancellation_reason][options][0]": "too_expensive",
    "features[subscription_pause][enabled]": "false",
    "features[subscription_pause][duration][type]": "interval_options",
    "features[subscription_pause][duration][interval_options][0][interval]": "week",
    "features[subscription_pause][duration][interval_options][0][interval_count]": "2",
    "features[subscription_update][enabled]": "true",
    "features[subscription_update][default_allowed_updates][0]": "price",
    "features[subscription_update][default_allowed_updates][1]": "quantity",
    "features[subscription_update][products][0][product]": "prod_basic",
    "features[subscription_update][products][0][prices][0]": "price_basic_month",
    "features[subscription_update][products][0][adjustable_quantity][enabled]": "true",
    "features[subscription_update][products][0][adjustable_quantity][minimum]": "2",
    "features[subscription_update][products][0][adjustable_quantity][maximum]": "9",
    "features[subscription_update][schedule_at_period_end][conditions][0][type]": (
        "shortening_interval"
    ),
    "features[subscription_update][billing_cycle_anchor]": "now",
    "x_portal[business_name]": "Acme",
}


@pytest.fixture
def objects(
    client: httpx.Client,
    add_customer: Callable[..., None],
    add_price: Callable[..., None],
) -> dict[str, Any]:
    """A configuration with every feature set, and sessions with each kind of flow."""
    add_customer("cus_contract", "c@example.com", "C")
    add_price("price_basic_month", "prod_basic")
    config = client.post("/v1/billing_portal/configurations", data=RICH_CONFIGURATION)
    assert config.status_code == 200, config.text
    sessions = {}
    flows: dict[str, dict[str, str]] = {
        "plain": {"expand[]": "configuration"},
        "cancel": {
            "flow_data[type]": "subscription_cancel",
            "flow_data[subscription_cancel][subscription]": "sub_1",
            "flow_data[subscription_cancel][retention][type]": "coupon_offer",
            "flow_data[subscription_cancel][retention][coupon_offer][coupon]": "stay20",
            "flow_data[after_completion][type]": "redirect",
            "flow_data[after_completion][redirect][return_url]": "https://acme.example/done",
        },
        "confirm": {
            "flow_data[type]": "subscription_update_confirm",
            "flow_data[subscription_update_confirm][subscription]": "sub_1",
            "flow_data[subscription_update_confirm][items][0][id]": "si_1",
            "flow_data[subscription_update_confirm][items][0][price]": "price_basic_month",
            "flow_data[subscription_update_confirm][items][0][quantity]": "3",
            "flow_data[subscription_update_confirm][discounts][0][coupon]": "stay20",
        },
    }
    for name, data in flows.items():
        answer = client.post(
            "/v1/billing_portal/sessions", data={"customer": "cus_contract", **data}
        )
        assert answer.status_code == 200, answer.text
        sessions[name] = answer.json()
    return {"configuration": config.json(), "sessions": sessions}


def test_objects_have_exactly_the_sdks_fields(objects: dict[str, Any]) -> None:
    problems = sdk_problems(objects["configuration"], Configuration, "configuration")
    for name, body in objects["sessions"].items():
        problems += sdk_problems(body, Session, f"session.{name}")
    # expand[]=configuration put the whole object in place of its id.
    expanded = objects["sessions"]["plain"]["configuration"]
    problems += sdk_problems(expanded, Configuration, "configuration")
    assert problems == []
    assert expanded["id"] == objects["configuration"]["id"]


def test_objects_match_stripes_examples(objects: dict[str, Any]) -> None:
    fixtures = next((path for path in FIXTURE_CANDIDATES if path.exists()), None)
    if fixtures is None:
        pytest.skip(f"Stripe's fixtures are not at {FIXTURE_CANDIDATES[0]}")
    resources = json.loads(fixtures.read_text())["resources"]
    problems = example_problems(
        objects["configuration"], resources["billing_portal.configuration"], "configuration"
    )
    for name, body in objects["sessions"].items():
        if name == "plain":
            body = {**body, "configuration": body["configuration"]["id"]}
        problems += example_problems(body, resources["billing_portal.session"], f"session.{name}")
    assert problems == []


def test_every_parameter_is_honoured(objects: dict[str, Any]) -> None:
    """What was sent comes back: `adjustable_quantity`, pause durations, conditions, ..."""
    features = objects["configuration"]["features"]
    product = features["subscription_update"]["products"][0]
    assert product["adjustable_quantity"] == {"enabled": True, "minimum": 2, "maximum": 9}
    assert features["subscription_pause"] == {
        "enabled": False,
        "duration": {
            "type": "interval_options",
            "interval_options": [{"interval": "week", "interval_count": 2}],
        },
    }
    assert features["subscription_update"]["schedule_at_period_end"]["conditions"] == [
        {"type": "shortening_interval"}
    ]
    assert features["subscription_update"]["billing_cycle_anchor"] == "now"
    assert features["subscription_cancel"]["cancellation_reason"]["feedback_options"] is None
    confirm = objects["sessions"]["confirm"]["flow"]["subscription_update_confirm"]
    assert confirm["items"] == [{"id": "si_1", "price": "price_basic_month", "quantity": 3}]
    assert objects["configuration"]["x_portal"]["business_name"] == "Acme"


def test_no_stripe_name_starts_with_the_extension_prefix() -> None:
    """`x_portal` cannot collide: no parameter or field of the pinned SDK starts with `x_`."""
    declared = re.compile(r"^\s+(x_\w+)\s*:", re.MULTILINE)
    clashes = [
        f"{path.relative_to(SDK)}: {name}"
        for path in SDK.rglob("*.py")
        for name in declared.findall(path.read_text(encoding="utf-8"))
    ]
    assert clashes == []
    assert len(list((SDK / "params").rglob("*.py"))) > 500  # the scan did read the SDK
