"""File names from the outside world, made safe to store and to send back in a header."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

MAX_NAME = 120
# Control characters, and the bidirectional overrides that make "exe.txt" look like "txt.exe".
_UNSAFE = re.compile(r"[\x00-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def safe_name(raw: str | None) -> str:
    """The last path component, without control or bidi characters, at most 120 characters,
    keeping the extension. Never empty."""
    name = unicodedata.normalize("NFC", raw or "")
    name = re.split(r"[\\/]", name)[-1]
    name = _UNSAFE.sub("", name).strip().strip(".")
    if not name:
        return "file"
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        ext = ext[:16] if dot else ""
        name = (stem if dot else name)[: MAX_NAME - len(ext) - 1] + (f".{ext}" if ext else "")
    return name


def extension(name: str) -> str:
    """The lower-case extension without the dot, or ''."""
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


def content_disposition(name: str, *, inline: bool) -> str:
    """`inline`/`attachment` with an ASCII fallback and the exact UTF-8 name (RFC 6266 / 5987)."""
    ascii_name = name.encode("ascii", "ignore").decode().replace('"', "").replace("\\", "") or "file"
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
