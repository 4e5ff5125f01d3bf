"""The import graph of the ES modules under static/, read from their import statements (no build step)."""

from __future__ import annotations

import re
from pathlib import Path

STATIC = Path(__file__).resolve().parent.parent / "static"

# `import ... from "x"`, `export ... from "x"`, `import "x"` and `import("x")`, over several lines too.
IMPORT = re.compile(r"""\b(?:import|export)\b[\w\s{},*$]*?(?:\bfrom\s*)?\(?\s*["']([^"']+\.js)["']""")


def imports(module: Path) -> list[Path]:
    """The modules this one imports, as files: `/static/...` from the site root, `./` and `../` beside it."""
    found = []
    for target in IMPORT.findall(module.read_text()):
        path = STATIC / target.removeprefix("/static/") if target.startswith("/static/") else module.parent / target
        found.append(path.resolve())
    return found


def loaded_by(entry: Path) -> set[Path]:
    """Every module the browser fetches to run `entry`, itself included."""
    seen: set[Path] = set()
    todo = [entry.resolve()]
    while todo:
        module = todo.pop()
        if module not in seen:
            seen.add(module)
            todo.extend(imports(module))
    return seen


def cycle_from(start: Path) -> list[Path] | None:
    """One import loop through `start`'s graph, as the chain of modules, or None."""
    path: list[Path] = []
    done: set[Path] = set()

    def visit(module: Path) -> list[Path] | None:
        if module in path:
            return [*path[path.index(module):], module]
        if module in done:
            return None
        path.append(module)
        for target in imports(module):
            if loop := visit(target):
                return loop
        path.pop()
        done.add(module)
        return None

    return visit(start.resolve())
