import os
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
AXE_SCRIPT = os.path.join(
    os.path.dirname(__file__), "..", "..", "node_modules", "axe-core", "axe.min.js"
)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("E2E_REQUIRED") == "true":
            pytest.fail("Chromium is missing but browser tests are required (E2E_REQUIRED=true).")
        pytest.skip("Chromium is not installed: the browser tests cannot run.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


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
