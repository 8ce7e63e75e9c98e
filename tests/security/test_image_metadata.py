"""Info: uploaded images are stored without EXIF, XMP or text metadata, upright."""

import io
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin

from portal_app.services.images import store_image

GPS_TAG = 0x8825
ORIENTATION_TAG = 0x0112


def _exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    exif[0x0132] = "2026:01:01 10:00:00"  # DateTime
    exif[ORIENTATION_TAG] = 6  # rotated: the stored image must be turned upright
    exif.get_ifd(GPS_TAG)[2] = (48.0, 51.0, 29.0)  # GPSLatitude
    return exif


@pytest.mark.parametrize("fmt", ["JPEG", "WEBP", "PNG"])
def test_exif_and_text_chunks_are_gone(tmp_path: Path, fmt: str) -> None:
    image = Image.new("RGB", (40, 20), (200, 30, 30))
    out = io.BytesIO()
    if fmt == "PNG":
        info = PngImagePlugin.PngInfo()
        info.add_text("Author", "Jane Secret")
        image.save(out, format=fmt, exif=_exif(), pnginfo=info)
    else:
        image.save(out, format=fmt, exif=_exif())
    original = out.getvalue()
    assert b"SpyCam" in original

    name = store_image(data=original, uploads_dir=tmp_path)
    stored = (tmp_path / name).read_bytes()
    assert b"SpyCam" not in stored and b"Jane Secret" not in stored
    with Image.open(io.BytesIO(stored)) as kept:
        assert kept.format == fmt
        assert dict(kept.getexif()) == {}
        assert kept.size == (20, 40)  # orientation 6 applied before the tag was dropped
