"""The catalogue's input rules: statement descriptors, amounts, intervals, images by content."""

import io
from pathlib import Path

import pytest
from PIL import Image

from portal_app.services.catalogue import (
    CatalogueInputError,
    minor_units,
    price_fields,
    product_fields,
    statement_descriptor_problem,
)
from portal_app.services.images import (
    MAX_IMAGE_BYTES,
    ImageRejected,
    image_format,
    store_image,
    stored_image,
)


def image_bytes(fmt: str, size: tuple[int, int] = (4, 3)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (15, 98, 254)).save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "descriptor",
    [
        "ACME",
        "A" * 23,
        "12345",
        "ACME <Pro>",
        'ACME "X"',
        "ACME*",
        "Café Münch",
        "ACME \\ CO",
        "ACME'S",
    ],
)
def test_bad_statement_descriptors_are_named(descriptor: str) -> None:
    assert statement_descriptor_problem(descriptor)


@pytest.mark.parametrize(
    "descriptor", ["ACME INC", "ACME.COM PRO", "A" * 22, "ACME 2024", "Acme-Co"]
)
def test_good_statement_descriptors_pass(descriptor: str) -> None:
    assert statement_descriptor_problem(descriptor) is None


def test_product_fields_collect_every_problem_at_once() -> None:
    with pytest.raises(CatalogueInputError) as caught:
        product_fields(
            name=" ",
            description="x" * 2001,
            tax_code="txcd_nope",
            statement_descriptor="1234",
            unit_label="thirteen char",
        )
    assert set(caught.value.errors) == {
        "name",
        "description",
        "tax_code",
        "statement_descriptor",
        "unit_label",
    }
    with pytest.raises(CatalogueInputError) as too_long:
        product_fields(name="n" * 251)
    assert too_long.value.errors == {"name": "Use at most 250 characters."}


def test_product_fields_trim_and_refuse_non_strings() -> None:
    fields = product_fields(
        name="  Pro plan ",
        description=["not", "text"],
        tax_code="txcd_10103001",
        statement_descriptor=" ACME PRO ",
        unit_label="seat",
    )
    assert (fields.name, fields.description, fields.statement_descriptor) == (
        "Pro plan",
        "",
        "ACME PRO",
    )
    with pytest.raises(CatalogueInputError):
        product_fields(name={"$ne": ""})


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [("12.50", "usd", 1250), ("12", "eur", 1200), ("0.01", "gbp", 1), ("1200", "jpy", 1200)],
)
def test_amounts_become_minor_units_with_the_currency_precision(
    amount: str, currency: str, expected: int
) -> None:
    assert minor_units(amount=amount, currency=currency) == expected


@pytest.mark.parametrize(
    ("amount", "currency", "message"),
    [
        ("12.5", "jpy", "JPY has no decimals"),
        ("1.234", "usd", "at most 2 decimals"),
        ("0", "usd", "above zero"),
        ("0.00", "usd", "above zero"),
        ("-5", "usd", "such as 12.50"),
        ("1e3", "usd", "such as 12.50"),
        ("12,50", "eur", "such as 12.50"),
        ("NaN", "usd", "such as 12.50"),
        ("1000000", "usd", "at most 999999.99 USD"),
        ("100000000", "jpy", "at most 99999999 JPY"),
    ],
)
def test_bad_amounts_say_why(amount: str, currency: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        minor_units(amount=amount, currency=currency)


def test_price_fields_check_currency_and_stripe_interval_limits() -> None:
    price = price_fields(amount="9.99", currency="USD", interval="month", interval_count="3")
    assert (price.unit_amount, price.currency, price.interval_count) == (999, "usd", 3)
    assert price_fields(amount="5", currency="eur", interval="week", interval_count="156")
    for interval, count in (("month", "37"), ("year", "4"), ("day", "1096"), ("week", "0")):
        with pytest.raises(CatalogueInputError) as caught:
            price_fields(amount="5", currency="usd", interval=interval, interval_count=count)
        assert set(caught.value.errors) == {"interval_count"}
    with pytest.raises(CatalogueInputError) as caught:
        price_fields(amount="", currency="xxx", interval="fortnight", interval_count="1")
    assert set(caught.value.errors) == {"amount", "currency", "interval"}


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_real_images_pass_by_content(fmt: str) -> None:
    assert image_format(data=image_bytes(fmt)).content_type == f"image/{fmt.lower()}"


def test_a_text_file_named_png_is_refused() -> None:
    with pytest.raises(ImageRejected, match="not a JPEG, PNG or WEBP"):
        image_format(data=b"<html><script>alert(1)</script></html>\n")


def test_a_gif_is_refused() -> None:
    with pytest.raises(ImageRejected, match="not a JPEG, PNG or WEBP"):
        image_format(data=image_bytes("GIF"))


def test_a_file_over_two_megabytes_is_refused() -> None:
    with pytest.raises(ImageRejected, match="under 2 MB"):
        image_format(data=image_bytes("PNG") + b"\0" * MAX_IMAGE_BYTES)


def test_truncated_and_huge_images_are_refused() -> None:
    whole = image_bytes("PNG", (64, 64))
    with pytest.raises(ImageRejected, match="damaged"):
        image_format(data=whole[: len(whole) // 2])
    with pytest.raises(ImageRejected, match="too large"):
        image_format(data=image_bytes("PNG", (9000, 1)))


def test_stored_images_get_random_names_and_only_those_resolve(tmp_path: Path) -> None:
    name = store_image(data=image_bytes("PNG"), uploads_dir=tmp_path)
    assert name.endswith(".png") and stored_image(name=name, uploads_dir=tmp_path) == (
        tmp_path / name,
        "image/png",
    )
    assert name != store_image(data=image_bytes("PNG"), uploads_dir=tmp_path)
    (tmp_path / "notes.txt").write_text("secret")
    for hostile in ("../portal.db", "notes.txt", f".{name}.part", name.replace(".png", ".svg")):
        assert stored_image(name=hostile, uploads_dir=tmp_path) is None
    with pytest.raises(ImageRejected):
        store_image(data=b"GIF89a not really", uploads_dir=tmp_path / "other")
    assert not (tmp_path / "other").exists() or not any((tmp_path / "other").iterdir())
