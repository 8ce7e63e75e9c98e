"""Accessibility of the customer pages, checked with axe-core in Chromium (labels, names,
contrast, landmarks, valid language tags) on the pages a customer reaches."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

AXE = (
    Path(__file__).resolve().parents[2]
    / ".tools"
    / "js"
    / "node_modules"
    / "axe-core"
    / "axe.min.js"
)


def violations(page: Page) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now."""
    page.evaluate(AXE.read_text())
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def axe_ready() -> None:
    if not AXE.exists():
        pytest.skip("axe-core is not installed: scripts/test.sh installs it into .tools/js")


def test_portal_home_has_no_serious_accessibility_issues(app_server, page: Page, axe_ready) -> None:
    page.goto(app_server.cli("session-link", "--email", "canceling@example.com"))
    expect(page.get_by_test_id("subscription").first).to_be_visible()
    assert violations(page) == []
    page.set_viewport_size({"width": 390, "height": 844})
    assert violations(page) == []


def test_open_panels_and_login_have_no_serious_issues(app_server, page: Page, axe_ready) -> None:
    page.goto(app_server.cli("session-link", "--email", "trial@example.com"))
    page.get_by_test_id("update-subscription").first.click()
    expect(page.get_by_test_id("plan-panel")).to_be_visible()
    page.get_by_test_id("billing-edit").click()
    expect(page.get_by_test_id("billing-form")).to_be_visible()
    assert violations(page) == []
    page.goto(f"{app_server.url}/login/no-such-link")
    expect(page.get_by_test_id("login-card")).to_be_visible()
    assert violations(page) == []


def test_plan_change_review_has_no_serious_issues(app_server, page: Page, axe_ready) -> None:
    page.goto(app_server.cli("session-link", "--email", "trial@example.com"))
    page.get_by_test_id("update-subscription").first.click()
    panel = page.get_by_test_id("plan-panel")
    panel.get_by_test_id("plan-option").filter(has_text="Pro").first.get_by_role("radio").check()
    panel.get_by_test_id("plan-continue").click()
    expect(panel.get_by_test_id("review-due-today")).to_be_visible()
    assert violations(page) == []
    page.set_viewport_size({"width": 390, "height": 844})
    assert violations(page) == []


def test_dashboard_pages_have_no_serious_issues(app_server, page: Page, axe_ready) -> None:
    from tests.e2e.test_dashboard import sign_in

    page.goto(f"{app_server.url}/dashboard/login")
    expect(page.get_by_label("Password")).to_be_visible()
    assert violations(page) == []
    sign_in(page, app_server.url)
    for path, heading in (
        ("/dashboard", "Portal configurations"),
        ("/dashboard/branding", "Branding"),
        ("/dashboard/products", "Products"),
        ("/dashboard/email", "Email"),
    ):
        page.goto(app_server.url + path)
        expect(page.get_by_role("heading", level=1, name=heading, exact=True)).to_be_visible()
        page.wait_for_timeout(300)  # the page's loader fills its forms
        assert violations(page) == [], path
