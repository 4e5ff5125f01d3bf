"""Attachments: byte-exact round trips, sniffed types, limits, access, names, bombs."""

from __future__ import annotations

import asyncio
import io
import socket
import struct
import threading
import zlib

import pytest
from PIL import Image

from chatdesk.bench.client import Client
from chatdesk.bench.server import process_tree
from chatdesk.db.engine import connect, create_engine
from chatdesk.desk.files.cleanup import delete_orphans
from tests.conftest import bearer, run
from tests.files_samples import SAMPLES
from tests.realtime_helpers import new_widget, online_agent


def _upload(client, chat, name, data, who="visitor", content_type="application/octet-stream"):
    return client.post(f"/api/v1/chats/{chat['chat_id']}/attachments", headers=chat[who],
                       files={"file": (name, data, content_type)})


def _stored_files(client) -> list:
    root = client.app.state.runtime.storage.root
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize("name", list(SAMPLES))
def test_each_allowed_type_round_trips_byte_exact(client, active_chat, name):
    data, content_type = SAMPLES[name]
    response = _upload(client, active_chat, name, data)
    assert response.status_code == 201, response.text
    attachment = response.json()["attachment"]
    assert attachment["content_type"] == content_type and attachment["size"] == len(data)
    download = client.get(attachment["url"], headers=active_chat["agent"])
    assert download.status_code == 200 and download.content == data
    assert download.headers["content-type"].startswith(content_type)
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["content-security-policy"].startswith("sandbox")
    inline = content_type.startswith("image/")
    assert download.headers["content-disposition"].startswith("inline" if inline else "attachment")
    assert (attachment["thumbnail_url"] is not None) == inline


def test_a_png_renamed_pdf_and_html_renamed_png_are_415(client, active_chat):
    before = len(_stored_files(client))
    assert _upload(client, active_chat, "report.pdf", SAMPLES["photo.png"][0]).status_code == 415
    html = b"<!doctype html><html><script>alert(1)</script></html>"
    assert _upload(client, active_chat, "cat.png", html, content_type="image/png").status_code == 415
    assert _upload(client, active_chat, "page.html", html, content_type="text/html").status_code == 415
    assert _upload(client, active_chat, "x.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>").status_code == 415
    assert len(_stored_files(client)) == before


def test_one_byte_over_ten_megabytes_is_413_and_nothing_is_stored(client, active_chat):
    before = len(_stored_files(client))
    too_big = b"a" * (10 * 1024 * 1024 + 1)
    response = _upload(client, active_chat, "big.txt", too_big)
    assert response.status_code == 413 and response.json()["error"]["code"] == "payload_too_large"
    assert len(_stored_files(client)) == before
    assert _upload(client, active_chat, "exact.txt", b"a" * (10 * 1024 * 1024)).status_code == 201


def test_only_the_chats_visitor_and_agents_can_download(client, active_chat, make_agent, login):
    attachment = _upload(client, active_chat, "photo.png", SAMPLES["photo.png"][0]).json()["attachment"]
    stranger = active_chat["new_visitor"]()
    other_agent = bearer(login(make_agent())["token"])
    client.cookies.clear()  # no session cookie: the requests below carry only what they show
    for url in (attachment["url"], attachment["thumbnail_url"]):
        assert client.get(url, headers=stranger).status_code == 404
        assert client.get(url).status_code == 401
        assert client.get(url, headers=active_chat["visitor"]).status_code == 200
        assert client.get(url, headers=other_agent).status_code == 200
    token = active_chat["visitor"]["Authorization"].split()[1]
    assert client.get(attachment["thumbnail_url"], params={"access_token": token}).status_code == 200


def test_thumbnail_is_small_orientated_and_without_exif(client, active_chat):
    photo = Image.new("RGB", (800, 400), (10, 200, 10))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees when shown
    exif[0x010F] = "SecretCam"
    out = io.BytesIO()
    photo.save(out, "JPEG", exif=exif.tobytes())
    attachment = _upload(client, active_chat, "photo.jpg", out.getvalue()).json()["attachment"]
    thumb = Image.open(io.BytesIO(client.get(attachment["thumbnail_url"], headers=active_chat["agent"]).content))
    assert thumb.format == "WEBP" and max(thumb.size) <= 320
    assert thumb.height > thumb.width  # orientation applied: portrait now
    assert not thumb.getexif()


def _bomb_png(width: int, height: int) -> bytes:
    """A tiny PNG claiming huge dimensions (a decompression bomb)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 1024 * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def test_a_decompression_bomb_is_refused_quickly(client, active_chat):
    response = _upload(client, active_chat, "bomb.png", _bomb_png(100_000, 100_000))
    assert response.status_code == 415 and "processed safely" in response.json()["error"]["message"]
    assert client.get("/healthz").status_code == 200


@pytest.mark.parametrize(("raw", "stored"), [
    ("../../etc/passwd", "passwd"),
    ("evil\x00name.txt", "evilname.txt"),
    ("invoice\u202etxt.exe.txt", "invoicetxt.exe.txt"),
    ("C:\\Users\\me\\notes.txt", "notes.txt"),
    ("x" * 300 + ".txt", "x" * 116 + ".txt"),
])
def test_odd_names_are_stored_and_served_safely(client, active_chat, raw, stored):
    # A hand-made body: HTTP clients escape such names; an attacker's client does not.
    boundary = "oddnames"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{raw}\"\r\n"
            f"Content-Type: text/plain\r\n\r\nplain text\n\r\n--{boundary}--\r\n").encode()
    response = client.post(f"/api/v1/chats/{active_chat['chat_id']}/attachments", content=body,
                           headers={**active_chat["visitor"],
                                    "Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert response.status_code == 201, response.text
    attachment = response.json()["attachment"]
    assert attachment["name"] == stored
    disposition = client.get(attachment["url"], headers=active_chat["visitor"]).headers["content-disposition"]
    assert "/" not in disposition.split("filename=")[1] and "\u202e" not in disposition


def test_sending_attachments_with_a_message_once(client, active_chat):
    first = _upload(client, active_chat, "photo.png", SAMPLES["photo.png"][0]).json()["attachment"]
    url = f"/api/v1/chats/{active_chat['chat_id']}/messages"
    sent = client.post(url, headers=active_chat["visitor"],
                       json={"client_msg_id": "with-file", "body": "see attached", "attachment_ids": [first["id"]]})
    assert sent.status_code == 201 and sent.json()["message"]["attachments"][0]["id"] == first["id"]
    again = client.post(url, headers=active_chat["visitor"],
                        json={"client_msg_id": "with-file-again", "body": "once more", "attachment_ids": [first["id"]]})
    assert again.status_code == 409
    by_agent = client.post(url, headers=active_chat["agent"],
                           json={"client_msg_id": "not-theirs", "body": "mine?", "attachment_ids": [first["id"]]})
    assert by_agent.status_code == 409
    page = client.get(url, headers=active_chat["agent"]).json()["messages"]
    assert [m["attachments"][0]["name"] for m in page if m["attachments"]] == ["photo.png"]


def test_upload_cut_off_mid_stream_leaves_no_file_and_no_row(client, active_chat, live_server, database_url):
    port = int(live_server.rsplit(":", 1)[1])
    incoming = client.app.state.runtime.settings.data_dir / "files" / ".incoming"
    boundary = "cutcutcut"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.txt\"\r\n"
            "Content-Type: text/plain\r\n\r\n").encode()

    async def files_in(folder) -> list:
        return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []

    async def rows() -> int:
        conn = await connect(database_url)
        try:
            return await conn.fetchval("SELECT count(*) FROM chatdesk.attachments WHERE chat_id = $1::uuid",
                                       active_chat["chat_id"])
        finally:
            await conn.close()

    async def cut_upload() -> None:
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall((f"POST /api/v1/chats/{active_chat['chat_id']}/attachments HTTP/1.1\r\nHost: x\r\n"
                          f"Authorization: {active_chat['visitor']['Authorization']}\r\n"
                          f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
                          f"Content-Length: {len(head) + 5_000_000}\r\n\r\n").encode() + head + b"a" * 1_000_000)
            while not await files_in(incoming):  # the server is writing the upload to disk
                await asyncio.sleep(0.02)
        while await files_in(incoming):  # the client is gone: the partial file must go too
            await asyncio.sleep(0.02)

    run(asyncio.wait_for(cut_upload(), 20))
    assert run(rows()) == 0
    assert run(files_in(incoming.parent)) == []

    async def retry() -> dict:
        async with Client(live_server, active_chat["visitor"]["Authorization"].split()[1]) as visitor:
            return await visitor.upload(active_chat["chat_id"], "big.txt", b"a" * 1_000_000)

    assert run(retry())["size"] == 1_000_000 and run(rows()) == 1


def test_range_requests_return_the_asked_bytes(client, active_chat):
    text = _upload(client, active_chat, "long.txt", b"0123456789" * 1000).json()["attachment"]
    assert client.get(text["url"], headers=active_chat["agent"]).headers["accept-ranges"] == "bytes"
    part = client.get(text["url"], headers={**active_chat["agent"], "Range": "bytes=10-19"})
    assert part.status_code == 206 and part.content == b"0123456789"
    assert part.headers["content-range"] == "bytes 10-19/10000"


def test_uploading_too_fast_is_429(client, active_chat):
    client.app.state.runtime.settings.upload_rate = "2 per minute"
    statuses = [_upload(client, active_chat, f"n{i}.txt", b"hi\n").status_code for i in range(3)]
    assert statuses == [201, 201, 429]


def test_uploads_never_sent_are_removed_after_a_day(client, active_chat, database_url):
    kept = _upload(client, active_chat, "sent.txt", b"sent\n").json()["attachment"]
    client.post(f"/api/v1/chats/{active_chat['chat_id']}/messages", headers=active_chat["visitor"],
                json={"client_msg_id": "keep", "body": "file", "attachment_ids": [kept["id"]]})
    orphan = _upload(client, active_chat, "abandoned.txt", b"never sent\n").json()["attachment"]
    runtime = client.app.state.runtime

    async def age_and_sweep() -> int:
        conn = await connect(database_url)
        await conn.execute("UPDATE chatdesk.attachments SET created_at = now() - interval '25 hours' "
                           "WHERE chat_id = $1::uuid", active_chat["chat_id"])
        await conn.close()
        engine = create_engine(database_url, pool_size=1)
        try:
            return await delete_orphans(engine, runtime.storage)
        finally:
            await engine.dispose()

    assert run(age_and_sweep()) == 1
    assert client.get(orphan["url"], headers=active_chat["agent"]).status_code == 404
    assert client.get(kept["url"], headers=active_chat["agent"]).status_code == 200
    assert len(_stored_files(client)) == 1  # only the file that was sent


def test_deleting_a_chat_removes_its_files(client, active_chat, make_agent, login):
    attachment = _upload(client, active_chat, "photo.png", SAMPLES["photo.png"][0]).json()["attachment"]
    assert len(_stored_files(client)) == 2  # the image and its thumbnail
    url = f"/api/v1/chats/{active_chat['chat_id']}"
    assert client.delete(url, headers=active_chat["agent"]).status_code == 403
    admin = bearer(login(make_agent("admin"))["token"])
    assert client.delete(url, headers=admin).status_code == 204
    assert _stored_files(client) == []
    assert client.get(attachment["url"], headers=admin).status_code == 404
    assert client.delete(url, headers=admin).status_code == 404
    # The agent's slot came back with the chat (invariant 6 of docs/architecture.md).
    assert client.get("/api/v1/agents/me", headers=active_chat["agent"]).json()["active_chats"] == 0


def _flat_png(width: int, height: int) -> bytes:
    """A real, tiny PNG of one colour: a few hundred KB that decode into width x height pixels."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), (40, 120, 200)).save(out, "PNG", compress_level=9)
    return out.getvalue()


class _PeakRss:
    """Samples the RSS of a server's process tree in a thread until stopped; keeps the highest."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.before_mb = self._sample()
        self.peak_mb = self.before_mb
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _sample(self) -> float:
        return sum(process.memory_info().rss for process in process_tree(self.pid)) / 2**20

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak_mb = max(self.peak_mb, self._sample())

    def stop(self) -> float:
        """The peak growth over the RSS at the start, in MB."""
        self._stop.set()
        self._thread.join()
        return self.peak_mb - self.before_mb


async def test_eight_big_images_at_once_keep_the_server_within_300_mb(serve, make_agent, database_url):
    """49 MP in 160 KB took 560 MB per decode; now one decode runs at a time and one over 64 MB of
    pixels makes no thumbnail (the file is still shared, without a preview)."""
    server = serve()
    agent = await online_agent(server.base_url, make_agent())
    widget_id = await new_widget(database_url)
    visitors = [Client(server.base_url) for _ in range(8)]
    chats = []
    for visitor in visitors:
        await visitor.register_visitor(widget_id)
        chats.append((await visitor.start_chat())["id"])

    async def upload_all(name: str, data: bytes) -> tuple[list[dict], float]:
        rss = _PeakRss(server.process.pid)
        attachments = await asyncio.gather(*(v.upload(chat, name, data)
                                             for v, chat in zip(visitors, chats, strict=True)))
        growth = rss.stop()
        print(f"{name}: server RSS {rss.before_mb:.0f} MB, peak +{growth:.0f} MB")
        return attachments, growth

    try:
        huge, growth = await upload_all("huge.png", _flat_png(7000, 7000))
        assert growth < 300 and [a["thumbnail_url"] for a in huge] == [None] * 8
        largest, growth = await upload_all("largest.png", _flat_png(4000, 4000))  # 64 MB of pixels: previewed
        assert growth < 300 and all(a["thumbnail_url"] for a in largest)
    finally:
        for client in (agent, *visitors):
            await client.close()
