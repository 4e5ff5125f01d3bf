"""Receive one file from a multipart body, streaming it to disk: never whole in memory.

The running size is checked as each chunk arrives, so a body over the limit is refused (413)
as soon as it passes it. Whatever ends the upload early (too large, wrong type, the client gone)
leaves no file behind.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

from chatdesk.desk.files.sniff import SNIFF_BYTES
from chatdesk.errors import ApiError

FIELD = "file"


@dataclass
class Upload:
    path: Path
    name: str
    size: int
    sha256: str
    head: bytes


class _FilePart:
    """Collects the `file` part of a multipart body into a temporary file."""

    def __init__(self, scratch: Path, limit: int) -> None:
        self.limit = limit
        fd, name = tempfile.mkstemp(dir=scratch)
        self.path = Path(name)
        self.out = os.fdopen(fd, "wb")
        self.size = 0
        self.digest = hashlib.sha256()
        self.head = bytearray()
        self.filename: str | None = None
        self.found = False
        self._headers: dict[bytes, bytes] = {}
        self._field = b""
        self._in_file = False

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_header_field": lambda data, start, end: setattr(self, "_field", self._field + data[start:end]),
            "on_header_value": self._header_value,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._data,
            "on_part_end": self._part_end,
        }

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        key = self._field.lower()
        self._headers[key] = self._headers.get(key, b"") + data[start:end]

    def _header_end(self) -> None:
        self._field = b""

    def _headers_finished(self) -> None:
        _disposition, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        self._in_file = options.get(b"name") == FIELD.encode() and not self.found
        if self._in_file:
            self.found = True
            self.filename = options.get(b"filename", b"").decode("utf-8", "replace")
        self._headers = {}

    def _data(self, data: bytes, start: int, end: int) -> None:
        if not self._in_file:
            return
        chunk = data[start:end]
        self.size += len(chunk)
        if self.size > self.limit:
            raise ApiError(413, f"Files are at most {self.limit} bytes.")
        if len(self.head) < SNIFF_BYTES:
            self.head += chunk[: SNIFF_BYTES - len(self.head)]
        self.digest.update(chunk)
        self.out.write(chunk)

    def _part_end(self) -> None:
        self._in_file = False

    def discard(self) -> None:
        self.out.close()
        self.path.unlink(missing_ok=True)


async def receive_upload(request: Request, scratch: Path, limit: int) -> Upload:
    """The `file` field of a multipart/form-data request, on disk in `scratch`."""
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise ApiError(415, "Send the file as multipart/form-data in a field named 'file'.")
    part = _FilePart(scratch, limit)
    try:
        parser = MultipartParser(boundary, part.callbacks())
        async for chunk in request.stream():
            try:
                parser.write(chunk)
            except MultipartParseError:
                raise ApiError(422, "The multipart body is malformed.", fields={FIELD: "Malformed upload."}) from None
        parser.finalize()
        part.out.close()
        if not part.found:
            raise ApiError(422, "No file was sent.", fields={FIELD: "Attach a file in this field."})
        if part.size == 0:
            raise ApiError(422, "The file is empty.", fields={FIELD: "The file is empty."})
    except BaseException:
        part.discard()
        raise
    return Upload(part.path, part.filename or "", part.size, part.digest.hexdigest(), bytes(part.head))
