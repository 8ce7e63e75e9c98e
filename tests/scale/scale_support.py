"""What the scale-out tests share: the machine's PostgreSQL and Redis, scratch databases on
them, and a stand-in for the load balancer in front of several portal instances.

`PORTAL_TEST_POSTGRES_URL` and `PORTAL_TEST_REDIS_URL` point elsewhere than the defaults
(127.0.0.1, user postgres, trust authentication), as in CI.
"""

import asyncio
import os
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import redis
from sqlalchemy import create_engine, make_url, pool, text
from sqlalchemy.exc import OperationalError

POSTGRES_ADMIN_URL = os.environ.get(
    "PORTAL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REDIS_SERVER_URL = os.environ.get("PORTAL_TEST_REDIS_URL", "redis://127.0.0.1:6379")
REDIS_LOCK_KEY = "portal-tests:held-by"


def skip_unless_postgres() -> None:
    """Skip the calling test, with the reason, when PostgreSQL does not answer."""
    engine = create_engine(POSTGRES_ADMIN_URL, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as exc:
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {exc}")
    finally:
        engine.dispose()


def skip_unless_redis() -> None:
    """Skip the calling test, with the reason, when Redis does not answer."""
    try:
        redis.Redis.from_url(REDIS_SERVER_URL, socket_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis is not reachable at {REDIS_SERVER_URL}: {exc}")


@contextmanager
def scratch_database() -> Iterator[str]:
    """A new, empty PostgreSQL database for this run (its URL), dropped afterwards."""
    name = f"portal_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=pool.NullPool)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def scratch_redis_database() -> Iterator[str]:
    """A Redis database number that was empty and that this run holds (its URL), emptied after.

    Reflex's state and the rate-limit counters then cannot meet another run's keys, and a
    database someone else uses (without this lock) is never picked because it is not empty.
    """
    run = uuid.uuid4().hex
    for number in range(15, 0, -1):
        url = f"{REDIS_SERVER_URL.rstrip('/')}/{number}"
        client = redis.Redis.from_url(url)
        if not client.set(REDIS_LOCK_KEY, run, nx=True, ex=1800):
            continue
        if client.dbsize() == 1:
            break
        client.delete(REDIS_LOCK_KEY)
    else:
        pytest.skip("no empty Redis database (1-15) is free for this run")
    try:
        yield url
    finally:
        client.flushdb()


class SwitchingProxy:
    """A TCP load balancer stand-in: one public port, each new connection to the current backend.

    `route_to` moves the traffic and cuts the open connections, as when an instance goes
    away; browsers then reconnect their websocket, now to the other instance.
    """

    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.target: int | None = None
        # The first request line of every connection, with the backend port it went to.
        self.requests: list[tuple[int, str]] = []
        self._streams: set[asyncio.StreamWriter] = set()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def start(self, target: int) -> None:
        self.target = target
        self._thread.start()
        self._ready.wait(10)

    def route_to(self, target: int) -> None:
        """Send new connections to `target` and drop every open one."""

        async def switch() -> None:
            self.target = target
            for stream in list(self._streams):
                stream.close()

        asyncio.run_coroutine_threadsafe(switch(), self._loop).result(10)

    def went_to(self, target: int, path: str) -> bool:
        """Whether a connection to `target` asked for `path` (e.g. the websocket, `/_event`)."""
        return any(port == target and f" {path}" in line for port, line in self.requests)

    def stop(self) -> None:
        if self._thread.is_alive():
            asyncio.run_coroutine_threadsafe(self._close(), self._loop).result(10)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)

    async def _close(self) -> None:
        self._server.close()
        for stream in list(self._streams):
            stream.close()
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)

    def _serve(self) -> None:
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._handle, "127.0.0.1", self.port)
        )
        self._ready.set()
        self._loop.run_forever()

    async def _handle(self, client_in: asyncio.StreamReader, client_out: asyncio.StreamWriter):
        target = self.target
        assert target is not None
        try:
            backend_in, backend_out = await asyncio.open_connection("127.0.0.1", target)
        except OSError:
            client_out.close()
            return
        self._streams |= {client_out, backend_out}
        first = await client_in.readline()
        self.requests.append((target, first.decode(errors="replace").strip()))
        backend_out.write(first)
        try:
            await asyncio.gather(
                _pipe(client_in, backend_out),
                _pipe(backend_in, client_out),
                return_exceptions=True,
            )
        except asyncio.CancelledError:
            # Shutdown cancels open connections; asyncio would log the cancelled handler
            # as an error from the server's callback, which the test guard reports.
            return
        finally:
            self._streams -= {client_out, backend_out}


async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    try:
        while data := await source.read(65536):
            sink.write(data)
            await sink.drain()
    finally:
        sink.close()
