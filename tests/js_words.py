"""The words an ES module shows, read from its source (no build step, no JS engine): a small lexer (strings,
templates, regular expressions, comments) and where each literal stands: a child of `h()`, the value of an
attribute read out (aria-label, title, placeholder), a text argument of the helpers that show one (toast,
dialogs, fields), an assignment to `textContent`. With the t() calls a module makes, their keys and the
variables they fill, the guard tests find English written in a module instead of in its catalogue."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

# Object keys and DOM properties whose text a person reads (attributes, and options of our helpers).
SHOWN_KEYS = {"aria-label", "aria-description", "title", "placeholder", "alt", "summary", "hint"}
SHOWN_PROPERTIES = {"textContent", "innerText", "placeholder", "title", "label"}
# Calls whose arguments at these positions are shown (None: all of them); `h` shows its children (2 on).
SHOWN_CALLS: dict[str, set[int] | None] = {
    "toast": {0}, "stateView": {0, 1}, "dialog": {0, 2}, "formDialog": {0, 2}, "confirmDialog": {0, 1, 2},
    "field": {0}, "pageHeader": {0, 1}, "shownOnce": {0, 1, 3}, "saveOnChange": {2}, "emojiPicker": {1},
    "avatar": {0}, "confirm": {0}, "alert": {0}, "Error": {0}, "Notification": {0},
    "append": None, "prepend": None, "replaceChildren": None, "replaceWith": None, "createTextNode": None,
}
# A sentence however it stands: a capitalised word, then a lower-case one ("Save and continue").
PROSE = re.compile(r"\b[A-Z][a-z']+[,.:;!?]?\s+[a-z]")
# A capitalised word given as a value: returned, a fallback, a choice, a property ("Today", `|| "Visitor"`).
WORD = re.compile(r"[A-Z][a-z]")
AS_VALUE = {"return", "||", "??", "?", ":", "=>"}
COMPARISONS = {"===", "!==", "==", "!=", "in"}
KEYWORDS = {"if", "for", "while", "switch", "catch", "return", "typeof", "case", "in", "of", "else", "do",
            "new", "delete", "void", "throw", "await", "yield", "instanceof", "function"}

_TOKEN = re.compile(r"""
    (?P<space>\s+|//[^\n]*|/\*.*?\*/)
  | (?P<string>"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')
  | (?P<name>[A-Za-z_$][\w$]*)
  | (?P<number>\d[\w.]*)
  | (?P<punct>\?\.|\.\.\.|===|!==|==|!=|=>|<=|>=|&&=?|\|\|=?|\?\?=?|\*\*|\+\+|--|[-+*/%&|^]=|[^\s\w])
""", re.VERBOSE | re.DOTALL)
_REGEX = re.compile(r"/(?:\\.|\[(?:\\.|[^\]\\])*\]|[^/\\\n\[])+/[a-z]*")


@dataclass
class Token:
    kind: str  # name, number, string (a literal's or a template's text, unescaped), regex, punct
    text: str
    line: int


_ESCAPE = re.compile(r"\\(?:u\{([0-9a-fA-F]+)\}|u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2})|(.))", re.DOTALL)
_CONTROL = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


def _unescaped(text: str) -> str:
    """A literal's characters: `\\u2026` is "…", `\\n` a line break, `\\"` is '"'."""
    return _ESCAPE.sub(lambda match: _CONTROL.get(match[4], match[4]) if match[4] is not None
                       else chr(int(match[1] or match[2] or match[3], 16)), text)


def tokens(source: str) -> list[Token]:
    """The module's tokens; a template's `${` and its closing `}` come as punct tokens between its texts."""
    found: list[Token] = []
    substitutions: list[int] = []  # for each open `${`: the depth of braces inside it
    at = 0

    def template(start: int) -> int:  # from just after a backtick or a substitution's `}`
        end = start
        while source[end] != "`" and not source.startswith("${", end):
            end += 2 if source[end] == "\\" else 1
        found.append(Token("string", _unescaped(source[start:end]), source.count("\n", 0, start) + 1))
        if source[end] == "`":
            return end + 1
        found.append(Token("punct", "${", source.count("\n", 0, end) + 1))
        substitutions.append(0)
        return end + 2

    while at < len(source):
        line = source.count("\n", 0, at) + 1
        if source[at] == "`":
            at = template(at + 1)
            continue
        if source[at] == "/" and not source.startswith(("//", "/*"), at) and _starts_regex(found):
            match = _REGEX.match(source, at)
            if match:
                found.append(Token("regex", match.group(), line))
                at = match.end()
                continue
        match = _TOKEN.match(source, at)
        if not match:
            raise ValueError(f"line {line}: cannot read {source[at:at + 20]!r}")
        at = match.end()
        kind = match.lastgroup or ""
        if kind == "space":
            continue
        text = match.group()
        if substitutions and text in ("{", "}"):
            if text == "{":
                substitutions[-1] += 1
            elif substitutions[-1]:
                substitutions[-1] -= 1
            else:
                substitutions.pop()
                found.append(Token("punct", "}", line))
                at = template(at)
                continue
        found.append(Token(kind, _unescaped(text[1:-1]) if kind == "string" else text, line))
    return found


def _starts_regex(before: list[Token]) -> bool:
    """A `/` opens a regular expression where a value may start, not after one (division)."""
    if not before:
        return True
    last = before[-1]
    if last.kind == "name":
        return last.text in KEYWORDS
    return last.kind == "punct" and last.text not in {")", "]", "}"}


@dataclass
class _Frame:
    opener: str                  # "(", "[", "{" or "${"
    callee: str | None = None    # for "(": the function called
    argument: int = 0            # for "(": which argument the tokens are in
    first_literal: str | None = None  # for "(": the first argument, when it is a string
    key: str | None = None       # for "{": the property whose value the tokens are
    assigning: bool = False      # `x.textContent = ...` until the next `;` or `,`
    keys: list[str] = field(default_factory=list)  # for t(...): the keys its first argument names
    dynamic: bool = False        # for t(...): a key made at run time
    names: set[str] | None = None  # for the object passed to t(): its property names
    spread: bool = False         # for that object: `...more` (names unknown)
    passed: frozenset[str] | None = None  # for t(...): the names of its variables, once read


@dataclass
class Literal:
    token: Token      # a string, or a template's text between substitutions
    shown: bool       # where it stands it is shown as text (a child of h(), an aria-label, a toast...)
    key: str | None   # the object property whose value it is
    as_value: bool    # returned, a fallback or a choice (`return "Today"`, `|| "Visitor"`, `? "Read"`)


@dataclass
class Reading:
    """A module's literals with a letter (t()'s keys and the operands of comparisons aside), and its t() calls."""
    literals: list[Literal] = field(default_factory=list)
    # (line, key, the variables passed; None when not an object literal)
    uses: list[tuple[int, str, frozenset[str] | None]] = field(default_factory=list)
    dynamic: list[int] = field(default_factory=list)  # lines of t() calls whose key is not a literal


def _transparent(frame: _Frame) -> bool:
    """Brackets a value passes through: arrays, template substitutions, grouping parentheses."""
    return frame.opener in ("[", "${") or (frame.opener == "(" and frame.callee is None)


def _shows(frame: _Frame) -> bool:
    """Whether a literal standing in `frame` (the nearest bracket that is not transparent) is shown as text."""
    if frame.assigning or frame.names is not None:  # t()'s variables hold data or other t() results, never words
        return True
    if frame.opener == "{":
        return frame.key is not None and (frame.key in SHOWN_KEYS or frame.key.endswith("Label"))
    if frame.callee in ("h", "t"):
        return frame.argument >= (2 if frame.callee == "h" else 1)
    if frame.callee == "setAttribute":
        return frame.argument == 1 and frame.first_literal in SHOWN_KEYS
    positions = SHOWN_CALLS.get(frame.callee or "", set())
    return positions is None or frame.argument in positions


def read(source: str) -> Reading:
    """Where each literal of `source` stands, and the t() calls it makes."""
    reader = _Reader()
    edge = Token("punct", ";", 0)  # what stands around the first and the last token
    found = [edge, edge, *tokens(source), edge]
    for before2, before, token, after in zip(found, found[1:], found[2:], found[3:], strict=False):
        if token.kind == "string":
            if not {before.text, after.text} & COMPARISONS:  # `status === "ended"` is no text
                reader.literal(token, as_value=before.text in AS_VALUE)
        elif token.kind == "punct":
            reader.punct(token, before2, before)
    return reader.reading


def outside_catalogue(literal: Literal) -> bool:
    """A word written in the module: shown where it stands, a sentence anywhere, or a capitalised value."""
    text = literal.token.text
    return bool(literal.shown or PROSE.search(text) or (literal.as_value and WORD.match(text)))


class _Reader:
    def __init__(self) -> None:
        self.reading = Reading()
        self.frames = [_Frame("{")]

    def literal(self, token: Token, as_value: bool) -> None:
        top = self.frames[-1]
        if top.opener == "(" and top.argument == 0 and top.first_literal is None:
            top.first_literal = token.text
        if top.callee == "t" and top.argument == 0:
            top.keys.append(token.text)
        elif re.search(r"[^\W\d_]", token.text):
            owner = next(frame for frame in reversed(self.frames) if not _transparent(frame))
            self.reading.literals.append(Literal(token, _shows(owner), owner.key, as_value))

    def punct(self, token: Token, before2: Token, before: Token) -> None:
        top = self.frames[-1]
        if token.text in ("(", "[", "{", "${"):
            self.open(token, before)
        elif token.text in (")", "]", "}"):
            self.close(token, before2, before)
        elif token.text == ",":
            _shorthand(top, before2, before)
            top.argument += 1
            top.key = None
            top.assigning = False
        elif token.text == ";":
            top.assigning = False
        elif token.text == ":" and before.kind in ("name", "string") and before2.text in ("{", ","):
            top.key = before.text
            if top.names is not None:
                top.names.add(top.key)
        elif token.text == "...":
            top.spread = True
        elif token.text == "=" and before.text in SHOWN_PROPERTIES and before2.text in (".", "?."):
            top.assigning = True

    def open(self, token: Token, before: Token) -> None:
        top = self.frames[-1]
        callee = None
        if token.text == "(" and before.kind == "name" and before.text not in KEYWORDS:
            callee = before.text
        elif token.text == "(" and before.text in ("?.", ")", "]"):
            callee = ""  # `f?.(`, `f()(`: a call of something unnamed
        if token.text == "${" and top.callee == "t" and top.argument == 0:
            top.dynamic = True
        frame = _Frame(token.text, callee=callee)
        if token.text == "{" and top.callee == "t" and top.argument == 1:
            frame.names = set()
        self.frames.append(frame)

    def close(self, token: Token, before2: Token, before: Token) -> None:
        closed = self.frames.pop()
        _shorthand(closed, before2, before)
        if closed.names is not None:
            self.frames[-1].passed = None if closed.spread else frozenset(closed.names)
        if closed.callee == "t":
            if closed.dynamic or not closed.keys:
                self.reading.dynamic.append(token.line)
            passed = closed.passed if closed.argument else frozenset()
            self.reading.uses.extend((token.line, key, passed) for key in closed.keys)


def _shorthand(frame: _Frame, before2: Token, before: Token) -> None:
    """`{ email }`: a property named by its variable alone."""
    if frame.names is not None and before.kind == "name" and before2.text in ("{", ","):
        frame.names.add(before.text)


def catalogue(path: Path) -> dict[str, str]:
    """An english.js catalogue's own entries (one `"key": "text",` a line; spreads and comments aside)."""
    entries: dict[str, str] = {}
    for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        match = re.fullmatch(r'\s*"([^"]+)":\s*"((?:\\.|[^"\\])*)",?\s*', line)
        if match:
            assert match[1] not in entries, f"{path.name}:{number}: {match[1]} twice"
            entries[match[1]] = match[2]
        else:
            assert '":' not in line, f"{path.name}:{number}: not one entry a line: {line!r}"
    return entries
