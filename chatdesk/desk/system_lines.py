"""What chatdesk itself says in a chat's thread (joined, transferred, ended), by key.

A line is kept twice over: in English as the message's `body` (what agents, API clients, search
and the workspace read), and as its key with the values put in (`messages.system_line`, the
message's `system`), from which the widget and the transcript mail say it in the visitor's
language. Those translations are the widget's catalogues (`static/widget/i18n/<language>.json`,
as `line.<key>`), which the mail reads too: one place for each language's words.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from chatdesk.desk.languages import DEFAULT_LANGUAGE, LANGUAGES
from chatdesk.resources import resource_dir

ENGLISH: dict[str, str] = {
    "agent_joined": "{name} joined the chat",
    "chat_ended_by": "Chat ended by {name}",
    "chat_ended_by_visitor": "Chat ended by the visitor",
    "chat_ended_idle": "Chat ended after {minutes} minutes without messages",
    "chat_closed": "We're closed now. We'll follow up by email.",
    "now_chatting_with": "You're now chatting with {name}",
    "passed_to_department": "Your chat was passed to {department}. The next available agent will be with you "
                            "shortly.",
    "agent_signed_out": "{name} was signed out; the chat is back in the queue",
}

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _translations(language: str) -> dict[str, str]:
    path = resource_dir("static") / "widget" / "i18n" / f"{language}.json"
    catalogue = json.loads(path.read_text("utf-8"))
    return {key.removeprefix("line."): words for key, words in catalogue.items() if key.startswith("line.")}


# English needs none: it is the body, as the widget shows it too.
TRANSLATIONS: dict[str, dict[str, str]] = {
    language: _translations(language) for language in LANGUAGES if language != DEFAULT_LANGUAGE}


def _filled(words: str, params: dict[str, Any]) -> str:
    """`words` with their `{placeholders}` put in, as the widget's `t()` does (an unknown one stays)."""
    return _PLACEHOLDER.sub(lambda match: str(params.get(match[1], match[0])), words)


@dataclass(frozen=True)
class SystemLine:
    """A line of `ENGLISH` with the values of its placeholders."""

    key: str
    params: dict[str, str] = field(default_factory=dict)

    @property
    def english(self) -> str:
        return _filled(ENGLISH[self.key], self.params)

    def json(self) -> dict[str, Any]:
        """As stored and sent: `{"key", "params"}`."""
        return {"key": self.key, "params": self.params}


def said_in(language: str, body: str, system_line: dict[str, Any] | None) -> str:
    """A message's text for a reader of `language` (one of ours): a system line in their words; in English,
    anything else (an admin's greeting too) or a line without a translation, its `body`."""
    if not system_line:
        return body
    words = TRANSLATIONS.get(language, {}).get(system_line["key"])
    return _filled(words, system_line["params"]) if words else body
