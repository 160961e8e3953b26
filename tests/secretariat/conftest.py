"""Helpers of the notification tests: run a job the way beat would, on a given day, in this
process (the worker tests run them in a real Celery worker)."""

from datetime import date
from pathlib import Path

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


@pytest.fixture(scope="session", autouse=True)
def _compiled_translations():
    """The notification emails' French and Spanish catalogues (secretariat/locale), compiled
    when missing or older than their .po, as `make messages` does."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from django.apps import apps
    from django.utils.translation import trans_real

    locale_dir = Path(apps.get_app_config("secretariat").path) / "locale"
    compiled = False
    for po_path in locale_dir.glob("*/LC_MESSAGES/django.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        compiled = True
    if compiled:
        trans_real._translations = {}  # load the new catalogues
