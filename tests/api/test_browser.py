"""In Chromium: the API docs work under the site's Content Security Policy and load nothing from
another host; the token page passes axe."""

import pytest
from django.conf import settings
from django.test import Client

from tests.browser import assert_accessible

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _unhashed_static_files(settings):
    # The live server serves static files from the apps' folders, not the hashed names of the
    # manifest that collectstatic writes for production.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def test_the_docs_render_the_operations_with_nothing_blocked(page, live_server):
    requests, problems = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    page.on("pageerror", lambda error: problems.append(str(error)))

    page.goto(f"{live_server.url}/api/v1/docs/")
    page.get_by_text("Coalition Registry API").first.wait_for()
    page.locator(".opblock-summary-path", has_text="/api/v1/commitments/").first.wait_for()

    assert requests
    assert all(url.startswith(live_server.url) or url.startswith("data:") for url in requests), [
        url for url in requests if not url.startswith(live_server.url)
    ]
    assert not [text for text in problems if "Content Security Policy" in text], problems


def test_the_token_page_is_accessible(page, live_server, alice):
    client = Client()
    client.force_login(alice)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/accounts/tokens/")
    page.get_by_label("Name of the new token").fill("Reporting tool")
    page.get_by_role("button", name="Create the token").click()
    key = page.get_by_label("Key").input_value()
    assert key.startswith("crk_")
    assert_accessible(page)
    page.get_by_role("button", name="Revoke the token “Reporting tool”").click()
    page.get_by_text("was revoked").wait_for()
    assert_accessible(page)
