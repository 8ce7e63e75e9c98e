"""`/api/portal/session-cookie`: the tab trades a ticket for the session's HttpOnly cookie
(POST), then asks whether the browser kept it (GET)."""

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from portal_app.auth.portal_sessions import SessionError, active_session
from portal_app.auth.session_cookie import (
    COOKIE_NAME,
    PATH,
    cookie_value,
    session_in_header,
    session_of_ticket,
)
from portal_app.db import session_scope
from portal_app.settings import get_settings


def _live(session_id: str) -> bool:
    with session_scope() as db:
        try:
            active_session(session=db, session_id=session_id)
        except SessionError:
            return False
    return True


async def set_session_cookie(request: Request) -> Response:
    """Set the cookie for the ticket's live session; 400 for anything else."""
    body = await request.body()
    session_id = session_of_ticket(body[:512].decode(errors="replace"))
    if session_id is None or not await run_in_threadpool(_live, session_id):
        return JSONResponse({"error": {"type": "invalid_request_error"}}, status_code=400)
    settings = get_settings()
    response = Response(status_code=204, headers={"Cache-Control": "no-store"})
    response.set_cookie(
        COOKIE_NAME,
        cookie_value(session_id),
        max_age=int(settings.session_max_hours * 3600),
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.public_url.startswith("https://"),
    )
    return response


async def session_cookie_state(request: Request) -> JSONResponse:
    """Whether this request carried a valid session cookie (the browser kept it)."""
    bound = session_in_header(request.headers.get("cookie")) is not None
    return JSONResponse({"bound": bound}, headers={"Cache-Control": "no-store"})


def session_cookie_routes() -> list[BaseRoute]:
    """The cookie's two routes."""
    return [
        Route(PATH, set_session_cookie, methods=["POST"]),
        Route(PATH, session_cookie_state, methods=["GET"]),
    ]
