"""One contract for every storage backend: local always, Supabase when its credentials are set."""

from __future__ import annotations

import os
import secrets

import pytest

from chatdesk.desk.files.storage import LocalStorage, SupabaseStorage

SUPABASE_ENV = ("SUPABASE_URL", "SUPABASE_SERVICE_ROLE_KEY")


@pytest.fixture(params=["local", "supabase"])
def storage(request, tmp_path):
    if request.param == "local":
        return LocalStorage(tmp_path / "files")
    missing = [name for name in SUPABASE_ENV if not os.environ.get(name)]
    if missing:
        pytest.skip(f"Supabase Storage contract not run: {', '.join(missing)} not set "
                    "(set them, and SUPABASE_BUCKET, to run it against a real project)")
    return SupabaseStorage(os.environ["SUPABASE_URL"], os.environ["SUPABASE_SERVICE_ROLE_KEY"],
                           os.environ.get("SUPABASE_BUCKET", "chatdesk"), tmp_path / "scratch")


async def test_put_read_respond_delete(storage):
    key = secrets.token_hex(16)
    source = storage.scratch() / "upload"
    data = secrets.token_bytes(70_000)
    source.write_bytes(data)
    await storage.put(key, source)
    assert not source.exists(), "put moves the upload in"
    assert await storage.exists(key) and await storage.read(key) == data
    response = await storage.response(key, "application/octet-stream", {"X-Test": "1"})
    assert response.headers["x-test"] == "1" and response.media_type == "application/octet-stream"
    await storage.delete(key)
    assert not await storage.exists(key)


async def test_put_bytes_and_missing_keys(storage):
    key = secrets.token_hex(16)
    assert not await storage.exists(key)
    await storage.put_bytes(key, b"thumbnail")
    assert await storage.read(key) == b"thumbnail"
    await storage.delete(key)
    await storage.delete(key)  # deleting twice is fine
