"""The package's layers (docs/architecture.md): imports point one way, and no module imports itself
back through others. Every import counts, `TYPE_CHECKING` and function-level ones included."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import chatdesk

# Lowest first. A module may import its own layer and the layers before it, never one after.
LAYERS = (
    ("foundation", ("chatdesk", "chatdesk.config", "chatdesk.errors", "chatdesk.resources", "chatdesk.periodic",
                    "chatdesk.metrics")),
    ("db", ("chatdesk.db",)),
    ("realtime", ("chatdesk.realtime",)),
    ("desk", ("chatdesk.desk",)),
    ("web", ("chatdesk.web",)),
    ("cli", ("chatdesk.cli", "chatdesk.bench", "chatdesk.__main__")),
)


def modules(root: Path, package: str) -> dict[str, Path]:
    """Every module of the package under `root`, by dotted name."""
    found = {}
    for path in root.rglob("*.py"):
        parts = path.relative_to(root).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join((package, *parts))] = path
    return found


def imports(path: Path, name: str, known: set[str]) -> set[str]:
    """The package's own modules that the module `name` at `path` imports, anywhere in it."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".")[: len(name.split(".")) - node.level + (1 if is_package else 0)]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        else:
            continue
        found |= {target for target in targets if target in known and target != name}
    return found


def layer_of(module: str) -> int:
    """The index of the layer holding `module`: the longest prefix named in LAYERS."""
    best = max(((len(prefix), index) for index, (_, prefixes) in enumerate(LAYERS) for prefix in prefixes
                if module == prefix or module.startswith(prefix + ".")), default=None)
    if best is None:
        raise AssertionError(f"{module} belongs to no layer: add it to LAYERS")
    return best[1]


def violations(root: Path, package: str) -> list[str]:
    """Upward imports and import cycles in the package under `root`, in words."""
    found = modules(root, package)
    graph = {name: imports(path, name, set(found)) for name, path in found.items()}
    problems = [
        f"{name} ({LAYERS[layer_of(name)][0]}) imports {target} ({LAYERS[layer_of(target)][0]})"
        for name, targets in sorted(graph.items()) for target in sorted(targets)
        if layer_of(target) > layer_of(name)
    ]
    return problems + [f"import cycle: {' -> '.join(cycle)}" for cycle in cycles(graph)]


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected group of modules (Tarjan's algorithm), as a closed path."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [[*group, group[0]] for group in groups]


def test_imports_point_one_way_without_cycles():
    assert violations(Path(chatdesk.__file__).parent, "chatdesk") == []


@pytest.fixture
def planted(tmp_path) -> Path:
    """A small package laid out in chatdesk's layers, clean to begin with."""
    root = tmp_path / "chatdesk"
    for name, text in {
        "__init__.py": "", "config.py": "", "db/__init__.py": "from chatdesk import config\n",
        "desk/__init__.py": "", "desk/chats.py": "from chatdesk.db import engine\n", "db/engine.py": "",
        "desk/routing.py": "from . import chats\n", "web/__init__.py": "",
        "web/app.py": "import chatdesk.desk.routing\n",
    }.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_the_check_passes_a_clean_package(planted):
    assert violations(planted, "chatdesk") == []


def test_the_check_finds_an_upward_import_even_under_type_checking(planted):
    (planted / "db" / "engine.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from chatdesk import web\n")
    assert violations(planted, "chatdesk") == ["chatdesk.db.engine (db) imports chatdesk.web (web)"]


def test_the_check_finds_a_cycle_within_a_layer(planted):
    (planted / "desk" / "chats.py").write_text("def later():\n    from chatdesk.desk.routing import x\n")
    assert violations(planted, "chatdesk") == [
        "import cycle: chatdesk.desk.chats -> chatdesk.desk.routing -> chatdesk.desk.chats"]
