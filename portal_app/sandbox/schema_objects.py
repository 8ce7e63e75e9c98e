"""Stripe's response objects, read from the pinned SDK's resource classes.

`shape` gives a stored object exactly the fields of its class for the pinned API version
(null when unset, recursively) and drops any field the class lacks, so storage may keep the
internal fields the sandbox's logic needs. `expandable` says whether an `expand` path names
fields Stripe can expand.
"""

import sys
import types
import typing
from dataclasses import dataclass, field
from functools import cache
from importlib import import_module
from typing import Any, ForwardRef

import stripe
import typing_extensions
from stripe._list_object import ListObject
from stripe._object_classes import OBJECT_CLASSES
from stripe._search_result_object import SearchResultObject
from stripe._stripe_object import StripeObject

from portal_app.sandbox.errors import invalid_request

# Fields Stripe leaves out unless asked for with `expand` ("includable" in its reference).
INCLUDABLE: dict[str, frozenset[str]] = {
    "customer": frozenset(
        {"cash_balance", "invoice_credit_balance", "sources", "subscriptions", "tax", "tax_ids"}
    ),
    "invoice": frozenset({"payments"}),
}
# Present only on a deleted object's stub.
ONLY_WHEN_DELETED = frozenset({"deleted"})


@dataclass(eq=False)
class Field:
    """One response field: a nested hash, a resource (maybe expandable), a list or a value."""

    kind: str  # struct, resource, expandable, list_object, list, value
    cls: type | None = None
    item: "Field | None" = None
    nullable: bool = True


@dataclass(eq=False)
class Shape:
    """The fields of one StripeObject class."""

    fields: dict[str, Field] = field(default_factory=dict)


@cache
def _classes_by_name() -> dict[str, type]:
    found: dict[str, type] = {}
    for module_name, class_name in OBJECT_CLASSES.values():
        found.setdefault(class_name, getattr(import_module(module_name), class_name))
    return found


def class_for(object_name: str) -> type | None:
    """The SDK class for an `object` value (`customer` -> Customer)."""
    entry = OBJECT_CLASSES.get(object_name)
    if entry is None:
        return None
    return getattr(import_module(entry[0]), entry[1])


def _resolve(annotation: Any, owner: type) -> Any:
    if isinstance(annotation, str | ForwardRef):
        name = annotation if isinstance(annotation, str) else annotation.__forward_arg__
        if name in _classes_by_name():
            return _classes_by_name()[name]
        module = vars(sys.modules[owner.__module__])
        found = module.get(name) or getattr(owner, name, None) or getattr(stripe, name, None)
        # A name imported only for type checkers is a value the sandbox does not shape.
        return found if found is not None else Any
    return annotation


def _is_resource(cls: Any) -> bool:
    return isinstance(cls, type) and isinstance(getattr(cls, "OBJECT_NAME", None), str)


def _field(annotation: Any, owner: type) -> Field:
    annotation = _resolve(annotation, owner)
    origin = typing_extensions.get_origin(annotation)
    args = [_resolve(a, owner) for a in typing_extensions.get_args(annotation)]
    if origin in (typing.Union, types.UnionType):
        args = [a for a in args if a is not type(None)]
        resources = [a for a in args if _is_resource(a)]
        if str in args and resources:
            return Field("expandable", cls=resources[0])
        if len(args) == 1:
            return _field(args[0], owner)
        return Field("value")
    if origin is ListObject or origin is SearchResultObject:
        item = args[0] if args and isinstance(args[0], type) else None
        return Field("list_object", cls=item)
    if origin in (list, typing.List):  # noqa: UP006
        return Field("list", item=_field(args[0], owner))
    if _is_resource(annotation):
        return Field("resource", cls=annotation)
    if isinstance(annotation, type) and issubclass(annotation, StripeObject):
        return Field("struct", cls=annotation)
    return Field("value")


def _nullable(annotation: Any) -> bool:
    origin = typing_extensions.get_origin(annotation)
    return origin in (typing.Union, types.UnionType) and type(None) in (
        typing_extensions.get_args(annotation)
    )


@cache
def shape_of(cls: type) -> Shape:
    """Every public field the SDK class declares (its own and its bases' below StripeObject)."""
    result = Shape()
    for klass in reversed(cls.__mro__):
        if not (isinstance(klass, type) and issubclass(klass, StripeObject)):
            continue
        if klass in (StripeObject,):
            continue
        for name, annotation in vars(klass).get("__annotations__", {}).items():
            if name.startswith("_") or name.isupper():
                continue
            if typing_extensions.get_origin(annotation) is typing.ClassVar:
                continue
            spec = _field(annotation, klass)
            spec.nullable = _nullable(annotation)
            result.fields[name] = spec
    return result


def shape(value: Any) -> Any:
    """A served object with exactly its SDK class's fields; values of unknown types unchanged."""
    if not isinstance(value, dict):
        return value
    object_name = value.get("object")
    if object_name == "list" or object_name == "search_result":
        return {**value, "data": [shape(item) for item in value.get("data", [])]}
    cls = class_for(str(object_name)) if isinstance(object_name, str) else None
    if cls is None or value.get("deleted") is True:
        return value
    shaped = _shape_struct(value, cls, str(object_name))
    if object_name in ("line_item", "invoiceitem"):
        pricing = shaped.get("pricing")
        if isinstance(pricing, dict) and pricing.get("price_details") is None:
            # `pricing.type` is always `price_details`: an amount-only line has no pricing.
            shaped["pricing"] = None
    return shaped


def _shape_struct(value: dict[str, Any], cls: type, object_name: str | None = None) -> Any:
    out: dict[str, Any] = {}
    skip = INCLUDABLE.get(object_name or "", frozenset())
    for name, spec in shape_of(cls).fields.items():
        if name not in value and (name in skip or name in ONLY_WHEN_DELETED):
            continue
        if value.get(name) is None and spec.kind == "list" and not spec.nullable:
            out[name] = []  # a list the class never leaves null (e.g. `pause_schedules`)
            continue
        out[name] = _shape_value(value.get(name), spec)
    return out


def _shape_value(value: Any, spec: Field) -> Any:
    if value is None:
        return None
    if spec.kind == "struct" and isinstance(value, dict) and spec.cls is not None:
        return _shape_struct(value, spec.cls)
    if spec.kind in ("resource", "expandable") and isinstance(value, dict):
        if isinstance(value.get("object"), str):
            return shape(value)
        if spec.cls is not None:
            return _shape_struct(value, spec.cls)
    if spec.kind == "list_object" and isinstance(value, dict):
        return {
            "object": "list",
            "data": [shape(item) for item in value.get("data", [])],
            "has_more": bool(value.get("has_more", False)),
            "url": value.get("url"),
        }
    if spec.kind == "list" and isinstance(value, list) and spec.item is not None:
        return [_shape_value(item, spec.item) for item in value]
    return value


def shape_previous(object_name: str, previous: dict[str, Any]) -> dict[str, Any]:
    """`previous_attributes` keeping only fields the class has (old values shaped alike)."""
    cls = class_for(object_name)
    if cls is None:
        return previous
    fields = shape_of(cls).fields
    return {k: _shape_value(v, fields[k]) for k, v in previous.items() if k in fields}


# --- expand ---------------------------------------------------------------------------------


def check_expand(object_name: str, path: str, *, is_list: bool) -> None:
    """400 unless `path` names expandable fields of `object_name` (after `data.` on lists)."""
    parts = path.split(".")
    if is_list:
        if parts[0] != "data" or len(parts) < 2:
            raise _not_expandable(parts[0])
        parts = parts[1:]
    cls = class_for(object_name)
    if cls is None:
        raise _not_expandable(parts[0])
    in_list = False
    for index, part in enumerate(parts):
        if in_list and part == "data" and index < len(parts) - 1:
            in_list = False  # `items.data.price`: the list's entries
            continue
        in_list = False
        spec = shape_of(cls).fields.get(part)
        while spec is not None and spec.kind == "list" and spec.item is not None:
            spec = spec.item
        if spec is None:
            raise _not_expandable(part)
        last = index == len(parts) - 1
        if spec.kind in ("expandable", "resource", "list_object"):
            if spec.cls is None:
                if last:
                    return
                raise _not_expandable(parts[index + 1])
            cls = spec.cls
            in_list = spec.kind == "list_object"
            continue
        if spec.kind == "struct" and not last and spec.cls is not None:
            cls = spec.cls
            continue
        raise _not_expandable(part)


def _not_expandable(part: str) -> Any:
    return invalid_request(f"This property cannot be expanded ({part}).", param="expand")
