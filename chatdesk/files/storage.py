"""Where attachment bytes live, behind one small interface: a local directory by default."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

import anyio


class Storage(Protocol):
    """Stores whole files under opaque keys; never sees a user-supplied name."""

    async def put(self, key: str, source: Path) -> None: ...
    async def put_bytes(self, key: str, data: bytes) -> None: ...
    async def path(self, key: str) -> Path | None: ...
    async def read(self, key: str) -> bytes: ...
    async def delete(self, key: str) -> None: ...


class LocalStorage:
    """Files in `<data dir>/files/<2-char prefix>/<key>`, moved in atomically."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.incoming = root / ".incoming"

    def _file(self, key: str) -> Path:
        if not key.isalnum():
            raise ValueError("storage keys are alphanumeric")
        return self.root / key[:2] / key

    def scratch(self) -> Path:
        """A directory on the same file system for uploads in progress (so `put` is a rename)."""
        self.incoming.mkdir(parents=True, exist_ok=True)
        return self.incoming

    async def put(self, key: str, source: Path) -> None:
        target = self._file(key)
        await anyio.to_thread.run_sync(lambda: target.parent.mkdir(parents=True, exist_ok=True))
        os.replace(source, target)

    async def put_bytes(self, key: str, data: bytes) -> None:
        target = self._file(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        scratch = self.scratch() / f"{key}.part"
        await anyio.Path(scratch).write_bytes(data)
        os.replace(scratch, target)

    async def path(self, key: str) -> Path | None:
        target = self._file(key)
        return target if target.exists() else None

    async def read(self, key: str) -> bytes:
        return await anyio.Path(self._file(key)).read_bytes()

    async def delete(self, key: str) -> None:
        self._file(key).unlink(missing_ok=True)
