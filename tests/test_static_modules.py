"""The front end's modules: every import resolves to a shipped file, and no module imports itself back."""

from __future__ import annotations

import pytest

from tests.static_modules import STATIC, cycle_from, imports

MODULES = sorted(STATIC.rglob("*.js"))


@pytest.mark.parametrize("module", MODULES, ids=lambda path: str(path.relative_to(STATIC)))
def test_imports_resolve_and_do_not_loop(module):
    missing = [str(target) for target in imports(module) if not target.is_file()]
    assert not missing, f"{module.name} imports files that are not there: {missing}"
    loop = cycle_from(module)
    assert loop is None, "import loop: " + " -> ".join(str(path.relative_to(STATIC)) for path in loop)


def test_the_graph_is_read_from_every_kind_of_import():
    main = STATIC / "workspace" / "main.js"
    assert STATIC / "workspace" / "events.js" in imports(main)
    assert STATIC / "workspace" / "admin" / "index.js" in imports(main)  # import("...") of the admin console
