"""pyproject.toml declares what the code imports, and nothing it does not."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import entry_points, packages_distributions
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
# Test-extra packages run as tools rather than imported, and what runs them.
RUN_NOT_IMPORTED = {
    "build": "tests/test_wheel.py runs `python -m build`",
    "locust": "`chatdesk loadtest` runs it (tests/test_loadtest.py)",
    "ruff": "`make check` (run by `make test`) lints with it",
    "mypy": "`make check` type-checks chatdesk/ with it",
    "types-psutil": "mypy reads its stubs",
    "aiosmtpd": "the tests' SMTP server (the `sink` fixture: chatdesk/bench/smtp_sink.py imports it where it starts)",
}


def _name(requirement: str) -> str:
    """The normalised distribution name of a requirement ("redis[hiredis]>=5.0" -> "redis")."""
    return _normalise(re.match(r"[A-Za-z0-9._-]+", requirement).group())


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared(*extras: str) -> set[str]:
    requirements = PROJECT["dependencies"] + [r for extra in extras for r in PROJECT["optional-dependencies"][extra]]
    return {_name(requirement) for requirement in requirements}


def _imported(folder: str, *, in_functions: bool = True) -> dict[str, str]:
    """Distribution -> a file importing it, for every third-party import under `folder`
    (without `in_functions`, only imports outside functions: those an optional extra may not serve)."""
    distributions = packages_distributions()
    found: dict[str, str] = {}
    for path in sorted((REPO / folder).rglob("*.py")):
        tree = ast.parse(path.read_text())
        skipped = set()
        if not in_functions:
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    skipped.update(map(id, ast.walk(node)))
        for node in ast.walk(tree):
            if id(node) in skipped:
                continue
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.partition(".")[0]
                if top in sys.stdlib_module_names or top in ("chatdesk", "tests"):
                    continue
                for distribution in distributions.get(top, [top]):  # not installed: an optional extra
                    found.setdefault(_normalise(distribution), str(path.relative_to(REPO)))
    return found


def test_every_package_the_code_imports_is_a_dependency():
    imported = _imported("chatdesk", in_functions=False)
    assert {name: path for name, path in imported.items() if name not in _declared()} == {}


def test_imports_inside_functions_come_from_dependencies_or_an_optional_extra():
    optional = _declared(*PROJECT["optional-dependencies"])
    assert {name: path for name, path in _imported("chatdesk").items() if name not in optional} == {}


def test_every_package_the_tests_import_is_declared_for_them():
    assert {name: path for name, path in _imported("tests").items() if name not in _declared("test")} == {}


def test_every_dependency_is_imported():
    imported = {**_imported("chatdesk"), **_imported("migrations")}
    assert sorted(_declared() - set(imported)) == []


def test_every_test_dependency_is_imported_run_or_a_pytest_plugin():
    # A pytest-* plugin works without an import (fixtures, options); a library's bundled plugin
    # (hypothesis has one) serves only tests that import the library.
    plugins = {_normalise(ep.dist.name) for ep in entry_points(group="pytest11")
               if _normalise(ep.dist.name).startswith("pytest-")}
    used = set(_imported("tests")) | plugins | {"pytest"} | set(RUN_NOT_IMPORTED)
    test_only = {_name(requirement) for requirement in PROJECT["optional-dependencies"]["test"]}
    assert sorted(test_only - used) == []
