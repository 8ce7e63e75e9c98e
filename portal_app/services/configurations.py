"""Portal configurations: create, update, read, list, the default, the login link.

Input arrives as nested mappings in the shape of Stripe's parameters (the API's parsed form
body, or the dashboard's form), is merged into the stored document and validated as a whole,
so the same rules apply whichever way a merchant edits. Errors name the offending parameter
in Stripe's bracket syntax (`features[subscription_update][products]`).
"""

import ipaddress
import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlmodel import Session, col, select

from portal_app.i18n.catalog import gettext
from portal_app.i18n.text import Plural, Text
from portal_app.models.configuration import ConfigurationFeatures, PortalConfiguration
from portal_app.models.mirror_catalog import MirrorPrice
from portal_app.services.branding import FONT_STACKS, SHAPE_RADII, contrast_ratio
from portal_app.services.stripe_params import ErrorCode, ParamError
from portal_app.services.text_rules import CONTROL_CHARACTERS, has_control_characters
from portal_app.settings import get_settings

MAX_PRODUCTS = 10
MAX_HEADLINE = 60
MAX_BUSINESS_NAME = 100
MAX_URL = 2000
WEB_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
MIN_BUTTON_CONTRAST = 4.5
HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
FONTS = tuple(FONT_STACKS)
SHAPES = tuple(SHAPE_RADII)
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


class ConfigurationError(ParamError):
    """A refused change; `param` names the field in Stripe's bracket syntax, `code` is Stripe's.

    `message` is the English text the merchant API answers with; the dashboard shows the
    error's `Text` (its first argument) in the merchant's language with `user_message`.
    """

    def __init__(
        self,
        message: Text | str,
        param: str | None = None,
        *,
        code: ErrorCode = "parameter_invalid",
    ) -> None:
        super().__init__(message, param, code=code)


def unknown_parameter(param: str) -> ConfigurationError:
    """Stripe's refusal of a parameter it does not know (`parameter_unknown`)."""
    return ConfigurationError(
        Text("Received unknown parameter: {param}", param=param), param, code="parameter_unknown"
    )


@dataclass(frozen=True)
class PriceFacts:
    """What the one-price-per-interval rule needs to know about a price."""

    product: str
    interval: str
    interval_count: int
    currency: str


PriceLookup = Callable[[Session, Sequence[str]], Mapping[str, PriceFacts]]


def mirror_price_facts(session: Session, price_ids: Sequence[str]) -> dict[str, PriceFacts]:
    """Interval and currency of the recurring, live prices among `price_ids`, from the mirror."""
    statement = select(MirrorPrice).where(
        col(MirrorPrice.id).in_(list(price_ids)), col(MirrorPrice.deleted).is_(False)
    )
    return {
        price.id: PriceFacts(
            product=price.product,
            interval=price.recurring_interval,
            interval_count=price.recurring_interval_count or 1,
            currency=price.currency,
        )
        for price in session.exec(statement)
        if price.recurring_interval
    }


class BusinessProfile(BaseModel):
    headline: str | None = None
    privacy_policy_url: str | None = None
    terms_of_service_url: str | None = None


class Branding(BaseModel):
    """Portal extension: how the portal looks."""

    logo_url: str = ""
    icon_url: str = ""
    background_color: str = "#ffffff"
    button_color: str = "#0f62fe"
    font: str = "system"
    shape: str = "rounded"


class LoginPage(BaseModel):
    enabled: bool = False
    url: str | None = None


class Embed(BaseModel):
    """Portal extension: the merchant's app origins allowed to show the portal in an iframe."""

    allowed_origins: list[str] = []


class ConfigurationView(BaseModel):
    """The typed view of one configuration that services, the API and the dashboard share."""

    id: str
    is_default: bool
    active: bool
    name: str | None
    business_name: str
    business_profile: BusinessProfile
    default_return_url: str | None
    features: ConfigurationFeatures
    branding: Branding
    login_page: LoginPage
    embed: Embed = Embed()
    metadata: dict[str, str]
    livemode: bool = False
    created: int
    updated: int


def unix_seconds(moment: datetime) -> int:
    """A stored moment as Stripe's Unix seconds (naive values are UTC)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return int(aware.timestamp())


def login_url(token: str) -> str:
    """The no-code login link customers open."""
    return f"{get_settings().public_url.rstrip('/')}/login/{token}"


def view_of(config: PortalConfiguration) -> ConfigurationView:
    """The typed view of a stored configuration."""
    enabled = config.login_page_enabled and config.login_page_token is not None
    return ConfigurationView(
        id=config.id,
        is_default=config.is_default,
        active=config.active,
        name=config.name,
        business_name=config.business_name,
        business_profile=BusinessProfile(
            headline=config.headline or None,
            privacy_policy_url=config.privacy_policy_url or None,
            terms_of_service_url=config.terms_of_service_url or None,
        ),
        default_return_url=config.default_return_url or None,
        features=config.feature_settings,
        branding=Branding(
            logo_url=config.logo_url,
            icon_url=config.icon_url,
            background_color=config.background_color,
            button_color=config.button_color,
            font=config.font,
            shape=config.shape,
        ),
        login_page=LoginPage(
            enabled=enabled,
            url=login_url(config.login_page_token) if enabled and config.login_page_token else None,
        ),
        embed=Embed(allowed_origins=list(config.frame_origins or [])),
        metadata=dict(config.stripe_metadata or {}),
        created=unix_seconds(config.created),
        updated=unix_seconds(config.updated),
    )


def button_contrast_warning(button_color: str, locale: str = "en") -> str | None:
    """A warning (in `locale`) when white button text would be hard to read on this colour."""
    if not HEX_COLOUR.match(button_color or ""):
        return None
    ratio = contrast_ratio(button_color, "#ffffff")
    if ratio >= MIN_BUTTON_CONTRAST:
        return None
    return gettext(
        "White text on {colour} has a contrast ratio of {ratio}:1; choose a darker colour "
        "(at least {minimum}:1) so every customer can read the buttons.",
        locale=locale,
        colour=button_color.lower(),
        ratio=f"{ratio:.1f}",
        minimum=MIN_BUTTON_CONTRAST,
    )


def _document(config: PortalConfiguration) -> dict[str, Any]:
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


def _merge(base: dict[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """Stripe's update semantics: nested objects (and metadata keys) merge, the rest replaces."""
    merged = dict(base)
    for key, value in changes.items():
        if key == "metadata" and value == "":
            merged[key] = {}
        elif isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(dict(merged[key]), value)
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


def _param_of(loc: Sequence[Any], root: str) -> str:
    parts = [str(part) for part in loc]
    return root + "".join(f"[{part}]" for part in parts)


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


def _optional_url(value: Any, param: str) -> str:
    url = _optional_text(value, param, MAX_URL)
    if url and not WEB_URL.match(url):
        raise ConfigurationError(
            Text("Enter a full web address starting with http:// or https://."), param
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
            raise unknown_parameter(f"{param}[{key}]" if param else str(key))
    return value


def _features(value: Any) -> ConfigurationFeatures:
    try:
        return ConfigurationFeatures.model_validate(_unset_empty(value))
    except ValidationError as exc:
        first = exc.errors()[0]
        param = _param_of(first["loc"], "features")
        if first["type"] == "extra_forbidden":
            raise unknown_parameter(param) from exc
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


def _apply(
    config: PortalConfiguration,
    document: Mapping[str, Any],
    *,
    facts: Mapping[str, PriceFacts] | None,
) -> None:
    """Validate the whole document and write it onto the row (nothing written on error)."""
    check_object(document, _TOP_LEVEL, "")
    profile = check_object(
        document.get("business_profile") or {},
        {"headline", "privacy_policy_url", "terms_of_service_url"},
        "business_profile",
    )
    branding = check_object(
        document.get("branding") or {},
        {"logo_url", "icon_url", "background_color", "button_color", "font", "shape"},
        "branding",
    )
    login_page = check_object(document.get("login_page") or {}, {"enabled"}, "login_page")
    embed = check_object(document.get("embed") or {}, {"allowed_origins"}, "embed")
    frame_origins = _origins(embed.get("allowed_origins") or [], "embed[allowed_origins]")
    metadata = document.get("metadata") or {}
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

    business_name = _optional_text(
        document.get("business_name"), "business_name", MAX_BUSINESS_NAME
    )
    if not business_name:
        raise ConfigurationError(
            Text("Enter the business name customers will see."),
            "business_name",
            code="parameter_missing",
        )
    headline = _optional_text(profile.get("headline"), "business_profile[headline]", MAX_HEADLINE)
    terms = _optional_url(
        profile.get("terms_of_service_url"), "business_profile[terms_of_service_url]"
    )
    privacy = _optional_url(
        profile.get("privacy_policy_url"), "business_profile[privacy_policy_url]"
    )
    return_url = _optional_url(document.get("default_return_url"), "default_return_url")
    logo_url = _optional_url(branding.get("logo_url"), "branding[logo_url]")
    icon_url = _optional_url(branding.get("icon_url"), "branding[icon_url]")
    background = _colour(branding.get("background_color", "#ffffff"), "branding[background_color]")
    button = _colour(branding.get("button_color", "#0f62fe"), "branding[button_color]")
    font = branding.get("font", "system")
    if font not in FONTS:
        raise ConfigurationError(
            Text("Choose a font from: {fonts}.", fonts=", ".join(FONTS)), "branding[font]"
        )
    shape = branding.get("shape", "rounded")
    if shape not in SHAPES:
        raise ConfigurationError(
            Text("Choose a shape from: {shapes}.", shapes=", ".join(SHAPES)), "branding[shape]"
        )
    name = _optional_text(document.get("name"), "name", 256) or None
    active = _bool(document.get("active", True), "active")
    login_enabled = _bool(login_page.get("enabled", False), "login_page[enabled]")
    features = _features(document.get("features") or {})
    _check_features(features, facts)
    if config.is_default and not active:
        raise ConfigurationError(Text("The default configuration cannot be deactivated."), "active")

    config.name = name
    config.active = active
    config.business_name = business_name
    config.headline = headline
    config.terms_of_service_url = terms
    config.privacy_policy_url = privacy
    config.default_return_url = return_url
    config.logo_url, config.icon_url = logo_url, icon_url
    config.background_color, config.button_color = background, button
    config.font, config.shape = font, shape
    config.features = features.model_dump(mode="json")
    config.stripe_metadata = {k: v for k, v in metadata.items() if v != ""}
    config.login_page_enabled = login_enabled
    config.frame_origins = frame_origins
    if login_enabled and config.login_page_token is None:
        config.login_page_token = secrets.token_urlsafe(24)


MAX_FRAME_ORIGINS = 10


_ORIGIN = re.compile(
    r"^(?P<scheme>https?)://(?P<host>[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::(?P<port>[0-9]{1,5}))?/?$",
    re.IGNORECASE,
)
_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", re.IGNORECASE)


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


def _products_of(document: Mapping[str, Any]) -> Any:
    return ((document.get("features") or {}).get("subscription_update") or {}).get("products")


def _keep_product_settings(before: Mapping[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    """A product listed again without `adjustable_quantity` keeps the one it had: the
    dashboard's form edits products and prices only, and must not reset what the API set."""
    old = {
        entry.get("product"): entry
        for entry in _products_of(before) or []
        if isinstance(entry, Mapping)
    }
    products = _products_of(document)
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


def _facts_for(
    session: Session, document: Mapping[str, Any], price_lookup: PriceLookup | None
) -> Mapping[str, PriceFacts] | None:
    if price_lookup is None:
        return None
    products = ((document.get("features") or {}).get("subscription_update") or {}).get(
        "products"
    ) or []
    ids = [
        price
        for entry in products
        if isinstance(entry, Mapping)
        for price in entry.get("prices") or []
        if isinstance(price, str)
    ]
    return price_lookup(session, ids) if ids else {}


def default_configuration(*, session: Session) -> PortalConfiguration | None:
    """The configuration portal sessions use when none is named."""
    statement = select(PortalConfiguration).where(col(PortalConfiguration.is_default).is_(True))
    return session.exec(statement).first()


def create_configuration(
    *,
    session: Session,
    fields: Mapping[str, Any],
    price_lookup: PriceLookup | None = mirror_price_facts,
    now: datetime | None = None,
) -> ConfigurationView:
    """A new configuration; the first one becomes the default.

    Without `business_name` the default configuration's is used, so a plain Stripe client
    (which knows nothing of the portal's branding) can still create configurations.
    """
    now = now or datetime.now(UTC)
    current_default = default_configuration(session=session)
    document: dict[str, Any] = {"features": {}}
    if current_default is not None:
        document["business_name"] = current_default.business_name
    document = _merge(document, fields)
    config = PortalConfiguration(
        business_name="", is_default=current_default is None, created=now, updated=now
    )
    _apply(config, document, facts=_facts_for(session, document, price_lookup))
    session.add(config)
    session.flush()
    return view_of(config)


def update_configuration(
    *,
    session: Session,
    configuration_id: str,
    fields: Mapping[str, Any],
    price_lookup: PriceLookup | None = mirror_price_facts,
    now: datetime | None = None,
) -> ConfigurationView:
    """Apply a partial update (nested objects merge, as in Stripe's API)."""
    config = get_configuration_row(session=session, configuration_id=configuration_id)
    before = _document(config)
    document = _keep_product_settings(before, _merge(before, fields))
    # Only a changed product list is re-checked: an archived price must not block other edits.
    products_changed = _products_of(document) != _products_of(before)
    facts = _facts_for(session, document, price_lookup) if products_changed else None
    _apply(config, document, facts=facts)
    config.updated = now or datetime.now(UTC)
    session.add(config)
    session.flush()
    return view_of(config)


def get_configuration_row(*, session: Session, configuration_id: str) -> PortalConfiguration:
    """The stored configuration, or ConfigurationError naming `configuration`."""
    config = session.get(PortalConfiguration, configuration_id) if configuration_id else None
    if config is None:
        raise ConfigurationError(
            Text("No such configuration: '{configuration}'", configuration=configuration_id),
            "configuration",
            code="resource_missing",
        )
    return config


def get_configuration(*, session: Session, configuration_id: str) -> ConfigurationView:
    """The typed view of one configuration."""
    return view_of(get_configuration_row(session=session, configuration_id=configuration_id))


def list_configurations(
    *,
    session: Session,
    limit: int = 10,
    starting_after: str | None = None,
    ending_before: str | None = None,
    is_default: bool | None = None,
    active: bool | None = None,
) -> tuple[list[ConfigurationView], bool]:
    """A page of configurations, newest first, and whether more follow (Stripe's cursors)."""
    statement = select(PortalConfiguration)
    if is_default is not None:
        statement = statement.where(col(PortalConfiguration.is_default).is_(is_default))
    if active is not None:
        statement = statement.where(col(PortalConfiguration.active).is_(active))
    created, ident = col(PortalConfiguration.created), col(PortalConfiguration.id)
    if starting_after:
        anchor = get_configuration_row(session=session, configuration_id=starting_after)
        statement = statement.where(
            (created < anchor.created) | ((created == anchor.created) & (ident < anchor.id))
        )
    elif ending_before:
        anchor = get_configuration_row(session=session, configuration_id=ending_before)
        statement = statement.where(
            (created > anchor.created) | ((created == anchor.created) & (ident > anchor.id))
        )
        rows = list(session.exec(statement.order_by(created, ident).limit(limit + 1)))
        has_more = len(rows) > limit
        return [view_of(row) for row in reversed(rows[:limit])], has_more
    rows = list(session.exec(statement.order_by(created.desc(), ident.desc()).limit(limit + 1)))
    return [view_of(row) for row in rows[:limit]], len(rows) > limit


def make_default(
    *, session: Session, configuration_id: str, now: datetime | None = None
) -> ConfigurationView:
    """Make this active configuration the default; the previous default stops being one."""
    config = get_configuration_row(session=session, configuration_id=configuration_id)
    if not config.active:
        raise ConfigurationError(
            Text("Activate the configuration before making it the default."), "active"
        )
    for other in session.exec(
        select(PortalConfiguration).where(col(PortalConfiguration.is_default).is_(True))
    ):
        if other.id != config.id:
            other.is_default = False
            session.add(other)
    session.flush()
    config.is_default = True
    config.updated = now or datetime.now(UTC)
    session.add(config)
    session.flush()
    return view_of(config)


def set_login_link(*, session: Session, enabled: bool) -> ConfigurationView:
    """Turn the default configuration's no-code login link on or off (takes effect at once)."""
    config = default_configuration(session=session)
    if config is None:
        raise ConfigurationError(Text("Create a portal configuration first."), "configuration")
    return update_configuration(
        session=session, configuration_id=config.id, fields={"login_page": {"enabled": enabled}}
    )


def configuration_for_login_token(*, session: Session, token: str) -> PortalConfiguration | None:
    """The active configuration whose enabled login link carries this token, else None."""
    if not token or len(token) > 128:
        return None
    config = session.exec(
        select(PortalConfiguration).where(PortalConfiguration.login_page_token == token)
    ).first()
    if config is None or not config.active or not config.login_page_enabled:
        return None
    return config
