"""A minimal Reflex client over its socket.io websocket (Engine.IO v4), on asyncio + wsproto.

It speaks what the compiled frontend (`.web/utils/state.js`) speaks: connect to
`/_event/?token=T&EIO=4&transport=websocket` with the hydrate event as the socket.io CONNECT
auth, then `42/_event,["event", {name, payload, router_data}]` per event; the server answers
with `["event", {"delta": ..., "events": ...}]` messages. wsproto ships with the installed
stack, so no extra dependency is needed.
"""

import asyncio
import contextlib
import json
import uuid
from typing import Any

from wsproto import ConnectionType, WSConnection
from wsproto.events import (
    AcceptConnection,
    CloseConnection,
    Ping,
    RejectConnection,
    Request,
    TextMessage,
)

NAMESPACE = "/_event"
ROOT_STATE = "reflex___state____state"
HYDRATE = f"{ROOT_STATE}.hydrate_and_load"
ON_LOAD = f"{ROOT_STATE}.reflex___state____on_load_internal_state.on_load_internal"
PORTAL_STATE = f"{ROOT_STATE}.portal_app___state___portal____portal_state"
PLAN_STATE = f"{ROOT_STATE}.portal_app___state___plan_change____plan_change_state"
REFLEX_VERSION = "0.10.1"


def router(path: str) -> dict[str, Any]:
    return {"pathname": path, "asPath": path}


def hydrated(update: dict[str, Any]) -> bool:
    """True for the update that ends a page load (`is_hydrated` back to true)."""
    root = update.get("delta", {}).get(ROOT_STATE, {})
    return root.get("is_hydrated_rx_state_") is True


class ReflexSocket:
    """One browser tab's websocket: its own client token, its own server-side state."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.token = str(uuid.uuid4())
        self.updates: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._ws = WSConnection(ConnectionType.CLIENT)
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._task: asyncio.Task[None] | None = None
        self._text: list[str] = []
        self._opened = asyncio.get_running_loop().create_future()
        self._joined = asyncio.get_running_loop().create_future()

    async def connect(self, boot_path: str) -> None:
        """Open the socket and send the page's hydrate event with the CONNECT packet."""
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        target = f"{NAMESPACE}/?token={self.token}&EIO=4&transport=websocket"
        self._send_raw(
            self._ws.send(
                Request(
                    host=f"{self.host}:{self.port}", target=target, subprotocols=[REFLEX_VERSION]
                )
            )
        )
        self._task = asyncio.create_task(self._read_loop())
        await asyncio.wait_for(self._opened, 30)
        boot = {"event": {"name": HYDRATE, "payload": {}, "router_data": router(boot_path)}}
        await self._send_text(f"40{NAMESPACE},{json.dumps(boot)}")
        await asyncio.wait_for(self._joined, 30)

    async def emit(self, name: str, payload: dict[str, Any], path: str) -> None:
        """Send one event as the frontend does."""
        event = {"name": name, "payload": payload, "router_data": router(path)}
        await self._send_text(f"42{NAMESPACE},{json.dumps(['event', event])}")

    async def until(self, done: Any, timeout: float = 30) -> dict[str, Any]:
        """Updates until one satisfies `done(update)`; that one is returned."""
        async with asyncio.timeout(timeout):
            while True:
                update = await self.updates.get()
                if done(update):
                    return update

    def drain(self) -> None:
        """Forget updates not waited for (late answers to an earlier event)."""
        while not self.updates.empty():
            self.updates.get_nowait()

    async def load(self, path: str, timeout: float = 30) -> dict[str, Any]:
        """Navigate client-side to `path` (its on_load), merging the deltas until hydrated."""
        merged: dict[str, Any] = {}
        await self.emit(ON_LOAD, {}, path)
        async with asyncio.timeout(timeout):
            while True:
                update = await self.updates.get()
                for state, values in update.get("delta", {}).items():
                    merged.setdefault(state, {}).update(values)
                if hydrated(update):
                    return merged

    async def close(self) -> None:
        if self._writer is None:
            return
        with contextlib.suppress(Exception):
            self._send_raw(self._ws.send(CloseConnection(code=1000)))
            await self._writer.drain()
        if self._task:
            self._task.cancel()
        self._writer.close()
        with contextlib.suppress(Exception):
            await self._writer.wait_closed()

    def _send_raw(self, data: bytes) -> None:
        assert self._writer is not None
        self._writer.write(data)

    async def _send_text(self, text: str) -> None:
        assert self._writer is not None
        self._send_raw(self._ws.send(TextMessage(data=text)))
        await self._writer.drain()

    async def _read_loop(self) -> None:
        assert self._reader is not None
        while data := await self._reader.read(65536):
            self._ws.receive_data(data)
            for event in self._ws.events():
                if isinstance(event, AcceptConnection):
                    pass
                elif isinstance(event, RejectConnection):
                    self._fail(RuntimeError(f"websocket rejected: {event.status_code}"))
                elif isinstance(event, Ping):
                    self._send_raw(self._ws.send(event.response()))
                elif isinstance(event, TextMessage):
                    self._text.append(event.data)
                    if event.message_finished:
                        await self._on_packet("".join(self._text))
                        self._text = []
                elif isinstance(event, CloseConnection):
                    return

    def _fail(self, exc: Exception) -> None:
        for future in (self._opened, self._joined):
            if not future.done():
                future.set_exception(exc)

    async def _on_packet(self, packet: str) -> None:
        kind, body = packet[:1], packet[1:]
        if kind == "0":
            self._opened.set_result(None)
        elif kind == "2":  # Engine.IO ping: answer with pong
            await self._send_text("3")
        elif kind == "4":
            io_kind, _, rest = body.partition(",")
            if io_kind == f"0{NAMESPACE}":
                self._joined.set_result(None)
            elif io_kind == f"4{NAMESPACE}":
                self._fail(RuntimeError(f"socket.io connect refused: {rest}"))
            elif io_kind == f"2{NAMESPACE}":
                name, data = json.loads(rest)[:2]
                if name == "event":
                    self.updates.put_nowait(data)


async def open_portal(host: str, port: int, link_token: str) -> tuple[ReflexSocket, dict]:
    """A tab that opens a portal link like the browser does: the link's page redeems it and
    shows the home in the same event (no second page load). Versions before that redirected
    to `/portal` after the redemption; the redirect is followed, so a baseline from such a
    version is measured by the same client.

    Returns the socket and the merged state delta of the page load(s).
    """
    sock = ReflexSocket(host, port)
    merged: dict[str, Any] = {}
    redirects: list[str] = []
    loaded: list[bool] = []

    def done(update: dict[str, Any]) -> bool:
        for state, values in update.get("delta", {}).items():
            merged.setdefault(state, {}).update(values)
        redirects.extend(
            e["payload"]["path"] for e in update.get("events", []) if e["name"] == "_redirect"
        )
        loaded.append(hydrated(update))
        return any(loaded) and (bool(redirects) or _shown(merged))

    await sock.connect(f"/session/{link_token}")
    await sock.until(done)
    if redirects:
        for state, values in (await sock.load(redirects[0])).items():
            merged.setdefault(state, {}).update(values)
    assert _shown(merged), merged
    return sock, merged


def _shown(merged: dict[str, Any]) -> bool:
    return merged.get(PORTAL_STATE, {}).get("signed_in_rx_state_") is True
