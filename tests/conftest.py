"""Shared test harness: an isolated database, the HTTP API in a thread, the built app, Chromium.

Environment is set before any portal module reads settings, so every test run uses a fresh
temporary database and never touches `data/portal.db`.
"""

import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


_TMP = Path(tempfile.mkdtemp(prefix="portal-tests-"))
API_PORT = free_port()
os.environ.update(
    {
        "PORTAL_DATABASE_URL": f"sqlite:///{_TMP / 'unit.db'}",
        "PORTAL_DATA_DIR": str(_TMP / "data"),
        "PORTAL_SECRET_KEY": "test-secret-key",
        "PORTAL_INTERNAL_URL": f"http://127.0.0.1:{API_PORT}",
        "PORTAL_PUBLIC_URL": f"http://127.0.0.1:{API_PORT}",
    }
)
for _name in ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "PORTAL_SMTP_HOST", "PORTAL_REDIS_URL"):
    os.environ.pop(_name, None)


class _ErrorCollector(logging.Handler):
    """Remembers every ERROR record the app logs while a test runs."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


_errors = _ErrorCollector()
logging.getLogger().addHandler(_errors)


@pytest.fixture(autouse=True)
def fail_on_app_error(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail any test during which the app logged an ERROR (mark `allow_app_errors` to opt out)."""
    _errors.records.clear()
    server = _running_app_server
    log_offset = server.log_size() if server else 0
    yield
    if request.node.get_closest_marker("allow_app_errors"):
        return
    messages = [f"{r.name}: {r.getMessage()}" for r in _errors.records]
    if server:
        messages += server.error_lines_since(log_offset)
    if messages:
        pytest.fail("the app logged errors:\n" + "\n".join(messages[:20]), pytrace=False)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "allow_app_errors: the test expects the app to log errors")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Quick tests first, browser tests last: a failure shows early, and Playwright's sync
    driver (which keeps an event loop running once started) comes after every async test."""
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)


@pytest.fixture(scope="session")
def db_tables() -> None:
    """The schema of every table, created once in the temporary database."""
    from portal_app.db import create_tables

    create_tables()


@pytest.fixture(scope="session")
def api_server(db_tables: None) -> Iterator[str]:
    """The portal's HTTP routes (API, webhooks, sandbox) served by uvicorn in a thread."""
    import uvicorn

    from portal_app.api import build_api

    server = uvicorn.Server(
        uvicorn.Config(build_api(), host="127.0.0.1", port=API_PORT, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{API_PORT}"
    _wait_for(f"{base}/healthz", timeout=20)
    yield base
    server.should_exit = True
    thread.join(timeout=10)


def _wait_for(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f}s")


class AppServer:
    """The whole portal built and served in production mode by `reflex run`, in a subprocess."""

    def __init__(self, port: int, workdir: Path) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = workdir / "app.log"
        self.env = {
            **os.environ,
            "PORTAL_DATABASE_URL": f"sqlite:///{workdir / 'app.db'}",
            "PORTAL_DATA_DIR": str(workdir / "data"),
            "PORTAL_INTERNAL_URL": self.url,
            "PORTAL_PUBLIC_URL": self.url,
            "PORTAL_CORS_ORIGINS": f'["http://localhost:{port}"]',
            # The development outbox, as `scripts/start.sh` turns it on for the demo.
            "PORTAL_DEV_OUTBOX": "true",
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 300) -> None:
        subprocess.run(
            [sys.executable, "-m", "portal_app.cli", "init", "--demo"],
            cwd=ROOT,
            env=self.env,
            check=True,
        )
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "reflex",
                "run",
                "--env",
                "prod",
                "--single-port",
                "--frontend-port",
                str(self.port),
                "--backend-host",
                "127.0.0.1",
                "--loglevel",
                "info",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("the app exited:\n" + self.log_path.read_text()[-4000:])
            try:
                if httpx.get(f"{self.url}/", timeout=2).status_code == 200 and self._mirrored():
                    return
            except httpx.HTTPError:
                pass
            time.sleep(1)
        raise RuntimeError("the app did not start:\n" + self.log_path.read_text()[-4000:])

    def _mirrored(self) -> bool:
        """Every demo event delivered to the webhook, so the mirror knows the demo customers
        (tests would otherwise race the first deliveries). Asked of the sandbox over its
        Stripe API, as of Stripe: events whose webhook delivery has not succeeded yet."""
        from portal_app.settings import get_settings

        # The server derives its sandbox key from the same PORTAL_SECRET_KEY as this process.
        key = get_settings().sandbox_api_key
        response = httpx.get(
            f"{self.url}/sandbox/v1/events",
            params={"delivery_success": "false", "limit": 1},
            headers={"Authorization": f"Bearer {key}"},
            timeout=5,
        )
        return response.status_code == 200 and response.json()["data"] == []

    def cli(self, *args: str) -> str:
        """Run `python -m portal_app.cli ARGS` against this server's database; its stdout."""
        done = subprocess.run(
            [sys.executable, "-m", "portal_app.cli", *args],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        )
        return done.stdout.strip()

    def python(self, code: str) -> str:
        """Run Python against this server's database and settings (for setting up a test)."""
        done = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        )
        return done.stdout.strip()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def log_size(self) -> int:
        return self.log_path.stat().st_size if self.log_path.exists() else 0

    def error_lines_since(self, offset: int) -> list[str]:
        """Lines the app logged at ERROR (or tracebacks) after `offset` bytes of its log."""
        if not self.log_path.exists():
            return []
        with self.log_path.open("rb") as fh:
            fh.seek(offset)
            text = fh.read().decode(errors="replace")
        return [line for line in text.splitlines() if "ERROR" in line or "Traceback" in line]


_running_app_server: AppServer | None = None


@pytest.fixture(scope="session")
def app_server() -> Iterator[AppServer]:
    """Build and serve the app once per test session, on a free port with a fresh database."""
    global _running_app_server
    workdir = Path(tempfile.mkdtemp(prefix="portal-e2e-"))
    server = AppServer(free_port(), workdir)
    server.start()
    _running_app_server = server
    yield server
    _running_app_server = None
    server.stop()


def find_chromium() -> str | None:
    """Chromium from `PORTAL_CHROMIUM_PATH`, or the first one on PATH."""
    configured = os.environ.get("PORTAL_CHROMIUM_PATH")
    if configured:
        return configured
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[object]:
    """One Playwright driver for the session's browsers."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def launch_browser(playwright_driver: object) -> Iterator[object]:
    """Launch headless Chromium with extra flags (the browsers close with the session)."""
    path = find_chromium()
    if path is None:
        pytest.fail("no Chromium found: install Debian's chromium or set PORTAL_CHROMIUM_PATH")
    launched: list[object] = []

    def launch(*extra_args: str) -> object:
        browser = playwright_driver.chromium.launch(  # type: ignore[attr-defined]
            executable_path=path, headless=True, args=[*CHROMIUM_ARGS, *extra_args]
        )
        launched.append(browser)
        return browser

    yield launch
    for browser in launched:
        browser.close()  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def browser(launch_browser: object) -> object:
    """Headless Chromium driven by Playwright (the test command installs Debian's chromium)."""
    return launch_browser()  # type: ignore[operator]


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    """A fresh browser context and page per test, failing on uncaught page errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    page_errors: list[str] = []
    page.on("pageerror", lambda exc: page_errors.append(str(exc)))
    yield page
    context.close()
    if page_errors:
        pytest.fail("the page raised: " + "; ".join(page_errors), pytrace=False)
