"""Small real files of every accepted type, made in memory."""

from __future__ import annotations

import io
import zipfile

from PIL import Image


def image(fmt: str, size=(40, 30), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 60)).save(out, fmt, **save)
    return out.getvalue()


def office(kind: str) -> bytes:
    folder = {"docx": "word", "xlsx": "xl"}[kind]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr(f"{folder}/{'document' if kind == 'docx' else 'workbook'}.xml", "<x/>")
    return out.getvalue()


def plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "hello")
    return out.getvalue()


PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")

SAMPLES = {
    "photo.png": (image("PNG"), "image/png"),
    "photo.jpg": (image("JPEG"), "image/jpeg"),
    "anim.gif": (image("GIF"), "image/gif"),
    "pic.webp": (image("WEBP"), "image/webp"),
    "invoice.pdf": (PDF, "application/pdf"),
    "notes.txt": ("Grüße 👋\nline two\n".encode(), "text/plain"),
    "orders.csv": (b"id,total\n1,9.99\n", "text/csv"),
    "letter.docx": (office("docx"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "sheet.xlsx": (office("xlsx"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "bundle.zip": (plain_zip(), "application/zip"),
}
