"""The portal inside a merchant's app: framing allowed for listed origins only, and the
parent page hears from the frame (size, navigation, completed tasks) by postMessage."""

import http.server
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests import app_data

pytestmark = pytest.mark.e2e

PARENT_PAGE = """<!doctype html>
<html><head><title>Merchant app</title></head>
<body>
<h1>Merchant app</h1>
<div id="billing-portal"></div>
<ul id="events"></ul>
<script src="{portal}/portal-embed.js"></script>
<script>
  const url = new URLSearchParams(location.search).get("session");
  PortalEmbed.mount("#billing-portal", url, {{
    onEvent: (message) => {{
      const item = document.createElement("li");
      item.textContent = message.type;
      document.getElementById("events").appendChild(item);
    }},
  }});
</script>
</body></html>"""


@pytest.fixture(scope="module")
def merchant_site(app_server, tmp_path_factory) -> Iterator[int]:
    """A static page on another origin that embeds the portal with the snippet."""
    root: Path = tmp_path_factory.mktemp("merchant-site")
    (root / "index.html").write_text(PARENT_PAGE.format(portal=app_server.url))
    handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(  # noqa: E731
        *a, directory=str(root), **k
    )
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()


@pytest.fixture(scope="module")
def cookie_blocking_browser(launch_browser) -> Browser:
    """Chromium that blocks third-party cookies, as more and more browsers do."""
    return launch_browser("--test-third-party-cookie-phaseout")


def allow_origins(app_server, *origins: str) -> None:
    app_data.configure(app_server, {"embed": {"allowed_origins": list(origins)}})


def test_dashboard_is_never_frameable(app_server) -> None:
    response = httpx.get(f"{app_server.url}/dashboard/login", timeout=10)
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"


def test_allowed_origin_frames_the_portal_and_hears_from_it(
    app_server, merchant_site: int, cookie_blocking_browser: Browser
) -> None:
    # localhost and 127.0.0.1 are different sites: the frame is cross-site.
    parent = f"http://localhost:{merchant_site}"
    allow_origins(app_server, parent)
    session = app_server.cli("session-link", "--email", "jenny.rosen@example.com")
    headers = httpx.get(session, timeout=10).headers
    assert headers["content-security-policy"] == f"frame-ancestors {parent}"

    page = cookie_blocking_browser.new_page()
    page.goto(f"{parent}/index.html?session={session}")
    frame = page.frame_locator("#billing-portal iframe")
    expect(frame.get_by_test_id("subscription").first).to_contain_text("Pro", timeout=20000)
    events = page.locator("#events")
    expect(events).to_contain_text("portal.resize")
    expect(events).to_contain_text("portal.navigate")
    height = page.locator("#billing-portal iframe").evaluate("f => f.style.height")
    assert re.fullmatch(r"\d+px", height) and int(height[:-2]) > 480

    # Third-party cookies are blocked here, so the browser refused the session cookie (L4):
    # the session stays bound to the tab alone and every action below still works.
    page.wait_for_timeout(1000)
    assert not [c for c in page.context.cookies() if c["name"] == "portal_session"]

    # A task completed inside the frame reaches the parent as an event.
    subscription = frame.get_by_test_id("subscription").first
    subscription.get_by_test_id("cancel-subscription").click()
    frame.get_by_test_id("cancel-confirm").click()
    expect(events).to_contain_text("portal.subscription.canceled")
    subscription.get_by_test_id("renew-subscription").click()
    expect(events).to_contain_text("portal.subscription.updated")

    frame.get_by_test_id("logout").click()
    expect(events).to_contain_text("portal.closed")
    page.close()


def test_other_origins_are_refused(app_server, merchant_site: int, browser: Browser) -> None:
    allow_origins(app_server, f"http://localhost:{merchant_site}")
    session = app_server.cli("session-link", "--email", "trial@example.com")
    page = browser.new_page()
    # Same host, another port: another origin, not in the list.
    page.goto(f"http://127.0.0.1:{merchant_site}/index.html?session={session}")
    page.wait_for_timeout(3000)
    frame = page.frame_locator("#billing-portal iframe")
    expect(frame.get_by_test_id("subscription")).to_have_count(0)
    expect(page.locator("#events")).to_be_empty()
    page.close()


def test_a_first_party_session_keeps_an_httponly_cookie_and_survives_a_reload(
    app_server, browser: Browser
) -> None:
    session = app_server.cli("session-link", "--email", "team@example.com")
    context = browser.new_context()
    page = context.new_page()
    page.goto(session)
    expect(page.get_by_test_id("subscription").first).to_be_visible(timeout=20000)
    for _ in range(50):
        cookies = [c for c in context.cookies() if c["name"] == "portal_session"]
        if cookies:
            break
        page.wait_for_timeout(100)
    assert len(cookies) == 1
    assert cookies[0]["httpOnly"] and cookies[0]["sameSite"] == "Lax"
    readable = page.evaluate("document.cookie").split("; ")
    # The session cookie is not readable; only its companion (nothing secret) is.
    assert not any(c.startswith("portal_session=") for c in readable)
    assert "portal_session_kept=1" in readable
    page.reload()
    expect(page.get_by_test_id("subscription").first).to_be_visible(timeout=20000)
    context.close()
