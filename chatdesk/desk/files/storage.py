"""Where attachment bytes live, behind one small interface: a local directory by default."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

import anyio
from starlette.responses import FileResponse, Response


class Storage(Protocol):
    """Stores whole files under opaque keys; never sees a user-supplied name."""

    def scratch(self) -> Path: ...
    async def put(self, key: str, source: Path) -> None: ...
    async def put_bytes(self, key: str, data: bytes) -> None: ...
    async def exists(self, key: str) -> bool: ...
    async def read(self, key: str) -> bytes: ...
    async def response(self, key: str, media_type: str, headers: dict[str, str]) -> Response: ...
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

    async def exists(self, key: str) -> bool:
        return self._file(key).exists()

    async def response(self, key: str, media_type: str, headers: dict[str, str]) -> Response:
        """The file, with Range support."""
        return FileResponse(self._file(key), media_type=media_type, headers=headers)

    async def read(self, key: str) -> bytes:
        return await anyio.Path(self._file(key)).read_bytes()

    async def delete(self, key: str) -> None:
        self._file(key).unlink(missing_ok=True)


class SupabaseStorage:
    """Files in a Supabase Storage bucket, through supabase-py's storage client (`[supabase]` extra).

    Uploads still arrive on local disk first (the scratch directory) so size and type are checked
    before anything leaves the machine. Downloads pass through chatdesk, which keeps the access
    check and the safe headers; Range is served by the local backend only.
    """

    def __init__(self, url: str, service_role_key: str, bucket: str, scratch_root: Path) -> None:
        from supabase import create_client

        self._bucket = create_client(url, service_role_key).storage.from_(bucket)
        self._scratch = scratch_root

    def scratch(self) -> Path:
        self._scratch.mkdir(parents=True, exist_ok=True)
        return self._scratch

    async def put(self, key: str, source: Path) -> None:
        await self.put_bytes(key, await anyio.Path(source).read_bytes())
        await anyio.Path(source).unlink(missing_ok=True)

    async def put_bytes(self, key: str, data: bytes) -> None:
        await anyio.to_thread.run_sync(lambda: self._bucket.upload(key, data, {"upsert": "true"}))

    async def exists(self, key: str) -> bool:
        return await anyio.to_thread.run_sync(self._bucket.exists, key)

    async def read(self, key: str) -> bytes:
        return await anyio.to_thread.run_sync(self._bucket.download, key)

    async def response(self, key: str, media_type: str, headers: dict[str, str]) -> Response:
        return Response(await self.read(key), media_type=media_type, headers=headers)

    async def delete(self, key: str) -> None:
        await anyio.to_thread.run_sync(self._bucket.remove, [key])


def storage_for(settings) -> Storage:
    """Supabase Storage when SUPABASE_URL and its service role key are set, else the data dir."""
    local = LocalStorage(settings.data_dir / "files")
    if settings.supabase_url and settings.supabase_service_role_key:
        return SupabaseStorage(settings.supabase_url, settings.supabase_service_role_key.get_secret_value(),
                               settings.supabase_bucket, local.scratch())
    return local
