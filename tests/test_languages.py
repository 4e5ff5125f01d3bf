"""Languages: every catalogue holds exactly the English keys with the same placeholders, the widget's
settings say which language to speak, and the visitor's language is kept and shown to agents."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import get_args

import pytest

from chatdesk.desk.languages import LANGUAGES, TAG_PATTERN, LanguageSetting, negotiate, served
from chatdesk.desk.mail.templates import CATALOGUES, CUSTOMER_KEYS, STRINGS
from chatdesk.desk.system_lines import ENGLISH as SYSTEM_LINES
from chatdesk.desk.system_lines import SystemLine, said_in
from chatdesk.desk.widget_words import WIDGET_WORDS
from tests.conftest import bearer

STATIC = Path(__file__).resolve().parent.parent / "static"
MAIL_STRINGS = Path(__file__).resolve().parent.parent / "chatdesk" / "desk" / "mail" / "strings"
OTHERS = [language for language in LANGUAGES if language != "en"]


def placeholders(catalogue: dict[str, str]) -> dict[str, set[str]]:
    return {key: set(re.findall(r"\{(\w+)\}", value)) for key, value in catalogue.items()}


def built_in(path: Path) -> dict[str, str]:
    """An app's English catalogue: a JS module whose default export is a JSON object."""
    source = path.read_text("utf-8")
    return json.loads(source[source.index("export default ") + 15:source.rindex("}") + 1])


@pytest.mark.parametrize("app", ["widget", "ticket"])
def test_every_catalogue_of_the_customers_pages_has_the_english_keys_and_placeholders(app):
    """The widget's also translate the server's system lines, whose English is their messages' body."""
    english = built_in(STATIC / app / "english.js")
    if app == "widget":
        english |= {f"line.{key}": words for key, words in SYSTEM_LINES.items()}
    files = sorted(path.stem for path in (STATIC / app / "i18n").glob("*.json"))
    assert files == sorted(OTHERS)
    for language in OTHERS:
        catalogue = json.loads((STATIC / app / "i18n" / f"{language}.json").read_text("utf-8"))
        assert catalogue.keys() == english.keys(), language
        assert placeholders(catalogue) == placeholders(english), language
        assert all(value.strip() for value in catalogue.values()), language


def test_every_mail_catalogue_translates_exactly_the_customer_mails():
    assert sorted(path.stem for path in MAIL_STRINGS.glob("*.json")) == sorted(OTHERS)
    english = {key: STRINGS[key] for key in CUSTOMER_KEYS}
    for language in OTHERS:
        catalogue = json.loads((MAIL_STRINGS / f"{language}.json").read_text("utf-8"))
        assert catalogue.keys() == english.keys(), language
        assert placeholders(catalogue) == placeholders(english), language
        assert CATALOGUES[language].keys() == STRINGS.keys()  # agents' mails fall back to English


def test_a_system_line_reads_in_the_readers_language_else_as_its_body():
    joined = SystemLine("agent_joined", {"name": "Ada"})
    assert (joined.english, said_in("fr", joined.english, joined.json())) == (
        "Ada joined the chat", "Ada a rejoint la discussion")
    assert said_in("de", "Sales: Questions?", None) == "Sales: Questions?"  # an admin's greeting, as written
    assert said_in("de", "Newer line", {"key": "newer", "params": {}}) == "Newer line"  # not translated (yet)


def test_the_widget_words_the_server_fills_in_are_complete():
    english = WIDGET_WORDS["en"]
    assert tuple(WIDGET_WORDS) == LANGUAGES
    for language, words in WIDGET_WORDS.items():
        assert words.keys() == english.keys() and placeholders(words) == placeholders(english), language


@pytest.mark.parametrize(("header", "default", "expected"), [
    ("de-DE,de;q=0.9,en;q=0.8", "en", "de"),
    ("ja,pt-BR;q=0.5,fr;q=0.7", "en", "fr"),
    ("ja, ko", "es", "es"),
    (None, "ar", "ar"),
    ("fr;q=0,en;q=0.1", "de", "en"),
])
def test_the_browsers_first_language_of_ours_wins(header, default, expected):
    assert negotiate(header, default) == expected


def test_tags_and_the_catalogue_they_get():
    assert all(re.match(TAG_PATTERN, tag) for tag in ("de", "pt-BR", "zh-Hant-TW"))
    assert not any(re.match(TAG_PATTERN, tag) for tag in ("", "d", "de_DE", "de-", "<b>", "x" * 40))
    assert (served("pt-BR"), served("AR"), served("ja"), served(None)) == ("pt", "ar", "en", "en")
    assert get_args(LanguageSetting) == ("auto", *LANGUAGES)


def test_settings_speak_the_browsers_language_unless_the_widget_says_otherwise(client, make_agent, login):
    admin = bearer(login(make_agent(role="admin"))["token"])
    widget = client.post("/api/v1/widgets", headers=admin, json={"name": "Lang", "settings": {
        "default_language": "fr", "greeting": "Hello from our own words"}}).json()
    url = f"/api/v1/widgets/{widget['id']}/settings"
    german = client.get(url, headers={"Accept-Language": "de-DE,de;q=0.9"}).json()
    assert (german["language"], german["dir"], german["title"]) == ("de", "ltr", "Schreiben Sie uns")
    assert german["greeting"] == "Hello from our own words"  # the admin's own words stay as written
    assert [field["label"] for field in german["pre_chat_fields"]] == ["Name", "E-Mail"]
    assert german["launcher"]["open"] == "Schreiben Sie uns öffnen"
    assert client.get(url, headers={"Accept-Language": "ja"}).json()["language"] == "fr"

    client.patch(f"/api/v1/widgets/{widget['id']}", headers=admin, json={"settings": {"language": "ar"}})
    arabic = client.get(url, headers={"Accept-Language": "de"}).json()
    assert (arabic["language"], arabic["dir"]) == ("ar", "rtl")
    refused = client.patch(f"/api/v1/widgets/{widget['id']}", headers=admin, json={"settings": {"language": "xx"}})
    assert refused.status_code == 422 and "settings.language" in refused.json()["error"]["fields"]


def test_the_visitors_language_is_kept_and_agents_see_it(client, active_chat, make_agent, login):
    chat = client.get(f"/api/v1/chats/{active_chat['chat_id']}", headers=active_chat["agent"]).json()["chat"]
    visitor_id = chat["visitor"]["id"]
    assert chat["visitor"]["language"] is None  # registered without one
    admin = bearer(login(make_agent(role="admin"))["token"])
    widget = client.post("/api/v1/widgets", headers=admin, json={"name": "Tags"}).json()
    visitors = f"/api/v1/widgets/{widget['id']}/visitors"
    created = client.post(visitors, json={"name": "Jürgen", "language": "de-AT"})
    assert created.status_code == 201
    profile = client.get(f"/api/v1/visitors/{created.json()['visitor_id']}", headers=admin).json()["visitor"]
    assert profile["language"] == "de-AT"
    bad = client.post(visitors, json={"name": "X", "language": "de_AT; drop"})
    assert bad.status_code == 422 and "language" in bad.json()["error"]["fields"]
    assert client.get(f"/api/v1/visitors/{visitor_id}", headers=admin).json()["visitor"]["language"] is None
