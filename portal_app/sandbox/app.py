"""The sandbox's Starlette app: auth, faults, idempotency, one transaction per request, expand."""

import asyncio
import base64
import binascii
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from sqlmodel import Session
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal_app.sandbox import faults, hosted, webhooks
from portal_app.sandbox.billing.clockwork import catch_up
from portal_app.sandbox.clock import real_now, request_now
from portal_app.sandbox.context import Ctx
from portal_app.sandbox.database import get_sandbox_engine
from portal_app.sandbox.endpoints import (
    Handler,
    RouteSpec,
    catalog,
    coupons,
    customers,
    helpers,
    invoices,
    payment_methods,
    subscriptions,
    webhook_endpoints,
)
from portal_app.sandbox.errors import (
    ApiError,
    api_error,
    idempotency_mismatch,
    invalid_request,
    rate_limited,
    unauthorized,
)
from portal_app.sandbox.events import API_VERSION
from portal_app.sandbox.expand import expand
from portal_app.sandbox.models import SandboxIdempotency
from portal_app.sandbox.params import decode_form, get_list
from portal_app.sandbox.schema import check_browser_confirm, check_request, route_schema
from portal_app.sandbox.schema_objects import check_expand, shape
from portal_app.sandbox.store import Store, new_object_id
from portal_app.settings import get_settings

logger = logging.getLogger(__name__)

ALL_ROUTES: list[RouteSpec] = [
    *customers.ROUTES,
    *payment_methods.ROUTES,
    *catalog.ROUTES,
    *subscriptions.ROUTES,
    *invoices.ROUTES,
    *coupons.ROUTES,
    *helpers.ROUTES,
    *webhook_endpoints.ROUTES,
]

# The browser's card form confirms a SetupIntent with its client secret, not the API key.
CLIENT_SECRET_ROUTES = {"/v1/setup_intents/{id}/confirm", "/v1/setup_intents/{id}"}


def _json(status: int, body: Any, request_id: str, **headers: str) -> JSONResponse:
    return JSONResponse(
        body,
        status_code=status,
        headers={"Request-Id": request_id, "Stripe-Version": API_VERSION, **headers},
    )


def _error(error: ApiError, request_id: str) -> JSONResponse:
    body = error.body()
    body["error"]["request_log_url"] = None
    return _json(error.status, body, request_id)


def _api_path(request: Request) -> str:
    path = request.url.path
    return path[path.index("/v1/") :] if "/v1/" in path else path


# Stripe's API answers 413 for bodies past a limit; the sandbox's limit is far above any
# request the portal makes and keeps a flood from being decoded.
MAX_BODY_BYTES = 256 * 1024


def _presented_key(request: Request) -> str:
    """The API key from `Bearer sk_...` or HTTP Basic (`curl -u sk_...:`), as Stripe takes it."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer":
        return token.strip()
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(token.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return ""
        return decoded.partition(":")[0]
    return ""


def _authorized(request: Request) -> bool:
    if not get_settings().sandbox_mode:
        return False
    presented = _presented_key(request)
    expected = get_settings().sandbox_api_key
    return bool(presented) and hmac.compare_digest(presented.encode(), expected.encode())


async def _form_pairs(request: Request) -> list[tuple[str, str]]:
    """The query's and (for POST/DELETE) the body's pairs; 400 for what Stripe would refuse."""
    raw = request.url.query
    body = b""
    if request.method in ("POST", "DELETE"):
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            raise _too_large()
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise _too_large()
            chunks.append(chunk)
        body = b"".join(chunks)
    try:
        text = body.decode("utf-8")
        pairs = parse_qsl(raw, keep_blank_values=True, errors="strict")
        pairs += parse_qsl(text, keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise invalid_request("The request body or query is not valid UTF-8.") from None
    return pairs


def _too_large() -> ApiError:
    return ApiError(
        413,
        "invalid_request_error",
        f"The request is larger than {MAX_BODY_BYTES} bytes.",
    )


def _client_secret_ok(session: Session, intent_id: str, params: dict[str, Any]) -> bool:
    secret = params.get("client_secret")
    row = Store(session).find(intent_id)
    return (
        isinstance(secret, str)
        and row is not None
        and hmac.compare_digest(secret, str(row.data.get("client_secret")))
    )


def _request_hash(method: str, path: str, pairs: list[tuple[str, str]]) -> str:
    raw = json.dumps([method, path, sorted(pairs)])
    return hashlib.sha256(raw.encode()).hexdigest()


def _run(
    handler: Handler,
    *,
    method: str,
    path: str,
    template: str,
    pairs: list[tuple[str, str]],
    path_params: dict[str, str],
    idempotency_key: str | None,
    request_id: str,
) -> tuple[int, Any, dict[str, str]]:
    """Run one endpoint in one transaction; answers (status, body, extra headers)."""
    params = decode_form(pairs)
    write = method != "GET"
    schema = route_schema(method, template)
    with Session(get_sandbox_engine(), expire_on_commit=False) as session:
        store = Store(session)
        if write:
            store.lock_for_write()
        if template in CLIENT_SECRET_ROUTES and "client_secret" in params:
            if not _client_secret_ok(session, path_params["id"], params):
                raise unauthorized(str(params.get("client_secret")))
            params.pop("client_secret")
            if template.endswith("/confirm"):
                check_browser_confirm(params)
            else:
                check_request(method, template, params)
        else:
            check_request(method, template, params)
        expand_paths = [str(p) for p in get_list(params, "expand") or []]
        for expand_path in expand_paths:
            if schema is None or schema.object_name is None:
                raise invalid_request(
                    f"This property cannot be expanded ({expand_path}).", param="expand"
                )
            check_expand(schema.object_name, expand_path, is_list=schema.is_list)
        request_hash = _request_hash(method, path, pairs)
        if write and idempotency_key:
            stored = session.get(SandboxIdempotency, idempotency_key)
            if stored is not None:
                if stored.request_hash != request_hash:
                    raise idempotency_mismatch(idempotency_key)
                return stored.status_code, json.loads(stored.body), {"Idempotent-Replayed": "true"}
        if write:
            # Objects on no test clock follow real time: what it made due happens first.
            catch_up(Ctx(session, real_now()))
        ctx = Ctx(session, request_now(store, params, path_params), request_id, idempotency_key)
        try:
            body = handler(ctx, params, **path_params)
            expand(store, body, expand_paths)
            body = shape(body)
            status = 200
        except ApiError as error:
            if not error.keep_changes:
                session.rollback()
                raise
            body, status = error.body(), error.status
        if write and idempotency_key and not path.endswith("/create_preview"):
            session.add(
                SandboxIdempotency(
                    key=idempotency_key,
                    request_hash=request_hash,
                    status_code=status,
                    body=json.dumps(body),
                    created=time.time(),
                )
            )
        if path.endswith("/create_preview"):
            # A preview runs the real change and throws it away.
            session.rollback()
        else:
            session.commit()
        return status, body, {}


def _endpoint(specs: dict[str, Handler], template: str) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        request_id = new_object_id("req")
        if not get_settings().sandbox_mode:
            return _error(_disabled(), request_id)
        method = request.method
        handler = specs[method]
        path = _api_path(request)
        try:
            pairs = await _form_pairs(request)
        except ApiError as error:
            return _error(error, request_id)
        version = request.headers.get("stripe-version")
        if version and version != API_VERSION:
            # Stripe would answer in the version asked for; the sandbox speaks only the pinned
            # one, so a client on another version is told rather than misled.
            message = f"The sandbox serves only API version {API_VERSION} (asked: {version[:40]})."
            return _error(invalid_request(message), request_id)
        public = template in CLIENT_SECRET_ROUTES and any(k == "client_secret" for k, _ in pairs)
        if not public and not _authorized(request):
            return _error(unauthorized(_presented_key(request)), request_id)
        if not path.startswith("/v1/test_helpers/"):
            fault = await run_in_threadpool(_take_fault, path)
            if fault is not None:
                return await _fault_response(fault, request_id)
        try:
            status, body, headers = await run_in_threadpool(
                lambda: _run(
                    handler,
                    method=method,
                    path=path,
                    template=template,
                    pairs=pairs,
                    path_params=dict(request.path_params),
                    idempotency_key=request.headers.get("idempotency-key"),
                    request_id=request_id,
                )
            )
        except ApiError as error:
            return _error(error, request_id)
        if method != "GET":
            webhooks.schedule_delivery()
        return _json(status, body, request_id, **headers)

    return endpoint


def _disabled() -> ApiError:
    return ApiError(
        403,
        "invalid_request_error",
        "The sandbox is off because a Stripe secret key is configured.",
        code="sandbox_disabled",
    )


def _take_fault(path: str) -> dict[str, Any] | None:
    with Session(get_sandbox_engine()) as session:
        return faults.take_fault(session, path)


async def _fault_response(fault: dict[str, Any], request_id: str) -> Response:
    if fault["mode"] == "429":
        return _error(rate_limited(), request_id)
    if fault["mode"] == "timeout":
        await asyncio.sleep(fault["delay_ms"] / 1000)
        return _error(api_error("The request timed out (injected fault)."), request_id)
    return _error(api_error(), request_id)


async def _faults_endpoint(request: Request) -> Response:
    request_id = new_object_id("req")
    if not _authorized(request):
        return _error(unauthorized(_presented_key(request)), request_id)
    try:
        pairs = await _form_pairs(request)
        params = decode_form(pairs)
        check_request(request.method, "/v1/test_helpers/faults", params)
    except ApiError as error:
        return _error(error, request_id)

    def work() -> dict[str, Any]:
        with Session(get_sandbox_engine()) as session:
            if request.method == "POST":
                return faults.add_fault(session, params)
            if request.method == "DELETE":
                return faults.clear_faults(session)
            return faults.list_faults(session)

    try:
        return _json(200, await run_in_threadpool(work), request_id)
    except ApiError as error:
        return _error(error, request_id)


async def _deliver_events_endpoint(request: Request) -> Response:
    request_id = new_object_id("req")
    if not _authorized(request):
        return _error(unauthorized(_presented_key(request)), request_id)
    try:
        params = decode_form(await _form_pairs(request))
        check_request("POST", "/v1/test_helpers/deliver_events", params)
    except ApiError as error:
        return _error(error, request_id)
    delivered = await webhooks.deliver_all()
    return _json(200, {"object": "delivery_result", "delivered": delivered}, request_id)


def sandbox_routes() -> list[BaseRoute]:
    """One Starlette route per path; static paths before parameterised ones."""
    by_path: dict[str, dict[str, Handler]] = {}
    for method, path, handler in ALL_ROUTES:
        by_path.setdefault(path, {})[method] = handler
    ordered = sorted(by_path, key=lambda p: p.count("{"))
    routes: list[BaseRoute] = [
        Route(
            "/v1/test_helpers/faults",
            _faults_endpoint,
            methods=["GET", "POST", "DELETE"],
        ),
        Route("/v1/test_helpers/deliver_events", _deliver_events_endpoint, methods=["POST"]),
        *hosted.ROUTES,
    ]
    routes += [
        Route(path, _endpoint(by_path[path], path), methods=list(by_path[path])) for path in ordered
    ]
    return routes


class RequestIdMiddleware:
    """A `Request-Id` on every response (hosted pages, 404s and crashes too), as Stripe sends."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        fallback = new_object_id("req")

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if "request-id" not in headers:
                    headers["Request-Id"] = fallback
            await send(message)

        await self.app(scope, receive, send_with_id)


async def _unrouted(request: Request, exc: Exception) -> Response:
    """Stripe's 404 for a URL it does not serve (405 for a method the path lacks)."""
    request_id = new_object_id("req")
    status = getattr(exc, "status_code", 404)
    message = f"Unrecognized request URL ({request.method}: {_api_path(request)})."
    return _error(ApiError(status, "invalid_request_error", message), request_id)


async def _crashed(request: Request, exc: Exception) -> Response:
    """A bug answers Stripe's 500 shape (logged with its traceback) rather than HTML."""
    logger.error("sandbox request failed: %s %s", request.method, request.url.path, exc_info=exc)
    return _error(api_error("An unknown error occurred."), new_object_id("req"))


def build_sandbox_app() -> Starlette:
    """The sandbox, to mount at `/sandbox` beside the portal's own routes."""
    return Starlette(
        routes=sandbox_routes(),
        exception_handlers={404: _unrouted, 405: _unrouted, 500: _crashed},
        middleware=[
            Middleware(RequestIdMiddleware),
            Middleware(
                CORSMiddleware,
                allow_origins=get_settings().allowed_origins,
                allow_methods=["GET", "POST"],
                allow_headers=["Authorization", "Content-Type"],
            ),
        ],
    )
