"""The configuration edit form: flat form fields to Stripe's nested parameters and back."""

import re
from dataclasses import dataclass, field
from typing import Any

from portal_app.i18n.catalog import N_
from portal_app.i18n.text import Text
from portal_app.models.configuration import ALL_CANCELLATION_REASONS, ConfigurationFeatures
from portal_app.services.configuration_document import ConfigurationError
from portal_app.services.configuration_views import (
    Branding,
    BusinessProfile,
    ConfigurationView,
    LoginPage,
)

CUSTOMER_FIELDS = ("name", "email", "address", "phone", "shipping", "tax_id")
ALLOWED_UPDATES = ("price", "quantity", "promotion_code")
SCHEDULE_CONDITIONS = ("decreasing_item_amount", "shortening_interval")
_PRODUCT_LINE = re.compile(r"^\s*([A-Za-z0-9_]+)\s*:\s*(.+?)\s*$")


class FormInputError(ValueError):
    """A form field that cannot be read; `field` names it, the message is a `Text`."""

    def __init__(self, field_name: str, message: Text) -> None:
        super().__init__(message)
        self.field = field_name


@dataclass
class ConfigurationForm:
    """Every editable option as the form shows it (plain strings and booleans)."""

    name: str = ""
    business_name: str = ""
    headline: str = ""
    privacy_policy_url: str = ""
    terms_of_service_url: str = ""
    default_return_url: str = ""
    active: bool = True
    customer_update_enabled: bool = True
    customer_fields: dict[str, bool] = field(default_factory=dict)
    payment_method_update_enabled: bool = True
    invoice_history_enabled: bool = True
    cancel_enabled: bool = True
    cancel_mode: str = "at_period_end"
    cancel_proration: str = "none"
    reasons_enabled: bool = True
    reasons: dict[str, bool] = field(default_factory=dict)
    retention_enabled: bool = False
    retention_coupon: str = ""
    update_enabled: bool = False
    allowed_updates: dict[str, bool] = field(default_factory=dict)
    update_proration: str = "none"
    schedule_conditions: dict[str, bool] = field(default_factory=dict)
    trial_update_behavior: str = "end_trial"
    quantity_minimum: str = "1"
    quantity_maximum: str = ""
    products: str = ""


def form_of(view: ConfigurationView) -> ConfigurationForm:
    """The form filled from a stored configuration."""
    features = view.features
    update, cancel = features.subscription_update, features.subscription_cancel
    conditions = {c.type for c in update.schedule_at_period_end.conditions}
    return ConfigurationForm(
        name=view.name or "",
        business_name=view.business_name,
        headline=view.business_profile.headline or "",
        privacy_policy_url=view.business_profile.privacy_policy_url or "",
        terms_of_service_url=view.business_profile.terms_of_service_url or "",
        default_return_url=view.default_return_url or "",
        active=view.active,
        customer_update_enabled=features.customer_update.enabled,
        customer_fields={
            name: name in features.customer_update.allowed_updates for name in CUSTOMER_FIELDS
        },
        payment_method_update_enabled=features.payment_method_update.enabled,
        invoice_history_enabled=features.invoice_history.enabled,
        cancel_enabled=cancel.enabled,
        cancel_mode=cancel.mode,
        cancel_proration=cancel.proration_behavior,
        reasons_enabled=cancel.cancellation_reason.enabled,
        reasons={r: r in cancel.cancellation_reason.options for r in ALL_CANCELLATION_REASONS},
        retention_enabled=cancel.retention.enabled,
        retention_coupon=cancel.retention.coupon or "",
        update_enabled=update.enabled,
        allowed_updates={u: u in update.default_allowed_updates for u in ALLOWED_UPDATES},
        update_proration=update.proration_behavior,
        schedule_conditions={c: c in conditions for c in SCHEDULE_CONDITIONS},
        trial_update_behavior=update.trial_update_behavior,
        quantity_minimum=str(update.quantity.minimum),
        quantity_maximum="" if update.quantity.maximum is None else str(update.quantity.maximum),
        products="\n".join(f"{p.product}: {', '.join(p.prices)}" for p in update.products),
    )


def new_form() -> ConfigurationForm:
    """The form for a new configuration: Stripe's defaults."""
    blank = ConfigurationView(
        id="",
        is_default=False,
        active=True,
        name=None,
        business_name="",
        business_profile=BusinessProfile(),
        default_return_url=None,
        features=ConfigurationFeatures(),
        branding=Branding(),
        login_page=LoginPage(),
        metadata={},
        created=0,
        updated=0,
    )
    return form_of(blank)


def _text(data: dict[str, Any], name: str, limit: int = 2000) -> str:
    value = data.get(name, "")
    if not isinstance(value, str):
        raise FormInputError(name, Text("This field must be text."))
    return value.strip()[:limit]


def _checked(data: dict[str, Any], name: str) -> bool:
    # An HTML checkbox submits "on" when ticked and nothing otherwise.
    return data.get(name) == "on"


def _int_or_none(data: dict[str, Any], name: str) -> int | None:
    raw = _text(data, name, 12)
    if raw == "":
        return None
    if not raw.isdigit():
        raise FormInputError(name, Text("Enter a whole number."))
    return int(raw)


def _products(text: str) -> list[dict[str, Any]]:
    products = []
    for line in text.splitlines()[:20]:
        if not line.strip():
            continue
        match = _PRODUCT_LINE.match(line)
        if match is None:
            raise FormInputError(
                "products", Text("Write one product per line as prod_…: price_…, price_…")
            )
        prices = [p.strip() for p in match.group(2).split(",") if p.strip()]
        products.append({"product": match.group(1), "prices": prices})
    return products


def fields_from_form(data: dict[str, Any]) -> dict[str, Any]:
    """Stripe's nested parameters for a submitted form (every value re-checked by services)."""
    return {
        "name": _text(data, "name", 256),
        "business_name": _text(data, "business_name", 200),
        "active": _checked(data, "active"),
        "default_return_url": _text(data, "default_return_url"),
        "business_profile": {
            "headline": _text(data, "headline", 200),
            "privacy_policy_url": _text(data, "privacy_policy_url"),
            "terms_of_service_url": _text(data, "terms_of_service_url"),
        },
        "features": {
            "customer_update": {
                "enabled": _checked(data, "customer_update_enabled"),
                "allowed_updates": [f for f in CUSTOMER_FIELDS if _checked(data, f"customer_{f}")],
            },
            "payment_method_update": {"enabled": _checked(data, "payment_method_update_enabled")},
            "invoice_history": {"enabled": _checked(data, "invoice_history_enabled")},
            "subscription_cancel": {
                "enabled": _checked(data, "cancel_enabled"),
                "mode": _text(data, "cancel_mode", 40),
                "proration_behavior": _text(data, "cancel_proration", 40),
                "cancellation_reason": {
                    "enabled": _checked(data, "reasons_enabled"),
                    "options": [
                        r for r in ALL_CANCELLATION_REASONS if _checked(data, f"reason_{r}")
                    ],
                },
                "retention": {
                    "enabled": _checked(data, "retention_enabled"),
                    "coupon": _text(data, "retention_coupon", 255) or None,
                },
            },
            "subscription_update": {
                "enabled": _checked(data, "update_enabled"),
                "default_allowed_updates": [
                    u for u in ALLOWED_UPDATES if _checked(data, f"allowed_{u}")
                ],
                "proration_behavior": _text(data, "update_proration", 40),
                "schedule_at_period_end": {
                    "conditions": [
                        {"type": c} for c in SCHEDULE_CONDITIONS if _checked(data, f"schedule_{c}")
                    ]
                },
                "trial_update_behavior": _text(data, "trial_update_behavior", 40),
                "quantity": {
                    "minimum": _int_or_none(data, "quantity_minimum") or 1,
                    "maximum": _int_or_none(data, "quantity_maximum"),
                },
                "products": _products(_text(data, "products", 5000)),
            },
        },
    }


def field_for_param(param: str | None) -> str:
    """The form field that shows a service error about `param`."""
    if not param:
        return "form"
    table = [
        ("business_profile[headline]", "headline"),
        ("business_profile[privacy_policy_url]", "privacy_policy_url"),
        ("business_profile[terms_of_service_url]", "terms_of_service_url"),
        ("features[subscription_update][products]", "products"),
        ("features[subscription_update][default_allowed_updates]", "allowed_updates"),
        ("features[subscription_update][quantity]", "quantity"),
        ("features[subscription_cancel][cancellation_reason]", "reasons"),
        ("features[subscription_cancel][retention]", "retention_coupon"),
        ("features[customer_update]", "customer_update"),
        ("features", "form"),
    ]
    for prefix, name in table:
        if param.startswith(prefix):
            return name
    return param if param.isidentifier() else "form"


# The API's English names a parameter in bracket syntax ("business_profile[headline] must
# be..."): right for a developer, not for the dashboard, which words it for the field.
_FIELD_MESSAGES = {
    "string_too_long": N_("Use at most {maximum} characters."),
    "invalid_string": N_("Enter text here."),
    "url_invalid": N_("Enter a full web address starting with http:// or https://."),
    "id_prefix": N_("Enter an ID starting with {prefix}."),
    "invalid_choice": N_("Choose one of: {choices}."),
}
_INVALID_VALUE = N_("This value is not accepted. Check it and try again.")


def field_error(exc: ConfigurationError) -> tuple[str, Text]:
    """(form field, message for a person) for a refused configuration change.

    Decided on the error's `param` and `code` (the typed `ParamError` carries one; a
    `maximum`, `prefix` or `choices` in the message's values says which rule refused it),
    never on its English wording."""
    field_name = field_for_param(exc.param)
    message = exc.args[0] if exc.args else None
    values = message.values if isinstance(message, Text) else {}
    if isinstance(message, Text) and "param" not in values and "detail" not in values:
        return field_name, message
    # `parameter_invalid` is the generic code: the rule's own value says which rule refused.
    code: str | None = None if exc.code == "parameter_invalid" else exc.code
    if code is None and "maximum" in values:
        code = "string_too_long"
    if code is None and "prefix" in values:
        code = "id_prefix"
    if code is None and "choices" in values:
        code = "invalid_choice"
    msgid = _FIELD_MESSAGES.get(code or "", _INVALID_VALUE)
    return field_name, Text(
        msgid,
        maximum=values.get("maximum", ""),
        prefix=values.get("prefix", ""),
        choices=values.get("choices", ""),
    )


def field_errors(exc: ConfigurationError, locale: str) -> dict[str, str]:
    """The dashboard form's error dict for a refused change, in the merchant's language."""
    field_name, message = field_error(exc)
    return {field_name: message.render(locale)}
