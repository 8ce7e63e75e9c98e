"""The catalogue service against the embedded sandbox: Stripe writes, the mirror, the images."""

import io
import secrets
from collections.abc import Iterator

import httpx
import pytest
from PIL import Image
from sqlmodel import Session

from portal_app.billing.gateway import Gateway
from portal_app.db import get_engine
from portal_app.models.mirror_catalog import MirrorPrice, MirrorProduct
from portal_app.services import catalogue
from portal_app.services.catalogue import CatalogueInputError, CatalogueNotFound
from portal_app.services.images import UPLOADS_FOLDER, image_url, store_image
from portal_app.settings import get_settings

# The stripe SDK hands httpx its form body as `data=`; httpx 0.28 deprecates that spelling.
pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")


@pytest.fixture
def intent() -> str:
    """What the dashboard passes: the merchant's session plus the form's nonce."""
    return f"msess_{secrets.token_hex(6)}:{secrets.token_hex(6)}"


@pytest.fixture
def mirror(db_tables: None) -> Iterator[Session]:
    with Session(get_engine()) as session:
        yield session


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def uploaded_png_url() -> str:
    settings = get_settings()
    name = store_image(data=png(), uploads_dir=settings.data_dir / UPLOADS_FOLDER)
    return image_url(name=name, public_url=settings.public_url)


async def new_product(gateway: Gateway, intent: str, **fields: str) -> str:
    return await catalogue.create_product(
        gateway=gateway,
        fields=catalogue.product_fields(name=f"Plan {secrets.token_hex(3)}", **fields),
        intent=intent,
    )


async def test_a_product_with_image_tax_code_descriptor_and_unit_label(
    gateway: Gateway, intent: str, mirror: Session
) -> None:
    url = uploaded_png_url()
    fields = catalogue.product_fields(
        name="Team plan",
        description="For growing teams.",
        tax_code="txcd_10103001",
        statement_descriptor="ACME TEAM",
        unit_label="seat",
        image=url,
    )
    product_id = await catalogue.create_product(gateway=gateway, fields=fields, intent=intent)

    row = mirror.get(MirrorProduct, product_id)
    assert row is not None
    assert (row.name, row.description, row.tax_code, row.statement_descriptor, row.unit_label) == (
        "Team plan",
        "For growing teams.",
        "txcd_10103001",
        "ACME TEAM",
        "seat",
    )
    assert row.images == [url] and url.startswith(get_settings().public_url + "/files/")
    served = httpx.get(url)
    assert served.status_code == 200 and served.content == png()
    assert served.headers["content-type"] == "image/png"
    assert served.headers["x-content-type-options"] == "nosniff"

    listed = {p.id: p for p in catalogue.list_products(session=mirror)}[product_id]
    assert listed.tax_code_label == "Software as a service (SaaS) - business use"
    assert listed.prices_label == "No active prices"


async def test_a_double_submit_makes_one_product(gateway: Gateway, intent: str) -> None:
    fields = catalogue.product_fields(name="Once only")
    first = await catalogue.create_product(gateway=gateway, fields=fields, intent=intent)
    second = await catalogue.create_product(gateway=gateway, fields=fields, intent=intent)
    assert first == second


async def test_monthly_price_then_archive_and_restore(
    gateway: Gateway, intent: str, mirror: Session
) -> None:
    product_id = await new_product(gateway, intent, unit_label="seat")
    price = catalogue.price_fields(
        amount="12.50", currency="usd", interval="month", interval_count="1"
    )
    price_id = await catalogue.create_price(
        gateway=gateway, product_id=product_id, price=price, intent=intent
    )
    stored = mirror.get(MirrorPrice, price_id)
    assert stored is not None
    assert (stored.unit_amount, stored.currency, stored.recurring_interval) == (
        1250,
        "usd",
        "month",
    )
    [row] = catalogue.product_prices(session=mirror, product_id=product_id)
    assert row.label == "$12.50 per seat per month" and row.active

    await catalogue.set_price_active(
        gateway=gateway, price_id=price_id, active=False, intent=intent
    )
    await catalogue.set_product_active(
        gateway=gateway, product_id=product_id, active=False, intent=intent
    )
    mirror.expire_all()
    assert not mirror.get(MirrorPrice, price_id).active  # type: ignore[union-attr]
    assert not mirror.get(MirrorProduct, product_id).active  # type: ignore[union-attr]
    assert catalogue.list_products(session=mirror)[-1].active is False

    with pytest.raises(CatalogueInputError) as caught:
        await catalogue.create_price(
            gateway=gateway, product_id=product_id, price=price, intent=intent
        )
    assert "price" in caught.value.errors

    await catalogue.set_product_active(
        gateway=gateway, product_id=product_id, active=True, intent=intent + ":again"
    )
    mirror.expire_all()
    assert mirror.get(MirrorProduct, product_id).active  # type: ignore[union-attr]


async def test_updates_send_only_what_changed_and_can_clear_fields(
    gateway: Gateway, intent: str, mirror: Session
) -> None:
    product_id = await new_product(
        gateway, intent, statement_descriptor="ACME PLAN", image=uploaded_png_url()
    )
    row = mirror.get(MirrorProduct, product_id)
    assert row is not None
    same = catalogue.product_fields(
        name=row.name, statement_descriptor="ACME PLAN", image=row.images[0]
    )
    writes = gateway.stats.total_writes
    assert not await catalogue.update_product(
        gateway=gateway, product_id=product_id, fields=same, intent=intent
    )
    assert gateway.stats.total_writes == writes

    # Stripe cannot unset a product's statement descriptor: refused before any call.
    with pytest.raises(CatalogueInputError) as refused:
        await catalogue.update_product(
            gateway=gateway,
            product_id=product_id,
            fields=catalogue.product_fields(name="Renamed"),
            intent=intent,
        )
    assert set(refused.value.errors) == {"statement_descriptor"}
    assert gateway.stats.total_writes == writes

    cleared = catalogue.product_fields(
        name="Renamed", description="Now described", statement_descriptor="ACME PLAN"
    )
    assert await catalogue.update_product(
        gateway=gateway, product_id=product_id, fields=cleared, intent=intent
    )
    mirror.expire_all()
    row = mirror.get(MirrorProduct, product_id)
    assert row is not None
    assert (row.name, row.description, row.statement_descriptor, row.images) == (
        "Renamed",
        "Now described",
        "ACME PLAN",
        [],
    )


async def test_unknown_ids_are_refused_before_any_stripe_call(
    gateway: Gateway, intent: str
) -> None:
    fields = catalogue.product_fields(name="x")
    price = catalogue.price_fields(amount="1", currency="usd", interval="day", interval_count="1")
    for hostile in ("prod_missing", "", None, ["prod_x"], "p" * 300):
        with pytest.raises(CatalogueNotFound):
            await catalogue.update_product(
                gateway=gateway, product_id=hostile, fields=fields, intent=intent
            )
        with pytest.raises(CatalogueNotFound):
            await catalogue.create_price(
                gateway=gateway, product_id=hostile, price=price, intent=intent
            )
        with pytest.raises(CatalogueNotFound):
            await catalogue.set_price_active(
                gateway=gateway, price_id=hostile, active=False, intent=intent
            )
    assert gateway.stats.total_writes == 0


def test_the_file_route_serves_only_stored_images(api_server: str) -> None:
    url = uploaded_png_url()
    name = url.rsplit("/", 1)[1]
    head = httpx.head(f"{api_server}/files/{name}")
    assert head.status_code == 200 and head.headers["content-type"] == "image/png"
    assert "default-src 'none'" in head.headers["content-security-policy"]
    uploads = get_settings().data_dir / UPLOADS_FOLDER
    (uploads / "notes.txt").write_text("not for the web")
    for path in (
        "/files/notes.txt",
        "/files/..%2Fportal.db",
        "/files/%2e%2e%2f%2e%2e%2fsettings.py",
        "/files/../uploads/" + name.replace(".png", ".txt"),
        "/files/" + name.replace(".png", ".jpg"),
        "/files/",
    ):
        answer = httpx.get(api_server + path)
        assert answer.status_code == 404, path
        assert answer.content != b"not for the web"
