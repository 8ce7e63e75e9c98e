"""The merchant dashboard in Chromium: sign in, configure, brand, login link, links, keys."""

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from portal_app.models import PortalConfiguration
from portal_app.models.mirror_customer import MirrorCustomer
from tests import factories

pytestmark = pytest.mark.e2e

EMAIL = "merchant@example.com"
PASSWORD = "demo-merchant-password"
SHOTS = "/tmp/shots"  # noqa: S108  (where the issue asks for screenshots)


@pytest.fixture
def restore_default_configuration(app_server: Any) -> Iterator[None]:
    """Put the demo's default configuration back, so other e2e tests see the demo brand."""
    with app_server.db() as session:
        original = session.exec(
            select(PortalConfiguration).where(PortalConfiguration.is_default == True)  # noqa: E712
        ).one()
        snapshot = original.model_dump()
    yield
    with app_server.db() as session:
        row = session.get(PortalConfiguration, snapshot["id"])
        assert row is not None
        for key, value in snapshot.items():
            setattr(row, key, value)
        session.add(row)
        session.commit()


def sign_in(page: Page, base: str) -> None:
    page.goto(base + "/dashboard/login")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Portal configurations").wait_for()


def wait_for_form(page: Page) -> None:
    """Wait until the page's loader has filled the form (typing earlier would be lost)."""
    expect(page.get_by_label("Business name")).to_have_value(re.compile(r".+"))


def test_pages_need_a_signed_in_merchant(app_server: Any, page: Page) -> None:
    page.goto(app_server.url + "/dashboard/branding")
    page.get_by_role("heading", name="Sign in to your dashboard").wait_for()
    page.get_by_label("Email").fill("nobody@example.com")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("login-error")).to_have_text("Email or password is incorrect.")
    expect(page).to_have_url(re.compile(r"/dashboard/login/?$"))


def test_sign_in_and_out(app_server: Any, page: Page) -> None:
    sign_in(page, app_server.url)
    expect(page.get_by_text(EMAIL)).to_be_visible()
    page.get_by_test_id("sign-out").click()
    page.get_by_role("heading", name="Sign in to your dashboard").wait_for()
    page.goto(app_server.url + "/dashboard")
    page.get_by_role("heading", name="Sign in to your dashboard").wait_for()


def test_branding_preview_follows_the_form_and_saves(
    app_server: Any, page: Page, restore_default_configuration: None
) -> None:
    sign_in(page, app_server.url)
    page.goto(app_server.url + "/dashboard/branding")
    name = page.get_by_label("Business name")
    expect(name).to_have_value("Acme Cloud")
    preview = page.get_by_test_id("brand-preview")

    name.fill("Acme Cloud Ltd")
    page.get_by_label("Headline").fill("Billing made simple")
    expect(preview).to_contain_text("Acme Cloud Ltd")
    expect(page.get_by_test_id("preview-headline")).to_have_text("Billing made simple")

    page.get_by_label("Button colour").fill("#ffd700")
    expect(page.get_by_test_id("contrast-warning")).to_contain_text("contrast ratio")
    expect(preview).to_have_css("--brand-button", "#ffd700")
    page.get_by_label("Button colour").fill("blue")
    page.get_by_test_id("save-branding").click()
    expect(page.get_by_test_id("error-button_color")).to_contain_text("#rrggbb")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=f"{SHOTS}/e2e-branding-error-1280.png", full_page=True)

    page.reload()  # the refused save changed nothing
    wait_for_form(page)
    expect(page.get_by_label("Business name")).to_have_value("Acme Cloud")
    expect(page.get_by_label("Headline")).to_have_value("")

    page.get_by_label("Business name").fill("Acme Cloud Ltd")
    page.get_by_label("Headline").fill("Billing made simple")
    page.get_by_label("Button colour").fill("#1a7f37")
    page.get_by_label("Background colour").fill("#f5f0e6")
    page.get_by_test_id("save-branding").click()
    expect(page.get_by_test_id("notice")).to_contain_text("Saved")
    expect(page.get_by_test_id("contrast-warning")).to_have_count(0)

    page.goto(app_server.url + "/")
    brand = page.locator(".portal-brand")
    expect(brand).to_contain_text("Acme Cloud Ltd")
    expect(brand).to_contain_text("Billing made simple")


def test_configuration_form_refuses_bad_input_and_saves(
    app_server: Any, page: Page, restore_default_configuration: None
) -> None:
    sign_in(page, app_server.url)
    wait_for_form(page)
    page.get_by_label("Terms of service URL").fill("not a url")
    page.get_by_test_id("save-configuration").click()
    expect(page.get_by_test_id("error-terms_of_service_url")).to_contain_text("http")
    page.reload()
    wait_for_form(page)
    expect(page.get_by_label("Terms of service URL")).to_have_value("https://example.com/terms")

    page.get_by_label("Customers can switch plans").check()
    page.get_by_label("Products and prices").fill("")
    page.get_by_test_id("save-configuration").click()
    expect(page.get_by_test_id("error-products")).to_contain_text("at least one product")

    page.reload()
    wait_for_form(page)
    # The tab's state outlives the reload: the form shows before the loader re-fills it, and
    # typing then would be lost. The loader's refill clears the error.
    expect(page.get_by_test_id("error-products")).to_have_count(0)
    page.get_by_label("Headline").fill("Manage your Acme plan")
    page.get_by_label("When").select_option("immediately")
    page.get_by_label("Too complex").uncheck()
    page.get_by_test_id("save-configuration").click()
    expect(page.get_by_test_id("notice")).to_have_text("Saved.")
    page.reload()
    wait_for_form(page)
    expect(page.get_by_label("Headline")).to_have_value("Manage your Acme plan")
    expect(page.get_by_label("When")).to_have_value("immediately")
    expect(page.get_by_label("Too complex")).not_to_be_checked()
    expect(page.get_by_label("Too expensive")).to_be_checked()


def test_login_link_on_and_off(
    app_server: Any, page: Page, restore_default_configuration: None
) -> None:
    sign_in(page, app_server.url)
    page.goto(app_server.url + "/dashboard/login-link")
    page.get_by_role("button", name="Activate link").click()
    url = page.get_by_test_id("login-link-url")
    expect(url).to_have_value(re.compile(re.escape(app_server.url) + r"/login/[\w-]{20,}$"))
    page.get_by_role("button", name="Deactivate link").click()
    expect(page.get_by_role("button", name="Activate link")).to_be_visible()
    expect(page.get_by_test_id("login-link-url")).to_have_count(0)


def test_portal_link_for_a_customer(app_server: Any, page: Page) -> None:
    with app_server.db() as session:
        if session.get(MirrorCustomer, "cus_e2edash") is None:
            factories.mirror_customer(
                session, customer_id="cus_e2edash", email="ada@example.com", name="Ada Lovelace"
            )
            session.commit()
    sign_in(page, app_server.url)
    page.goto(app_server.url + "/dashboard/customers")
    page.get_by_label("Search by email or name").fill("lovelace")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("button", name="Create a portal link for ada@example.com").click()
    expect(page.get_by_label("Customer id")).to_have_value("cus_e2edash")
    expect(page.get_by_test_id("customer-preview")).to_contain_text("Ada Lovelace")

    page.get_by_label("Open at").select_option("subscription_cancel")
    page.get_by_test_id("create-link").click()
    expect(page.get_by_test_id("error-subscription")).to_contain_text("subscription")
    expect(page.get_by_test_id("session-url")).to_have_count(0)

    page.get_by_label("Open at").select_option("")
    page.get_by_test_id("create-link").click()
    expect(page.get_by_test_id("session-url")).to_have_value(
        re.compile(re.escape(app_server.url) + r"/session/[\w-]{20,}$")
    )


def test_api_key_is_shown_once_works_and_revokes(app_server: Any, page: Page) -> None:
    sign_in(page, app_server.url)
    page.goto(app_server.url + "/dashboard/api-keys")
    page.get_by_label("Key name").fill("e2e backend")
    page.get_by_role("button", name="Create secret key").click()
    secret = page.get_by_test_id("new-secret").input_value(timeout=10_000)
    assert secret.startswith("sk_portal_")
    api = f"{app_server.url}/v1/billing_portal/configurations"
    headers = {"Authorization": f"Bearer {secret}"}
    assert httpx.get(api, headers=headers, timeout=10).status_code == 200
    page.get_by_role("button", name="Done").click()
    expect(page.get_by_test_id("new-secret")).to_have_count(0)
    expect(page.get_by_role("cell", name="e2e backend")).to_be_visible()
    page.get_by_role("button", name=re.compile(r"^Revoke ")).first.click()
    expect(page.get_by_text("Key revoked.")).to_be_visible()
    assert httpx.get(api, headers=headers, timeout=10).status_code == 401


@pytest.mark.parametrize("width", [1280, 390])
def test_screenshots(app_server: Any, page: Page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, app_server.url)
    for name in ("", "branding", "login-link", "customers", "api-keys"):
        page.goto(f"{app_server.url}/dashboard/{name}")
        page.locator(".dash-title").wait_for()
        page.wait_for_timeout(300)
        page.screenshot(
            path=f"{SHOTS}/dashboard-{name or 'configurations'}-{width}.png", full_page=True
        )


def test_enter_before_hydration_never_puts_the_password_in_a_url(
    app_server: Any, page: Page
) -> None:
    secret = "hunter2-never-in-a-url"
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    # No JavaScript arrives: the page stays the server's HTML, as on a slow connection.
    page.route(re.compile(r".*\.(js|mjs)(\?.*)?$"), lambda route: route.abort())
    page.goto(app_server.url + "/dashboard/login")
    password = page.locator("#login-password")
    password.wait_for(state="attached")
    # The fields are disabled until the app has hydrated: typing and Enter do nothing.
    expect(password).to_be_disabled()
    page.locator("#login-email").focus()
    page.keyboard.type("merchant@example.com")
    page.keyboard.press("Enter")
    # Even a native submission (fields re-enabled by hand) would POST, never GET.
    with page.expect_request(lambda request: request.is_navigation_request()) as submitted:
        page.evaluate(
            """secret => {
            const form = document.querySelector('#login-password').form;
            for (const field of form.querySelectorAll('fieldset, input')) field.disabled = false;
            form.querySelector('#login-email').value = 'merchant@example.com';
            form.querySelector('#login-password').value = secret;
            form.requestSubmit();
        }""",
            secret,
        )
    assert submitted.value.method == "POST" and secret not in submitted.value.url
    page.wait_for_load_state()
    assert all(secret not in url for url in urls), urls
    assert secret not in page.url
