"""Shared test harness: an isolated database, the HTTP API in a thread, the built app, Chromium.

Environment is set before any portal module reads settings, so every test run uses a fresh
temporary database and never touches `data/portal.db`.
"""

import logging
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from tests.harness import CHROMIUM_ARGS, AppServer, find_chromium, free_port

if TYPE_CHECKING:
    import stripe

    from portal_app.billing.gateway import Gateway

ROOT = Path(__file__).resolve().parent.parent


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


_running_app_server: AppServer | None = None


@pytest.fixture(scope="session")
def app_server() -> Iterator[AppServer]:
    """Build and serve the app once per test session, on a free port with a fresh database."""
    global _running_app_server
    workdir = Path(tempfile.mkdtemp(prefix="portal-e2e-"))
    # The development outbox, as `scripts/start.sh` turns it on for the demo.
    server = AppServer(free_port(), workdir, env={"PORTAL_DEV_OUTBOX": "true"})
    server.start()
    _running_app_server = server
    yield server
    _running_app_server = None
    server.stop()


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


@pytest.fixture
def sandbox(api_server: str) -> Iterator[httpx.Client]:
    """An HTTP client for the sandbox's test helpers; faults are cleared after each test."""
    from tests.factories import sandbox_http

    with sandbox_http() as client:
        yield client
        client.delete("/v1/test_helpers/faults")


@pytest.fixture
def gateway(sandbox: httpx.Client) -> "Gateway":
    """A gateway of its own per test (its HTTP pool belongs to the test's event loop)."""
    from portal_app.billing.gateway import Gateway, build_client

    return Gateway(build_client(timeout=5))


@pytest.fixture
def stripe_client(sandbox: httpx.Client) -> "stripe.StripeClient":
    """A raw client on the sandbox, for arranging what the portal itself never creates."""
    from portal_app.billing.gateway import build_client

    return build_client()
