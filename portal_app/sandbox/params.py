"""Decoding Stripe's form encoding (`items[0][price]=...`, `expand[]=...`) into nested values."""

import re
from collections.abc import Iterable
from typing import Any

from portal_app.sandbox.errors import invalid_request

_KEY_PART = re.compile(r"\[([^\[\]]*)\]")
_KEY = re.compile(r"^[^\[\]]+(\[[^\[\]]*\])*$")
# Stripe's deepest parameters (e.g. `phases[0][items][0][price_data][recurring][interval]`)
# are far shallower; deeper names are refused before any work is done on them.
MAX_NESTING = 12


def decode_form(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Nest bracketed keys into dicts; dicts keyed by 0..n (or `[]`) become lists.

    A malformed name (empty, unbalanced brackets, too deep) or a name used both as a value
    and as a hash is a 400, never a crash.
    """
    root: dict[str, Any] = {}
    for raw_key, value in pairs:
        if not _KEY.match(raw_key):
            raise invalid_request(f"Invalid parameter name: {raw_key[:100]!r}")
        if raw_key.count("[") > MAX_NESTING:
            raise invalid_request(
                f"Parameters can be nested at most {MAX_NESTING} levels deep.",
                param=raw_key.partition("[")[0],
            )
        head, _, rest = raw_key.partition("[")
        parts = [head, *_KEY_PART.findall("[" + rest)] if rest else [head]
        node = root
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            if part == "":
                part = str(sum(1 for k in node if k.isdigit()))
            if last:
                if isinstance(node.get(part), dict):
                    raise _conflict(parts, index)
                node[part] = value
            else:
                child = node.get(part)
                if child is None:
                    child = {}
                    node[part] = child
                elif not isinstance(child, dict):
                    raise _conflict(parts, index)
                node = child
    return _listify(root)


def _conflict(parts: list[str], index: int) -> Exception:
    name = parts[0] + "".join(f"[{p}]" for p in parts[1 : index + 1])
    return invalid_request(f"Invalid hash: {name} is sent both as a value and a hash.", param=name)


def _listify(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    converted = {key: _listify(value) for key, value in node.items()}
    if converted and all(key.isdigit() for key in converted):
        return [converted[key] for key in sorted(converted, key=int)]
    return converted


def get_str(params: dict[str, Any], name: str, default: str | None = None) -> str | None:
    """A string parameter; the empty string Stripe uses to unset a field reads as None."""
    value = params.get(name, default)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise invalid_request(f"Invalid string: {name}", param=name)
    return value


def require_str(params: dict[str, Any], name: str) -> str:
    """A required string parameter (400 parameter_missing when absent)."""
    value = get_str(params, name)
    if value is None:
        raise invalid_request(
            f"Missing required param: {name}.", param=name, code="parameter_missing"
        )
    return value


def get_int(params: dict[str, Any], name: str, default: int | None = None) -> int | None:
    """An integer parameter (400 when it is not an integer)."""
    value = params.get(name)
    if value is None or value == "":
        return default
    try:
        return int(str(value))
    except ValueError:
        raise invalid_request(f"Invalid integer: {value}", param=name) from None


def get_float(params: dict[str, Any], name: str) -> float | None:
    """A decimal parameter such as `percent_off`."""
    value = params.get(name)
    if value is None or value == "":
        return None
    try:
        return float(str(value))
    except ValueError:
        raise invalid_request(f"Invalid decimal: {value}", param=name) from None


def get_bool(params: dict[str, Any], name: str, default: bool | None = None) -> bool | None:
    """A boolean parameter (`true`/`false`)."""
    value = params.get(name)
    if value is None or value == "":
        return default
    if str(value).lower() in ("true", "1"):
        return True
    if str(value).lower() in ("false", "0"):
        return False
    raise invalid_request(f"Invalid boolean: {value}", param=name)


def get_dict(params: dict[str, Any], name: str) -> dict[str, Any] | None:
    """A nested hash parameter (None when absent or unset with an empty string)."""
    value = params.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, dict):
        raise invalid_request(f"Invalid hash: {name}", param=name)
    return value


def get_list(params: dict[str, Any], name: str) -> list[Any] | None:
    """An array parameter (None when absent; [] when unset with an empty string)."""
    value = params.get(name)
    if value is None:
        return None
    if value == "":
        return []
    if isinstance(value, dict):
        return list(value.values())
    if not isinstance(value, list):
        return [value]
    return value


def merge_metadata(current: dict[str, Any], update: Any) -> dict[str, Any]:
    """Stripe's metadata update: keys set to "" are removed, "" for the whole hash clears it."""
    if update is None:
        return current
    if update == "":
        return {}
    if not isinstance(update, dict):
        raise invalid_request("Invalid hash: metadata", param="metadata")
    merged = dict(current)
    for key, value in update.items():
        if value == "":
            merged.pop(key, None)
        else:
            merged[key] = str(value)
    return merged
