"""Chromium for the browser tests, and the accessibility check run in it."""

import os
import shutil

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
AXE_SCRIPT = os.path.join(os.path.dirname(__file__), "..", "node_modules", "axe-core", "axe.min.js")


def assert_accessible(page) -> None:
    """Runs axe in the page; fails on any serious or critical violation."""
    # Evaluated through the DevTools protocol, so the page's Content Security Policy still holds.
    with open(AXE_SCRIPT, encoding="utf-8") as script:
        page.evaluate(script.read())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious, "\n".join(serious)
