"""The product catalogue in Chromium: create a product with an image and a price; refusals."""

import io
import re
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Page, expect
from sqlmodel import col, select

from portal_app.models.mirror_catalog import MirrorProduct

pytestmark = pytest.mark.e2e

EMAIL = "merchant@example.com"
PASSWORD = "demo-merchant-password"
SHOTS = Path("/tmp/shots")  # noqa: S108  (where the issue asks for screenshots)


def product_count(app_server: Any) -> int:
    with app_server.db() as session:
        return len(session.exec(select(MirrorProduct.id)).all())


def open_catalogue(page: Page, base: str) -> None:
    page.goto(base + "/dashboard/login")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Portal configurations").wait_for()
    page.get_by_role("link", name="Products").click()
    page.get_by_role("heading", name="Products", exact=True).first.wait_for()
    page.get_by_test_id("new-product").click()
    page.get_by_role("heading", name="New product").wait_for()


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 120), (15, 98, 254)).save(buffer, format="PNG")
    paths = {
        "png": tmp_path / "logo.png",
        "renamed": tmp_path / "notes.png",
        "large": tmp_path / "huge.png",
    }
    paths["png"].write_bytes(buffer.getvalue())
    paths["renamed"].write_text("These are meeting notes, not a picture.\n")
    paths["large"].write_bytes(buffer.getvalue() + b"\0" * (2 * 1024 * 1024))
    return paths


def choose_image(page: Page, path: Path) -> None:
    page.locator("#product-image input[type=file]").set_input_files(str(path))


def test_create_a_product_with_image_and_price(
    app_server: Any, page: Page, files: dict[str, Path]
) -> None:
    open_catalogue(page, app_server.url)
    choose_image(page, files["png"])
    expect(page.get_by_test_id("image")).to_have_attribute("src", re.compile(r"/files/.+\.png$"))
    page.get_by_label("Name").fill("Studio plan")
    page.get_by_label("Description").fill("Everything a small studio needs.")
    page.get_by_label("Tax code").select_option("txcd_10103001")
    page.get_by_label("Statement descriptor").fill("STUDIO PLAN")
    page.get_by_label("Unit label").fill("seat")
    page.get_by_test_id("save-product").click()
    expect(page.get_by_test_id("notice")).to_have_text("Product created. Add a price below.")

    page.get_by_label("Amount").fill("24.50")
    page.get_by_label("Currency").select_option("eur")
    page.get_by_label("Billed every").select_option("month")
    page.get_by_test_id("add-price").click()
    expect(page.get_by_test_id("price-row")).to_contain_text("€24.50 per seat per month")

    row = page.get_by_test_id("product-row").filter(has_text="Studio plan")
    expect(row).to_contain_text("1 active price")
    expect(row.locator("img")).to_have_attribute("src", re.compile(r"/files/"))
    image = page.request.get(page.get_by_test_id("image").get_attribute("src") or "")
    assert image.ok and image.headers["content-type"] == "image/png"
    assert image.headers["x-content-type-options"] == "nosniff"

    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"e2e-catalogue-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_rejected_inputs_show_their_messages_and_change_nothing(
    app_server: Any, page: Page, files: dict[str, Path]
) -> None:
    before = product_count(app_server)
    open_catalogue(page, app_server.url)
    image_error = page.get_by_test_id("error-image")

    choose_image(page, files["large"])
    expect(image_error).to_have_text("The image must be under 2 MB.")
    choose_image(page, files["renamed"])
    expect(image_error).to_have_text("This file is not a JPEG, PNG or WEBP image.")
    expect(page.get_by_test_id("image")).to_have_count(0)

    page.get_by_label("Name").fill("Should not exist")
    page.get_by_label("Statement descriptor").fill("NO*STARS")
    page.get_by_test_id("save-product").click()
    expect(page.get_by_test_id("error-statement_descriptor")).to_have_text(
        "Leave out the characters < > \\ ' \" *."
    )
    expect(image_error).to_be_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"e2e-catalogue-errors-{width}.png"), full_page=True)
    assert product_count(app_server) == before
    with app_server.db() as session:
        assert not session.exec(
            select(MirrorProduct).where(col(MirrorProduct.name) == "Should not exist")
        ).all()


def test_uploads_from_anyone_but_a_signed_in_merchant_are_refused_unread(
    app_server: Any,
) -> None:
    import socket
    import uuid

    import httpx

    from portal_app.state.dashboard_catalogue import DashboardCatalogueState

    url = app_server.url + "/_upload"
    handler = f"{DashboardCatalogueState.get_full_name()}.upload_image"
    anonymous = {"reflex-client-token": str(uuid.uuid4()), "reflex-event-handler": handler}
    files = {"files": ("a.png", b"\x89PNG" + b"0" * 1000, "image/png")}
    assert httpx.post(url, headers=anonymous, files=files, timeout=30).status_code == 403
    assert httpx.post(url, files=files, timeout=30).status_code == 403
    # A 1 GB body is refused on its declared length, before a byte of it is sent.
    with socket.create_connection(("127.0.0.1", app_server.port), timeout=30) as raw:
        raw.sendall(
            (
                "POST /_upload HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"reflex-client-token: {anonymous['reflex-client-token']}\r\n"
                f"reflex-event-handler: {handler}\r\n"
                "Content-Type: multipart/form-data; boundary=x\r\n"
                f"Content-Length: {1024**3}\r\n\r\n"
            ).encode()
        )
        assert raw.recv(64).startswith(b"HTTP/1.1 413")
