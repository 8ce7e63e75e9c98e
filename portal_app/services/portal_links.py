"""Portal-session links for a customer: the merchant API's and the dashboard's way in.

Validates Stripe's `billing_portal.session` parameters (customer, configuration, locale,
return_url, flow_data) against the configuration, stores the session and returns the
one-time link. Errors name the offending parameter as Stripe does; their message is a `Text`
(English for the API, the merchant's language in the dashboard).
"""

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session

from portal_app.auth.portal_sessions import create_session
from portal_app.i18n.text import Text
from portal_app.models.configuration import ConfigurationFeatures
from portal_app.models.mirror_customer import MirrorCustomer
from portal_app.models.portal_session import PortalSession
from portal_app.services.configuration_document import ConfigurationError, check_object, web_url
from portal_app.services.configuration_views import unix_seconds
from portal_app.services.configurations import default_configuration, get_configuration_row
from portal_app.services.stripe_params import missing
from portal_app.settings import get_settings

CustomerCheck = Callable[[Session, str], bool]

LOCALES = frozenset(
    [
        "auto",
        "bg",
        "cs",
        "da",
        "de",
        "el",
        "en",
        "en-AU",
        "en-CA",
        "en-GB",
        "en-IE",
        "en-IN",
        "en-NZ",
        "en-SG",
        "es",
        "es-419",
        "et",
        "fi",
        "fil",
        "fr",
        "fr-CA",
        "hr",
        "hu",
        "id",
        "it",
        "ja",
        "ko",
        "lt",
        "lv",
        "ms",
        "mt",
        "nb",
        "nl",
        "pl",
        "pt",
        "pt-BR",
        "ro",
        "ru",
        "sk",
        "sl",
        "sv",
        "th",
        "tr",
        "vi",
        "zh",
        "zh-HK",
        "zh-TW",
    ]
)
FLOW_TYPES = (
    "payment_method_update",
    "subscription_cancel",
    "subscription_update",
    "subscription_update_confirm",
)
# Flow types Stripe has and the portal does not offer: named in the refusal, not unknown.
UNOFFERED_FLOW_TYPES = ("customer_update", "subscription_pause")
AFTER_COMPLETION_TYPES = ("hosted_confirmation", "portal_homepage", "redirect")
_ID = re.compile(r"^[A-Za-z0-9_]{1,255}$")


def mirror_customer_exists(session: Session, customer_id: str) -> bool:
    """True when the mirror holds this customer and it is not deleted."""
    customer = session.get(MirrorCustomer, customer_id)
    return customer is not None and not customer.deleted


class PortalLink(BaseModel):
    """A created portal session in Stripe's `billing_portal.session` shape."""

    id: str
    object: str = "billing_portal.session"
    configuration: str
    created: int
    customer: str
    after_expiration: None = None
    customer_account: None = None
    flow: dict[str, Any] | None
    livemode: bool = False
    locale: str | None
    on_behalf_of: None = None
    return_url: str | None
    url: str


def _not_one_of(param: str, choices: tuple[str, ...]) -> Text:
    return Text(
        "Invalid {param}: must be one of {choices}.", param=param, choices=", ".join(choices)
    )


def _id(value: Any, param: str, prefix: str, *, required: bool = True) -> str | None:
    if value in (None, "") and not required:
        return None
    if not isinstance(value, str) or not value:
        raise missing(param)
    if not value.startswith(prefix) or not _ID.match(value):
        raise ConfigurationError(
            Text(
                "Invalid {param}: expected an id starting with '{prefix}'.",
                param=param,
                prefix=prefix,
            ),
            param,
        )
    return value


def _after_completion(value: Any) -> dict[str, Any]:
    param = "flow_data[after_completion]"
    data = check_object(
        value or {"type": "portal_homepage"}, {"type", "redirect", "hosted_confirmation"}, param
    )
    kind = data.get("type")
    if kind not in AFTER_COMPLETION_TYPES:
        raise ConfigurationError(
            _not_one_of(f"{param}[type]", AFTER_COMPLETION_TYPES), f"{param}[type]"
        )
    result: dict[str, Any] = {"type": kind, "hosted_confirmation": None, "redirect": None}
    if kind == "redirect":
        redirect = check_object(data.get("redirect") or {}, {"return_url"}, f"{param}[redirect]")
        result["redirect"] = {
            "return_url": web_url(
                redirect.get("return_url"), f"{param}[redirect][return_url]", required=True
            )
        }
    elif kind == "hosted_confirmation":
        hosted = check_object(
            data.get("hosted_confirmation") or {},
            {"custom_message"},
            f"{param}[hosted_confirmation]",
        )
        message = hosted.get("custom_message")
        if message is not None and (not isinstance(message, str) or len(message) > 500):
            raise ConfigurationError(
                Text("The custom message must be text of at most 500 characters."),
                f"{param}[hosted_confirmation][custom_message]",
            )
        result["hosted_confirmation"] = {"custom_message": message or None}
    return result


def _after_expiration(value: Any) -> None:
    """Check Stripe's `after_expiration` and refuse it: expired links here just expire."""
    data = check_object(value, {"type", "customer_login"}, "after_expiration")
    if data.get("type") != "customer_login":
        raise ConfigurationError(
            _not_one_of("after_expiration[type]", ("customer_login",)), "after_expiration[type]"
        )
    check_object(
        data.get("customer_login") or {}, {"expires_at"}, "after_expiration[customer_login]"
    )
    raise ConfigurationError(
        Text(
            "This portal does not open a login page when a session link expires: leave "
            "after_expiration out and create a new session instead."
        ),
        "after_expiration",
    )


def _subscription_cancel(value: Any) -> dict[str, Any]:
    param = "flow_data[subscription_cancel]"
    data = check_object(value or {}, {"subscription", "retention"}, param)
    retention = None
    if data.get("retention") not in (None, ""):
        raw = check_object(data["retention"], {"type", "coupon_offer"}, f"{param}[retention]")
        if raw.get("type") != "coupon_offer":
            raise ConfigurationError(
                Text("Invalid retention type: must be coupon_offer."), f"{param}[retention][type]"
            )
        offer = check_object(
            raw.get("coupon_offer") or {}, {"coupon"}, f"{param}[retention][coupon_offer]"
        )
        coupon = offer.get("coupon")
        if not isinstance(coupon, str) or not _ID.match(coupon):
            where = f"{param}[retention][coupon_offer][coupon]"
            raise missing(where)
        retention = {"coupon_offer": {"coupon": coupon}, "type": "coupon_offer"}
    return {
        "retention": retention,
        "subscription": _id(data.get("subscription"), f"{param}[subscription]", "sub_"),
    }


def _subscription_update_confirm(value: Any) -> dict[str, Any]:
    param = "flow_data[subscription_update_confirm]"
    data = check_object(value or {}, {"subscription", "items", "discounts"}, param)
    items = data.get("items")
    if not isinstance(items, list) or not items:
        raise missing(f"{param}[items]")
    clean_items = []
    for index, item in enumerate(items):
        where = f"{param}[items][{index}]"
        entry = check_object(item, {"id", "price", "quantity"}, where)
        quantity = entry.get("quantity")
        if quantity is not None:
            try:
                quantity = int(quantity)
            except (TypeError, ValueError) as exc:
                raise ConfigurationError(
                    Text("Invalid integer."), f"{where}[quantity]", code="parameter_invalid_integer"
                ) from exc
            if not 1 <= quantity <= 1_000_000:
                raise ConfigurationError(
                    Text("The quantity must be from 1 to 1,000,000."), f"{where}[quantity]"
                )
        clean_items.append(
            {
                "id": _id(entry.get("id"), f"{where}[id]", "si_"),
                "price": _id(entry.get("price"), f"{where}[price]", "price_", required=False),
                "quantity": quantity,
            }
        )
    discounts = None
    if data.get("discounts") not in (None, ""):
        if not isinstance(data["discounts"], list):
            raise ConfigurationError(Text("Invalid array."), f"{param}[discounts]")
        discounts = []
        for index, raw in enumerate(data["discounts"]):
            where = f"{param}[discounts][{index}]"
            entry = check_object(raw, {"coupon", "promotion_code"}, where)
            discounts.append(
                {
                    "coupon": _id(entry.get("coupon"), f"{where}[coupon]", "", required=False),
                    "promotion_code": _id(
                        entry.get("promotion_code"),
                        f"{where}[promotion_code]",
                        "promo_",
                        required=False,
                    ),
                }
            )
    return {
        "discounts": discounts,
        "items": clean_items,
        "subscription": _id(data.get("subscription"), f"{param}[subscription]", "sub_"),
    }


def normalize_flow(flow_data: Any, features: ConfigurationFeatures) -> dict[str, Any]:
    """Stripe's `flow` object for these `flow_data` parameters, checked against the features."""
    data = check_object(
        flow_data, {"type", "after_completion", *FLOW_TYPES, *UNOFFERED_FLOW_TYPES}, "flow_data"
    )
    kind = data.get("type")
    if kind in UNOFFERED_FLOW_TYPES:
        raise ConfigurationError(
            Text("This portal has no {flow} flow: choose another flow type.", flow=kind),
            "flow_data[type]",
        )
    if kind not in FLOW_TYPES:
        raise ConfigurationError(_not_one_of("flow_data[type]", FLOW_TYPES), "flow_data[type]")
    enabled = {
        "payment_method_update": features.payment_method_update.enabled,
        "subscription_cancel": features.subscription_cancel.enabled,
        "subscription_update": features.subscription_update.enabled,
        "subscription_update_confirm": features.subscription_update.enabled,
    }
    if not enabled[kind]:
        feature = "subscription_update" if kind.startswith("subscription_update") else kind
        raise ConfigurationError(
            Text(
                "The {flow} flow needs features[{feature}] enabled on the configuration.",
                flow=kind,
                feature=feature,
            ),
            "flow_data[type]",
        )
    flow: dict[str, Any] = {
        "after_completion": _after_completion(data.get("after_completion")),
        "customer_update": None,
        "subscription_cancel": None,
        "subscription_pause": None,
        "subscription_update": None,
        "subscription_update_confirm": None,
        "type": kind,
    }
    if kind == "subscription_cancel":
        flow["subscription_cancel"] = _subscription_cancel(data.get(kind))
    elif kind == "subscription_update":
        sub = check_object(data.get(kind) or {}, {"subscription"}, "flow_data[subscription_update]")
        flow["subscription_update"] = {
            "subscription": _id(
                sub.get("subscription"), "flow_data[subscription_update][subscription]", "sub_"
            )
        }
    elif kind == "subscription_update_confirm":
        flow["subscription_update_confirm"] = _subscription_update_confirm(data.get(kind))
    return flow


def link_of(row: PortalSession, token: str) -> PortalLink:
    """Stripe's session object for a stored session and its one-time token."""
    return PortalLink(
        id=row.id,
        configuration=row.configuration_id,
        created=unix_seconds(row.created),
        customer=row.customer,
        flow=row.flow,
        locale=row.locale,
        return_url=row.return_url,
        url=f"{get_settings().public_url.rstrip('/')}/session/{token}",
    )


def create_portal_link(
    *,
    session: Session,
    customer: Any,
    configuration: Any = None,
    locale: Any = None,
    return_url: Any = None,
    flow_data: Any = None,
    after_expiration: Any = None,
    customer_account: Any = None,
    on_behalf_of: Any = None,
    customer_exists: CustomerCheck | None = mirror_customer_exists,
    now: datetime | None = None,
) -> PortalLink:
    """Validate Stripe's session parameters and create the one-time portal link.

    Stripe's `customer_account` (Accounts v2), `on_behalf_of` (Connect) and
    `after_expiration` (a login page once the link expired) are understood and refused with
    a clear error: the portal serves one account's customers and its links simply expire.
    """
    if customer_account not in (None, ""):
        raise ConfigurationError(
            Text("This portal identifies customers by customer (cus_...), not customer_account."),
            "customer_account",
        )
    if on_behalf_of not in (None, ""):
        raise ConfigurationError(
            Text("on_behalf_of is not supported by this portal."), "on_behalf_of"
        )
    if after_expiration not in (None, ""):
        _after_expiration(after_expiration)
    customer_id = _id(customer, "customer", "cus_")
    assert customer_id is not None  # noqa: S101  (required=True never returns None)
    if customer_exists is not None and not customer_exists(session, customer_id):
        raise ConfigurationError(
            Text("No such customer: '{customer}'", customer=customer_id),
            "customer",
            code="resource_missing",
        )
    if configuration in (None, ""):
        config = default_configuration(session=session)
        if config is None:
            raise ConfigurationError(
                Text("Create a default portal configuration before creating sessions."),
                "configuration",
            )
    else:
        if not isinstance(configuration, str):
            raise ConfigurationError(Text("Invalid configuration id."), "configuration")
        config = get_configuration_row(session=session, configuration_id=configuration)
    if not config.active:
        raise ConfigurationError(
            Text("The configuration {configuration} is not active.", configuration=config.id),
            "configuration",
        )
    if locale not in (None, "") and locale not in LOCALES:
        raise ConfigurationError(Text("Invalid locale: {value}", value=f"{locale!s:.20}"), "locale")
    clean_return_url = web_url(return_url, "return_url") or None
    flow = None
    if flow_data not in (None, ""):
        flow = normalize_flow(flow_data, config.feature_settings)
    row, token = create_session(
        session=session,
        customer=customer_id,
        configuration_id=config.id,
        locale=locale or None,
        return_url=clean_return_url,
        flow=flow,
        now=now,
    )
    return link_of(row, token)
