"""Thumbnails for image attachments: bounded decoding, orientation applied, metadata dropped."""

from __future__ import annotations

import asyncio
import io
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PIL import Image, ImageOps

THUMBNAIL_BOX = (320, 320)
# Decoding is refused above this many pixels (a 10 MB PNG can claim 100,000 x 100,000 pixels:
# a decompression bomb). 50 megapixels covers any real photo.
MAX_PIXELS = 50_000_000
# A decoded image takes up to 4 bytes a pixel (Pillow pads RGB to 4). Thumbnails are made of
# images that decode into at most this much: 16 megapixels, more than a 5K screenshot; a phone's
# JPEG photo decodes at an eighth of its size (draft mode). A 49-megapixel PNG of 186 KB would take
# 200 MB, so larger images are kept without a thumbnail.
MAX_DECODE_BYTES = 64 * 1024 * 1024
_BYTES_PER_PIXEL = 4
# One decode at a time per process, so however many images arrive together, decoding holds at
# most one image's memory; the others wait their turn.
_DECODER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chatdesk-thumbnails")


class NotAnImage(Exception):
    """The bytes could not be decoded safely as an image."""


def _thumbnail(source: Path) -> bytes | None:
    try:
        with Image.open(source) as image:
            if image.width * image.height > MAX_PIXELS:
                raise NotAnImage(f"{image.width} x {image.height} pixels is too large to process")
            image.draft("RGB", THUMBNAIL_BOX)  # JPEG decodes at a reduced size directly
            if image.width * image.height * _BYTES_PER_PIXEL > MAX_DECODE_BYTES:
                return None
            # Shrink before turning upright: the box is square, and turning a full-size image copies it.
            image.thumbnail(THUMBNAIL_BOX)
            ImageOps.exif_transpose(image, in_place=True)
            upright = image if image.mode in ("RGB", "RGBA") else image.convert("RGBA")
            out = io.BytesIO()
            upright.save(out, "WEBP", quality=80)  # a fresh file: no EXIF, no GPS, no comments
            return out.getvalue()
    except (OSError, ValueError, Image.DecompressionBombError, SyntaxError) as error:
        raise NotAnImage(str(error)) from error


async def thumbnail(source: Path) -> bytes | None:
    """A WebP thumbnail of at most 320 x 320 pixels; None for an image too large to decode for one;
    NotAnImage when it can't be decoded safely."""
    return await asyncio.get_running_loop().run_in_executor(_DECODER, _thumbnail, source)
