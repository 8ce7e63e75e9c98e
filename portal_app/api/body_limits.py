"""Request bodies are bounded before any handler reads them, and uploads need a merchant.

Every HTTP request may carry at most `MAX_BODY_BYTES` (Reflex's `/_upload` at most
`MAX_UPLOAD_BYTES`): a larger `Content-Length` is refused at once, and a body sent without one
(chunked) is counted while it arrives and refused as soon as it passes the limit. The body is
read into memory up to the limit before the handler runs, so a handler never sees a partial
body. An upload is refused before its body is read unless its Reflex client token belongs to a
tab with a signed-in merchant.
"""

from collections.abc import Awaitable, Callable

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal_app.services.images import MAX_IMAGE_BYTES

MAX_BODY_BYTES = 1024 * 1024
# One image plus the multipart envelope around it.
MAX_UPLOAD_BYTES = MAX_IMAGE_BYTES + 256 * 1024
UPLOAD_PATH = "/_upload"

UploadCheck = Callable[[str], Awaitable[bool]]


class BodyTooLarge(Exception):
    """The body passed its limit while it was read."""


def _limit_for(path: str) -> int:
    return MAX_UPLOAD_BYTES if path == UPLOAD_PATH else MAX_BODY_BYTES


async def _refuse(scope: Scope, receive: Receive, send: Send, status: int, message: str) -> None:
    code = "request_too_large" if status == 413 else "upload_forbidden"
    body = {"error": {"type": "invalid_request_error", "code": code, "message": message}}
    # Connection: close, so the client stops sending what is left of the body.
    response = JSONResponse(body, status_code=status, headers={"Connection": "close"})
    await response(scope, receive, send)


async def _read_bounded(receive: Receive, limit: int) -> list[Message]:
    """Every body message of the request, or BodyTooLarge as soon as they pass `limit`."""
    messages: list[Message] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages
        size += len(message.get("body", b""))
        if size > limit:
            raise BodyTooLarge
        if not message.get("more_body", False):
            return messages


def limit_bodies(app: ASGIApp, *, upload_check: UploadCheck | None = None) -> ASGIApp:
    """Wrap an ASGI app so that no request body passes its limit (and uploads are checked)."""

    async def bounded(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        path = scope["path"]
        limit = _limit_for(path)
        headers = Headers(scope=scope)
        declared = headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _refuse(scope, receive, send, 413, f"The request body exceeds {limit} bytes.")
            return
        if path == UPLOAD_PATH and scope.get("method") == "POST":
            token = headers.get("reflex-client-token", "")
            if upload_check is None or not token or not await upload_check(token):
                await _refuse(scope, receive, send, 403, "Sign in to the dashboard to upload.")
                return
        if scope.get("method") in ("GET", "HEAD", "OPTIONS") and declared is None:
            await app(scope, receive, send)
            return
        try:
            messages = await _read_bounded(receive, limit)
        except BodyTooLarge:
            await _refuse(scope, receive, send, 413, f"The request body exceeds {limit} bytes.")
            return

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await app(scope, replay, send)

    return bounded
