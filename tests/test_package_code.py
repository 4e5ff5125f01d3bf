"""The package ships no code only the tests use: test helpers live under tests/."""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# What ships: the package, and the migrations and load tests packed into its wheel.
SHIPPED = ("chatdesk", "migrations", "loadtests")
# Methods a library calls by a name it builds: aiosmtpd's handler hooks (`handle_` + SMTP command),
# html.parser's callbacks.
CALLED_BY_LIBRARIES = re.compile(r"handle_[A-Z]+|handle_(starttag|endtag|data)")


def _trees() -> dict[str, ast.Module]:
    return {str(path.relative_to(REPO)): ast.parse(path.read_text())
            for folder in SHIPPED for path in sorted((REPO / folder).rglob("*.py"))}


def _referenced(trees: dict[str, ast.Module]) -> set[str]:
    """Every name the shipped code uses: names, attributes, imported names, words in strings."""
    names: set[str] = set()
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.Name):
                names.add(node.id)
            elif isinstance(node, ast.Attribute):
                names.add(node.attr)
            elif isinstance(node, ast.alias):
                names.add(node.name.rpartition(".")[2])
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                names.update(node.value.replace(":", " ").replace(".", " ").split())
    return names


def _defined(path: str, tree: ast.Module) -> list[tuple[str, str]]:
    """(where, name) of each module-level function and class and each method, except dunders and
    decorated ones (a decorator registers them: commands, validators, routes)."""
    found = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and not node.decorator_list:
            found.append((path, node.name))
        if isinstance(node, ast.ClassDef):
            found.extend((f"{path}:{node.name}", method.name) for method in node.body
                         if isinstance(method, ast.FunctionDef | ast.AsyncFunctionDef)
                         and not method.decorator_list and not method.name.startswith("__"))
    return found


def test_everything_the_package_defines_is_used_by_the_package():
    trees = _trees()
    used = _referenced(trees)
    unused = [f"{where}: {name}" for path, tree in trees.items() if path.startswith("chatdesk/")
              for where, name in _defined(path, tree)
              if name not in used and not CALLED_BY_LIBRARIES.fullmatch(name)]
    assert unused == []
