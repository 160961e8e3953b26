"""`manage.py run_job`: any job, now, for a given day."""

from datetime import UTC, date, datetime
from io import StringIO
from unittest import mock

import pytest
from django.core.management import CommandError, call_command

from secretariat import tasks
from secretariat.models import EmailDelivery
from tests.factories import CommitmentFactory, DeliverableFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def morning(time_machine):
    time_machine.move_to(datetime(2026, 12, 1, 6, 0, tzinfo=UTC), tick=False)


def run(*args) -> str:
    out = StringIO()
    call_command("run_job", *args, stdout=out)
    return out.getvalue()


def test_it_runs_a_job_for_the_given_day_and_is_safe_to_repeat(alice, acme, mailoutbox):
    commitment = CommitmentFactory(lead_organization=acme, published=True)
    DeliverableFactory(commitment=commitment, due_date=date(2026, 12, 15))

    output = run("daily_reminders", "--date", "2026-12-01")
    again = run("daily_reminders", "--date", "2026-12-01")

    assert "daily_reminders for 2026-12-01: 1 emails handled." in output
    assert "0 emails handled" in again
    assert [email.to for email in mailoutbox] == [["alice@example.org"]]
    assert EmailDelivery.objects.get().period == "2026-12-15"


def test_the_day_defaults_to_today(alice, acme, mailoutbox):
    DeliverableFactory(
        commitment=CommitmentFactory(lead_organization=acme, published=True),
        due_date=date(2026, 12, 15),
    )

    assert "for 2026-12-01" in run("daily_reminders")
    assert len(mailoutbox) == 1


@pytest.mark.parametrize("job", sorted(tasks.JOBS))
def test_every_job_runs(job):
    assert f"{job} for 2026-11-30" in run(job, "--date", "2026-11-30")


def test_queue_hands_the_job_to_the_workers():
    with mock.patch.object(tasks.weekly_digest, "delay") as delay:
        output = run("weekly_digest", "--date", "2026-11-30", "--queue")

    delay.assert_called_once_with("2026-11-30")
    assert "queued" in output


def test_a_bad_date_or_job_is_refused():
    with pytest.raises(CommandError, match="2026-12-01"):
        run("daily_reminders", "--date", "1/12/2026")
    with pytest.raises(CommandError):
        run("send_everything")
