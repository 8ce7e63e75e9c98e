"""HTTP routes beside the Reflex app: the merchant API, Stripe webhooks, the sandbox, files."""

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Mount, Route

from portal_app.api.body_limits import UploadCheck, limit_bodies


async def healthz(_request: Request) -> JSONResponse:
    """Liveness for load balancers and the start script."""
    return JSONResponse({"status": "ok"})


def routes() -> list[BaseRoute]:
    """Every HTTP route the portal serves besides Reflex's own."""
    from portal_app.api.billing_portal import billing_portal_routes
    from portal_app.api.files import file_routes
    from portal_app.api.openapi import openapi_routes
    from portal_app.api.session_cookie import session_cookie_routes
    from portal_app.api.webhooks import stripe_webhook
    from portal_app.sandbox.app import build_sandbox_app

    return [
        Route("/healthz", healthz, methods=["GET"]),
        Mount("/sandbox", app=build_sandbox_app()),
        Route("/api/stripe/webhook", stripe_webhook, methods=["POST"]),
        *billing_portal_routes(),
        *openapi_routes(),
        *session_cookie_routes(),
        *file_routes(),
    ]


def build_api(*, upload_check: UploadCheck | None = None) -> Starlette:
    """The Starlette app Reflex mounts its own backend under (our routes win). Its middleware
    bounds every request body, Reflex's own routes and the sandbox mount included; uploads
    pass only when `upload_check` accepts the tab's client token."""
    return Starlette(
        routes=routes(), middleware=[Middleware(limit_bodies, upload_check=upload_check)]
    )
