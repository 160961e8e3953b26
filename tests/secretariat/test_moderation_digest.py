"""The Secretariat's daily moderation digest: everything waiting, with its age, once a day."""

from datetime import UTC, date, datetime

import pytest

from commitments.models import Commitment, CommitmentRevision
from partners.models import Application
from secretariat.models import EmailDelivery, NotificationKind
from tests.factories import (
    ApplicationFactory,
    CommitmentFactory,
    CommitmentRevisionFactory,
    NotificationPreferenceFactory,
    PostReportFactory,
    UserFactory,
)
from tests.secretariat.conftest import recipients, translated

pytestmark = pytest.mark.django_db

DAY = date(2026, 12, 1)


@pytest.fixture(autouse=True)
def morning(time_machine):
    time_machine.move_to(datetime(2026, 12, 1, 5, 30, tzinfo=UTC), tick=False)


@pytest.fixture
def waiting(acme):
    application = ApplicationFactory(organization__name="Late Cooperative")
    Application.objects.filter(pk=application.pk).update(
        created_at=datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    )
    CommitmentFactory(
        lead_organization=acme,
        title="Care economy pilot",
        status=Commitment.Status.SUBMITTED,
        submitted_at=datetime(2026, 11, 30, 15, 0, tzinfo=UTC),
    )
    CommitmentRevisionFactory(
        commitment__title="Published jobs plan",
        status=CommitmentRevision.Status.SUBMITTED,
        submitted_at=datetime(2026, 11, 26, 9, 0, tzinfo=UTC),
    )
    PostReportFactory(post__thread__title="Heated thread")


def test_the_secretariat_gets_everything_waiting_with_its_age(sam, alice, waiting, run_job):
    other = UserFactory(email="other.staff@example.org", is_staff=True)
    NotificationPreferenceFactory(user=other, moderation_digest=False)
    UserFactory(email="former.staff@example.org", is_staff=True, is_active=False)

    emails = run_job("moderation_digest", DAY)

    assert recipients(emails) == ["sam@example.org"]
    (email,) = emails
    assert email.subject == ("4 items waiting for review (1 for more than 5 working days)")
    body = email.body
    # Oldest first, each with its age and a link to the admin.
    order = [
        body.index(title)
        for title in ("Late Cooperative", "Published jobs plan", "Care economy pilot")
    ]
    assert order == sorted(order)
    assert "Application to join: Late Cooperative" in body
    assert "since Nov. 23, 2026 · 6 working days · late" in body
    assert "Commitment submitted: Care economy pilot" in body
    assert "since Nov. 30, 2026 · 1 working day\n" in body
    assert "Edit of a published commitment: Published jobs plan" in body
    assert "Reported Forum post: Heated thread" in body
    assert "http://127.0.0.1:8000/admin/partners/application/" in body
    assert "/admin/commitments/commitment/" in email.alternatives[0][0]


def test_the_moderation_digest_is_in_the_staff_members_language(waiting, run_job):
    UserFactory(email="agente@example.org", is_staff=True, language="es")

    (email,) = run_job("moderation_digest", DAY)

    assert email.subject.startswith(
        translated(
            "es",
            "%(count)s item waiting for review",
            "%(count)s items waiting for review",
            n=4,
            count=4,
        )
    )
    assert f"{translated('es', 'Application to join')}: Late Cooperative" in email.body
    assert "/es/admin/partners/application/" in email.body


def test_nothing_is_sent_when_nothing_waits(sam, run_job):
    ApplicationFactory(decision=Application.Decision.APPROVED)

    assert run_job("moderation_digest", DAY) == []


def test_the_moderation_digest_goes_once_a_day(sam, waiting, run_job):
    assert len(run_job("moderation_digest", DAY)) == 1
    assert run_job("moderation_digest", DAY) == []
    assert len(run_job("moderation_digest", date(2026, 12, 2))) == 1
    assert EmailDelivery.objects.filter(kind=NotificationKind.MODERATION_DIGEST).count() == 2
