"""The workspace's words go through `t()`: no module shows English of its own (where each literal stands
is read by tests/js_words.py), nor does its HTML shell (whose elements name their keys, `data-t` and
`data-t-<attribute>`), every key a module or the shell asks for is in the catalogue and gets a value for
each of its placeholders, and the workspace's catalogue holds no word nobody asks for."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from tests.js_words import SHOWN_KEYS, catalogue, outside_catalogue, read
from tests.static_modules import STATIC, loaded_by

WORKSPACE = STATIC / "workspace"
# The folders whose modules are checked (the admin console's, whose keys are admin.<page>.<name> and may
# stand in tables, has tests/test_admin_words.py).
CHECKED = [WORKSPACE]
OWN = WORKSPACE / "english.js"
CATALOGUE = [OWN, WORKSPACE / "admin" / "english.js"]  # one catalogue: the admin console's is spread in
MODULES = sorted(path for folder in CHECKED for path in folder.glob("*.js") if path.name != "english.js")
# Who asks for the catalogue's words: those modules, and the shared ones the workspace loads (the API client's errors).
ASKING = MODULES + sorted(path for path in loaded_by(WORKSPACE / "main.js") if path.parent == STATIC / "shared")
SHELL = WORKSPACE / "index.html"
FILLER = WORKSPACE / "shell-words.js"  # t() with the keys the shell names, read from index.html below
BRAND = "chatdesk"  # the one word the shell is written with


class _Shell(HTMLParser):
    """The shell's text and shown attributes with a letter, and the keys its elements name."""

    def __init__(self) -> None:
        super().__init__()
        self.words: list[tuple[int, str]] = []
        self.keys: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "data-t" or name.startswith("data-t-"):
                self.keys.add(value or "")
            elif name in SHOWN_KEYS:
                self.word(value or "")

    def handle_data(self, data: str) -> None:
        self.word(data)

    def word(self, text: str) -> None:
        if re.search(r"[^\W\d_]", text) and text.strip() != BRAND:
            self.words.append((self.getpos()[0], text.strip()))


def shell() -> _Shell:
    reader = _Shell()
    reader.feed(SHELL.read_text("utf-8"))
    return reader


def placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", text))


@pytest.mark.parametrize("module", MODULES, ids=lambda path: str(path.relative_to(WORKSPACE)))
def test_a_module_shows_no_words_of_its_own(module):
    reading = read(module.read_text("utf-8"))
    words = [literal.token for literal in reading.literals if outside_catalogue(literal)]
    assert not words, "words outside the catalogue (static/workspace/english.js):\n" + "\n".join(
        f"{module.name}:{token.line}: {token.text!r}" for token in words)
    assert not reading.dynamic or module == FILLER, \
        f"{module.name}: t() with a key made at run time, lines {reading.dynamic}"


def test_the_shell_shows_no_words_of_its_own():
    assert not shell().words, "words in index.html (give the element data-t or data-t-<attribute>):\n" + "\n".join(
        f"index.html:{line}: {text!r}" for line, text in shell().words)


def test_every_key_asked_for_is_in_the_catalogue_with_its_placeholders_filled():
    english = {key: text for path in CATALOGUE for key, text in catalogue(path).items()}
    wrong = []
    for module in ASKING:
        for line, key, variables in read(module.read_text("utf-8")).uses:
            if key not in english:
                wrong.append(f"{module.name}:{line}: {key} is in no catalogue")
            elif variables is not None and not placeholders(english[key]) <= variables:
                wrong.append(f"{module.name}:{line}: {key} has {sorted(placeholders(english[key]))}, "
                             f"t() fills {sorted(variables)}")
    wrong.extend(f"index.html: {key} is in no catalogue" if key not in english else f"index.html: {key} has "
                 f"{sorted(placeholders(english[key]))}, nothing fills them"
                 for key in sorted(shell().keys) if key not in english or placeholders(english[key]))
    assert not wrong, "\n".join(wrong)


def test_every_word_of_the_workspace_catalogue_is_used():
    used = {key for module in ASKING for _, key, _ in read(module.read_text("utf-8")).uses} | shell().keys
    assert not catalogue(OWN).keys() - used, "no module asks for these"


@pytest.mark.parametrize("source", [
    'h("p", {}, "Hello");',
    'h("p", {}, ok ? "Sent" : `${count} waiting`);',
    'h("button", { "aria-label": `Remove ${name}` });',
    'toast("Saved");',
    'input.placeholder = open ? "Search" : "";',
    'error.setAttribute("title", "Too long");',
    'const name = chat.visitor?.name || "Visitor";',
    'return "Today";',
    'stateView(t("noChat"), "Pick one.");',
    't("withAgent", { name: agent.name || "an agent" });',
    'const words = { intro: "Choose a new password." };',
])
def test_the_reader_finds_words_wherever_they_stand(source):
    assert any(outside_catalogue(literal) for literal in read(source).literals)


@pytest.mark.parametrize("source", [
    'h("div", { class: "button primary", role: "status" }, t("send"), " · ");',
    'if (event.key === "Enter" || mode !== "Auto") send();',
    'request("GET", `/api/v1/chats/${id}/messages?after_seq=${after}`);',
    'const link = /^https?:\\/\\/["`]/i.test(url) ? "a" : "span";',
    'const looks = { "text-anchor": "end", class: "tick" };',
    'h("datalist", {}, Intl.supportedValuesOf?.("timeZone"), "\\u00d7");',
])
def test_the_reader_leaves_code_alone(source):
    assert not any(outside_catalogue(literal) for literal in read(source).literals)


def test_the_reader_knows_the_keys_and_variables_of_each_t_call():
    words = read('h("p", {}, t(n === 1 ? "one" : "many", { count, name: a.name }), t("plain"), t(key), t("x", vars));')
    assert [(key, variables) for _, key, variables in words.uses] == [
        ("one", {"count", "name"}), ("many", {"count", "name"}), ("plain", frozenset()), ("x", None)]
    assert len(words.dynamic) == 1
