"""Comments and docstrings cite only what the repository holds: its documents by their path, the
invariants of docs/architecture.md by number and document, and no issue tracker."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CODE = ("chatdesk", "tests", "static", "loadtests", "migrations")
SUFFIXES = {".py", ".js", ".css", ".html"}
DOCUMENT = re.compile(r"[\w./-]*\w\.md\b")
INVARIANT = re.compile(r"\binvariants? (\d+)", re.IGNORECASE)
TRACKER = re.compile(r"\b(issue #?\d+|acceptance \d+|#\d+ of issue)", re.IGNORECASE)


def _lines() -> list[tuple[str, str]]:
    """(where, line) for every line of the code and tests, this file left out."""
    found = []
    for folder in CODE:
        for path in sorted((REPO / folder).rglob("*")):
            if path.suffix in SUFFIXES and path != Path(__file__).resolve() and "screenshots" not in path.parts:
                lines = path.read_text(errors="replace").splitlines()
                found.extend((f"{path.relative_to(REPO)}:{n}", line) for n, line in enumerate(lines, 1))
    return found


def _invariant_count() -> int:
    return len(re.findall(r"^\d+\. \*\*", (REPO / "docs/architecture.md").read_text(), re.MULTILINE))


def test_cited_documents_exist_at_the_path_given():
    missing = [f"{where}: {name}" for where, line in _lines() for name in DOCUMENT.findall(line)
               if not (REPO / name).is_file()]
    assert missing == []


def test_invariants_are_cited_with_their_document_and_exist():
    count = _invariant_count()
    assert count == 8
    wrong = [f"{where}: {line.strip()}" for where, line in _lines() for number in INVARIANT.findall(line)
             if "docs/architecture.md" not in line or not 1 <= int(number) <= count]
    assert wrong == []


def test_no_issue_tracker_is_cited():
    cited = [f"{where}: {line.strip()}" for where, line in _lines() if TRACKER.search(line)]
    assert cited == []
