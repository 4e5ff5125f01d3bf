"""The widget's server side: the loader, the frame's framing policy, the demo page, the size budget."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import bearer
from tests.static_modules import loaded_by

WIDGET_DIR = Path(__file__).resolve().parent.parent / "static" / "widget"


def test_loader_is_small_cacheable_javascript(client):
    response = client.get("/widget.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["cache-control"] == "public, max-age=300"
    assert len(response.content) < 5 * 1024


def test_size_budget_whole_widget_under_70_kb():
    """Everything the widget ships counts: its own JS and CSS and the shared modules its frame imports.
    60 KB held until business hours, proactive messages, languages (the catalogues of other languages are
    loaded on demand and do not count), typing preview and consent came: 70 KB, uncompressed, since."""
    shared = {path for path in loaded_by(WIDGET_DIR / "main.js") if WIDGET_DIR not in path.parents}
    assert shared, "the frame loads no shared module: is the import graph still read?"
    files = {*WIDGET_DIR.glob("*.js"), *WIDGET_DIR.glob("*.css"), *shared}
    assert WIDGET_DIR / "loader.js" in files
    total = sum(path.stat().st_size for path in files)
    assert total < 70 * 1024, f"widget JS + CSS is {total} bytes"


def test_frame_may_be_embedded_only_by_allowed_origins(client, make_agent, login):
    admin = bearer(login(make_agent(role="admin"))["token"])
    widget = client.post("/api/v1/widgets", headers=admin,
                         json={"name": "Shop", "allowed_origins": ["https://shop.example.com"]}).json()
    frame = client.get(f"/widget/frame/{widget['id']}")
    assert "frame-ancestors https://shop.example.com" in frame.headers["content-security-policy"]
    assert "x-frame-options" not in frame.headers
    assert client.get("/workspace/").headers["x-frame-options"] == "SAMEORIGIN"
    open_widget = client.post("/api/v1/widgets", headers=admin, json={"name": "Anywhere"}).json()
    assert "frame-ancestors *" in client.get(f"/widget/frame/{open_widget['id']}").headers["content-security-policy"]
    missing = client.get("/widget/frame/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_demo_page_embeds_the_chosen_widget(client, make_agent, login):
    admin = bearer(login(make_agent(role="admin"))["token"])
    widget = client.post("/api/v1/widgets", headers=admin, json={"name": "Demo"}).json()
    page = client.get(f"/demo?widget_id={widget['id']}")
    assert page.status_code == 200
    assert f'<script src="http://testserver/widget.js" data-widget-id="{widget["id"]}" async></script>' in page.text
    assert client.get("/demo").status_code == 200  # the first widget
    assert client.get("/demo?widget_id=nope").status_code == 404


def test_settings_tell_the_widget_the_upload_limit(client, make_agent, login):
    admin = bearer(login(make_agent(role="admin"))["token"])
    widget = client.post("/api/v1/widgets", headers=admin, json={"name": "Limits"}).json()
    settings = client.get(f"/api/v1/widgets/{widget['id']}/settings").json()
    assert settings["upload_max_bytes"] == client.app.state.runtime.settings.upload_max_bytes


def test_settings_say_which_text_color_reads_on_the_accent(client, make_agent, login):
    admin = bearer(login(make_agent(role="admin"))["token"])
    for color, text in [("#2563eb", "#fff"), ("#fde047", "#09090b")]:
        created = client.post("/api/v1/widgets", headers=admin, json={"name": "Colors", "settings": {"color": color}})
        widget = created.json()
        assert client.get(f"/api/v1/widgets/{widget['id']}/settings").json()["color_text"] == text
