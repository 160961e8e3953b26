"""Each reminder of the daily job, with the clock set: exactly the right people, once.

The day of the tests is Tuesday 1 December 2026; the job runs at 06:00 UTC."""

from datetime import UTC, date, datetime, timedelta

import pytest

from commitments.models import Commitment, Deliverable
from partners.models import Application, Organization
from secretariat.models import EmailDelivery, NotificationKind
from tests.factories import (
    ApplicationFactory,
    AutosaveFactory,
    CommitmentFactory,
    CoPartnershipFactory,
    DeliverableFactory,
    MembershipFactory,
    NotificationPreferenceFactory,
    OrganizationFactory,
    ProgressUpdateFactory,
    UserFactory,
)
from tests.secretariat.conftest import recipients

pytestmark = pytest.mark.django_db

DAY = date(2026, 12, 1)
MORNING = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)


def days(n: int) -> timedelta:
    return timedelta(days=n)


@pytest.fixture(autouse=True)
def morning(time_machine):
    """The clock is set before anything is created: the cast joins on the morning of the day."""
    time_machine.move_to(MORNING, tick=False)


# --- A deliverable falls due within 14 days ---------------------------------------------------


@pytest.fixture
def acme_commitment(acme):
    return CommitmentFactory(lead_organization=acme, published=True, title="Youth apprenticeships")


def test_members_are_reminded_of_a_deliverable_due_in_14_days(
    alice, bob, charlie, acme_commitment, globex, morning, run_job
):
    DeliverableFactory(commitment=acme_commitment, due_date=DAY + days(14), title="500 apprentices")
    DeliverableFactory(commitment=acme_commitment, due_date=DAY + days(15))
    DeliverableFactory(
        commitment=acme_commitment, due_date=DAY + days(10), status=Deliverable.Status.ACHIEVED
    )
    draft = CommitmentFactory(lead_organization=acme_commitment.lead_organization)
    DeliverableFactory(commitment=draft, due_date=DAY + days(3))
    DeliverableFactory(
        commitment=CommitmentFactory(lead_organization=globex, published=True),
        due_date=DAY + days(30),
    )

    sent = run_job("daily_reminders", DAY)

    assert recipients(sent) == ["alice@example.org", "bob@example.org"]
    assert "500 apprentices" in sent[0].subject
    assert "14 days" in sent[0].body
    assert {row.kind for row in EmailDelivery.objects.all()} == {NotificationKind.DELIVERABLE_DUE}


def test_the_due_reminder_is_not_sent_again_the_next_days(
    alice, acme_commitment, time_machine, run_job
):
    DeliverableFactory(commitment=acme_commitment, due_date=DAY + days(14))
    time_machine.move_to(MORNING, tick=False)
    assert recipients(run_job("daily_reminders", DAY)) == ["alice@example.org"]

    time_machine.move_to(MORNING + days(1), tick=False)
    assert run_job("daily_reminders", DAY + days(1)) == []
    assert run_job("daily_reminders", DAY + days(2)) == []


def test_a_deliverable_due_soon_and_created_late_is_still_reminded_once(
    alice, acme_commitment, morning, run_job
):
    # Created with a due date 5 days away: inside the 14-day window, so reminded.
    DeliverableFactory(commitment=acme_commitment, due_date=DAY + days(5))

    sent = run_job("daily_reminders", DAY)

    assert recipients(sent) == ["alice@example.org"]
    assert "5 days" in sent[0].body


def test_a_new_due_date_is_a_new_reminder(alice, acme_commitment, morning, run_job):
    deliverable = DeliverableFactory(commitment=acme_commitment, due_date=DAY + days(14))
    assert len(run_job("daily_reminders", DAY)) == 1

    Deliverable.objects.filter(pk=deliverable.pk).update(due_date=DAY + days(12))

    assert len(run_job("daily_reminders", DAY + days(1))) == 1


def test_a_member_who_turned_the_due_reminder_off_is_not_reminded(
    alice, bob, acme_commitment, morning, run_job
):
    NotificationPreferenceFactory(user=bob, remind_deliverable_due=False)
    DeliverableFactory(commitment=acme_commitment, due_date=DAY + days(14))

    assert recipients(run_job("daily_reminders", DAY)) == ["alice@example.org"]


def test_inactive_people_and_suspended_partners_get_no_reminder(
    alice, bob, acme_commitment, morning, run_job
):
    bob.is_active = False
    bob.save()
    DeliverableFactory(commitment=acme_commitment, due_date=DAY + days(14))
    suspended = OrganizationFactory(status=Organization.Status.SUSPENDED)
    MembershipFactory(organization=suspended)
    DeliverableFactory(
        commitment=CommitmentFactory(lead_organization=suspended, published=True),
        due_date=DAY + days(14),
    )

    assert recipients(run_job("daily_reminders", DAY)) == ["alice@example.org"]


# --- A deliverable 7 days overdue without an update -------------------------------------------


def test_members_are_reminded_of_a_deliverable_overdue_by_7_days_without_update(
    alice, bob, acme_commitment, globex, morning, run_job
):
    DeliverableFactory(commitment=acme_commitment, due_date=DAY - days(7), title="Toolkit")
    DeliverableFactory(commitment=acme_commitment, due_date=DAY - days(6))
    with_update = CommitmentFactory(
        lead_organization=acme_commitment.lead_organization, published=True
    )
    DeliverableFactory(commitment=with_update, due_date=DAY - days(8))
    ProgressUpdateFactory(commitment=with_update, date=DAY - days(8))
    dropped = CommitmentFactory(lead_organization=globex, published=True)
    DeliverableFactory(
        commitment=dropped, due_date=DAY - days(7), status=Deliverable.Status.DROPPED
    )

    sent = run_job("daily_reminders", DAY)

    assert recipients(sent) == ["alice@example.org", "bob@example.org"]
    assert all("Toolkit" in email.subject for email in sent)
    assert "7 days ago" in sent[0].body


def test_an_update_before_the_due_date_or_a_hidden_one_does_not_count(
    alice, acme_commitment, morning, run_job
):
    DeliverableFactory(commitment=acme_commitment, due_date=DAY - days(7))
    ProgressUpdateFactory(commitment=acme_commitment, date=DAY - days(20))
    ProgressUpdateFactory(
        commitment=acme_commitment, date=DAY - days(2), hidden=True, hidden_reason="Spam"
    )

    assert recipients(run_job("daily_reminders", DAY)) == ["alice@example.org"]


def test_the_overdue_reminder_is_sent_once(alice, acme_commitment, time_machine, run_job):
    DeliverableFactory(commitment=acme_commitment, due_date=DAY - days(7))
    time_machine.move_to(MORNING, tick=False)
    assert len(run_job("daily_reminders", DAY)) == 1

    time_machine.move_to(MORNING + days(1), tick=False)
    assert run_job("daily_reminders", DAY + days(1)) == []


def test_a_missed_day_is_caught_up_but_old_overdue_items_are_left_alone(
    alice, acme_commitment, morning, run_job
):
    DeliverableFactory(commitment=acme_commitment, due_date=DAY - days(9), title="Caught up")
    DeliverableFactory(commitment=acme_commitment, due_date=DAY - days(60), title="Long ago")

    sent = run_job("daily_reminders", DAY)

    assert [email.subject for email in sent] == ["Any news of this deliverable? Caught up"]


# --- No published commitment 30 days after approval ---------------------------------------------


def test_a_partner_without_commitment_30_days_after_approval_is_reminded(
    alice, bob, charlie, acme, globex, morning, run_job
):
    Organization.objects.filter(pk=acme.pk).update(
        approved_at=datetime(2026, 11, 1, 15, 0, tzinfo=UTC)
    )
    Organization.objects.filter(pk=globex.pk).update(
        approved_at=datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    )

    sent = run_job("daily_reminders", DAY)

    assert recipients(sent) == ["alice@example.org", "bob@example.org"]
    assert "Acme Workers Union" in sent[0].subject


def test_a_published_or_co_led_commitment_or_a_suspension_spares_the_reminder(
    alice, charlie, acme, globex, morning, run_job
):
    approval = datetime(2026, 11, 1, 15, 0, tzinfo=UTC)
    CommitmentFactory(lead_organization=acme, published=True)
    CoPartnershipFactory(
        commitment=CommitmentFactory(published=True, status=Commitment.Status.COMPLETED),
        organization=globex,
    )
    drafting = OrganizationFactory()
    MembershipFactory(organization=drafting)
    CommitmentFactory(lead_organization=drafting)  # a draft is not published
    suspended = OrganizationFactory(status=Organization.Status.SUSPENDED)
    MembershipFactory(organization=suspended)
    Organization.objects.filter(pk__in=[acme.pk, globex.pk, drafting.pk, suspended.pk]).update(
        approved_at=approval
    )

    sent = run_job("daily_reminders", DAY)

    assert recipients(sent) == [drafting.memberships.get().user.email]


def test_the_no_commitment_reminder_is_sent_once(alice, acme, time_machine, run_job):
    Organization.objects.filter(pk=acme.pk).update(approved_at=datetime(2026, 11, 1, tzinfo=UTC))
    time_machine.move_to(MORNING, tick=False)
    assert len(run_job("daily_reminders", DAY)) == 1

    time_machine.move_to(MORNING + days(1), tick=False)
    assert run_job("daily_reminders", DAY + days(1)) == []


# --- A draft left untouched for 30 days ---------------------------------------------------------


def _touch(commitment, when):
    Commitment.objects.filter(pk=commitment.pk).update(updated_at=when)


def test_members_are_reminded_of_a_draft_untouched_for_30_days(
    alice, bob, acme, globex, morning, run_job
):
    idle = CommitmentFactory(lead_organization=acme, title="Care economy pilot")
    _touch(idle, datetime(2026, 11, 1, 18, 0, tzinfo=UTC))
    recent = CommitmentFactory(lead_organization=acme)
    _touch(recent, datetime(2026, 11, 2, 8, 0, tzinfo=UTC))
    submitted = CommitmentFactory(lead_organization=globex, status=Commitment.Status.SUBMITTED)
    _touch(submitted, datetime(2026, 11, 1, tzinfo=UTC))

    sent = run_job("daily_reminders", DAY)

    assert recipients(sent) == ["alice@example.org", "bob@example.org"]
    assert "Care economy pilot" in sent[0].subject
    assert "30 days" in sent[0].body


def test_typing_in_a_draft_counts_as_touching_it(alice, acme, morning, run_job):
    draft = CommitmentFactory(lead_organization=acme)
    autosave = AutosaveFactory(user=alice, organization=acme, commitment=draft)
    _touch(draft, datetime(2026, 11, 1, tzinfo=UTC))
    type(autosave).objects.filter(pk=autosave.pk).update(
        updated_at=datetime(2026, 11, 20, tzinfo=UTC)
    )

    assert run_job("daily_reminders", DAY) == []


def test_the_idle_draft_reminder_is_sent_once_per_idle_spell(alice, acme, time_machine, run_job):
    draft = CommitmentFactory(lead_organization=acme)
    _touch(draft, datetime(2026, 11, 1, tzinfo=UTC))
    time_machine.move_to(MORNING, tick=False)
    assert len(run_job("daily_reminders", DAY)) == 1
    time_machine.move_to(MORNING + days(1), tick=False)
    assert run_job("daily_reminders", DAY + days(1)) == []

    # Edited on 2 December, then forgotten again: 30 days later it is a new reminder.
    _touch(draft, datetime(2026, 12, 2, 10, 0, tzinfo=UTC))
    run_job("daily_reminders", date(2027, 1, 1))
    assert EmailDelivery.objects.filter(kind=NotificationKind.DRAFT_IDLE).count() == 2


# --- Waiting for the Secretariat more than 5 working days ---------------------------------------


@pytest.fixture
def staff(db):
    return UserFactory(email="secretariat@example.org", is_staff=True)


def _created(instance, when):
    type(instance).objects.filter(pk=instance.pk).update(created_at=when)


def test_the_secretariat_is_reminded_of_an_application_waiting_more_than_5_working_days(
    sam, staff, alice, morning, run_job
):
    # Tuesday 1 December: 6 working days after Monday 23 November, 5 after Tuesday 24.
    late = ApplicationFactory(organization__name="Late Cooperative")
    _created(late, datetime(2026, 11, 23, 16, 0, tzinfo=UTC))
    _created(ApplicationFactory(), datetime(2026, 11, 24, 9, 0, tzinfo=UTC))
    decided = ApplicationFactory(
        decision=Application.Decision.APPROVED, organization__status=Organization.Status.APPROVED
    )
    _created(decided, datetime(2026, 11, 2, tzinfo=UTC))
    NotificationPreferenceFactory(user=staff, remind_review_waiting=False)

    sent = run_job("daily_reminders", DAY)

    assert recipients(sent) == ["sam@example.org"]
    assert "Late Cooperative" in sent[0].subject
    assert "6 working days" in sent[0].subject
    assert "/admin/partners/application/" in sent[0].body


def test_submitted_commitments_and_edits_waiting_are_reminded_too(sam, acme, morning, run_job):
    CommitmentFactory(
        lead_organization=acme,
        status=Commitment.Status.SUBMITTED,
        submitted_at=datetime(2026, 11, 20, 12, 0, tzinfo=UTC),
        title="Waiting commitment",
    )
    CommitmentFactory(
        lead_organization=acme,
        status=Commitment.Status.SUBMITTED,
        submitted_at=datetime(2026, 11, 27, 12, 0, tzinfo=UTC),
    )

    sent = run_job("daily_reminders", DAY)

    assert [email.subject for email in sent] == [
        "Waiting 7 working days: Commitment submitted – Waiting commitment"
    ]


def test_the_review_reminder_is_sent_once_per_submission(sam, acme, time_machine, run_job):
    commitment = CommitmentFactory(
        lead_organization=acme,
        status=Commitment.Status.SUBMITTED,
        submitted_at=datetime(2026, 11, 20, 12, 0, tzinfo=UTC),
    )
    time_machine.move_to(MORNING, tick=False)
    assert len(run_job("daily_reminders", DAY)) == 1
    time_machine.move_to(MORNING + days(1), tick=False)
    assert run_job("daily_reminders", DAY + days(1)) == []

    # Returned, fixed and submitted again: a new wait, a new reminder when it is late again.
    Commitment.objects.filter(pk=commitment.pk).update(
        submitted_at=datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    )
    assert run_job("daily_reminders", date(2026, 12, 9)) == []
    assert len(run_job("daily_reminders", date(2026, 12, 10))) == 1


def test_running_the_daily_reminders_twice_sends_once(
    alice, bob, sam, acme_commitment, morning, run_job
):
    DeliverableFactory(commitment=acme_commitment, due_date=DAY + days(14))
    DeliverableFactory(commitment=acme_commitment, due_date=DAY - days(7))
    _created(ApplicationFactory(), datetime(2026, 11, 2, tzinfo=UTC))

    first = run_job("daily_reminders", DAY)
    second = run_job("daily_reminders", DAY)

    assert len(first) == 5
    assert second == []
    assert EmailDelivery.objects.count() == 5
    assert set(EmailDelivery.objects.values_list("status", flat=True)) == {"sent"}
