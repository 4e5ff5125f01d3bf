"""Thumbnails for image attachments: bounded decoding, orientation applied, metadata dropped."""

from __future__ import annotations

import io
from pathlib import Path

import anyio
from PIL import Image, ImageOps

THUMBNAIL_BOX = (320, 320)
# Decoding is refused above this many pixels (a 10 MB PNG can claim 100,000 x 100,000 pixels:
# a decompression bomb). 50 megapixels covers any real photo.
MAX_PIXELS = 50_000_000


class NotAnImage(Exception):
    """The bytes could not be decoded safely as an image."""


def _thumbnail(source: Path) -> bytes:
    try:
        with Image.open(source) as image:
            if image.width * image.height > MAX_PIXELS:
                raise NotAnImage(f"{image.width} x {image.height} pixels is too large to process")
            image.draft("RGB", THUMBNAIL_BOX)  # JPEG decodes at a reduced size directly
            image = ImageOps.exif_transpose(image)
            image.thumbnail(THUMBNAIL_BOX)
            if image.mode not in ("RGB", "RGBA"):
                image = image.convert("RGBA")
            out = io.BytesIO()
            image.save(out, "WEBP", quality=80)  # a fresh file: no EXIF, no GPS, no comments
            return out.getvalue()
    except (OSError, ValueError, Image.DecompressionBombError, SyntaxError) as error:
        raise NotAnImage(str(error)) from error


async def thumbnail(source: Path) -> bytes:
    """A WebP thumbnail of at most 320 x 320 pixels; NotAnImage when it can't be made safely."""
    return await anyio.to_thread.run_sync(_thumbnail, source)
