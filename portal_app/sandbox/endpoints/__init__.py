"""The sandbox's Stripe endpoints, one module per resource family; each exports `ROUTES`."""

from collections.abc import Callable
from typing import Any

from portal_app.sandbox.context import Ctx

Handler = Callable[..., dict[str, Any]]
RouteSpec = tuple[str, str, Handler]


def empty_address() -> dict[str, Any]:
    """Stripe's address hash with every field null."""
    return {
        "city": None,
        "country": None,
        "line1": None,
        "line2": None,
        "postal_code": None,
        "state": None,
    }


def address_from(params: Any) -> dict[str, Any] | None:
    """An address hash from form params (None when unset with "")."""
    if params in (None, ""):
        return None
    base = empty_address()
    for key in base:
        value = params.get(key)
        base[key] = value if value not in ("", None) else None
    return base


__all__ = ["Ctx", "Handler", "RouteSpec", "address_from", "empty_address"]
