"""`cli doctor`: is the Stripe account set up as the portal needs it? Findings in plain words.

With a real key: the API version events arrive in, the webhook endpoint pointing at the
portal (enabled, with every event type the mirror needs) and its signing secret, and the
portal configuration's products, prices and retention coupon in the account. Without a key
the portal runs on its sandbox: the sandbox and the configuration are checked, and what a
real account would be checked for is listed.
"""

from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any, Literal, Protocol, get_args, get_origin

import stripe
from sqlmodel import Session
from stripe.params._webhook_endpoint_create_params import WebhookEndpointCreateParams

from portal_app.billing.errors import AuthenticationFailed, BillingError, InvalidRequest
from portal_app.billing.shapes import MIRRORED
from portal_app.services.configurations import default_configuration
from portal_app.services.stripe_params import alternatives, sdk_fields
from portal_app.settings import Settings

WEBHOOK_PATH = "/api/stripe/webhook"
# Events that say something is about to happen or was attempted, without changing the
# object's stored state: the mirror does not need them.
_INFORMATIONAL = frozenset(
    {
        "expiring",
        "finalization_failed",
        "overdue",
        "overpaid",
        "payment_action_required",
        "payment_attempt_required",
        "sent",
        "trial_will_end",
        "upcoming",
        "will_be_due",
    }
)
# Event-type prefixes whose object is not named by the first word.
_PREFIX_OBJECTS = {
    "customer.subscription": "subscription",
    "customer.tax_id": "tax_id",
    "customer.discount": "discount",
    "customer.source": "source",
    "test_helpers.test_clock": "test_helpers.test_clock",
}


def _sdk_event_types() -> list[str]:
    """Every event type the pinned SDK lets a webhook endpoint subscribe to."""
    hint = sdk_fields(WebhookEndpointCreateParams)["enabled_events"]
    found: list[str] = []
    for option in alternatives(hint):
        if get_origin(option) is list:
            for item in alternatives(get_args(option)[0]):
                if get_origin(item) is Literal:
                    found += [str(value) for value in get_args(item)]
    return sorted(set(found))


def object_of(event_type: str) -> str:
    """`customer.subscription.updated` → `subscription`; `invoice.paid` → `invoice`."""
    prefix = event_type.rsplit(".", 1)[0]
    return _PREFIX_OBJECTS.get(prefix, prefix.split(".")[0])


def mirror_event_types() -> list[str]:
    """The event types that change an object the mirror keeps (`billing.shapes.MIRRORED`,
    plus the discounts stored on subscriptions), from the pinned SDK's list of event types."""
    kept = set(MIRRORED) | {"discount"}
    return [
        event
        for event in _sdk_event_types()
        if object_of(event) in kept and event.rsplit(".", 1)[1] not in _INFORMATIONAL
    ]


class DoctorGateway(Protocol):
    """The gateway reads the doctor makes (the real gateway has them)."""

    def iter_webhook_endpoints(self) -> AsyncIterator[dict[str, Any]]: ...

    def iter_products(self, *, active: bool | None = None) -> AsyncIterator[dict[str, Any]]: ...

    async def retrieve_price(self, *, price_id: str) -> dict[str, Any]: ...

    async def retrieve_coupon(self, *, coupon_id: str) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Finding:
    """One check's outcome: `fix` must be acted on, `note` is advice, `ok` is fine."""

    level: Literal["ok", "note", "fix"]
    text: str


def webhook_url(settings: Settings) -> str:
    """Where Stripe must send events: the portal's public URL plus the webhook path."""
    return settings.public_url.rstrip("/") + WEBHOOK_PATH


async def _endpoint_findings(gateway: DoctorGateway, settings: Settings) -> list[Finding]:
    url = webhook_url(settings)
    version = stripe.api_version
    needed = mirror_event_types()
    endpoints = [endpoint async for endpoint in gateway.iter_webhook_endpoints()]
    matching = [e for e in endpoints if str(e.get("url", "")).rstrip("/") == url]
    if not matching:
        others = ", ".join(sorted(str(e.get("url")) for e in endpoints)) or "none"
        return [
            Finding(
                "fix",
                f"No webhook endpoint sends events to {url} (the account's endpoints: "
                f"{others}). In Stripe's Dashboard, Developers > Webhooks, add an endpoint "
                f"with that URL, API version {version} and these events: "
                f"{', '.join(needed)}. Then set STRIPE_WEBHOOK_SECRET to its signing secret.",
            )
        ]
    findings: list[Finding] = []
    if len(matching) > 1:
        findings.append(
            Finding(
                "note",
                f"{len(matching)} webhook endpoints send events to {url}: each event arrives "
                "more than once. The portal ignores repeats, but one endpoint is enough.",
            )
        )
    for endpoint in matching:
        name = str(endpoint.get("id"))
        if endpoint.get("status") != "enabled":
            findings.append(
                Finding(
                    "fix",
                    f"The webhook endpoint {name} is {endpoint.get('status')}: enable it, or "
                    "the portal stops seeing changes made in Stripe.",
                )
            )
        enabled = set(endpoint.get("enabled_events") or [])
        missing = [event for event in needed if event not in enabled and "*" not in enabled]
        if missing:
            findings.append(
                Finding(
                    "fix",
                    f"The webhook endpoint {name} does not send {len(missing)} event types the "
                    f"portal needs to stay current: add {', '.join(missing)}.",
                )
            )
        if endpoint.get("api_version") is None:
            findings.append(
                Finding(
                    "fix",
                    f"The webhook endpoint {name} has no API version of its own, so events "
                    "come in the account's default version, which may not be the one the "
                    f"portal reads ({version}). Create the endpoint again with API version "
                    f"{version}.",
                )
            )
        elif endpoint.get("api_version") != version:
            findings.append(
                Finding(
                    "fix",
                    f"The webhook endpoint {name} sends events in API version "
                    f"{endpoint.get('api_version')}; the portal reads {version}. Create the "
                    f"endpoint again with API version {version}.",
                )
            )
    if not any(f.level == "fix" for f in findings):
        findings.append(
            Finding(
                "ok",
                f"The webhook endpoint sends every event the portal needs to {url}, in API "
                f"version {version}.",
            )
        )
    if settings.stripe_webhook_secret is None:
        findings.append(
            Finding(
                "fix",
                "STRIPE_WEBHOOK_SECRET is not set: the portal refuses every webhook. Copy the "
                "endpoint's signing secret (whsec_...) into it.",
            )
        )
    return findings


async def _price_problem(gateway: DoctorGateway, product: str, price_id: str) -> str | None:
    try:
        price = await gateway.retrieve_price(price_id=price_id)
    except InvalidRequest:
        return f"{price_id} does not exist in the account"
    if _id(price.get("product")) != product:
        return f"{price_id} belongs to {_id(price.get('product'))}, not {product}"
    if not price.get("active"):
        return f"{price_id} is archived"
    if not price.get("recurring"):
        return f"{price_id} is not a recurring price"
    return None


def _id(value: Any) -> str:
    return str(value["id"]) if isinstance(value, dict) else str(value)


async def configuration_findings(*, session: Session, gateway: DoctorGateway) -> list[Finding]:
    """The default portal configuration against the account: it exists and is active, its
    plan-change prices exist, are live and recurring, its retention coupon is valid."""
    config = default_configuration(session=session)
    if config is None:
        return [
            Finding(
                "fix",
                "There is no portal configuration: run `python -m portal_app.cli init`, then "
                "set it up in the dashboard.",
            )
        ]
    if not config.active:
        return [Finding("fix", f"The default portal configuration {config.id} is inactive.")]
    features = config.feature_settings
    problems: list[str] = []
    if features.subscription_update.enabled:
        for entry in features.subscription_update.products:
            for price_id in entry.prices:
                problem = await _price_problem(gateway, entry.product, price_id)
                if problem:
                    problems.append(problem)
    retention = features.subscription_cancel.retention
    if features.subscription_cancel.enabled and retention.enabled and retention.coupon:
        try:
            coupon = await gateway.retrieve_coupon(coupon_id=retention.coupon)
        except InvalidRequest:
            coupon = {"valid": False}
        if not coupon.get("valid"):
            problems.append(f"the retention coupon {retention.coupon} is missing or expired")
    if problems:
        return [
            Finding(
                "fix",
                f"The portal configuration {config.id} offers what the account cannot give: "
                + "; ".join(problems)
                + ". Correct the plan-change products or the retention offer in the dashboard.",
            )
        ]
    return [Finding("ok", f"The portal configuration {config.id} matches the account.")]


SANDBOX_NOTE = (
    "With STRIPE_SECRET_KEY set, doctor checks the real account instead: that the key works, "
    f"that a webhook endpoint sends events to PORTAL_PUBLIC_URL{WEBHOOK_PATH}, is enabled, "
    "uses API version {version} and sends every event type the portal needs ({count} types), "
    "that STRIPE_WEBHOOK_SECRET is set, and that the configuration's prices and coupon exist "
    "in the account."
)


async def run_checks(
    *, settings: Settings, gateway: DoctorGateway, session: Session
) -> list[Finding]:
    """Every finding, in the order a person should read them."""
    findings: list[Finding] = []
    if settings.sandbox_mode:
        findings.append(
            Finding(
                "note",
                "STRIPE_SECRET_KEY is not set: the portal runs on its built-in sandbox, which "
                f"sends its events to the portal itself. Checking the sandbox at "
                f"{settings.sandbox_url}.",
            )
        )
        try:
            async for _product in gateway.iter_products():
                break
        except BillingError:
            return [
                *findings,
                Finding(
                    "fix",
                    f"The sandbox did not answer at {settings.sandbox_url}: start the portal "
                    "(bash scripts/start.sh) and run doctor again.",
                ),
            ]
        findings.append(Finding("ok", "The sandbox answers."))
        findings += await configuration_findings(session=session, gateway=gateway)
        findings.append(
            Finding(
                "note",
                SANDBOX_NOTE.format(version=stripe.api_version, count=len(mirror_event_types())),
            )
        )
        return findings
    key = settings.stripe_secret_key.get_secret_value() if settings.stripe_secret_key else ""
    if not key.startswith(("sk_live_", "sk_test_", "rk_live_", "rk_test_")):
        findings.append(
            Finding(
                "fix",
                "STRIPE_SECRET_KEY does not look like a Stripe secret key (sk_live_... or "
                "sk_test_...); copy it again from Stripe's Dashboard, Developers > API keys.",
            )
        )
        return findings
    mode = "live" if "_live_" in key else "test"
    try:
        findings += await _endpoint_findings(gateway, settings)
    except AuthenticationFailed:
        return [
            *findings,
            Finding(
                "fix",
                f"Stripe refused STRIPE_SECRET_KEY ({mode} mode): it was revoked or mistyped, "
                "or a restricted key lacks read access to webhook endpoints.",
            ),
        ]
    except BillingError as error:
        return [
            *findings,
            Finding("fix", f"Stripe could not be asked ({type(error).__name__}); try again."),
        ]
    if mode == "live" and not settings.public_url.startswith("https://"):
        findings.append(
            Finding(
                "fix",
                f"PORTAL_PUBLIC_URL is {settings.public_url}: live webhooks and customer "
                "links need an https:// address.",
            )
        )
    findings += await configuration_findings(session=session, gateway=gateway)
    return findings


def report(findings: Iterable[Finding]) -> tuple[str, int]:
    """The text to print and the exit code (1 when something must be fixed)."""
    marks = {"ok": "ok  ", "note": "note", "fix": "FIX "}
    listed = list(findings)
    lines = [f"[{marks[f.level]}] {f.text}" for f in listed]
    fixes = sum(1 for f in listed if f.level == "fix")
    lines.append(
        f"{fixes} thing(s) to fix." if fixes else "Nothing to fix: the set-up looks right."
    )
    return "\n".join(lines), 1 if fixes else 0
