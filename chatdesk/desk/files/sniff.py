"""What a file is, decided from its bytes (`filetype`), never from its name or a client's word."""

from __future__ import annotations

from dataclasses import dataclass

import filetype

from chatdesk.desk.files.names import extension

# Sniffed MIME type -> the extensions a file of that type may carry.
BINARY_TYPES: dict[str, set[str]] = {
    "image/png": {"png"},
    "image/jpeg": {"jpg", "jpeg"},
    "image/gif": {"gif"},
    "image/webp": {"webp"},
    "application/pdf": {"pdf"},
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {"docx"},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"xlsx"},
    "application/zip": {"zip"},
}
# Bytes with no signature that decode as UTF-8 text without NULs.
TEXT_TYPES = {"txt": "text/plain", "csv": "text/csv"}
IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
SNIFF_BYTES = 64 * 1024


@dataclass(frozen=True)
class Verdict:
    content_type: str | None
    reason: str | None = None  # why it was refused


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
        return True
    except UnicodeDecodeError as error:
        return error.start >= len(head) - 3  # a character cut at the end of the sample


def classify(head: bytes, name: str) -> Verdict:
    """The content type for a file starting with `head` and named `name`, or why it is refused."""
    ext = extension(name)
    kind = filetype.guess(head)
    if kind is not None:
        if kind.mime not in BINARY_TYPES:
            return Verdict(None, f"Files of type {kind.mime} are not accepted.")
        if ext and ext not in BINARY_TYPES[kind.mime]:
            return Verdict(None, f"The file's content is {kind.mime}, which does not match its name (.{ext}).")
        return Verdict(kind.mime)
    if _looks_like_text(head) and ext in ("", *TEXT_TYPES):
        return Verdict(TEXT_TYPES.get(ext, "text/plain"))
    if ext and any(ext in exts for exts in BINARY_TYPES.values()):
        return Verdict(None, f"The file's content does not match its name (.{ext}).")
    return Verdict(None, "This kind of file is not accepted (allowed: images, PDF, text, CSV, DOCX, XLSX, ZIP).")
