"""The configuration as a parameter document: Stripe's nested parameters, merged and checked.

Input arrives as nested mappings in the shape of Stripe's parameters (the API's parsed form
body, or the dashboard's form), is merged into the stored document and validated as a whole,
so the same rules apply whichever way a merchant edits. Refusals are `stripe_params`
`ParamError`s naming the offending parameter in Stripe's bracket syntax
(`features[subscription_update][products]`).
"""

import ipaddress
import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session

from portal_app.i18n.text import Plural, Text
from portal_app.models.configuration import ConfigurationFeatures, PortalConfiguration
from portal_app.rules.text import CONTROL_CHARACTERS, has_control_characters
from portal_app.services.branding import FONTS, HEX_COLOUR, SHAPES
from portal_app.services.configuration_views import view_of
from portal_app.services.stripe_params import ErrorCode, ParamError, bracket, missing, unknown

MAX_PRODUCTS = 10
MAX_HEADLINE = 60
MAX_BUSINESS_NAME = 100
MAX_URL = 2000
WEB_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
MAX_FRAME_ORIGINS = 10
_LIST_FIELDS = {
    "allowed_updates",
    "conditions",
    "default_allowed_updates",
    "options",
    "prices",
    "products",
}
_TOP_LEVEL = {
    "active",
    "branding",
    "business_name",
    "business_profile",
    "default_return_url",
    "embed",
    "features",
    "login_page",
    "metadata",
    "name",
}
_ORIGIN = re.compile(
    r"^(?P<scheme>https?)://(?P<host>[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::(?P<port>[0-9]{1,5}))?/?$",
    re.IGNORECASE,
)
_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", re.IGNORECASE)
_PROFILE_KEYS = {"headline", "privacy_policy_url", "terms_of_service_url"}
_BRANDING_KEYS = {"logo_url", "icon_url", "background_color", "button_color", "font", "shape"}
# A configuration's refusals are the parameter refusals the merchant API already answers with.
ConfigurationError = ParamError


@dataclass(frozen=True)
class PriceFacts:
    """What the one-price-per-interval rule needs to know about a price."""

    product: str
    interval: str
    interval_count: int
    currency: str


PriceLookup = Callable[[Session, Sequence[str]], Mapping[str, PriceFacts]]


def document_of(config: PortalConfiguration) -> dict[str, Any]:
    """The stored configuration as a nested document in the shape of the parameters."""
    view = view_of(config)
    return {
        "name": view.name,
        "active": view.active,
        "business_name": view.business_name,
        "business_profile": view.business_profile.model_dump(),
        "default_return_url": view.default_return_url,
        "features": view.features.model_dump(mode="json"),
        "branding": view.branding.model_dump(),
        "login_page": {"enabled": config.login_page_enabled},
        "embed": view.embed.model_dump(),
        "metadata": view.metadata,
    }


def merge(base: dict[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """Stripe's update semantics: nested objects (and metadata keys) merge, the rest replaces."""
    merged = dict(base)
    for key, value in changes.items():
        if key == "metadata" and value == "":
            merged[key] = {}
        elif isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge(dict(merged[key]), value)
        else:
            merged[key] = value
    return merged


def _unset_empty(value: Any, key: str = "") -> Any:
    """Stripe's empty string unsets a field: an empty list for lists, null for the rest."""
    if isinstance(value, Mapping):
        return {k: _unset_empty(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_unset_empty(v) for v in value]
    if value == "":
        return [] if key in _LIST_FIELDS else None
    return value


def _optional_text(value: Any, param: str, max_length: int) -> str:
    if value is None or value == "":
        return ""
    if not isinstance(value, str):
        raise ConfigurationError(Text("Invalid string: {param} must be text.", param=param), param)
    text = value.strip()
    if has_control_characters(text):
        raise ConfigurationError(CONTROL_CHARACTERS, param)
    if len(text) > max_length:
        raise ConfigurationError(
            Text(
                "{param} must be at most {maximum} characters long.",
                param=param,
                maximum=max_length,
            ),
            param,
        )
    return text


def web_url(value: Any, param: str, *, required: bool = False) -> str:
    """A web address starting with http:// or https:// ("" when absent and not required)."""
    if required and value in (None, ""):
        raise missing(param)
    url = _optional_text(value, param, MAX_URL)
    if url and not WEB_URL.match(url):
        raise ParamError(
            Text("Enter a full web address starting with http:// or https://."),
            param,
        )
    return url


def _colour(value: Any, param: str) -> str:
    if not isinstance(value, str) or not HEX_COLOUR.match(value.strip()):
        raise ConfigurationError(Text("Enter a colour as #rrggbb, for example #0f62fe."), param)
    return value.strip().lower()


def _bool(value: Any, param: str) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise ConfigurationError(
        Text("Invalid boolean: {param} must be true or false.", param=param), param
    )


def check_object(value: Any, allowed: set[str], param: str) -> Mapping[str, Any]:
    """`value` as an object with only the `allowed` keys, else a typed refusal naming the
    first other key in bracket form."""
    if not isinstance(value, Mapping):
        raise ConfigurationError(
            Text("Invalid object: {param} must be an object.", param=param), param or None
        )
    for key in value:
        if key not in allowed:
            raise unknown(f"{param}[{key}]" if param else str(key))
    return value


def _features(value: Any) -> ConfigurationFeatures:
    try:
        return ConfigurationFeatures.model_validate(_unset_empty(value))
    except ValidationError as exc:
        first = exc.errors()[0]
        param = bracket(("features", *first["loc"]))
        if first["type"] == "extra_forbidden":
            raise unknown(param) from exc
        code: ErrorCode = "parameter_invalid"
        if first["type"] == "missing":
            code = "parameter_missing"
        elif first["type"].startswith("int_"):
            code = "parameter_invalid_integer"
        # Pydantic's own explanation (`detail`) is English only.
        raise ConfigurationError(
            Text("Invalid value for {param}: {detail}.", param=param, detail=first["msg"]),
            param,
            code=code,
        ) from exc


def _check_features(
    features: ConfigurationFeatures, facts: Mapping[str, PriceFacts] | None
) -> None:
    update = features.subscription_update
    base = "features[subscription_update]"
    if len(update.products) > MAX_PRODUCTS:
        raise ConfigurationError(
            Text(
                "At most {maximum} products can be offered for plan changes.", maximum=MAX_PRODUCTS
            ),
            f"{base}[products]",
        )
    seen: set[str] = set()
    for index, entry in enumerate(update.products):
        if entry.product in seen:
            raise ConfigurationError(
                Text("{product} is listed twice.", product=entry.product),
                f"{base}[products][{index}][product]",
            )
        seen.add(entry.product)
        check_one_price_per_interval(
            product=entry.product,
            prices=entry.prices,
            facts=facts,
            param=f"{base}[products][{index}][prices]",
        )
    if update.enabled and not update.products:
        raise ConfigurationError(
            Text("Choose at least one product customers may switch to, or turn plan changes off."),
            f"{base}[products]",
        )
    if update.enabled and not update.default_allowed_updates:
        raise ConfigurationError(
            Text("Choose at least one kind of change (price, quantity or promotion code)."),
            f"{base}[default_allowed_updates]",
        )
    quantity = update.quantity
    if quantity.maximum is not None and quantity.maximum < quantity.minimum:
        raise ConfigurationError(
            Text("The maximum quantity cannot be lower than the minimum."),
            f"{base}[quantity][maximum]",
        )
    for index, entry in enumerate(update.products):
        limits = entry.adjustable_quantity
        if limits.maximum is not None and limits.maximum < limits.minimum:
            raise ConfigurationError(
                Text("The maximum quantity cannot be lower than the minimum."),
                f"{base}[products][{index}][adjustable_quantity][maximum]",
            )
    if features.subscription_pause.enabled:
        raise ConfigurationError(
            Text("This portal cannot pause subscriptions yet: leave pausing turned off."),
            "features[subscription_pause][enabled]",
        )
    cancel = features.subscription_cancel
    cancel_base = "features[subscription_cancel]"
    if cancel.cancellation_reason.feedback_options:
        raise ConfigurationError(
            Text("This portal has no custom feedback options: offer the standard reasons."),
            f"{cancel_base}[cancellation_reason][feedback_options]",
        )
    if cancel.cancellation_reason.enabled and not cancel.cancellation_reason.options:
        raise ConfigurationError(
            Text("Choose at least one cancellation reason, or stop asking for one."),
            f"{cancel_base}[cancellation_reason][options]",
        )
    if cancel.retention.enabled and not (cancel.retention.coupon or "").strip():
        raise ConfigurationError(
            Text("Enter the coupon to offer before a customer cancels."),
            f"{cancel_base}[retention][coupon]",
        )


def check_one_price_per_interval(
    *,
    product: str,
    prices: Sequence[str],
    facts: Mapping[str, PriceFacts] | None,
    param: str,
) -> None:
    """At most one price per product for each billing interval and currency.

    `facts` is None when no price catalogue is available; the rule is then not checkable.
    """
    if len(set(prices)) != len(prices):
        raise ConfigurationError(Text("A price is listed twice."), param)
    if facts is None:
        return
    by_interval: dict[tuple[str, int, str], str] = {}
    for price in prices:
        fact = facts.get(price)
        if fact is None:
            raise ConfigurationError(
                Text("No such price: '{price}'", price=price), param, code="resource_missing"
            )
        if fact.product != product:
            raise ConfigurationError(
                Text(
                    "{price} is a price of {owner}, not {product}.",
                    price=price,
                    owner=fact.product,
                    product=product,
                ),
                param,
            )
        key = (fact.interval, fact.interval_count, fact.currency.lower())
        if key in by_interval:
            raise ConfigurationError(
                Text(
                    "Choose at most one price per billing interval and currency: {first} and "
                    "{second} are both billed {every} in {currency}.",
                    first=by_interval[key],
                    second=price,
                    every=_billed_every(fact.interval, fact.interval_count),
                    currency=fact.currency.upper(),
                ),
                param,
            )
        by_interval[key] = price


def _billed_every(interval: str, count: int) -> Text | str:
    """`every month`, `every 3 months`: how often a price bills, for the rule's message."""
    every = {
        "day": Plural("every day", "every {count} days", count),
        "week": Plural("every week", "every {count} weeks", count),
        "month": Plural("every month", "every {count} months", count),
        "year": Plural("every year", "every {count} years", count),
    }
    # Stripe bills by these four; anything else is shown as stored.
    return every.get(interval, f"every {interval}" if count == 1 else f"every {count} {interval}s")


def _metadata(value: Any) -> Mapping[str, str]:
    """Stripe's metadata limits: 50 keys of up to 40 characters, text values up to 500."""
    metadata = value or {}
    if not isinstance(metadata, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) and len(k) <= 40 and len(v) <= 500
        for k, v in metadata.items()
    ):
        raise ConfigurationError(
            Text("Metadata must map keys (up to 40 characters) to text values (up to 500)."),
            "metadata",
        )
    if len(metadata) > 50:
        raise ConfigurationError(Text("Metadata can hold at most 50 keys."), "metadata")
    return metadata


def _profile_columns(document: Mapping[str, Any], profile: Mapping[str, Any]) -> dict[str, str]:
    """The business's name, headline and links, as the row's columns."""
    business_name = _optional_text(
        document.get("business_name"), "business_name", MAX_BUSINESS_NAME
    )
    if not business_name:
        raise ConfigurationError(
            Text("Enter the business name customers will see."),
            "business_name",
            code="parameter_missing",
        )
    return {
        "business_name": business_name,
        "headline": _optional_text(
            profile.get("headline"), "business_profile[headline]", MAX_HEADLINE
        ),
        "terms_of_service_url": web_url(
            profile.get("terms_of_service_url"), "business_profile[terms_of_service_url]"
        ),
        "privacy_policy_url": web_url(
            profile.get("privacy_policy_url"), "business_profile[privacy_policy_url]"
        ),
        "default_return_url": web_url(document.get("default_return_url"), "default_return_url"),
    }


def _branding_columns(branding: Mapping[str, Any]) -> dict[str, str]:
    """The portal's look (a portal extension), as the row's columns."""
    columns = {
        "logo_url": web_url(branding.get("logo_url"), "branding[logo_url]"),
        "icon_url": web_url(branding.get("icon_url"), "branding[icon_url]"),
        "background_color": _colour(
            branding.get("background_color", "#ffffff"), "branding[background_color]"
        ),
        "button_color": _colour(branding.get("button_color", "#0f62fe"), "branding[button_color]"),
        "font": branding.get("font", "system"),
        "shape": branding.get("shape", "rounded"),
    }
    if columns["font"] not in FONTS:
        raise ConfigurationError(
            Text("Choose a font from: {fonts}.", fonts=", ".join(FONTS)), "branding[font]"
        )
    if columns["shape"] not in SHAPES:
        raise ConfigurationError(
            Text("Choose a shape from: {shapes}.", shapes=", ".join(SHAPES)), "branding[shape]"
        )
    return columns


def apply_document(
    config: PortalConfiguration,
    document: Mapping[str, Any],
    *,
    facts: Mapping[str, PriceFacts] | None,
) -> None:
    """Validate the whole document and write it onto the row (nothing written on error)."""
    check_object(document, _TOP_LEVEL, "")
    profile = check_object(
        document.get("business_profile") or {}, _PROFILE_KEYS, "business_profile"
    )
    branding = check_object(document.get("branding") or {}, _BRANDING_KEYS, "branding")
    login_page = check_object(document.get("login_page") or {}, {"enabled"}, "login_page")
    embed = check_object(document.get("embed") or {}, {"allowed_origins"}, "embed")
    frame_origins = _origins(embed.get("allowed_origins") or [], "embed[allowed_origins]")
    metadata = _metadata(document.get("metadata"))
    columns = {**_profile_columns(document, profile), **_branding_columns(branding)}
    name = _optional_text(document.get("name"), "name", 256) or None
    active = _bool(document.get("active", True), "active")
    login_enabled = _bool(login_page.get("enabled", False), "login_page[enabled]")
    features = _features(document.get("features") or {})
    _check_features(features, facts)
    if config.is_default and not active:
        raise ConfigurationError(Text("The default configuration cannot be deactivated."), "active")

    for column, value in columns.items():
        setattr(config, column, value)
    config.name = name
    config.active = active
    config.features = features.model_dump(mode="json")
    config.stripe_metadata = {k: v for k, v in metadata.items() if v != ""}
    config.login_page_enabled = login_enabled
    config.frame_origins = frame_origins
    if login_enabled and config.login_page_token is None:
        config.login_page_token = secrets.token_urlsafe(24)


def parse_origin(raw: str) -> str | None:
    """`https://app.example.com[:port]` normalised (lower case, no trailing slash), else None.

    The grammar is strict: scheme http or https, a DNS host name, IPv4 or [IPv6] address, an
    optional port from 1 to 65535, at most a trailing slash; no user, path, query, quote or
    wildcard.
    """
    match = _ORIGIN.match(raw)
    if match is None:
        return None
    host = match["host"].lower()
    if host.startswith("["):
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            return None
    elif len(host) > 253 or not all(_LABEL.match(label) for label in host.split(".")):
        return None
    port = match["port"]
    if port is not None and not 1 <= int(port) <= 65535:
        return None
    scheme = match["scheme"].lower()
    # A browser's Origin leaves out the scheme's default port; so does the stored origin.
    shown_port = port is not None and int(port) != {"http": 80, "https": 443}[scheme]
    return f"{scheme}://{host}" + (f":{int(port)}" if shown_port else "")


def _origins(value: Any, param: str) -> list[str]:
    """Web origins (`https://app.example.com[:port]`), normalised, at most ten."""
    if isinstance(value, str):
        value = [part for part in value.replace(",", " ").split() if part]
    if not isinstance(value, list) or len(value) > MAX_FRAME_ORIGINS:
        raise ConfigurationError(
            Text("List at most {maximum} origins.", maximum=MAX_FRAME_ORIGINS), param
        )
    origins: list[str] = []
    for index, raw in enumerate(value):
        origin = parse_origin(raw.strip()) if isinstance(raw, str) else None
        if origin is None:
            port = _ORIGIN.match(raw.strip()) if isinstance(raw, str) else None
            if port is not None and port["port"] is not None:
                raise ConfigurationError(
                    Text(
                        "{origin} has port {port}: a port is a number from 1 to 65535.",
                        origin=repr(str(raw)[:80]),
                        port=port["port"],
                    ),
                    f"{param}[{index}]",
                )
            raise ConfigurationError(
                Text(
                    "{origin} is not an origin: write it as https://app.example.com "
                    "(a scheme, a host and an optional port, no path).",
                    origin=repr(str(raw)[:80]),
                ),
                f"{param}[{index}]",
            )
        if origin not in origins:
            origins.append(origin)
    return origins


def products_of(document: Mapping[str, Any]) -> Any:
    return ((document.get("features") or {}).get("subscription_update") or {}).get("products")


def keep_product_settings(before: Mapping[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    """A product listed again without `adjustable_quantity` keeps the one it had: the
    dashboard's form edits products and prices only, and must not reset what the API set."""
    old = {
        entry.get("product"): entry
        for entry in products_of(before) or []
        if isinstance(entry, Mapping)
    }
    products = products_of(document)
    if not isinstance(products, list):
        return document
    kept = [
        {**entry, "adjustable_quantity": old[entry.get("product")]["adjustable_quantity"]}
        if isinstance(entry, Mapping)
        and "adjustable_quantity" not in entry
        and entry.get("product") in old
        and "adjustable_quantity" in old[entry.get("product")]
        else entry
        for entry in products
    ]
    update = dict(document["features"]["subscription_update"])
    update["products"] = kept
    return {**document, "features": {**document["features"], "subscription_update": update}}
