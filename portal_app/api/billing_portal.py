"""The Stripe-compatible merchant API: `/v1/billing_portal/configurations` and `/sessions`.

Requests are form-encoded with Stripe's bracket syntax and authenticated with a merchant's
secret key (`Authorization: Bearer sk_portal_...`, or HTTP Basic with the key as user name,
as `curl -u` sends it). Errors use Stripe's JSON shape, so the `stripe` SDK raises its usual
exceptions. Objects carry two documented extensions: `business_name` and `branding`.
"""

import base64
import binascii
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import parse_qsl

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from portal_app.auth.api_keys import merchant_for_key
from portal_app.db import session_scope
from portal_app.sandbox.params import decode_form
from portal_app.services.configurations import (
    ConfigurationError,
    ConfigurationView,
    create_configuration,
    get_configuration,
    list_configurations,
    update_configuration,
)
from portal_app.services.portal_links import create_portal_link

CONFIGURATIONS_PATH = "/v1/billing_portal/configurations"
SESSIONS_PATH = "/v1/billing_portal/sessions"
MAX_BODY = 64 * 1024
_SESSION_PARAMS = {
    "customer",
    "configuration",
    "locale",
    "return_url",
    "flow_data",
    "on_behalf_of",
    "expand",
}
T = TypeVar("T")


def stripe_error(
    status: int,
    message: str,
    *,
    param: str | None = None,
    code: str | None = None,
    kind: str = "invalid_request_error",
) -> JSONResponse:
    """An error body in Stripe's shape."""
    error: dict[str, Any] = {"type": kind, "message": message}
    if param:
        error["param"] = param
    if code:
        error["code"] = code
    return JSONResponse({"error": error}, status_code=status)


def _error_for(exc: ConfigurationError, missing_status: int) -> JSONResponse:
    if exc.message.startswith("No such"):
        # Stripe answers 404 for a missing object in the path, 400 for one named in a param.
        return stripe_error(missing_status, exc.message, param=exc.param, code="resource_missing")
    code = "parameter_missing" if exc.message.startswith("Missing required") else None
    if exc.message.startswith("Received unknown parameter"):
        code = "parameter_unknown"
    return stripe_error(400, exc.message, param=exc.param, code=code or "parameter_invalid")


def _api_key(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer":
        return value.strip()
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None
        return decoded.partition(":")[0]
    return None


def _authenticated(request: Request) -> JSONResponse | None:
    """None when the request carries a live secret key, else Stripe's 401 answer."""
    key = _api_key(request)
    if not key:
        return stripe_error(
            401,
            "You did not provide an API key. Provide your secret key in the Authorization "
            "header, using Bearer auth (e.g. 'Authorization: Bearer sk_portal_...').",
        )
    with session_scope() as session:
        merchant = merchant_for_key(session=session, secret=key)
    if merchant is None:
        shown = key[:10] + "*" * 8 + key[-4:] if len(key) > 16 else "*" * 8
        return stripe_error(401, f"Invalid API Key provided: {shown}")
    return None


async def _params(request: Request) -> dict[str, Any] | JSONResponse:
    """The decoded query (GET) or form body (POST)."""
    pairs = list(request.query_params.multi_items())
    if request.method == "POST":
        body = await request.body()
        if len(body) > MAX_BODY:
            return stripe_error(413, "The request body is too large.")
        try:
            pairs += parse_qsl(body.decode(), keep_blank_values=True, max_num_fields=2000)
        except (UnicodeDecodeError, ValueError):
            return stripe_error(400, "The request body must be form-encoded (Stripe's syntax).")
    params = decode_form(pairs)
    params.pop("expand", None)
    return params


def configuration_object(view: ConfigurationView) -> dict[str, Any]:
    """Stripe's `billing_portal.configuration` plus the portal's branding extensions."""
    return {
        "id": view.id,
        "object": "billing_portal.configuration",
        "active": view.active,
        "application": None,
        "business_profile": view.business_profile.model_dump(),
        "created": view.created,
        "default_return_url": view.default_return_url,
        "features": view.features.model_dump(mode="json"),
        "is_default": view.is_default,
        "livemode": view.livemode,
        "login_page": view.login_page.model_dump(),
        "metadata": view.metadata,
        "name": view.name,
        "updated": view.updated,
        "business_name": view.business_name,
        "branding": view.branding.model_dump(),
    }


async def _run(
    request: Request,
    action: Callable[[dict[str, Any]], T],
    render: Callable[[T], Any],
    missing_status: int = 400,
) -> JSONResponse:
    denied = await run_in_threadpool(_authenticated, request)
    if denied is not None:
        return denied
    params = await _params(request)
    if isinstance(params, JSONResponse):
        return params
    try:
        result = await run_in_threadpool(action, params)
    except ConfigurationError as exc:
        return _error_for(exc, missing_status)
    return JSONResponse(render(result))


def _create(params: dict[str, Any]) -> ConfigurationView:
    with session_scope() as session:
        return create_configuration(session=session, fields=params)


def _update(configuration_id: str) -> Callable[[dict[str, Any]], ConfigurationView]:
    def update(params: dict[str, Any]) -> ConfigurationView:
        with session_scope() as session:
            return update_configuration(
                session=session, configuration_id=configuration_id, fields=params
            )

    return update


def _retrieve(configuration_id: str) -> Callable[[dict[str, Any]], ConfigurationView]:
    def retrieve(_params: dict[str, Any]) -> ConfigurationView:
        with session_scope() as session:
            return get_configuration(session=session, configuration_id=configuration_id)

    return retrieve


def _optional_bool(params: dict[str, Any], name: str) -> bool | None:
    value = params.get(name)
    if value in (None, ""):
        return None
    if value in ("true", "false"):
        return value == "true"
    raise ConfigurationError(f"Invalid boolean: {name} must be true or false.", name)


def _list(params: dict[str, Any]) -> tuple[list[ConfigurationView], bool]:
    unknown = set(params) - {"limit", "starting_after", "ending_before", "is_default", "active"}
    if unknown:
        name = sorted(unknown)[0]
        raise ConfigurationError(f"Received unknown parameter: {name}", name)
    raw_limit = params.get("limit") or "10"
    if not isinstance(raw_limit, str) or not raw_limit.isdigit() or not 1 <= int(raw_limit) <= 100:
        raise ConfigurationError("Invalid limit: must be an integer from 1 to 100.", "limit")
    cursors = {}
    for name in ("starting_after", "ending_before"):
        value = params.get(name)
        if value not in (None, "") and not isinstance(value, str):
            raise ConfigurationError(f"Invalid {name}.", name)
        cursors[name] = value or None
    with session_scope() as session:
        return list_configurations(
            session=session,
            limit=int(raw_limit),
            starting_after=cursors["starting_after"],
            ending_before=cursors["ending_before"],
            is_default=_optional_bool(params, "is_default"),
            active=_optional_bool(params, "active"),
        )


def _render_list(result: tuple[list[ConfigurationView], bool]) -> dict[str, Any]:
    views, has_more = result
    return {
        "object": "list",
        "data": [configuration_object(view) for view in views],
        "has_more": has_more,
        "url": CONFIGURATIONS_PATH,
    }


def _create_session(params: dict[str, Any]) -> dict[str, Any]:
    unknown = set(params) - _SESSION_PARAMS
    if unknown:
        name = sorted(unknown)[0]
        raise ConfigurationError(f"Received unknown parameter: {name}", name)
    if params.get("on_behalf_of"):
        raise ConfigurationError("on_behalf_of is not supported by this portal.", "on_behalf_of")
    with session_scope() as session:
        link = create_portal_link(
            session=session,
            customer=params.get("customer"),
            configuration=params.get("configuration"),
            locale=params.get("locale"),
            return_url=params.get("return_url"),
            flow_data=params.get("flow_data"),
        )
        return link.model_dump()


async def configurations(request: Request) -> JSONResponse:
    """GET: list configurations; POST: create one."""
    if request.method == "POST":
        return await _run(request, _create, configuration_object)
    return await _run(request, _list, _render_list)


async def configuration(request: Request) -> JSONResponse:
    """GET: retrieve one configuration; POST: update it."""
    configuration_id = str(request.path_params["configuration_id"])
    if request.method == "POST":
        return await _run(request, _update(configuration_id), configuration_object, 404)
    return await _run(request, _retrieve(configuration_id), configuration_object, 404)


async def sessions(request: Request) -> JSONResponse:
    """POST: create a portal session for a customer."""
    return await _run(request, _create_session, lambda body: body)


def billing_portal_routes() -> list[BaseRoute]:
    """The merchant API's routes, for `portal_app.api.routes()`."""
    return [
        Route(CONFIGURATIONS_PATH, configurations, methods=["GET", "POST"]),
        Route(CONFIGURATIONS_PATH + "/{configuration_id}", configuration, methods=["GET", "POST"]),
        Route(SESSIONS_PATH, sessions, methods=["POST"]),
    ]
