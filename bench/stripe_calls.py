"""Stripe API calls per page view (goal: 0 reads) and per change (only the writes it needs).

The server's gateway reaches the embedded sandbox through `PORTAL_INTERNAL_URL`; the bench
points that at a small counting proxy in front of the server, so every `/sandbox/v1/...`
request the portal makes is seen (the sandbox's webhooks to `/api/stripe/webhook` pass
through it too and are counted apart). Browsers reach the server directly. The customer is
driven over the websocket like a browser tab (bench/_reflex_ws.py).

Run: `.venv/bin/python bench/stripe_calls.py`
"""

import asyncio
import re
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

sys.path.insert(0, str(Path(__file__).parent))

from _reflex_ws import PLAN_STATE, PORTAL_STATE, ROOT_STATE, ReflexSocket, open_portal
from _server import BenchServer, free_port

CANCEL_STATE = f"{ROOT_STATE}.portal_app___state___cancel____cancel_state"
PAGE_VIEWS = 20
CUSTOMER = "jenny.rosen@example.com"
QUIET_SECONDS = 1.5
ID = re.compile(r"/[a-z]+_[A-Za-z0-9]{8,}")
# POSTs that change nothing in Stripe (a proration preview): counted as reads.
READ_POSTS = {"/v1/invoices/create_preview"}
HOP_HEADERS = {"host", "content-length", "transfer-encoding", "connection"}


class CountingProxy:
    """Forwards every request to the server; counts sandbox API calls and webhook posts."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.calls: Counter[str] = Counter()
        self.last_seen = time.monotonic()
        app = Starlette(
            routes=[Route("/{path:path}", self.forward, methods=["GET", "POST", "DELETE"])]
        )
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)

    async def forward(self, request: Request) -> Response:
        path = request.url.path
        if path.startswith("/sandbox/v1/"):
            api_path = ID.sub("/{id}", path.removeprefix("/sandbox"))
            writes = request.method in ("POST", "DELETE") and api_path not in READ_POSTS
            self.calls[f"{'write' if writes else 'read'} {request.method} {api_path}"] += 1
        elif path == "/api/stripe/webhook":
            self.calls["webhook delivered"] += 1
        self.last_seen = time.monotonic()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_HEADERS}
        async with httpx.AsyncClient(timeout=30) as client:
            answer = await client.request(
                request.method,
                f"{self.target}{path}",
                params=request.query_params,
                content=await request.body(),
                headers=headers,
            )
        out = {k: v for k, v in answer.headers.items() if k.lower() not in HOP_HEADERS}
        out.pop("content-encoding", None)
        return Response(answer.content, status_code=answer.status_code, headers=out)

    def start(self) -> None:
        threading.Thread(target=self.server.run, daemon=True).start()
        while not self.server.started:
            time.sleep(0.05)

    def take(self) -> Counter[str]:
        """The calls counted since the last take, once the portal has gone quiet."""
        while time.monotonic() - self.last_seen < QUIET_SECONDS:
            time.sleep(0.2)
        taken, self.calls = self.calls, Counter()
        return taken


async def answered(sock: ReflexSocket, state: str, handler: str, payload: dict) -> dict[str, Any]:
    """Send an event; the merged delta of `state` until its `error`/`confirmation` is set or it
    settles (the confirm handlers yield first and finish with a page reload)."""
    await sock.emit(f"{state}.{handler}", payload, "/portal")
    merged: dict[str, Any] = {}
    while True:
        try:
            update = await sock.until(lambda u: True, timeout=QUIET_SECONDS)
        except TimeoutError:
            return merged
        merged.update(update.get("delta", {}).get(state, {}))


async def page_views(port: int, tokens: list[str]) -> None:
    for token in tokens:
        sock, _ = await open_portal("127.0.0.1", port, token)
        await sock.close()


async def changes(port: int, token: str, proxy: CountingProxy) -> dict[str, Counter[str]]:
    """Cancel at period end, renew, then switch plan; the calls each needed."""
    sock, home = await open_portal("127.0.0.1", port, token)
    sub = home[PORTAL_STATE]["subscriptions_rx_state_"][0]["id"]
    counted: dict[str, Counter[str]] = {}
    await answered(sock, CANCEL_STATE, "open", {"subscription_id": sub})
    proxy.take()
    done = await answered(sock, CANCEL_STATE, "confirm", {"form_data": {"reason": ""}})
    assert done.get("confirmation_rx_state_"), done
    counted["cancel at period end"] = proxy.take()
    done = await answered(sock, CANCEL_STATE, "renew", {"subscription_id": sub})
    assert done.get("confirmation_rx_state_"), done
    counted["renew"] = proxy.take()
    opened = await answered(sock, PLAN_STATE, "open", {"subscription_id": sub})
    counted["open plan switch"] = proxy.take()
    target = next(c for c in opened["choices_rx_state_"] if c["name"] == "Enterprise")
    review = {"price": target["price_id"], "quantity": "1", "promotion_code": ""}
    reviewed = await answered(sock, PLAN_STATE, "review", {"form_data": review})
    assert reviewed.get("step_rx_state_") == "review", reviewed
    counted["plan change: review (preview)"] = proxy.take()
    done = await answered(sock, PLAN_STATE, "confirm", {})
    assert done.get("confirmation_rx_state_"), done
    counted["plan change: confirm"] = proxy.take()
    await sock.close()
    return counted


def show(label: str, calls: Counter[str], per: int = 1) -> None:
    reads = sum(n for k, n in calls.items() if k.startswith("read"))
    writes = sum(n for k, n in calls.items() if k.startswith("write"))
    hooks = calls["webhook delivered"]
    print(f"{label:<32} {reads / per:>6.1f} {writes / per:>7.1f} {hooks / per:>9.1f}")
    for key, n in sorted(calls.items()):
        if key != "webhook delivered":
            print(f"{'':<4}{key} x{n}")


def main() -> None:
    server = BenchServer()
    proxy = CountingProxy(server.url)
    server.env["PORTAL_INTERNAL_URL"] = proxy.url
    proxy.start()
    with server:
        tokens = server.session_tokens([CUSTOMER] * (PAGE_VIEWS + 1))
        proxy.take()  # the demo's start-up webhooks
        print(f"{'(per item)':<32} {'reads':>6} {'writes':>7} {'webhooks':>9}")
        asyncio.run(page_views(server.port, tokens[:PAGE_VIEWS]))
        show(f"page view (x{PAGE_VIEWS}, link + home)", proxy.take(), PAGE_VIEWS)
        for label, calls in asyncio.run(changes(server.port, tokens[-1], proxy)).items():
            show(label, calls)
    proxy.server.should_exit = True


if __name__ == "__main__":
    main()
