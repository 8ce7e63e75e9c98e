"""The catalogue page's handlers called directly, as a hostile client could call them."""

import io
from pathlib import Path
from typing import Any

import pytest
import reflex as rx
from PIL import Image
from reflex.state import State

from portal_app.billing.gateway import Gateway
from portal_app.models import Merchant
from portal_app.state.dashboard_auth import DashboardAuthState
from portal_app.state.dashboard_catalogue import DashboardCatalogueState
from tests.support import substate

pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")
S = DashboardCatalogueState


def to_login(spec: object) -> bool:
    return "/dashboard/login" in str(spec)


def upload(data: bytes, name: str) -> rx.UploadFile:
    return rx.UploadFile(file=io.BytesIO(data), path=Path(name))


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (0, 128, 0)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def root() -> State:
    return State(_reflex_internal_init=True)  # type: ignore[call-arg]


@pytest.fixture
async def page(root: State, merchant: Merchant, password: str, gateway: Gateway) -> Any:
    auth = substate(root, DashboardAuthState)
    await DashboardAuthState.log_in.fn(auth, {"email": merchant.email, "password": password})
    return substate(root, S)


async def test_every_handler_needs_a_session(root: State) -> None:
    catalogue = substate(root, S)
    assert to_login(await S.load.fn(catalogue))
    assert to_login(await S.new_product.fn(catalogue))
    assert to_login(await S.save_product.fn(catalogue, {"name": "x"}))
    assert to_login(await S.upload_image.fn(catalogue, [upload(png(), "a.png")]))
    assert to_login(await S.add_price.fn(catalogue, {"amount": "1"}))
    assert to_login(await S.archive_price.fn(catalogue, "price_x"))
    assert to_login(await S.archive_product.fn(catalogue))


async def test_rejected_input_sends_nothing(page: Any, gateway: Gateway) -> None:
    await S.load.fn(page)
    await S.new_product.fn(page)
    await S.upload_image.fn(page, [upload(b"just some notes\n", "photo.png")])
    assert "not a JPEG, PNG or WEBP" in page.errors["image"] and page.image == ""
    await S.save_product.fn(page, {"name": "Bad", "statement_descriptor": "<ACME>"})
    assert "< > \\" in page.errors["statement_descriptor"]
    assert "image" in page.errors
    await S.save_product.fn(page, ["not", "a", "form"])
    await S.open_product.fn(page, "prod_does_not_exist")
    await S.archive_price.fn(page, "price_not_listed")
    await S.add_price.fn(page, {"amount": "5", "currency": "usd", "interval": "month"})
    assert page.selected_id == "" and gateway.stats.total_writes == 0


async def test_create_with_image_then_price_then_archive(page: Any, gateway: Gateway) -> None:
    await S.load.fn(page)
    await S.new_product.fn(page)
    await S.upload_image.fn(page, [upload(png(), "logo.bin")])
    assert page.image.endswith(".png") and "image" not in page.errors
    form = {"name": "State plan", "unit_label": "seat", "tax_code": "txcd_10000000"}
    await S.save_product.fn(page, form)
    assert page.selected_id and page.notice.startswith("Product created")
    created = page.selected_id
    # The same form submitted again (a double click) changes nothing.
    await S.save_product.fn(page, form)
    assert page.selected_id == created and page.notice == "Nothing to save."

    await S.add_price.fn(
        page, {"amount": "12.5", "currency": "jpy", "interval": "month", "interval_count": "1"}
    )
    assert page.price_errors == {"amount": "JPY has no decimals: enter a whole amount."}
    await S.add_price.fn(
        page, {"amount": "1200", "currency": "jpy", "interval": "month", "interval_count": "1"}
    )
    [price] = page.prices
    assert price.label == "¥1,200 per seat per month" and page.price_errors == {}
    await S.archive_price.fn(page, price.id)
    assert page.prices[0].active is False
    await S.archive_product.fn(page)
    assert page.selected_active is False
    assert next(p for p in page.products if p.id == created).active is False
