"""After-commit effects belong to the desk's transactions: no view wakes the router or queue places
itself, and every change that lets an agent take chats (here: deactivation) wakes the routers."""

from __future__ import annotations

import ast
import time
from pathlib import Path

import orjson
import redis as sync_redis

import chatdesk
from chatdesk.bench.client import Client
from chatdesk.desk.routing import ROUTER_STREAM
from chatdesk.realtime.streams import live_channel
from tests.conftest import PASSWORD, bearer, create_account, invoke_cli
from tests.realtime_helpers import connected_agent, department_with, new_widget, wait_until

WEB = Path(chatdesk.__file__).parent / "web"
AFTER_COMMIT_PARTS = {"router", "queue_places"}
AFTER_COMMIT_TYPES = {"Router", "QueuePlaces"}


def _reaches_after_commit_parts(path: Path) -> list[str]:
    """Lines of `path` that touch the router or queue places: an attribute of that name, or an import of their class."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Attribute) and node.attr in AFTER_COMMIT_PARTS:
            found.append(f"{path}:{node.lineno} .{node.attr}")
        elif isinstance(node, ast.ImportFrom) and (
                node.module == "chatdesk.desk.queue_places"
                or {alias.name for alias in node.names} & AFTER_COMMIT_TYPES):
            found.append(f"{path}:{node.lineno} import from {node.module}")
    return found


def test_no_web_module_calls_the_router_or_queue_places():
    found = [line for path in sorted(WEB.rglob("*.py")) for line in _reaches_after_commit_parts(path)]
    assert not found, "views record changes on the transaction; its hooks wake the router: " + ", ".join(found)


def _wake_up(pubsub, matches) -> dict:
    """The first router wake-up (as other processes hear it) that `matches`; wake-ups of other test
    sessions' servers pass by too (Redis channels span every db index)."""
    deadline = time.monotonic() + 5
    while (left := deadline - time.monotonic()) > 0:
        message = pubsub.get_message(ignore_subscribe_messages=True, timeout=left)
        if message and matches(wake := orjson.loads(message["data"].split(b" ", 3)[3])):
            return wake
    raise AssertionError("no such router wake-up within 5 s")


def test_deactivating_an_agent_wakes_every_router(client, make_agent, redis_url):
    agent = make_agent()
    admin = create_account(client.app.state.runtime.settings.database_url.get_secret_value(), role="admin")
    token = client.post("/api/v1/auth/login", json={"email": admin["email"], "password": PASSWORD}).json()["token"]
    pubsub = sync_redis.Redis.from_url(redis_url).pubsub()
    pubsub.subscribe(live_channel(ROUTER_STREAM))
    pubsub.get_message(timeout=5)  # the subscription's confirmation
    # A department of its own, changed: the wake-up names it, and tells which router is this server's.
    department = client.post("/api/v1/departments", json={"name": f"wake-{agent['id'][:8]}"},
                             headers=bearer(token)).json()["id"]
    client.patch(f"/api/v1/departments/{department}", json={"routing_mode": "broadcast"}, headers=bearer(token))
    ours = _wake_up(pubsub, lambda wake: wake["department_id"] == department)["from"]
    assert client.delete(f"/api/v1/agents/{agent['id']}", headers=bearer(token)).status_code == 204
    _wake_up(pubsub, lambda wake: wake["from"] == ours and wake["department_id"] is None)
    pubsub.close()


async def test_deactivating_the_offered_agent_offers_the_chat_to_another_at_once(live_server, make_agent,
                                                                                database_url):
    first_json, second_json = make_agent(max_chats=1), make_agent(max_chats=1)
    department = await department_with(database_url, [first_json["id"], second_json["id"]], accept_timeout_s=60)
    first, first_log = await connected_agent(live_server, first_json)
    second, second_log = await connected_agent(live_server, second_json)
    visitor = Client(live_server)
    await visitor.register_visitor(await new_widget(database_url), name="Waiting")
    chat = await visitor.start_chat(department)
    _, shown = await wait_until(lambda: visitor.request("GET", f"/api/v1/chats/{chat['id']}"),
                                lambda answer: answer[1]["chat"]["offered_to"] is not None)
    holder, other_log = ((first_json, second_log) if shown["chat"]["offered_to"] == first_json["id"]
                         else (second_json, first_log))
    admin = Client(live_server)
    admin_json = create_account(database_url, role="admin")
    await admin.sign_in(admin_json["email"], PASSWORD)
    await admin.request("DELETE", f"/api/v1/agents/{holder['id']}")
    # Within half the routing sweep's second: the deactivation itself woke the router.
    await other_log.wait_for(lambda e: e.type == "chat.offered" and e.data["chat"]["id"] == chat["id"], 0.5)
    for thing in (first_log, second_log, first, second, visitor, admin):
        await thing.close()


def test_membership_changes_wake_every_router_from_the_api_and_the_cli(client, make_agent, redis_url, monkeypatch,
                                                                        settings):
    """A new member may take the department's waiting chats, and one who left serves another queue: both
    wake the routers at once, whether an admin changed it in the console or on the command line."""
    agent = make_agent()
    admin = create_account(client.app.state.runtime.settings.database_url.get_secret_value(), role="admin")
    token = client.post("/api/v1/auth/login", json={"email": admin["email"], "password": PASSWORD}).json()["token"]
    department = client.post("/api/v1/departments", json={"name": f"members-{agent['id'][:8]}"},
                             headers=bearer(token)).json()
    pubsub = sync_redis.Redis.from_url(redis_url).pubsub()
    pubsub.subscribe(live_channel(ROUTER_STREAM))
    pubsub.get_message(timeout=5)
    client.patch(f"/api/v1/departments/{department['id']}", json={"routing_mode": "broadcast"}, headers=bearer(token))
    ours = _wake_up(pubsub, lambda wake: wake["department_id"] == department["id"])["from"]
    member = f"/api/v1/departments/{department['id']}/agents/{agent['id']}"
    for method in ("PUT", "DELETE"):
        assert client.request(method, member, headers=bearer(token)).status_code == 200
        _wake_up(pubsub, lambda wake: wake["from"] == ours and wake["department_id"] is None)
    for name, value in (("DATABASE_URL", settings.database_url), ("REDIS_URL", settings.redis_url)):
        monkeypatch.setenv(name, value.get_secret_value())
    monkeypatch.setenv("CHATDESK_DATA_DIR", str(settings.data_dir))
    for verb in ("add-agent", "remove-agent"):
        result = invoke_cli(["department", verb, department["name"], agent["email"]])
        assert result.exit_code == 0, result.output
        _wake_up(pubsub, lambda wake: wake["from"] == "" and wake["department_id"] is None)  # the CLI's
    pubsub.close()
