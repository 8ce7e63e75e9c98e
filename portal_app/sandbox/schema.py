"""Stripe's request parameters, read from the pinned SDK's generated `TypedDict`s.

Every sandbox route names the SDK's params class for it (`CustomerCreateParams`, ...); the
class's annotations say which names exist, which are required, their types and enum values,
and whether `""` may unset them (`Literal['']`). Upgrading the `stripe` pin upgrades these
checks: nothing here lists a parameter by hand except the sandbox-only routes.
"""

import re
import sys
import types
import typing
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any, ForwardRef

import stripe.params
import stripe.params.test_helpers
import typing_extensions
from stripe._request_options import RequestOptions
from stripe._stripe_object import UntypedStripeObject

from portal_app.sandbox.account import DEFAULTS as ACCOUNT_DEFAULTS
from portal_app.sandbox.errors import ApiError, invalid_request
from portal_app.sandbox.faults import MODES as FAULT_MODES

_REQUEST_OPTIONS = frozenset(RequestOptions.__annotations__)


@dataclass(eq=False)
class Param:
    """One parameter's shape: a scalar kind, an enum, a hash with fields, a list or a union."""

    kind: str  # str, int, decimal, bool, enum, object, map, list, union, any
    unsettable: bool = False
    values: tuple[str, ...] = ()
    fields: dict[str, tuple[bool, "Param"]] = field(default_factory=dict)
    item: "Param | None" = None
    options: tuple["Param", ...] = ()


def _namespace(cls: type) -> dict[str, Any]:
    return {**vars(typing_extensions), **vars(sys.modules[cls.__module__])}


def _evaluate(annotation: Any, namespace: dict[str, Any]) -> Any:
    if isinstance(annotation, str):
        return eval(annotation, namespace)  # noqa: S307 - the SDK's own annotation text
    if isinstance(annotation, ForwardRef):
        return eval(annotation.__forward_arg__, namespace)  # noqa: S307
    return annotation


_CACHE: dict[type, Param] = {}


def _typed_dict(cls: type) -> Param:
    if cls in _CACHE:
        return _CACHE[cls]
    node = Param("object")
    _CACHE[cls] = node  # before the fields, so a recursive class ends
    namespace = _namespace(cls)
    from_options = RequestOptions in getattr(cls, "__orig_bases__", ())
    for name, annotation in cls.__annotations__.items():
        if from_options and name in _REQUEST_OPTIONS:
            continue
        resolved = _evaluate(annotation, namespace)
        origin = typing_extensions.get_origin(resolved)
        required = True
        if origin in (typing_extensions.NotRequired, typing.NotRequired):
            required = False
            resolved = typing_extensions.get_args(resolved)[0]
        elif origin in (typing_extensions.Required, typing.Required):
            resolved = typing_extensions.get_args(resolved)[0]
        node.fields[name] = (required, _node(resolved, namespace))
    return node


def _node(annotation: Any, namespace: dict[str, Any]) -> Param:
    resolved = _evaluate(annotation, namespace)
    origin = typing_extensions.get_origin(resolved)
    args = typing_extensions.get_args(resolved)
    if origin in (typing.Union, types.UnionType):
        unsettable = False
        enum: list[str] = []
        others: list[Param] = []
        for arg in args:
            arg = _evaluate(arg, namespace)
            if arg is type(None):
                continue
            if typing_extensions.get_origin(arg) is typing_extensions.Literal or (
                typing_extensions.get_origin(arg) is typing.Literal
            ):
                values = typing_extensions.get_args(arg)
                if values == ("",):
                    unsettable = True
                    continue
                enum += [_literal(v) for v in values]
                continue
            others.append(_node(arg, namespace))
        if enum:
            # The SDK widens enums with `|str` so newer values still type-check; the API
            # itself refuses values outside the enum.
            others = [o for o in others if o.kind != "str"]
            others.append(Param("enum", values=tuple(enum)))
        if len(others) == 1:
            single = others[0]
            if unsettable:
                single = Param(**{**single.__dict__, "unsettable": True})
            return single
        return Param("union", unsettable=unsettable, options=tuple(others))
    if origin in (typing.Literal, typing_extensions.Literal):
        return Param("enum", values=tuple(_literal(v) for v in args))
    if origin in (list, typing.List):  # noqa: UP006
        return Param("list", item=_node(args[0], namespace))
    if origin in (dict, typing.Dict) or resolved is dict:  # noqa: UP006
        return Param("map")
    if origin is UntypedStripeObject or resolved is UntypedStripeObject:
        return Param("map")
    if isinstance(resolved, type) and typing_extensions.is_typeddict(resolved):
        return _typed_dict(resolved)
    scalar = {str: "str", int: "int", float: "decimal", Decimal: "decimal", bool: "bool"}
    if resolved in scalar:
        return Param(scalar[resolved])
    return Param("any")


def _literal(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


@cache
def params_of(class_name: str) -> Param:
    """The parameter tree of one SDK params class (`stripe.params.X` or its test helpers)."""
    cls = getattr(stripe.params, class_name, None) or getattr(
        stripe.params.test_helpers, class_name
    )
    return _typed_dict(cls)


# --- checking a decoded request -------------------------------------------------------------

_INTEGER = re.compile(r"^-?\d+$")
_DECIMAL = re.compile(r"^-?(\d+\.?\d*|\.\d+)$")


def _sub(name: str, key: str | int) -> str:
    return f"{name}[{key}]" if name else str(key)


def _empty(name: str) -> ApiError:
    return invalid_request(
        f"You passed an empty string for '{name}'. We assume empty values are an attempt to "
        f"unset a parameter; however '{name}' cannot be unset. You should remove '{name}' from "
        "your request or supply a non-empty value.",
        param=name,
        code="parameter_invalid_empty",
    )


def check(node: Param, value: Any, name: str = "") -> None:
    """Raise Stripe's 400 for the first thing in `value` that `node` does not allow."""
    if isinstance(value, str) and value == "" and node.kind not in ("any",):
        if node.unsettable:
            return
        raise _empty(name)
    kind = node.kind
    if kind == "any":
        return
    if kind == "union":
        errors: list[ApiError] = []
        for option in node.options:
            try:
                check(option, value, name)
                return
            except ApiError as error:
                errors.append(error)
        raise errors[-1]
    if kind == "object":
        if not isinstance(value, dict):
            raise invalid_request("Invalid object", param=name)
        for key, child in value.items():
            if key not in node.fields:
                raise invalid_request(
                    f"Received unknown parameter: {_sub(name, key)}",
                    param=_sub(name, key),
                    code="parameter_unknown",
                )
            check(node.fields[key][1], child, _sub(name, key))
        for key, (required, _) in node.fields.items():
            if required and key not in value:
                raise invalid_request(
                    f"Missing required param: {_sub(name, key)}.",
                    param=_sub(name, key),
                    code="parameter_missing",
                )
        return
    if kind == "map":
        if not isinstance(value, dict):
            raise invalid_request("Invalid object", param=name)
        for key, child in value.items():
            if not isinstance(child, str):
                raise invalid_request(f"Invalid string: {_sub(name, key)}", param=_sub(name, key))
        return
    if kind == "list":
        if not isinstance(value, list):
            raise invalid_request("Invalid array", param=name)
        item_node = node.item or Param("any")
        for index, item in enumerate(value):
            check(item_node, item, _sub(name, index))
        return
    _check_scalar(node, value, name)


def _check_scalar(node: Param, value: Any, name: str) -> None:
    if not isinstance(value, str):
        kind = {"str": "string", "enum": "string"}.get(node.kind, node.kind)
        raise invalid_request(f"Invalid {kind}: {name}", param=name)
    if node.kind == "int" and not _INTEGER.match(value):
        raise invalid_request(
            f"Invalid integer: {value}", param=name, code="parameter_invalid_integer"
        )
    if node.kind == "decimal" and not _DECIMAL.match(value):
        raise invalid_request(f"Invalid decimal: {value}", param=name)
    if node.kind == "bool" and value not in ("true", "false"):
        raise invalid_request(f"Invalid boolean: {value}", param=name)
    if node.kind == "enum" and value not in node.values:
        leaf = name.rsplit("[", 1)[-1].rstrip("]")
        choices = list(node.values)
        listed = ", ".join(choices[:-1]) + (f", or {choices[-1]}" if len(choices) > 1 else "")
        raise invalid_request(f"Invalid {leaf}: must be one of {listed or choices[0]}", param=name)


# --- which params class each route takes ----------------------------------------------------


@dataclass(frozen=True)
class RouteSchema:
    """A route's params (an SDK class name or a sandbox-only tree) and what it answers."""

    params: "str | Param"
    object_name: str | None  # the `object` it returns, for `expand` paths
    is_list: bool = False


def _r(params: "str | Param", object_name: str | None, is_list: bool = False) -> RouteSchema:
    return RouteSchema(params, object_name, is_list)


_ID = "/{id}"
STRIPE_ROUTES: dict[tuple[str, str], RouteSchema] = {
    ("POST", "/v1/customers"): _r("CustomerCreateParams", "customer"),
    ("GET", "/v1/customers"): _r("CustomerListParams", "customer", True),
    ("GET", "/v1/customers/search"): _r("CustomerSearchParams", "customer", True),
    ("GET", "/v1/customers" + _ID): _r("CustomerRetrieveParams", "customer"),
    ("POST", "/v1/customers" + _ID): _r("CustomerUpdateParams", "customer"),
    ("DELETE", "/v1/customers" + _ID): _r("CustomerDeleteParams", None),
    ("POST", "/v1/customers/{customer}/tax_ids"): _r("CustomerTaxIdCreateParams", "tax_id"),
    ("GET", "/v1/customers/{customer}/tax_ids"): _r("CustomerTaxIdListParams", "tax_id", True),
    ("GET", "/v1/customers/{customer}/tax_ids/{id}"): _r("CustomerTaxIdRetrieveParams", "tax_id"),
    ("DELETE", "/v1/customers/{customer}/tax_ids/{id}"): _r("CustomerTaxIdDeleteParams", None),
    ("POST", "/v1/products"): _r("ProductCreateParams", "product"),
    ("GET", "/v1/products"): _r("ProductListParams", "product", True),
    ("GET", "/v1/products" + _ID): _r("ProductRetrieveParams", "product"),
    ("POST", "/v1/products" + _ID): _r("ProductUpdateParams", "product"),
    ("DELETE", "/v1/products" + _ID): _r("ProductDeleteParams", None),
    ("POST", "/v1/prices"): _r("PriceCreateParams", "price"),
    ("GET", "/v1/prices"): _r("PriceListParams", "price", True),
    ("GET", "/v1/prices" + _ID): _r("PriceRetrieveParams", "price"),
    ("POST", "/v1/prices" + _ID): _r("PriceUpdateParams", "price"),
    ("POST", "/v1/coupons"): _r("CouponCreateParams", "coupon"),
    ("GET", "/v1/coupons"): _r("CouponListParams", "coupon", True),
    ("GET", "/v1/coupons" + _ID): _r("CouponRetrieveParams", "coupon"),
    ("POST", "/v1/coupons" + _ID): _r("CouponUpdateParams", "coupon"),
    ("DELETE", "/v1/coupons" + _ID): _r("CouponDeleteParams", None),
    ("POST", "/v1/promotion_codes"): _r("PromotionCodeCreateParams", "promotion_code"),
    ("GET", "/v1/promotion_codes"): _r("PromotionCodeListParams", "promotion_code", True),
    ("GET", "/v1/promotion_codes" + _ID): _r("PromotionCodeRetrieveParams", "promotion_code"),
    ("POST", "/v1/promotion_codes" + _ID): _r("PromotionCodeUpdateParams", "promotion_code"),
    ("POST", "/v1/payment_methods"): _r("PaymentMethodCreateParams", "payment_method"),
    ("GET", "/v1/payment_methods"): _r("PaymentMethodListParams", "payment_method", True),
    ("GET", "/v1/payment_methods" + _ID): _r("PaymentMethodRetrieveParams", "payment_method"),
    ("POST", "/v1/payment_methods" + _ID): _r("PaymentMethodUpdateParams", "payment_method"),
    ("POST", "/v1/payment_methods/{id}/attach"): _r("PaymentMethodAttachParams", "payment_method"),
    ("POST", "/v1/payment_methods/{id}/detach"): _r("PaymentMethodDetachParams", "payment_method"),
    ("GET", "/v1/customers/{customer}/payment_methods"): _r(
        "CustomerPaymentMethodListParams", "payment_method", True
    ),
    ("GET", "/v1/customers/{customer}/payment_methods/{id}"): _r(
        "CustomerPaymentMethodRetrieveParams", "payment_method"
    ),
    ("POST", "/v1/setup_intents"): _r("SetupIntentCreateParams", "setup_intent"),
    ("GET", "/v1/setup_intents" + _ID): _r("SetupIntentRetrieveParams", "setup_intent"),
    ("POST", "/v1/setup_intents/{id}/confirm"): _r("SetupIntentConfirmParams", "setup_intent"),
    ("POST", "/v1/setup_intents/{id}/cancel"): _r("SetupIntentCancelParams", "setup_intent"),
    ("GET", "/v1/payment_intents"): _r("PaymentIntentListParams", "payment_intent", True),
    ("GET", "/v1/payment_intents" + _ID): _r("PaymentIntentRetrieveParams", "payment_intent"),
    ("POST", "/v1/subscriptions"): _r("SubscriptionCreateParams", "subscription"),
    ("GET", "/v1/subscriptions"): _r("SubscriptionListParams", "subscription", True),
    ("GET", "/v1/subscriptions" + _ID): _r("SubscriptionRetrieveParams", "subscription"),
    ("POST", "/v1/subscriptions" + _ID): _r("SubscriptionUpdateParams", "subscription"),
    ("DELETE", "/v1/subscriptions" + _ID): _r("SubscriptionCancelParams", "subscription"),
    ("DELETE", "/v1/subscriptions/{id}/discount"): _r("SubscriptionDeleteDiscountParams", None),
    ("POST", "/v1/subscription_schedules"): _r(
        "SubscriptionScheduleCreateParams", "subscription_schedule"
    ),
    ("GET", "/v1/subscription_schedules"): _r(
        "SubscriptionScheduleListParams", "subscription_schedule", True
    ),
    ("GET", "/v1/subscription_schedules" + _ID): _r(
        "SubscriptionScheduleRetrieveParams", "subscription_schedule"
    ),
    ("POST", "/v1/subscription_schedules" + _ID): _r(
        "SubscriptionScheduleUpdateParams", "subscription_schedule"
    ),
    ("POST", "/v1/subscription_schedules/{id}/release"): _r(
        "SubscriptionScheduleReleaseParams", "subscription_schedule"
    ),
    ("POST", "/v1/subscription_schedules/{id}/cancel"): _r(
        "SubscriptionScheduleCancelParams", "subscription_schedule"
    ),
    ("POST", "/v1/invoices/create_preview"): _r("InvoiceCreatePreviewParams", "invoice"),
    ("POST", "/v1/invoices"): _r("InvoiceCreateParams", "invoice"),
    ("GET", "/v1/invoices"): _r("InvoiceListParams", "invoice", True),
    ("GET", "/v1/invoices" + _ID): _r("InvoiceRetrieveParams", "invoice"),
    ("POST", "/v1/invoices" + _ID): _r("InvoiceUpdateParams", "invoice"),
    ("GET", "/v1/invoices/{id}/lines"): _r("InvoiceLineItemListParams", "line_item", True),
    ("POST", "/v1/invoices/{id}/pay"): _r("InvoicePayParams", "invoice"),
    ("POST", "/v1/invoices/{id}/void"): _r("InvoiceVoidInvoiceParams", "invoice"),
    ("POST", "/v1/invoices/{id}/mark_uncollectible"): _r(
        "InvoiceMarkUncollectibleParams", "invoice"
    ),
    ("POST", "/v1/invoices/{id}/finalize"): _r("InvoiceFinalizeInvoiceParams", "invoice"),
    ("POST", "/v1/invoiceitems"): _r("InvoiceItemCreateParams", "invoiceitem"),
    ("GET", "/v1/invoiceitems"): _r("InvoiceItemListParams", "invoiceitem", True),
    ("GET", "/v1/invoiceitems" + _ID): _r("InvoiceItemRetrieveParams", "invoiceitem"),
    ("DELETE", "/v1/invoiceitems" + _ID): _r("InvoiceItemDeleteParams", None),
    ("GET", "/v1/webhook_endpoints"): _r("WebhookEndpointListParams", "webhook_endpoint", True),
    ("GET", "/v1/webhook_endpoints" + _ID): _r("WebhookEndpointRetrieveParams", "webhook_endpoint"),
    ("GET", "/v1/events"): _r("EventListParams", "event", True),
    ("GET", "/v1/events" + _ID): _r("EventRetrieveParams", "event"),
    ("POST", "/v1/test_helpers/test_clocks"): _r(
        "TestClockCreateParams", "test_helpers.test_clock"
    ),
    ("GET", "/v1/test_helpers/test_clocks"): _r(
        "TestClockListParams", "test_helpers.test_clock", True
    ),
    ("GET", "/v1/test_helpers/test_clocks" + _ID): _r(
        "TestClockRetrieveParams", "test_helpers.test_clock"
    ),
    ("DELETE", "/v1/test_helpers/test_clocks" + _ID): _r("TestClockDeleteParams", None),
    ("POST", "/v1/test_helpers/test_clocks/{id}/advance"): _r(
        "TestClockAdvanceParams", "test_helpers.test_clock"
    ),
}

# Routes Stripe does not have: their (small) specs are written here.
_NONE = Param("object")
SANDBOX_ROUTES: dict[tuple[str, str], RouteSchema] = {
    ("GET", "/v1/test_helpers/account"): _r(_NONE, None),
    ("POST", "/v1/test_helpers/account"): _r(
        Param("object", fields={name: (False, Param("str")) for name in ACCOUNT_DEFAULTS}),
        None,
    ),
    ("GET", "/v1/test_helpers/faults"): _r(_NONE, None),
    ("DELETE", "/v1/test_helpers/faults"): _r(_NONE, None),
    ("POST", "/v1/test_helpers/faults"): _r(
        Param(
            "object",
            fields={
                "mode": (True, Param("enum", values=FAULT_MODES)),
                "path_prefix": (False, Param("str")),
                "count": (False, Param("int")),
                "rate": (False, Param("decimal")),
                "delay_ms": (False, Param("int")),
            },
        ),
        None,
    ),
    ("POST", "/v1/test_helpers/deliver_events"): _r(_NONE, None),
}


def route_schema(method: str, template: str) -> RouteSchema | None:
    """The schema of one sandbox route, or None when nobody wrote one (a test forbids that)."""
    return STRIPE_ROUTES.get((method, template)) or SANDBOX_ROUTES.get((method, template))


# Parameters an API version removed with a code of their own rather than `parameter_unknown`
# (Stripe's changelog for 2026-09-30.endive: payment method types on intents).
_PMT_GONE = (
    "payment_method_types_no_longer_supported",
    "`payment_method_types` is no longer supported on this API version. Use dynamic payment "
    "methods, `allowed_payment_method_types` or `excluded_payment_method_types` instead.",
)
REMOVED: dict[tuple[str, str], dict[str, tuple[str, str]]] = {
    ("POST", "/v1/setup_intents"): {"payment_method_types": _PMT_GONE},
    ("POST", "/v1/setup_intents/{id}"): {"payment_method_types": _PMT_GONE},
    ("POST", "/v1/payment_intents"): {"payment_method_types": _PMT_GONE},
    ("POST", "/v1/payment_intents/{id}"): {"payment_method_types": _PMT_GONE},
    ("POST", "/v1/payment_intents/{id}/confirm"): {"payment_method_types": _PMT_GONE},
}


def check_request(method: str, template: str, params: dict[str, Any]) -> None:
    """Stripe's 400 for `params` on this route, before the handler runs."""
    for name, (code, message) in REMOVED.get((method, template), {}).items():
        if name in params:
            raise invalid_request(message, param=name, code=code)
    schema = route_schema(method, template)
    if schema is None:
        raise invalid_request(f"Unrecognized request URL ({method}: {template}).")
    node = params_of(schema.params) if isinstance(schema.params, str) else schema.params
    check(node, params)


@cache
def _browser_confirm() -> Param:
    """SetupIntent confirmation with a client secret, as Stripe.js sends it: the secret-key
    params plus raw card fields, which Stripe takes only from the browser (publishable key)."""
    base = params_of("SetupIntentConfirmParams")
    data = base.fields["payment_method_data"][1]
    card = Param(
        "object",
        fields={
            name: (True, Param("int" if name.startswith("exp_") else "str"))
            for name in ("number", "exp_month", "exp_year", "cvc")
        },
    )
    type_ = data.fields["type"][1]
    browser_data = Param(
        "object",
        fields={
            **data.fields,
            "type": (True, Param("enum", values=(*type_.values, "card"))),
            "card": (False, card),
        },
    )
    return Param("object", fields={**base.fields, "payment_method_data": (False, browser_data)})


def check_browser_confirm(params: dict[str, Any]) -> None:
    """Stripe's 400 for a client-secret confirmation (the sandbox's card form)."""
    check(_browser_confirm(), params)
