"""Camera snapshots: validated with Pillow, re-encoded without metadata, thumbnailed."""

from __future__ import annotations

import hashlib
import io
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image, UnidentifiedImageError

from accounts.exceptions import InvalidInput
from accounts.models import User
from cctv.models import Camera, CameraSnapshot

logger = logging.getLogger(__name__)

ACCEPTED_FORMATS = {"JPEG": "jpg", "PNG": "png"}
THUMBNAIL_PX = (320, 240)


def _limits() -> tuple[int, int]:
    return (
        getattr(settings, "SNAPSHOT_MAX_BYTES", 10 * 1024 * 1024),
        getattr(settings, "SNAPSHOT_MAX_PIXELS", 40_000_000),
    )


def _open_checked(data: bytes) -> Image.Image:
    max_bytes, max_pixels = _limits()
    if len(data) > max_bytes:
        raise InvalidInput(f"The image is {len(data):,} bytes; the limit is {max_bytes:,}.")
    if not data:
        raise InvalidInput("The upload is empty.")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            image_format = probe.format
            width, height = probe.size
            # Checking the declared size before decoding stops a decompression bomb early.
            if width * height > max_pixels:
                raise InvalidInput(f"The image is {width}×{height} pixels; the limit is {max_pixels:,} pixels.")
            probe.verify()
    except UnidentifiedImageError:
        raise InvalidInput("The upload is not an image Pillow can read (JPEG or PNG expected).") from None
    except Image.DecompressionBombError:
        raise InvalidInput("The image declares too many pixels to be decoded safely.") from None
    except (OSError, SyntaxError) as exc:
        raise InvalidInput(f"The image is damaged or truncated: {exc}.") from None
    if image_format not in ACCEPTED_FORMATS:
        raise InvalidInput(f"{image_format} images are not accepted; upload JPEG or PNG.")
    image = Image.open(io.BytesIO(data))
    try:
        image.load()
    except (OSError, SyntaxError) as exc:
        raise InvalidInput(f"The image is damaged or truncated: {exc}.") from None
    return image


def _encode(image: Image.Image, image_format: str) -> bytes:
    """Re-encode pixels only: EXIF (GPS, device serials), ICC and text chunks are dropped."""
    out = io.BytesIO()
    clean = image.convert("RGB") if image_format == "JPEG" else image.convert("RGBA")
    if image_format == "JPEG":
        clean.save(out, format="JPEG", quality=90)
    else:
        clean.save(out, format="PNG", optimize=True)
    return out.getvalue()


@transaction.atomic
def snapshot_add(*, camera: Camera, data: bytes, by: User | None, caption: str = "") -> CameraSnapshot:
    image = _open_checked(data)
    image_format = image.format
    cleaned = _encode(image, image_format)
    thumb = image.copy()
    thumb.thumbnail(THUMBNAIL_PX)
    thumb_bytes = _encode(thumb, "JPEG")
    extension = ACCEPTED_FORMATS[image_format]
    digest = hashlib.sha256(cleaned).hexdigest()
    snapshot = CameraSnapshot(
        camera=camera, width_px=image.width, height_px=image.height, sha256=digest,
        caption=caption[:200], uploaded_by=by,
    )
    # Names come from the hash, never from the uploaded file name.
    snapshot.image.save(f"{camera.pk}-{digest[:16]}.{extension}", ContentFile(cleaned), save=False)
    snapshot.thumbnail.save(f"{camera.pk}-{digest[:16]}-thumb.jpg", ContentFile(thumb_bytes), save=False)
    snapshot.save()
    transaction.on_commit(lambda: logger.info("snapshot stored camera=%s sha256=%s", camera.pk, digest))
    return snapshot
