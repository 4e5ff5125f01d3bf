"""What a customer wrote in a reply by mail: HTML made text, quoted history and signature cut off."""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Elements whose text is not shown, and elements that start a line of their own.
_HIDDEN = {"head", "style", "script", "title", "template"}
_BLOCKS = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "pre", "hr",
           "blockquote", "section", "article", "header", "footer"}

# Where the quoted history begins: everything from there on is the old thread, not the reply.
# An attribution may wrap over up to three lines, so each is tried on a line and the ones after it.
_ATTRIBUTIONS = [
    re.compile(r"^On .{1,300}wrote:$"),  # Gmail, Apple Mail, Thunderbird
    re.compile(r"^Le .{1,300}a écrit ?:$"),
    re.compile(r"^Am .{1,300}schrieb .{0,200}:$"),
    re.compile(r"^El .{1,300}escribió:$"),
]
_RULES = [
    # Outlook and older clients
    re.compile(r"^-{2,}\s*(Original Message|Forwarded message|Ursprüngliche Nachricht)\s*-{2,}$", re.IGNORECASE),
    re.compile(r"^_{10,}$"),  # Outlook's rule above the quoted headers
    re.compile(r"^Begin forwarded message:$"),  # Apple Mail
    # A phone's or an app's tag line, like a signature: nothing after it is the reply.
    re.compile(r"^Sent from (my )?(iPhone|iPad|Android|Samsung|Galaxy|mobile|phone|Outlook|Mail|Yahoo)\b.{0,40}$",
               re.IGNORECASE),
]
# Outlook without a rule: a "From:" line and then the other quoted headers.
_HEADER_BLOCK = re.compile(r"^(From|Von|De): .+")
_NEXT_HEADER = re.compile(r"^(Sent|Date|To|Subject|Cc|Gesendet|Envoyé|Enviado)\s?: ")
_SIGNATURE = "-- "


class _Text(HTMLParser):
    """Collects the visible text of an HTML body, a line per block, `>` before quoted lines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0
        self._quote = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self._hidden += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")
        if tag == "blockquote":
            self._quote += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self._hidden = max(self._hidden - 1, 0)
        elif tag in _BLOCKS:
            self.parts.append("\n")
        if tag == "blockquote":
            self._quote = max(self._quote - 1, 0)

    def handle_data(self, data: str) -> None:
        if self._hidden:
            return
        text = re.sub(r"\s+", " ", data)
        if self._quote and text.strip():
            text = "> " + text
        self.parts.append(text)


def html_to_text(html: str) -> str:
    """The text a reader sees in an HTML mail, one line per block; quoted blocks marked with `>`."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    lines = [line.strip() for line in "".join(parser.parts).splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _history_at(lines: list[str], index: int) -> bool:
    """Whether the old thread begins at `lines[index]`."""
    line = lines[index].strip()
    if not line:
        return False
    if any(rule.match(line) for rule in _RULES):
        return True
    if _HEADER_BLOCK.match(line) and index + 1 < len(lines) and _NEXT_HEADER.match(lines[index + 1].strip()):
        return True
    for end in range(index + 1, min(index + 4, len(lines) + 1)):
        joined = " ".join(part.strip() for part in lines[index:end])
        if any(pattern.match(joined) for pattern in _ATTRIBUTIONS):
            return True
    return False


def strip_quoted(text: str) -> str:
    """The new part of a reply: up to where the quoted history or the signature (`-- `) begins,
    without lines quoted with `>`. A reply that is all quote keeps its text, so nothing is lost."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for index, line in enumerate(lines):
        if line == _SIGNATURE or line.rstrip() == "--" or _history_at(lines, index):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line.rstrip())
    reply = re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
    return reply or text.strip()
