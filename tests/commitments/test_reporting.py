"""The reporting status of published commitments, computed in one place and frozen in time."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from commitments.models import Commitment
from tests.factories import CommitmentFactory, DeliverableFactory, ProgressUpdateFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(datetime.datetime(2026, 6, 15, 12, tzinfo=datetime.UTC), tick=False):
        yield


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def published(published_days_ago: int = 30, **fields) -> Commitment:
    moment = timezone.now() - datetime.timedelta(days=published_days_ago)
    return CommitmentFactory(
        published=True,
        first_published_at=moment,
        published_at=moment,
        start_date=days(-published_days_ago - 30),
        end_date=days(900),
        **fields,
    )


def status_of(commitment: Commitment) -> str | None:
    return Commitment.objects.with_reporting_status().get(pk=commitment.pk).reporting_status


def test_a_recent_commitment_with_distant_deliverables_is_on_track():
    commitment = published()
    DeliverableFactory(commitment=commitment, due_date=days(200))

    assert status_of(commitment) == "on_track"


def test_a_deliverable_due_within_30_days_makes_an_update_due():
    commitment = published()
    DeliverableFactory(commitment=commitment, due_date=days(20))

    assert status_of(commitment) == "update_due"


def test_six_months_without_an_update_makes_an_update_due():
    commitment = published(published_days_ago=200)
    DeliverableFactory(commitment=commitment, due_date=days(300))

    assert status_of(commitment) == "update_due"


def test_a_passed_due_date_without_an_update_since_is_overdue():
    commitment = published()
    DeliverableFactory(commitment=commitment, due_date=days(-5))
    ProgressUpdateFactory(commitment=commitment, date=days(-10))

    assert status_of(commitment) == "overdue"


def test_an_update_after_the_due_date_clears_the_overdue_status():
    commitment = published()
    DeliverableFactory(commitment=commitment, due_date=days(-5), status="delayed")
    ProgressUpdateFactory(commitment=commitment, date=days(-2))

    assert status_of(commitment) == "on_track"


def test_achieved_and_dropped_deliverables_are_never_overdue():
    commitment = published()
    DeliverableFactory(commitment=commitment, due_date=days(-5), status="achieved")
    DeliverableFactory(commitment=commitment, due_date=days(-5), status="dropped")

    assert status_of(commitment) == "on_track"


def test_twelve_months_without_an_update_is_inactive():
    commitment = published(published_days_ago=500)
    DeliverableFactory(commitment=commitment, due_date=days(-5))
    ProgressUpdateFactory(commitment=commitment, date=days(-370))

    assert status_of(commitment) == "inactive"


def test_a_hidden_update_does_not_count():
    commitment = published(published_days_ago=500)
    ProgressUpdateFactory(commitment=commitment, date=days(-1), hidden=True, hidden_reason="Spam")

    assert status_of(commitment) == "inactive"


def test_only_published_commitments_have_a_reporting_status():
    for status in ("draft", "submitted", "completed"):
        assert status_of(CommitmentFactory(status=status)) is None


def test_the_status_has_a_label_and_an_explanation():
    commitment = Commitment.objects.with_reporting_status().get(pk=published().pk)

    assert commitment.reporting_status_label == "On track"
    assert "no deliverable is late" in commitment.reporting_status_help
