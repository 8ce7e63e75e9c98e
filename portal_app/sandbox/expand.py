"""`expand[]`: replace id strings along dotted paths with the objects they name."""

from typing import Any

from portal_app.sandbox.errors import invalid_request
from portal_app.sandbox.store import Store

MAX_DEPTH = 4


def expand(store: Store, obj: dict[str, Any], paths: list[Any]) -> dict[str, Any]:
    """Expand every path in `paths` within `obj` (in place; also returned)."""
    for path in paths:
        parts = str(path).split(".")
        if len([p for p in parts if p != "data"]) > MAX_DEPTH:
            raise invalid_request(
                f"You cannot expand more than {MAX_DEPTH} levels of a property.", param="expand"
            )
        _expand(store, obj, parts)
    return obj


def _resolve(store: Store, value: Any) -> Any:
    if isinstance(value, str):
        row = store.find(value)
        if row is not None:
            return dict(row.data)
    return value


def _includable(store: Store, node: dict[str, Any], field: str) -> Any:
    """A field Stripe leaves out unless expanded (`customer.tax_ids`), or None."""
    if node.get("object") == "customer" and field == "tax_ids":
        url = f"/v1/customers/{node['id']}/tax_ids"
        return store.page("tax_id", {}, url, customer=node["id"])
    return None


def _expand(store: Store, node: Any, parts: list[str]) -> Any:
    if not parts or not isinstance(node, dict):
        return node
    head, rest = parts[0], parts[1:]
    if head not in node:
        included = _includable(store, node, head)
        if included is not None:
            node[head] = included
        return node
    value = node[head]
    if isinstance(value, list):
        node[head] = [_expand(store, _resolve(store, item), rest) for item in value]
    else:
        node[head] = _expand(store, _resolve(store, value), rest)
    return node
