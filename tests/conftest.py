"""The fixed cast: alice (admin) and bob (contributor) of Acme, charlie of Globex, sam of the
Secretariat, and a browser for the end-to-end tests."""

import os
import uuid
from contextlib import contextmanager

import pytest
from django.utils import translation

from partners.models import Membership
from tests.browser import CHROMIUM, CHROMIUM_ARGS
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API + live_server


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    # The real hasher costs ~0.5 s per login on these machines.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    # Each test its own cache keys: rate limits and cached pages of one never reach another.
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": uuid.uuid4().hex}}


@pytest.fixture(autouse=True)
def _default_language_after():
    """A request activates its language in the thread (LocaleMiddleware) and leaves it there:
    without this, a test after one that read a French page would run in French."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _live_server_static_names(request, settings):
    """The live server serves static files by their source names (the manifest's hashed names
    exist only in var/static); without this, browser tests would run without CSS and htmx."""
    if "live_server" in request.fixturenames:
        settings.STORAGES = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }


@pytest.fixture
def run_queued_tasks(django_capture_on_commit_callbacks):
    """Commits like the real thing, then runs the Celery tasks queued on commit right here, in
    order, as a worker would. (A real worker runs them in the integration tests.)"""

    @contextmanager
    def run():
        with django_capture_on_commit_callbacks() as callbacks:
            yield callbacks
        for callback in callbacks:
            func = getattr(callback, "func", None)  # a task's delay_on_commit is a partial
            task = getattr(func, "__self__", None)
            if getattr(func, "__name__", "") == "delay" and task is not None:
                task.apply(args=callback.args, kwargs=callback.keywords, throw=True)
            else:
                callback()

    return run


@pytest.fixture
def acme(db):
    return OrganizationFactory(name="Acme Workers Union", acronym="AWU")


@pytest.fixture
def globex(db):
    return OrganizationFactory(name="Globex Development Bank", country="FR")


@pytest.fixture
def alice(acme):
    return MembershipFactory(
        organization=acme, user__email="alice@example.org", role=Membership.Role.ADMIN
    ).user


@pytest.fixture
def bob(acme):
    return MembershipFactory(organization=acme, user__email="bob@example.org").user


@pytest.fixture
def charlie(globex):
    return MembershipFactory(
        organization=globex, user__email="charlie@example.org", role=Membership.Role.ADMIN
    ).user


@pytest.fixture
def sam(db):
    return UserFactory(email="sam@example.org", is_staff=True, is_superuser=True)


@pytest.fixture
def stranger(db):
    """Signed in, but a member of no organization."""
    return UserFactory(email="dora@example.org")


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
