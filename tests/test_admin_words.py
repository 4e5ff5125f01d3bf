"""The admin console's words: every one it shows comes from its catalogue (static/workspace/admin/english.js)
through `t("admin.<page>.<name>")`, each key used is there, and each key there is used.

tests/js_words.py reads the modules' string literals (template literals' text between their `${...}`) and
where each stands. A literal with a letter is a word outside the catalogue where it is shown: a child of
`h(...)`, the value of an attribute read out or shown (aria-label, title, placeholder, hint), a text
argument of the helpers that show one (toast, dialogs, page headers, fields), an assignment to
`textContent`. So is one that reads as words anywhere (a table of labels, a variable): a capitalised word
or a phrase, but for a `class` value and languages' names in themselves.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.js_words import Literal, Token, catalogue, read, tokens

ADMIN = Path(__file__).resolve().parent.parent / "static" / "workspace" / "admin"
WORKSPACE_CATALOGUE = ADMIN.parent / "english.js"
KEY = re.compile(r"admin\.[a-z]\w*\.[a-z]\w*")

# The widget's languages are named in themselves (README, Languages): the same words in every language.
LANGUAGE_NAMES = {"English", "Deutsch", "Français", "Español", "Português"}
CAPITALISED_WORD = re.compile(r"\b[A-Z][a-z]*\b")
PHRASE = re.compile(r"[^\W\d_]+ +[^\W\d_]+")


def reads_as_words(literal: Literal) -> bool:
    """A capitalised word or a phrase, where no tag, class, type, path or key looks like that."""
    text = literal.token.text
    if literal.key == "class" or text in LANGUAGE_NAMES:
        return False
    return bool(CAPITALISED_WORD.search(text) or PHRASE.search(text))


def words_outside_the_catalogue(source: str) -> list[Token]:
    return [literal.token for literal in read(source).literals if literal.shown or reads_as_words(literal)]


def modules() -> dict[str, str]:
    return {path.name: path.read_text("utf-8") for path in sorted(ADMIN.glob("*.js")) if path.name != "english.js"}


def test_the_scanner_finds_words_where_they_are_shown_or_read_as_words():
    source = """
      // A comment with Words in it
      const ROLES = { agent: ["Agent", "an agent"], admin: ["admin.agents.roleAdmin"], de: "Deutsch" };
      const find = /[a-z"]+/g;
      h("p", { class: "muted small", title: `Title of ${agent.name}` }, open ? "Open" : t("admin.x.closed"),
        `${n} chats`, Intl.supportedValuesOf?.("timeZone"));
      toast(`Saved ${h("b", {}, "bold")}.`, "error");
      button.textContent = shown ? "Hide" : t("admin.x.show");
    """
    assert [token.text for token in words_outside_the_catalogue(source)] == [
        "Agent", "an agent", "Title of ", "Open", " chats", "Saved ", "bold", "Hide"]


def test_the_admin_console_shows_no_word_outside_its_catalogue():
    words = [f"{name}:{token.line}: {token.text!r}" for name, source in modules().items()
             for token in words_outside_the_catalogue(source)]
    assert not words, "words outside static/workspace/admin/english.js:\n" + "\n".join(words)


def test_each_key_used_is_in_the_catalogue_and_each_key_there_is_used():
    """A key is used where it is a literal: given to `t()`, or in a table whose entries are."""
    keys = catalogue(ADMIN / "english.js").keys()
    assert all(KEY.fullmatch(key) for key in keys), "keys are admin.<page>.<name>"
    used = {token.text for source in modules().values() for token in tokens(source)
            if token.kind == "string" and KEY.fullmatch(token.text)}
    assert not used - keys, f"used but not in admin/english.js: {sorted(used - keys)}"
    assert not keys - used, f"in admin/english.js but not used: {sorted(keys - used)}"


def test_a_literal_given_to_t_is_an_admin_key():
    for name, source in modules().items():
        for line, key, _ in read(source).uses:
            assert KEY.fullmatch(key), f"{name}:{line}: t({key!r}) is not an admin key"


def test_the_admin_keys_are_not_the_workspaces():
    """The admin console's catalogue is spread into the workspace's: a key in both would hide one text."""
    assert not catalogue(WORKSPACE_CATALOGUE).keys() & catalogue(ADMIN / "english.js").keys()
