"""Product images: checked by their content, stored under a random name, served by the portal.

A file is accepted only when Pillow decodes it as a JPEG, PNG or WEBP of sensible size; its
name and the type the browser claimed are ignored. The stored name is random and carries the
extension of the format found, so serving it never trusts anything the uploader chose.
"""

import io
import re
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from portal_app.i18n.text import Text

MAX_IMAGE_BYTES = 2 * 1024 * 1024
MAX_IMAGE_SIDE = 8_000
MAX_IMAGE_PIXELS = 16_000_000
UPLOADS_FOLDER = "uploads"
FILES_ROUTE = "/files"


@dataclass(frozen=True)
class ImageFormat:
    """A format the portal accepts, with the extension and type it is stored and served as."""

    extension: str
    content_type: str


ACCEPTED_FORMATS: dict[str, ImageFormat] = {
    "JPEG": ImageFormat("jpg", "image/jpeg"),
    "PNG": ImageFormat("png", "image/png"),
    "WEBP": ImageFormat("webp", "image/webp"),
}
CONTENT_TYPES = {f.extension: f.content_type for f in ACCEPTED_FORMATS.values()}
STORED_NAME = re.compile(r"^[A-Za-z0-9_-]{22}\.(jpg|png|webp)$")


class ImageRejected(ValueError):
    """The file is not an image the portal accepts; the message (a `Text`) is fit to show the
    merchant, in their language with `user_message`."""


def image_format(*, data: bytes) -> ImageFormat:
    """The accepted format of these bytes, or ImageRejected saying what is wrong."""
    if not data:
        raise ImageRejected(Text("The file is empty."))
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageRejected(Text("The image must be under 2 MB."))
    found, width, height = _probe(data)
    _check_dimensions(width=width, height=height)
    _decode(data)
    return ACCEPTED_FORMATS[found]


def _probe(data: bytes) -> tuple[str, int, int]:
    """Format and size from the header, after Pillow's structural check."""
    try:
        with warnings.catch_warnings():
            # Pillow only warns about large images; the explicit limits decide.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            # Only the accepted formats' parsers ever see the bytes (a GIF is "not identified").
            with Image.open(io.BytesIO(data), formats=list(ACCEPTED_FORMATS)) as probe:
                found, (width, height) = probe.format or "", probe.size
                probe.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError) as exc:
        raise ImageRejected(Text("This file is not a JPEG, PNG or WEBP image.")) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageRejected(Text("This image is damaged or incomplete.")) from exc
    return found, width, height


def _decode(data: bytes) -> None:
    """Decode every pixel: verify() checks structure only, a truncated image still passes it."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(ACCEPTED_FORMATS)) as image:
                image.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ImageRejected(Text("This image is damaged or incomplete.")) from exc


def _check_dimensions(*, width: int, height: int) -> None:
    if width < 1 or height < 1:
        raise ImageRejected(Text("This image has no pixels."))
    if max(width, height) > MAX_IMAGE_SIDE or width * height > MAX_IMAGE_PIXELS:
        raise ImageRejected(
            Text(
                "The image is too large: at most {side} pixels on each side "
                "and {megapixels} megapixels.",
                side=MAX_IMAGE_SIDE,
                megapixels=MAX_IMAGE_PIXELS // 1_000_000,
            )
        )


def without_metadata(*, data: bytes) -> bytes:
    """The image re-encoded from its pixels alone: EXIF (GPS position, camera, date), XMP and
    text chunks are gone; the EXIF orientation is applied first so the picture stays upright,
    and the colour profile is kept."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        with Image.open(io.BytesIO(data), formats=list(ACCEPTED_FORMATS)) as image:
            found = image.format or ""
            upright = ImageOps.exif_transpose(image)
            options: dict[str, object] = {"quality": 90} if found in ("JPEG", "WEBP") else {}
            if icc := image.info.get("icc_profile"):
                options["icc_profile"] = icc
            out = io.BytesIO()
            upright.save(out, format=found, **options)
    return out.getvalue()


def store_image(*, data: bytes, uploads_dir: Path) -> str:
    """Check and store the image, without its metadata, under a new random name; that name."""
    found = image_format(data=data)
    clean = without_metadata(data=data)
    uploads_dir.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_urlsafe(16)}.{found.extension}"
    partial = uploads_dir / f".{name}.part"
    partial.write_bytes(clean)
    # A rename is atomic, so the file route never serves a half-written image.
    partial.replace(uploads_dir / name)
    return name


def stored_image(*, name: str, uploads_dir: Path) -> tuple[Path, str] | None:
    """The stored file and its content type for a name from a URL, or None.

    Only names this module generates match, so `..`, slashes and hidden files never reach
    the file system.
    """
    if not STORED_NAME.fullmatch(name):
        return None
    path = uploads_dir / name
    if not path.is_file():
        return None
    return path, CONTENT_TYPES[name.rsplit(".", 1)[1]]


def image_url(*, name: str, public_url: str) -> str:
    """The absolute URL Stripe and browsers load a stored image from."""
    return f"{public_url.rstrip('/')}{FILES_ROUTE}/{name}"
