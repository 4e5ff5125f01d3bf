"""Screenshot baselines: a page (or element) compared with a committed PNG within a small tolerance.

Baselines live in tests/screenshots/<name>.png. Regenerate them with
`UPDATE_SCREENSHOTS=1 .venv/bin/pytest -k screenshot`, then look at each one before committing.
A failing comparison leaves the actual image and a diff next to the test run's tmp dir.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

from PIL import Image, ImageChops

BASELINES = Path(__file__).parent / "screenshots"
UPDATE = os.environ.get("UPDATE_SCREENSHOTS") == "1"
# Anti-aliasing differs by a few levels between runs; a pixel counts as changed above this.
CHANNEL_THRESHOLD = 24


# Counts over the whole database (the nav's new tickets) depend on what earlier tests of the session
# left behind: hidden in every screenshot unless a test that seeds them passes its own `style`.
SESSION_WIDE = "#nav-tickets-count"


def assert_screenshot(target, name: str, *, max_changed: float = 0.002, **options) -> None:
    """Compare `target.screenshot()` with the baseline `name`; at most `max_changed` of the pixels may differ."""
    if "style" not in options:
        # Not with Playwright's `style`: the pages' CSP refuses an injected stylesheet (and logs it);
        # an element's own style, set from script, it allows.
        page = getattr(target, "page", target)
        page.evaluate(f"document.querySelector('{SESSION_WIDE}')?.style.setProperty('display', 'none', 'important')")
    png = target.screenshot(animations="disabled", caret="hide", **options)
    path = BASELINES / f"{name}.png"
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(png)
        return
    assert path.exists(), f"no baseline {path}: run with UPDATE_SCREENSHOTS=1, look at it, commit it"
    actual = Image.open(io.BytesIO(png)).convert("RGB")
    expected = Image.open(path).convert("RGB")
    assert actual.size == expected.size, f"{name}: size {actual.size} != baseline {expected.size}"
    difference = ImageChops.difference(actual, expected).convert("L")
    difference = difference.point(lambda v: 255 if v > CHANNEL_THRESHOLD else 0)
    changed = sum(difference.histogram()[255:]) / (actual.width * actual.height)
    if changed > max_changed:
        out = Path(tempfile.gettempdir()) / "screenshot-failures"
        out.mkdir(exist_ok=True)
        stem = name.replace("/", "-")
        actual.save(out / f"{stem}-actual.png")
        difference.save(out / f"{stem}-diff.png")
        raise AssertionError(f"{name}: {changed:.2%} of pixels differ (limit {max_changed:.2%}); see {out}")
