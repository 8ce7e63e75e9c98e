"""Stripe-style request parameters: form decoding, typed refusals and the pinned SDK's schema.

One module for the merchant API and the configuration service (the sandbox keeps its own,
as it stands for Stripe and not for the portal). A refusal is a `ParamError` carrying the
parameter in Stripe's bracket form and Stripe's error `code`; callers branch on the code,
never on the message.
"""

import types
import typing
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any, Literal, NotRequired, Required, Union, get_args, get_origin

from stripe._request_options import RequestOptions
from typing_extensions import is_typeddict

from portal_app.i18n.text import Text

ErrorCode = Literal[
    "parameter_unknown",
    "parameter_missing",
    "parameter_invalid",
    "parameter_invalid_integer",
    "parameter_invalid_empty",
    "resource_missing",
    "url_invalid",
]
MAX_DEPTH = 12  # Stripe's deepest parameter is 7 levels; more is refused, not recursed into.
MAX_FIELDS = 2000
MAX_INDEX = 1000  # list positions above this are refused (Stripe's lists are short)
# What every `...Params` inherits from the SDK's RequestOptions is not sent as a parameter.
_REQUEST_OPTIONS = frozenset(RequestOptions.__annotations__)


class ParamError(ValueError):
    """A refused parameter: `param` in bracket form (`items[0][price]`) and Stripe's `code`.

    The first argument is the message: a `Text` (shown translated by the dashboard, English in
    the API) or plain English for refusals only the API gives.
    """

    def __init__(
        self,
        message: Text | str,
        param: str | None = None,
        *,
        code: ErrorCode = "parameter_invalid",
    ) -> None:
        super().__init__(message)
        self.message = str(message)
        self.param = param
        self.code: ErrorCode = code


MAX_ECHOED_NAME = 200


def unknown(param: str) -> ParamError:
    """Stripe's refusal of a parameter it does not know (a long name is echoed cut short)."""
    if len(param) > MAX_ECHOED_NAME:
        param = param[:MAX_ECHOED_NAME] + "..."
    return ParamError(
        Text("Received unknown parameter: {param}", param=param), param, code="parameter_unknown"
    )


def missing(param: str) -> ParamError:
    """Stripe's refusal of a request without a required parameter."""
    return ParamError(
        Text("Missing required param: {param}.", param=param), param, code="parameter_missing"
    )


def _parts(key: str) -> list[str]:
    """`a[b][0][]` → [`a`, `b`, `0`, ``]; a malformed key is refused with ParamError."""
    head, bracket, rest = key.partition("[")
    if not head:
        raise ParamError(
            f"Invalid parameter name: {key[:60]!r} (a name is required before any bracket).",
            key[:60] or None,
            code="parameter_unknown",
        )
    parts = [head]
    if not bracket:
        return parts
    rest = "[" + rest
    while rest:
        if not rest.startswith("[") or "]" not in rest:
            raise ParamError(
                f"Invalid parameter name: {key[:60]!r} (unbalanced brackets).",
                head,
                code="parameter_unknown",
            )
        inner, _, rest = rest[1:].partition("]")
        if "[" in inner:
            raise ParamError(
                f"Invalid parameter name: {key[:60]!r} (unbalanced brackets).",
                head,
                code="parameter_unknown",
            )
        parts.append(inner)
        if len(parts) > MAX_DEPTH:
            raise ParamError(
                f"Invalid parameter name: {key[:60]}... nests deeper than {MAX_DEPTH} levels.",
                head,
                code="parameter_unknown",
            )
    return parts


def bracket(parts: Iterable[Any]) -> str:
    """[`a`, `b`, 0] → `a[b][0]`."""
    head, *rest = [str(part) for part in parts]
    return head + "".join(f"[{part}]" for part in rest)


def decode_form(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Stripe's form encoding as nested values: `[n]` and `[]` make lists, `[name]` objects.

    Refuses (ParamError) empty names, unbalanced or too deep brackets, list positions beyond
    MAX_INDEX, and a name used both as a value and as an object.
    """
    root: dict[str, Any] = {}
    for count, (raw_key, value) in enumerate(pairs):
        if count >= MAX_FIELDS:
            raise ParamError(f"Too many parameters (at most {MAX_FIELDS}).")
        parts = _parts(raw_key)
        node = root
        for index, part in enumerate(parts):
            if part == "":
                part = str(sum(1 for key in node if key.isdigit()))
            elif part.isdigit() and (len(part) > 4 or int(part) > MAX_INDEX):
                raise ParamError(
                    f"Invalid array index in {raw_key[:80]}.",
                    bracket(parts[:index]),
                    code="parameter_invalid_integer",
                )
            if index == len(parts) - 1:
                if isinstance(node.get(part), dict):
                    raise _shape_conflict(parts[: index + 1])
                node[part] = value
                continue
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise _shape_conflict(parts[: index + 1])
            node = child
    return _listify(root)


def _shape_conflict(parts: list[str]) -> ParamError:
    param = bracket(parts)
    return ParamError(f"Invalid {param}: it is sent both as a value and as an object.", param)


def _listify(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    converted = {key: _listify(value) for key, value in node.items()}
    if converted and all(key.isdigit() for key in converted):
        return [converted[key] for key in sorted(converted, key=int)]
    return converted


# --- The pinned SDK's parameter schema -------------------------------------------------------


def alternatives(annotation: Any) -> list[Any]:
    """The alternatives of an annotation, without NotRequired/Required and unions."""
    origin = get_origin(annotation)
    if origin in (NotRequired, Required):
        return alternatives(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return [alt for arg in get_args(annotation) for alt in alternatives(arg)]
    return [annotation]


@cache
def sdk_hints(typed_dict: type) -> dict[str, Any]:
    """The resolved annotations; names the SDK imports only for type checkers (the request
    options' `StripeContext`, ...) stand for themselves, as no parameter of ours uses them."""
    placeholders: dict[str, Any] = {}
    while True:
        try:
            return typing.get_type_hints(typed_dict, localns=placeholders)
        except NameError as exc:
            if exc.name is None or exc.name in placeholders:
                raise
            placeholders[exc.name] = _Unresolved


class _Unresolved:
    """Stands for a name the SDK imports only for type checkers (subscriptable like a generic)."""

    def __class_getitem__(cls, _item: Any) -> type["_Unresolved"]:
        return cls


def sdk_fields(typed_dict: type) -> dict[str, Any]:
    """The parameters (name → annotation) of an SDK `...Params` TypedDict, request options out."""
    return {
        name: hint for name, hint in sdk_hints(typed_dict).items() if name not in _REQUEST_OPTIONS
    }


def check_params(value: Any, typed_dict: type, *, path: tuple[str, ...] = ()) -> None:
    """Check names against one of the SDK's `...Params` TypedDicts, recursively.

    Raises `unknown(param)` for the first name the SDK does not define, and `missing(param)`
    for a required one left out (`features` on create, `enabled` inside a feature, ...).
    Values are not checked here: the service's validators do that with better messages.
    """
    hints = sdk_hints(typed_dict)
    allowed = set(hints) - _REQUEST_OPTIONS if not path else set(hints)
    if not isinstance(value, Mapping):
        return
    for key in value:
        if key not in allowed:
            raise unknown(bracket((*path, key)))
        _check_value(value[key], hints[key], (*path, str(key)))
    for key in sorted(getattr(typed_dict, "__required_keys__", ())):
        if key in allowed and key not in value:
            raise missing(bracket((*path, key)))


def _check_value(value: Any, annotation: Any, path: tuple[str, ...]) -> None:
    options = alternatives(annotation)
    if isinstance(value, Mapping):
        for alt in options:
            if is_typeddict(alt):
                check_params(value, alt, path=path)
                return
    elif isinstance(value, list):
        for alt in options:
            if get_origin(alt) is list:
                (item,) = get_args(alt)
                for index, entry in enumerate(value):
                    _check_value(entry, item, (*path, str(index)))
                return
