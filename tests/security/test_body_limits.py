"""M6: every request body is bounded before a handler reads it; uploads need a merchant."""

import secrets
import uuid
from typing import Any

import httpx
import pytest
from reflex.istate.manager.memory import StateManagerMemory
from reflex.state import State

from portal_app.api import build_api
from portal_app.api.body_limits import MAX_BODY_BYTES, MAX_UPLOAD_BYTES, limit_bodies
from portal_app.auth.merchants import create_merchant
from portal_app.db import session_scope
from portal_app.state.dashboard_auth import DashboardAuthState, token_has_merchant


async def _call(
    app: Any, path: str, *, chunks: list[bytes], headers: dict[str, str] | None = None
) -> tuple[int, int]:
    """POST `chunks` to the ASGI app; the status and how many chunks were pulled."""
    pulled = 0
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        if pulled >= len(chunks):
            return {"type": "http.disconnect"}
        pulled += 1
        return {
            "type": "http.request",
            "body": chunks[pulled - 1],
            "more_body": pulled < len(chunks),
        }

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    raw = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    scope = {
        "type": "http",
        "method": "POST",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": raw,
        "scheme": "http",
        "server": ("portal", 80),
        "client": ("10.0.0.1", 1),
        "http_version": "1.1",
        "root_path": "",
    }
    await app(scope, receive, send)
    return status, pulled


MB = b"x" * (1024 * 1024)


@pytest.mark.parametrize(
    "path", ["/api/stripe/webhook", "/sandbox/v1/customers", "/v1/x", "/_event"]
)
async def test_a_declared_oversize_body_is_refused_unread(db_tables: None, path: str) -> None:
    app = build_api()
    status, pulled = await _call(
        app, path, chunks=[MB] * 200, headers={"content-length": str(200 * len(MB))}
    )
    assert (status, pulled) == (413, 0)


@pytest.mark.parametrize("path", ["/api/stripe/webhook", "/sandbox/v1/customers"])
async def test_a_streamed_oversize_body_is_refused_at_the_limit(db_tables: None, path: str) -> None:
    app = build_api()
    chunk = b"y" * 65536
    status, pulled = await _call(app, path, chunks=[chunk] * 3200)  # 200 MB, no length
    assert status == 413
    assert pulled * len(chunk) <= MAX_BODY_BYTES + len(chunk)


async def test_small_bodies_still_reach_the_handler(db_tables: None) -> None:
    transport = httpx.ASGITransport(app=build_api())
    async with httpx.AsyncClient(transport=transport, base_url="http://portal") as client:
        response = await client.post("/api/stripe/webhook", content=b"{}")
    assert response.status_code == 400  # unsigned: refused by the handler, not the limit


async def test_uploads_need_an_accepted_token_before_the_body_is_read() -> None:
    seen: list[str] = []

    async def check(token: str) -> bool:
        seen.append(token)
        return token == "good"

    async def inner(scope: Any, receive: Any, send: Any) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": str(len(body)).encode()})

    app = limit_bodies(inner, upload_check=check)
    small = [b"z" * 1000]
    assert await _call(app, "/_upload", chunks=small) == (403, 0)
    bad = {"reflex-client-token": "bad"}
    assert await _call(app, "/_upload", chunks=small, headers=bad) == (403, 0)
    good = {"reflex-client-token": "good"}
    assert await _call(app, "/_upload", chunks=small, headers=good) == (200, 1)
    big = {**good, "content-length": str(MAX_UPLOAD_BYTES + 1)}
    assert (await _call(app, "/_upload", chunks=[MB] * 4, headers=big))[0] == 413
    assert seen == ["bad", "good"]
    # Without a check at all (the API alone), nobody uploads.
    assert await _call(limit_bodies(inner), "/_upload", chunks=small, headers=good) == (403, 0)


async def test_a_token_has_a_merchant_only_once_signed_in(db_tables: None) -> None:
    email = f"uploader-{secrets.token_hex(4)}@example.com"
    with session_scope() as db:
        create_merchant(session=db, email=email, password="correct horse battery")
    manager = StateManagerMemory()
    token = str(uuid.uuid4())
    assert not await token_has_merchant(manager, token)
    assert not await token_has_merchant(manager, "../../etc/passwd")
    root = await manager.get_state(f"{token}_{DashboardAuthState.get_full_name()}")
    auth = await root.get_state(DashboardAuthState)
    await DashboardAuthState.log_in.fn(auth, {"email": email, "password": "correct horse battery"})
    assert auth._merchant_session_id
    assert await token_has_merchant(manager, token)
    assert isinstance(root, State)
