"""The portal shell renders in Chromium with the merchant's brand."""

import httpx
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_home_serves_200(app_server) -> None:
    assert httpx.get(f"{app_server.url}/", timeout=10).status_code == 200


def test_shell_shows_brand_and_welcome(app_server, page) -> None:
    page.goto(app_server.url + "/")
    page.get_by_role("heading", name="Manage your billing").wait_for()
    assert page.get_by_test_id("home-card").is_visible()
    brand = page.locator(".portal-brand")
    expect(brand).to_contain_text("Acme Cloud")
    expect(brand).to_contain_text("Acme Cloud partners with Billing Portal for simplified billing.")
    expect(page.get_by_role("link", name="Terms")).to_have_attribute(
        "href", "https://example.com/terms"
    )


def test_shell_is_one_column_on_a_phone(app_server, page) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(app_server.url + "/")
    page.get_by_role("heading", name="Manage your billing").wait_for()
    brand_box = page.locator(".portal-brand").bounding_box()
    main_box = page.locator(".portal-main").bounding_box()
    assert brand_box and main_box
    assert main_box["y"] >= brand_box["y"] + brand_box["height"] - 1
