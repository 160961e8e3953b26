"""Helpers of the notification tests: run a job the way beat would, on a given day, in this
process (the worker tests run them in a real Celery worker)."""

from datetime import date

import pytest
from django.utils import translation
from django.utils.translation import gettext, ngettext

from secretariat import tasks


@pytest.fixture
def run_job(mailoutbox):
    """run_job("daily_reminders", date(2026, 12, 1)) records and sends, and returns the emails
    sent by this run."""

    def run(name: str, day: date) -> list:
        before = len(mailoutbox)
        tasks.JOBS[name](day, tasks.run_here)
        return mailoutbox[before:]

    return run


def recipients(emails) -> list[str]:
    return sorted(address for email in emails for address in email.to)


def translated(language: str, message: str, plural: str | None = None, *, n: int = 1, **values):
    """`message` as a reader of `language` gets it. The tests check that an email uses the
    recipient's language, not the translators' wording; a missing translation fails."""
    with translation.override(language):
        text = ngettext(message, plural, n) if plural else gettext(message)
    english = plural if plural and n != 1 else message
    assert text != english, f"{message!r} has no {language} translation"
    return text % values if values else text
