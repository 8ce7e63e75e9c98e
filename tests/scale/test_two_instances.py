"""Two full portal instances on two ports, sharing one PostgreSQL database and one Redis.

A TCP proxy plays the load balancer: the browser only knows its URL, and the test moves the
traffic from one instance to the other mid-flow, cutting the open connections as a failed
instance would. Both instances are built with that public URL as Reflex's `api_url`, so the
second build writes the same frontend as the first (the built frontend names the websocket
URL; built for its own port, the second instance would send the first one's browsers to
itself). The second instance starts only after the first is up, since both build in one
`.web` folder: the cluster's own, so that the suite's `app_server` keeps the project's.
"""

import hashlib
import hmac
import json
import re
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect
from scale_support import (
    SwitchingProxy,
    scratch_database,
    scratch_redis_database,
    skip_unless_postgres,
    skip_unless_redis,
)

from portal_app.auth import rate_limit
from portal_app.settings import get_settings
from tests import app_data
from tests.app_data import latest_login_code as latest_code
from tests.app_data import login_page_token
from tests.harness import AppServer, free_port

pytestmark = [pytest.mark.services, pytest.mark.e2e]


def own_web_dir(path: Path) -> Path:
    """A `.web` for the cluster alone, seeded from the project's to skip the package install.

    The suite's `app_server` serves the project's `.web`; a build for the cluster there would
    point that server's pages at the proxy.
    """
    project_web = Path(__file__).resolve().parents[2] / ".web"

    def skip_the_build(folder: str, names: list[str]) -> list[str]:
        return ["build"] if Path(folder) == project_web else []

    if project_web.is_dir():
        shutil.copytree(project_web, path, symlinks=True, ignore=skip_the_build)
    return path


def instance(
    workdir: Path,
    *,
    database_url: str,
    sandbox_database_url: str,
    redis_url: str,
    proxy_url: str,
    web_dir: Path,
) -> Any:
    """An AppServer on the shared PostgreSQL and Redis, whose public URL is the proxy's.

    The embedded sandbox is one Stripe for both instances: its own PostgreSQL database."""
    server = AppServer(free_port(), workdir, env={"PORTAL_DEV_OUTBOX": "true"})
    server.env.update(
        {
            "PORTAL_DATABASE_URL": database_url,
            "PORTAL_SANDBOX_DATABASE_URL": sandbox_database_url,
            "PORTAL_REDIS_URL": redis_url,
            "PORTAL_PUBLIC_URL": proxy_url,
            "PORTAL_CORS_ORIGINS": json.dumps([server.url]),
            "REFLEX_API_URL": proxy_url,
            "GRANIAN_WORKERS": "2",
            "REFLEX_WEB_WORKDIR": str(web_dir),
        }
    )
    server.log_path.parent.mkdir(parents=True)
    return server


class Cluster:
    """Instances A and B (AppServers) behind the proxy, which sends the traffic to A at first."""

    def __init__(self, a: Any, b: Any, proxy: SwitchingProxy) -> None:
        self.a, self.b, self.proxy = a, b, proxy

    def route_to(self, server: Any) -> None:
        self.proxy.route_to(server.port)


@pytest.fixture(scope="module")
def cluster(request: pytest.FixtureRequest) -> Iterator[Cluster]:
    skip_unless_postgres()
    skip_unless_redis()
    with (
        scratch_database() as database_url,
        scratch_database() as sandbox_database_url,
        scratch_redis_database() as redis_url,
    ):
        proxy = SwitchingProxy(free_port())
        workdir = Path(tempfile.mkdtemp(prefix="portal-scale-"))
        web_dir = own_web_dir(workdir / "web")
        shared = {
            "database_url": database_url,
            "sandbox_database_url": sandbox_database_url,
            "redis_url": redis_url,
            "proxy_url": proxy.url,
        }
        a = instance(workdir / "a", web_dir=web_dir, **shared)
        b = instance(workdir / "b", web_dir=web_dir, **shared)
        try:
            a.start()  # `cli init --demo`, then the build and the server
            b.start()
            proxy.start(target=a.port)
            yield Cluster(a, b, proxy)
        finally:
            proxy.stop()
            for server in (a, b):
                server.stop()
            shutil.rmtree(web_dir, ignore_errors=True)  # the logs stay


@pytest.fixture(autouse=True)
def no_errors_on_either_instance(cluster: Cluster) -> Iterator[None]:
    """Like the suite's guard, for both instances' logs."""
    offsets = [(i, i.log_size()) for i in (cluster.a, cluster.b)]
    yield
    errors = [line for i, offset in offsets for line in i.error_lines_since(offset)]
    if errors:
        pytest.fail("an instance logged errors:\n" + "\n".join(errors[:20]), pytrace=False)


def wait_for_customer(instance: Any, email: str) -> str:
    """A one-time portal link for a demo customer, once webhooks have put them in the mirror."""
    deadline = time.monotonic() + 60
    while True:
        try:
            return instance.cli("session-link", "--email", email)
        except subprocess.CalledProcessError:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)


def test_a_login_started_on_one_instance_completes_on_the_other(
    cluster: Cluster, page: Page
) -> None:
    email = "trial@example.com"
    wait_for_customer(cluster.a, email)
    token = login_page_token(cluster.a)
    cluster.route_to(cluster.a)
    page.goto(f"{cluster.proxy.url}/login/{token}?prefilled_email={email}")
    expect(page.get_by_label("Email")).to_have_value(email)
    page.get_by_test_id("login-send").click()
    expect(page.get_by_role("status")).to_contain_text("we sent it a 6-digit code")
    assert cluster.proxy.went_to(cluster.a.port, "/_event")

    # A goes away: the tab reconnects to B, which finds the tab's state in Redis.
    cluster.route_to(cluster.b)
    expect(page.get_by_test_id("login-code")).to_be_visible()
    page.get_by_label("Login code").fill(latest_code(cluster.a, email))
    page.get_by_test_id("login-verify").click()
    expect(page).to_have_url(re.compile(r"/portal/?$"))
    expect(page.get_by_test_id("subscription").first).to_contain_text("Trial")
    assert cluster.proxy.went_to(cluster.b.port, "/_event")


def test_rate_limits_count_requests_to_both_instances(cluster: Cluster, page: Page) -> None:
    app_data.reset_rate_limits(cluster.a)
    token = login_page_token(cluster.a)
    allowed = rate_limit.SEND_PER_CLIENT.amount
    run = uuid.uuid4().hex[:8]

    def send_code(n: int) -> None:
        email = f"nobody-{run}-{n}@example.com"
        page.goto(f"{cluster.proxy.url}/login/{token}?prefilled_email={email}")
        expect(page.get_by_label("Email")).to_have_value(email)  # the page is live
        page.get_by_test_id("login-send").click()

    # Every request comes from the same client address: half go to A, the rest to B.
    cluster.route_to(cluster.a)
    for n in range(allowed):
        if n == allowed // 2:
            page.goto("about:blank")  # no live socket to carry over: a plain switch
            cluster.route_to(cluster.b)
        send_code(n)
        expect(page.get_by_role("status")).to_contain_text("we sent it a 6-digit code")
    send_code(allowed)
    expect(page.locator("#login-email-error")).to_contain_text("Too many codes were requested")


def _signed_event(customer: dict[str, Any], version: int) -> tuple[bytes, str]:
    event = {
        "id": f"evt_scale_{uuid.uuid4().hex[:16]}",
        "object": "event",
        "type": "customer.updated",
        "created": version,
        "livemode": False,
        "data": {"object": customer},
    }
    payload = json.dumps(event)
    secret = (get_settings().webhook_secret or "").encode()
    timestamp = int(time.time())
    digest = hmac.new(secret, f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return payload.encode(), f"t={timestamp},v1={digest}"  # Stripe's signature scheme


def test_a_webhook_delivered_to_one_instance_shows_on_both(cluster: Cluster, page: Page) -> None:
    link = wait_for_customer(cluster.a, "team@example.com")
    cluster.route_to(cluster.b)
    page.goto(link)
    billing = page.get_by_role("region", name="Billing information")
    expect(billing).to_contain_text("Northwind Traders")

    mirrored = app_data.customer(cluster.a, "team@example.com")
    payload, signature = _signed_event(
        {**mirrored.raw, "name": "Northwind Scaled Out"}, mirrored.stripe_updated + 1
    )
    answer = httpx.post(
        f"{cluster.a.url}/api/stripe/webhook",
        content=payload,
        headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
    )
    assert answer.json() == {"received": True, "duplicate": False}

    page.reload()  # served by B
    expect(billing).to_contain_text("Northwind Scaled Out")
    cluster.route_to(cluster.a)
    # Reflex gives a tab a new token (a fresh state) when its token still looks connected:
    # let B notice that the proxy dropped the tab's websocket before A sees it come back.
    time.sleep(2)
    page.reload()
    expect(billing).to_contain_text("Northwind Scaled Out")
