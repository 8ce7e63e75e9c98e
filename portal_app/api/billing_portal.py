"""The Stripe-compatible merchant API: `/v1/billing_portal/configurations` and `/sessions`.

Requests are form-encoded with Stripe's bracket syntax and authenticated with a merchant's
secret key (`Authorization: Bearer sk_portal_...`, or HTTP Basic with the key as user name,
as `curl -u` sends it). Parameter names are checked against the pinned stripe SDK's
`...Params` TypedDicts, so every name Stripe defines is understood and any other is refused
with `parameter_unknown`. Errors use Stripe's JSON shape, so the `stripe` SDKs raise their
usual exceptions; every answer carries a `Request-Id` header.

The portal's own settings travel in one documented extension object, `x_portal` (Stripe's
names never start with `x_`; a test checks that against the pinned SDK):
`x_portal[business_name]`, `x_portal[branding][...]`, `x_portal[embed][allowed_origins][]`,
`x_portal[quantity][minimum|maximum]` and `x_portal[retention][enabled|coupon]`.
"""

import base64
import binascii
import secrets
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import parse_qsl

from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send
from stripe.params.billing_portal._configuration_create_params import ConfigurationCreateParams
from stripe.params.billing_portal._configuration_list_params import ConfigurationListParams
from stripe.params.billing_portal._configuration_modify_params import ConfigurationModifyParams
from stripe.params.billing_portal._configuration_retrieve_params import (
    ConfigurationRetrieveParams,
)
from stripe.params.billing_portal._session_create_params import SessionCreateParams

from portal_app.auth.api_keys import merchant_for_key
from portal_app.db import session_scope
from portal_app.services.configuration_views import ConfigurationView
from portal_app.services.configurations import (
    create_configuration,
    get_configuration,
    list_configurations,
    update_configuration,
)
from portal_app.services.portal_links import create_portal_link
from portal_app.services.stripe_params import (
    ParamError,
    bracket,
    check_params,
    decode_form,
    unknown,
)

CONFIGURATIONS_PATH = "/v1/billing_portal/configurations"
SESSIONS_PATH = "/v1/billing_portal/sessions"
MAX_BODY = 64 * 1024
EXTENSION = "x_portal"
# Where each part of `x_portal` lives in the configuration service's document.
_EXTENSION_PATHS: dict[str, tuple[str, ...]] = {
    "business_name": ("business_name",),
    "branding": ("branding",),
    "embed": ("embed",),
    "quantity": ("features", "subscription_update", "quantity"),
    "retention": ("features", "subscription_cancel", "retention"),
}
# The configuration's expandable fields (null or empty here: no Connect, no feedback options).
_CONFIGURATION_EXPANDABLE = frozenset(
    {"application", "features.subscription_cancel.cancellation_reason.feedback_options"}
)
_SESSION_EXPANDABLE = frozenset({"configuration"})
T = TypeVar("T")


def request_id() -> str:
    """A new `req_...` id, as Stripe puts in its `Request-Id` header."""
    return "req_" + secrets.token_urlsafe(12).replace("-", "a").replace("_", "b")


def respond(body: Any, status: int = 200) -> JSONResponse:
    """A JSON answer with its `Request-Id` header."""
    return JSONResponse(body, status_code=status, headers={"Request-Id": request_id()})


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
    return respond({"error": error}, status)


def _public(exc: ParamError) -> ParamError:
    """The configuration service's refusal with the API's parameter names: the service keeps
    the extension where the dashboard edits it (`branding[font]`), the API calls that
    `x_portal[branding][font]`."""
    for key, path in _EXTENSION_PATHS.items():
        internal = bracket(path)
        param = exc.param or ""
        if param == internal or param.startswith(internal + "["):
            public = f"{EXTENSION}[{key}]" + param[len(internal) :]
            return ParamError(exc.message.replace(param, public), public, code=exc.code)
    return exc


def _error_for(exc: ParamError, path_param: str | None) -> JSONResponse:
    """Stripe's status for a refusal: 404 when the object named in the URL is missing."""
    status = 404 if exc.code == "resource_missing" and exc.param == path_param else 400
    return stripe_error(status, exc.message, param=exc.param, code=exc.code)


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
    if len(key) > 200:
        return stripe_error(401, "Invalid API Key provided: " + "*" * 8)
    with session_scope() as session:
        merchant = merchant_for_key(session=session, secret=key)
    if merchant is None:
        shown = key[:10] + "*" * 8 + key[-4:] if len(key) > 16 else "*" * 8
        return stripe_error(401, f"Invalid API Key provided: {shown}")
    return None


async def _body(request: Request) -> bytes | JSONResponse:
    """The body, read no further than MAX_BODY (by Content-Length and while streaming)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        return stripe_error(413, f"The request body is larger than {MAX_BODY} bytes.")
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY:
                return stripe_error(413, f"The request body is larger than {MAX_BODY} bytes.")
            chunks.append(chunk)
    except ClientDisconnect:
        return stripe_error(400, "The request body was cut off.")
    return b"".join(chunks)


async def _params(request: Request) -> dict[str, Any] | JSONResponse:
    """The decoded query and (POST) form body, with Stripe's refusal of malformed input."""
    pairs = list(request.query_params.multi_items())
    if request.method == "POST":
        body = await _body(request)
        if isinstance(body, JSONResponse):
            return body
        try:
            pairs += parse_qsl(
                body.decode(), keep_blank_values=True, strict_parsing=False, max_num_fields=2000
            )
        except (UnicodeDecodeError, ValueError):
            return stripe_error(
                400,
                "The request body must be form-encoded (application/x-www-form-urlencoded, "
                "UTF-8, at most 2000 fields), as Stripe's API expects.",
            )
    try:
        return decode_form(pairs)
    except ParamError as exc:
        return stripe_error(400, exc.message, param=exc.param, code=exc.code)


def _expand_paths(params: dict[str, Any], allowed: frozenset[str]) -> set[str]:
    """The requested `expand[]` paths; an unknown one is refused as Stripe does."""
    raw = params.pop("expand", None)
    if raw in (None, ""):
        return set()
    paths = [raw] if isinstance(raw, str) else raw
    if not isinstance(paths, list) or not all(isinstance(path, str) for path in paths):
        raise ParamError("Invalid array: expand must be a list of field paths.", "expand")
    for index, path in enumerate(paths):
        if path not in allowed:
            raise ParamError(
                f"This property cannot be expanded ({path[:100]}).", f"expand[{index}]"
            )
    return set(paths)


def _split_extension(params: dict[str, Any]) -> dict[str, Any]:
    """Stripe's parameters with `x_portal` moved to where the configuration service keeps it."""
    extension = params.pop(EXTENSION, None)
    if extension in (None, ""):
        return params
    if not isinstance(extension, Mapping):
        raise ParamError(f"Invalid object: {EXTENSION} must be an object.", EXTENSION)
    fields = dict(params)
    for key, value in extension.items():
        path = _EXTENSION_PATHS.get(key)
        if path is None:
            raise unknown(f"{EXTENSION}[{key}]")
        node = fields
        for part in path[:-1]:
            child = node.get(part)
            node[part] = child = dict(child) if isinstance(child, Mapping) else {}
            node = child
        node[path[-1]] = value
    return fields


def configuration_object(view: ConfigurationView) -> dict[str, Any]:
    """Stripe's `billing_portal.configuration` plus the portal's `x_portal` extension."""
    features = view.features.model_dump(mode="json")
    quantity = features["subscription_update"].pop("quantity")
    retention = features["subscription_cancel"].pop("retention")
    return {
        "id": view.id,
        "object": "billing_portal.configuration",
        "active": view.active,
        "application": None,
        "business_profile": view.business_profile.model_dump(),
        "created": view.created,
        "default_return_url": view.default_return_url,
        "features": features,
        "is_default": view.is_default,
        "livemode": view.livemode,
        "login_page": view.login_page.model_dump(),
        "metadata": view.metadata,
        "name": view.name,
        "updated": view.updated,
        EXTENSION: {
            "business_name": view.business_name,
            "branding": view.branding.model_dump(),
            "embed": view.embed.model_dump(),
            "quantity": quantity,
            "retention": retention,
        },
    }


async def _run(
    request: Request,
    action: Callable[[dict[str, Any]], T],
    render: Callable[[T], Any],
    path_param: str | None = None,
) -> JSONResponse:
    denied = await run_in_threadpool(_authenticated, request)
    if denied is not None:
        return denied
    params = await _params(request)
    if isinstance(params, JSONResponse):
        return params
    try:
        result = await run_in_threadpool(action, params)
    except ParamError as exc:
        return _error_for(exc, path_param)
    return respond(render(result))


def _create(params: dict[str, Any]) -> ConfigurationView:
    _expand_paths(params, _CONFIGURATION_EXPANDABLE)
    fields = _split_extension(params)
    check_params(params, ConfigurationCreateParams)
    try:
        with session_scope() as session:
            return create_configuration(session=session, fields=fields)
    except ParamError as exc:
        raise _public(exc) from exc


def _update(configuration_id: str) -> Callable[[dict[str, Any]], ConfigurationView]:
    def update(params: dict[str, Any]) -> ConfigurationView:
        _expand_paths(params, _CONFIGURATION_EXPANDABLE)
        fields = _split_extension(params)
        check_params(params, ConfigurationModifyParams)
        try:
            with session_scope() as session:
                return update_configuration(
                    session=session, configuration_id=configuration_id, fields=fields
                )
        except ParamError as exc:
            raise _public(exc) from exc

    return update


def _retrieve(configuration_id: str) -> Callable[[dict[str, Any]], ConfigurationView]:
    def retrieve(params: dict[str, Any]) -> ConfigurationView:
        _expand_paths(params, _CONFIGURATION_EXPANDABLE)
        check_params(params, ConfigurationRetrieveParams)
        with session_scope() as session:
            return get_configuration(session=session, configuration_id=configuration_id)

    return retrieve


def _optional_bool(params: dict[str, Any], name: str) -> bool | None:
    value = params.get(name)
    if value in (None, ""):
        return None
    if value in ("true", "false"):
        return value == "true"
    raise ParamError(f"Invalid boolean: {name} must be true or false.", name)


def _cursor(params: dict[str, Any], name: str) -> str | None:
    value = params.get(name)
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) > 255:
        raise ParamError(f"Invalid {name}: expected an object id.", name)
    return value


def _list(params: dict[str, Any]) -> tuple[list[ConfigurationView], bool]:
    _expand_paths(params, frozenset(f"data.{path}" for path in _CONFIGURATION_EXPANDABLE))
    check_params(params, ConfigurationListParams)
    raw_limit = params.get("limit") or "10"
    if not isinstance(raw_limit, str) or not raw_limit.isdigit() or len(raw_limit) > 3:
        raise ParamError(
            "Invalid integer: limit must be an integer from 1 to 100.",
            "limit",
            code="parameter_invalid_integer",
        )
    if not 1 <= int(raw_limit) <= 100:
        raise ParamError("Invalid limit: must be an integer from 1 to 100.", "limit")
    with session_scope() as session:
        return list_configurations(
            session=session,
            limit=int(raw_limit),
            starting_after=_cursor(params, "starting_after"),
            ending_before=_cursor(params, "ending_before"),
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
    expand = _expand_paths(params, _SESSION_EXPANDABLE)
    check_params(params, SessionCreateParams)
    with session_scope() as session:
        link = create_portal_link(
            session=session,
            customer=params.get("customer"),
            configuration=params.get("configuration"),
            locale=params.get("locale"),
            return_url=params.get("return_url"),
            flow_data=params.get("flow_data"),
            after_expiration=params.get("after_expiration"),
            customer_account=params.get("customer_account"),
            on_behalf_of=params.get("on_behalf_of"),
        )
        body = link.model_dump()
        if "configuration" in expand:
            body["configuration"] = configuration_object(
                get_configuration(session=session, configuration_id=link.configuration)
            )
        return body


def _unrecognised(request: Request) -> JSONResponse:
    return stripe_error(
        404,
        f"Unrecognized request URL ({request.method}: {request.url.path}). Please see "
        "/v1/openapi.json for the routes this API serves.",
    )


async def unrecognised(request: Request) -> JSONResponse:
    """A path under `/v1/billing_portal/` that the API does not serve."""
    return _unrecognised(request)


async def configurations(request: Request) -> JSONResponse:
    """GET: list configurations; POST: create one."""
    if request.method == "POST":
        return await _run(request, _create, configuration_object)
    if request.method == "GET":
        return await _run(request, _list, _render_list)
    return _unrecognised(request)


async def configuration(request: Request) -> JSONResponse:
    """GET: retrieve one configuration; POST: update it."""
    configuration_id = str(request.path_params["configuration_id"])
    if request.method == "POST":
        return await _run(request, _update(configuration_id), configuration_object, "configuration")
    if request.method == "GET":
        return await _run(
            request, _retrieve(configuration_id), configuration_object, "configuration"
        )
    return _unrecognised(request)


async def sessions(request: Request) -> JSONResponse:
    """POST: create a portal session for a customer."""
    if request.method != "POST":
        return _unrecognised(request)
    return await _run(request, _create_session, lambda body: body)


class _AnyMethod:
    """An ASGI endpoint taking every method, so a wrong one gets Stripe's 404 (with its
    `Request-Id`) rather than Starlette's bare 405."""

    def __init__(self, handler: Callable[[Request], Awaitable[Response]]) -> None:
        self.handler = handler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await self.handler(Request(scope, receive))
        await response(scope, receive, send)


def billing_portal_routes() -> list[BaseRoute]:
    """The merchant API's routes, for `portal_app.api.routes()`."""
    return [
        Route(CONFIGURATIONS_PATH, _AnyMethod(configurations)),
        Route(CONFIGURATIONS_PATH + "/{configuration_id}", _AnyMethod(configuration)),
        Route(SESSIONS_PATH, _AnyMethod(sessions)),
        # Any other path under the API's prefix gets Stripe's 404, with its Request-Id.
        Route("/v1/billing_portal/{rest:path}", _AnyMethod(unrecognised)),
    ]
