"""HTTP routes beside the Reflex app: the merchant API, Stripe webhooks, the sandbox, files."""

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route


async def healthz(_request: Request) -> JSONResponse:
    """Liveness for load balancers and the start script."""
    return JSONResponse({"status": "ok"})


def routes() -> list[BaseRoute]:
    """Every HTTP route the portal serves besides Reflex's own."""
    return [Route("/healthz", healthz, methods=["GET"])]


def build_api() -> Starlette:
    """The Starlette app Reflex mounts its own backend under (our routes win)."""
    return Starlette(routes=routes())
