"""`/api/portal/session-cookie`: the tab trades a ticket for the session's HttpOnly cookie
and its readable companion; the tab then reads the companion to know the browser kept them."""

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from portal_app.auth.portal_sessions import SessionError, active_session
from portal_app.auth.session_cookie import (
    COOKIE_NAME,
    KEPT_NAME,
    PATH,
    cookie_value,
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
    # The same attributes for both, so a browser keeps both or neither.
    for name, value, httponly in (
        (COOKIE_NAME, cookie_value(session_id), True),
        (KEPT_NAME, "1", False),
    ):
        response.set_cookie(
            name,
            value,
            max_age=int(settings.session_max_hours * 3600),
            path="/",
            httponly=httponly,
            samesite="lax",
            secure=settings.public_url.startswith("https://"),
        )
    return response


def session_cookie_routes() -> list[BaseRoute]:
    """The cookie's route."""
    return [Route(PATH, set_session_cookie, methods=["POST"])]
