"""Redacting stills with Pillow: solid blocks or a blur strong enough that faces cannot be recognised.

A subject access request releases footage of the requester, but not of anyone else in it
(UK GDPR Art 15(4), DPA 2018 Sch 2 para 16): the operator marks rectangles over other people
and vehicle plates. The result is always a new lossless PNG, so every pixel outside the
rectangles is exactly the original's, and the original file is never written to.
"""

from __future__ import annotations

import io
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from PIL import Image, ImageDraw, ImageFilter, UnidentifiedImageError

from accounts.exceptions import InvalidInput

MAX_RECTANGLES = 50
STILL_FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png")}
REDACTION_MODES = ("blur", "block")
BLOCK_FILL = {"L": 0, "RGB": (0, 0, 0), "RGBA": (0, 0, 0, 255)}  # opaque black in each mode
# Blur: pixelate to at most this many cells across the rectangle's longer side, each cell at
# least PIXELATE_MIN_CELL_PX, then Gaussian-blur the cells' edges. A face a few cells wide has
# no features left to recognise, and the blur leaves no cell edges to reconstruct from.
PIXELATE_MAX_CELLS = 6
PIXELATE_MIN_CELL_PX = 8


@dataclass(frozen=True)
class Rectangle:
    """An area to redact, in image pixels from the top-left corner."""

    x: int
    y: int
    width: int
    height: int
    mode: str

    def box(self) -> tuple[int, int, int, int]:
        return (self.x, self.y, self.x + self.width, self.y + self.height)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _max_pixels() -> int:
    return int(getattr(settings, "SNAPSHOT_MAX_PIXELS", 40_000_000))


def rectangles_parse(raw: list[dict[str, Any]], *, width_px: int, height_px: int) -> list[Rectangle]:
    """Check every rectangle lies inside a width x height image; say which one is wrong and why."""
    if not raw:
        raise InvalidInput("Give at least one rectangle to redact.")
    if len(raw) > MAX_RECTANGLES:
        raise InvalidInput(f"At most {MAX_RECTANGLES} rectangles per redaction; {len(raw)} were given.")
    rectangles = []
    for number, item in enumerate(raw, start=1):
        where = f"Rectangle {number}"
        try:
            x, y, width, height = (int(item[key]) for key in ("x", "y", "width", "height"))
        except (KeyError, TypeError, ValueError):
            raise InvalidInput(f"{where} needs whole numbers x, y, width and height.") from None
        mode = item.get("mode", "block")
        if mode not in REDACTION_MODES:
            raise InvalidInput(f"{where}: mode is 'blur' or 'block', not {mode!r}.")
        if width <= 0 or height <= 0:
            raise InvalidInput(f"{where} has no area: width and height must be positive.")
        if x < 0 or y < 0 or x + width > width_px or y + height > height_px:
            raise InvalidInput(f"{where} ({x},{y} {width}x{height}) is not inside the {width_px}x{height_px} image.")
        rectangles.append(Rectangle(x=x, y=y, width=width, height=height, mode=mode))
    return rectangles


def still_format_check(path: Path | str) -> tuple[str, str]:
    """(extension, content type) of a JPEG or PNG still; 400 for anything else or a decompression bomb."""
    try:
        with Image.open(path) as probe:
            image_format = probe.format
            width, height = probe.size
            if width * height > _max_pixels():
                raise InvalidInput(f"The still is {width}x{height} pixels; the limit is {_max_pixels():,} pixels.")
            probe.verify()
    except UnidentifiedImageError:
        raise InvalidInput("A still must be a JPEG or PNG image; this file is not an image.") from None
    except Image.DecompressionBombError:
        raise InvalidInput("The still declares too many pixels to be decoded safely.") from None
    except (OSError, SyntaxError) as exc:
        raise InvalidInput(f"The still is damaged or truncated: {exc}.") from None
    if image_format not in STILL_FORMATS:
        raise InvalidInput(f"{image_format} stills are not accepted; upload JPEG or PNG.")
    return STILL_FORMATS[image_format]


def still_open(data: bytes) -> Image.Image:
    """Decode a stored still into RGB, RGBA or L pixels (the modes redaction works in)."""
    try:
        image = Image.open(io.BytesIO(data))
        if image.width * image.height > _max_pixels():
            raise InvalidInput(f"The still is {image.width}x{image.height} pixels; too large to redact.")
        image.load()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError):
        raise InvalidInput("The exhibit is not a JPEG or PNG still that can be redacted.") from None
    if image.mode in ("RGB", "RGBA", "L"):
        return image
    return image.convert("RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB")


def _blurred(region: Image.Image) -> Image.Image:
    width, height = region.size
    cell = max(PIXELATE_MIN_CELL_PX, math.ceil(max(width, height) / PIXELATE_MAX_CELLS))
    small = region.resize((max(1, math.ceil(width / cell)), max(1, math.ceil(height / cell))), Image.Resampling.BOX)
    return small.resize((width, height), Image.Resampling.NEAREST).filter(ImageFilter.GaussianBlur(cell / 2))


def redacted(image: Image.Image, rectangles: list[Rectangle]) -> Image.Image:
    """A copy of the image with each rectangle blocked out or blurred; nothing outside them changes."""
    result = image.copy()
    # Blurs first, each from the original pixels so nothing bleeds across its edge; then blocks,
    # so a block over a blurred area stays solid.
    for rectangle in (r for r in rectangles if r.mode == "blur"):
        result.paste(_blurred(image.crop(rectangle.box())), rectangle.box()[:2])
    fill = BLOCK_FILL[result.mode]
    draw = ImageDraw.Draw(result)
    for rectangle in (r for r in rectangles if r.mode == "block"):
        x0, y0, x1, y1 = rectangle.box()
        draw.rectangle((x0, y0, x1 - 1, y1 - 1), fill=fill)  # ImageDraw's box is inclusive
    return result


def redacted_png(image: Image.Image, rectangles: list[Rectangle]) -> bytes:
    """Encode losslessly with no metadata carried over (EXIF may hold GPS and device serials)."""
    out = io.BytesIO()
    redacted(image, rectangles).save(out, format="PNG")
    return out.getvalue()
