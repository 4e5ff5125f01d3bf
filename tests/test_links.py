"""static/shared/links.js in a real browser: which text becomes a link, and that nothing else becomes markup."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

SAFE_REL = "noopener noreferrer"
# text -> the parts linkify gives: plain text as a string, a link as [its text, its href].
CASES = {
    "no links here": ["no links here"],
    "see https://example.com/a?b=1#c now": ["see ", ["https://example.com/a?b=1#c", "https://example.com/a?b=1#c"],
                                            " now"],
    "http://example.com.": [["http://example.com", "http://example.com/"], "."],
    "Go to www.example.com/docs, then back": ["Go to ", ["www.example.com/docs", "https://www.example.com/docs"],
                                              ", then back"],
    "(see https://example.com/a)": ["(see ", ["https://example.com/a", "https://example.com/a"], ")"],
    "https://en.wikipedia.org/wiki/Ada_(language)!": [
        ["https://en.wikipedia.org/wiki/Ada_(language)", "https://en.wikipedia.org/wiki/Ada_(language)"], "!"],
    "https://a.io/x?y=1;": [["https://a.io/x?y=1", "https://a.io/x?y=1"], ";"],
    "'https://a.io/q'": ["'", ["https://a.io/q", "https://a.io/q"], "'"],
    "HTTPS://EXAMPLE.COM/Path": [["HTTPS://EXAMPLE.COM/Path", "https://example.com/Path"]],
    "two: http://a.io and https://b.io": ["two: ", ["http://a.io", "http://a.io/"], " and ",
                                          ["https://b.io", "https://b.io/"]],
    "line\nhttps://a.io\nnext": ["line\n", ["https://a.io", "https://a.io/"], "\nnext"],
    "javascript:alert(1)": ["javascript:alert(1)"],
    "data:text/html,<script>alert(1)</script>": ["data:text/html,<script>alert(1)</script>"],
    "ftp://example.com and mailto:a@b.io": ["ftp://example.com and mailto:a@b.io"],
    "<a href=\"https://evil.io\">x</a>": ["<a href=\"", ["https://evil.io", "https://evil.io/"], "\">x</a>"],
    "<img src=x onerror=alert(1)>": ["<img src=x onerror=alert(1)>"],
    "https://a.io/<script>": [["https://a.io/", "https://a.io/"], "<script>"],
    "http:// nothing": ["http:// nothing"],
    "www. nothing": ["www. nothing"],
    "xhttps://a.io and awww.b.io": ["xhttps://a.io and awww.b.io"],
    "": [],
}


@pytest.fixture
def linkify(page: Page, live_server):
    page.goto(f"{live_server}/workspace/")

    def run(text: str) -> dict:
        return page.evaluate("""async (text) => {
          const { linkify } = await import("/static/shared/links.js");
          const box = document.createElement("div");
          box.append(...linkify(text));
          const parts = [...box.childNodes].map((node) => node.nodeType === Node.TEXT_NODE ? node.data
            : { tag: node.tagName, text: node.textContent, href: node.href, target: node.target, rel: node.rel,
                attributes: node.getAttributeNames().sort(), children: node.children.length });
          return { parts, text: box.textContent, elements: box.querySelectorAll("*").length };
        }""", text)

    return run


def test_only_web_addresses_become_links_and_nothing_else_markup(linkify):
    for text, expected in CASES.items():
        result = linkify(text)
        assert result["text"] == text, text  # nothing lost, nothing added
        parts = [part if isinstance(part, str) else [part["text"], part["href"]] for part in result["parts"]]
        assert [part for part in parts if part != ""] == expected, text
        links = [part for part in result["parts"] if not isinstance(part, str)]
        assert result["elements"] == len(links), text  # the only elements are the links, with nothing inside
        for link in links:
            assert link["tag"] == "A" and link["children"] == 0
            assert link["attributes"] == ["href", "rel", "target"]
            assert link["target"] == "_blank" and link["rel"] == SAFE_REL
            assert link["href"].startswith(("http://", "https://"))


def test_a_long_message_of_punctuation_is_quick(linkify, page: Page):
    took = page.evaluate("""async () => {
      const { linkify } = await import("/static/shared/links.js");
      const start = performance.now();
      linkify("https://" + "a.".repeat(2500) + ".".repeat(2500));
      linkify("www." + "(".repeat(5000));
      return performance.now() - start;
    }""")
    assert took < 200
