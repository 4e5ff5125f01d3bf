"""The event catalogue (chatdesk/desk/events.py): every type the server emits is declared with a
schema, each app handles every type its stream carries (or says why not), docs/api.md shows the
catalogue, and a payload that does not match its schema fails the test that reads it."""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import pytest
import redis.asyncio as aioredis

import chatdesk
from chatdesk.bench.client import Client
from chatdesk.db.engine import create_engine
from chatdesk.desk.events import APPS, CATALOGUE, INTEGRATION_EVENTS, INTERNAL, Empty, EventType, UndeclaredEvent
from chatdesk.desk.transactions import Tx
from chatdesk.realtime.streams import Streams, encode_data, visitor_stream
from chatdesk.resources import resource_dir
from tests.catalogue_helpers import markdown_table
from tests.realtime_helpers import EventLog, new_widget, wait_until

ROOT = Path(__file__).resolve().parent.parent
# The calls that send an event or name its type for one: a string given to them directly is an
# event type. So is one given to realtime/sse.py's `encode` (a frame), called by its bare name
# (a method like `text.encode("ascii")` is no event).
EMITTERS = {"emit", "emit_chat_event", "publish", "declared", "publish_ephemeral", "PendingEvent", "notify"}
# Each app's dispatch table: a `const NAME = {` whose keys, at two spaces' indent, are event types.
TABLES = {"widget": ("widget/live.js", "HANDLERS"), "workspace": ("workspace/events.js", "handlers")}


def emitted_types(root: Path) -> dict[str, list[str]]:
    """Every event type named in a call that emits one, anywhere under `root`: type -> where."""
    found: dict[str, list[str]] = {}
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and _emits(node.func):
                for arg in node.args:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        found.setdefault(arg.value, []).append(f"{path.relative_to(root)}:{node.lineno}")
    return found


def _emits(func: ast.expr) -> bool:
    if isinstance(func, ast.Attribute):
        return func.attr in EMITTERS
    return isinstance(func, ast.Name) and func.id in {*EMITTERS, "encode"}


def undeclared(root: Path, catalogue: dict[str, EventType]) -> list[str]:
    """Types emitted under `root` that are neither client events in `catalogue`, nor internal notices,
    nor events for integrations."""
    return [f"{name} ({', '.join(where)})" for name, where in sorted(emitted_types(root).items())
            if name not in catalogue and name not in INTERNAL and name not in INTEGRATION_EVENTS]


def handled(static: Path, app: str, catalogue: dict[str, EventType]) -> set[str]:
    """The event types an app handles: its dispatch table's keys (each must be an event type), and
    the catalogue's types it listens for with `addEventListener("type"` in its own or the shared modules."""
    path, name = TABLES[app]
    text = (static / path).read_text()
    table = re.search(rf"^const {name} = \{{\n(.*?)^\}};", text, re.MULTILINE | re.DOTALL)
    assert table, f"static/{path} has no `const {name} = {{ ... }};`"
    keys = set(re.findall(r'^  (?:"([^"]+)"|(\w+))\s*[:(,]', table.group(1), re.MULTILINE))
    listened = {match for folder in (app, "shared") for module in (static / folder).rglob("*.js")
                for match in re.findall(r'addEventListener\("([\w.]+)"', module.read_text())}
    return {quoted or bare for quoted, bare in keys} | (listened & set(catalogue))


def handler_problems(static: Path, catalogue: dict[str, EventType]) -> list[str]:
    """Types an app receives but neither handles nor declares ignored, and handlers for types it never gets."""
    problems = []
    for app, recipient in APPS.items():
        receives = {event.name for event in catalogue.values() if recipient in event.to}
        ignored = {event.name for event in catalogue.values() if app in event.ignored_by}
        got = handled(static, app, catalogue)
        problems += [f"the {app} does not handle {name}" for name in sorted(receives - got - ignored)]
        problems += [f"the {app} handles {name}, which its stream never carries" for name in sorted(got - receives)]
        problems += [f"the {app} handles {name}, which the catalogue says it ignores" for name in sorted(got & ignored)]
    return problems


def test_every_type_the_server_emits_is_in_the_catalogue():
    assert undeclared(Path(chatdesk.__file__).parent, CATALOGUE) == []


def test_the_scan_finds_an_emitted_type_that_has_no_schema(tmp_path):
    (tmp_path / "snooze.py").write_text(
        "async def snooze(tx, streams):\n    await tx.emit(streams, 'chat.snoozed', {})\n"
        "    await tx.emit(streams, 'chat.ended', {})\n")
    assert undeclared(tmp_path, CATALOGUE) == ["chat.snoozed (snooze.py:2)"]
    (tmp_path / "snooze.py").write_text("def snooze(tx):\n    tx.notify('chat.snoozed', {})\n")
    assert undeclared(tmp_path, CATALOGUE) == ["chat.snoozed (snooze.py:2)"]  # nor for integrations


async def test_an_emit_of_an_undeclared_type_is_refused(database_url):
    engine = create_engine(database_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            tx = Tx(conn)
            with pytest.raises(UndeclaredEvent, match=r"chat\.snoozed"):
                await tx.emit([visitor_stream("x")], "chat.snoozed", {})
            await tx.emit([visitor_stream("x")], "chat.ended", {"chat": {}})
            assert [event.type for event in tx.events] == ["chat.ended"]
    finally:
        await engine.dispose()


def test_each_app_handles_every_type_its_stream_carries():
    assert handler_problems(resource_dir("static"), CATALOGUE) == []


@pytest.fixture
def static_copy(tmp_path) -> Path:
    shutil.copytree(resource_dir("static"), tmp_path / "static")
    return tmp_path / "static"


def test_the_check_finds_a_type_without_a_handler(static_copy):
    snoozed = EventType("chat.snoozed", Empty, ("visitor", "agent"), "a chat was snoozed")
    assert handler_problems(static_copy, {**CATALOGUE, "chat.snoozed": snoozed}) == [
        "the widget does not handle chat.snoozed", "the workspace does not handle chat.snoozed"]


def test_the_check_finds_a_handler_for_a_type_never_sent(static_copy):
    events = static_copy / "workspace" / "events.js"
    planted = 'const handlers = {\n  "chat.queued": onChat,\n'
    events.write_text(events.read_text().replace("const handlers = {\n", planted))
    assert handler_problems(static_copy, CATALOGUE) == [
        "the workspace handles chat.queued, which its stream never carries"]


def test_docs_show_the_catalogue():
    text = (ROOT / "docs/api.md").read_text()
    table = re.search(r"<!-- event catalogue -->\n(.*?)\n<!-- end of event catalogue -->", text, re.DOTALL)
    assert table, "docs/api.md has no event catalogue section"
    assert table.group(1) == markdown_table(), (
        "docs/api.md's event table differs: paste tests/catalogue_helpers.py's markdown_table()")


async def test_a_payload_off_its_schema_fails_the_test_that_reads_it(live_server, database_url, redis_url,
                                                                      events_match_the_catalogue):
    visitor = Client(live_server)
    visitor_id = await visitor.register_visitor(await new_widget(database_url), name="Ada")
    log = EventLog(visitor)
    await log.wait_for(lambda event: event.type == "ready")
    assert events_match_the_catalogue == []
    redis = aioredis.from_url(redis_url)
    try:
        await Streams(redis).push([(visitor_stream(visitor_id), "chat.rated", encode_data({"chat_id": "nope"}))])
        await log.wait_for(lambda event: event.type == "chat.rated")
    finally:
        await redis.aclose()
        await log.close()
        await visitor.close()
    mismatches = await wait_until(lambda: list(events_match_the_catalogue), bool)
    assert any(line.startswith("chat.rated: ('chat_id',)") for line in mismatches), mismatches
    assert any("score" in line for line in mismatches), mismatches
    events_match_the_catalogue.clear()  # seen: the mismatch was planted
