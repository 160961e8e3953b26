"""Forum fixtures on top of the fixed cast: alice and bob of Acme, charlie of Globex (all approved
partners), sam of the Secretariat, and dora, a stranger who is a member of nothing."""

import pytest
from django.conf import settings
from django.utils import translation

from tests.factories import ForumEditionFactory


@pytest.fixture(autouse=True)
def _english_between_tests():
    # A request to a /fr/ page leaves French active in this thread; reversing URLs in the next
    # test would then give /fr/ paths.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def edition(db):
    """Published, registration open, two in-person seats, online without limit."""
    return ForumEditionFactory(year=2031, in_person_capacity=2)


def queued_tasks(callbacks) -> list[tuple[str, tuple]]:
    """The Celery tasks that on-commit callbacks would queue, as (name, args)."""
    tasks = []
    for callback in callbacks:
        task = getattr(getattr(callback, "func", None), "__self__", None)
        if task is not None:
            tasks.append((task.name, tuple(callback.args)))
    return tasks
