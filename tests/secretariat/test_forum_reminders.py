"""The Forum in the notifications: the "registration closing" reminder of the daily job, with
the clock set (exactly the right people, once per edition), and Forum news in the digests.

The day of the tests is Tuesday 1 December 2026; the job runs at 06:00 UTC."""

from datetime import UTC, date, datetime, timedelta

import pytest

from forum import services as forum_services
from forum.models import Registration
from partners.models import Organization
from secretariat.models import EmailDelivery, NotificationKind
from tests.factories import (
    ForumEditionFactory,
    MembershipFactory,
    NotificationPreferenceFactory,
    OrganizationFactory,
    RegistrationFactory,
    SessionFactory,
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
    time_machine.move_to(MORNING, tick=False)


def closing_in(n: int, **kwargs):
    """A published edition whose registration, open since last month, closes in `n` days at
    16:00 UTC (17:00 in Geneva)."""
    closes_at = datetime.combine(DAY + days(n), datetime.min.time(), tzinfo=UTC).replace(hour=16)
    return ForumEditionFactory(
        registration_opens_at=MORNING - days(30),
        registration_closes_at=closes_at,
        starts_on=DAY + days(40),
        ends_on=DAY + days(41),
        **kwargs,
    )


def test_members_not_registered_are_reminded_7_days_before_registration_closes(
    alice, bob, charlie, acme, globex, run_job
):
    edition = closing_in(7, year=2027)
    RegistrationFactory(edition=edition, user=alice, organization=acme)
    dave = MembershipFactory(organization=globex, user__email="dave@example.org").user
    erin = MembershipFactory(organization=globex, user__email="erin@example.org").user
    RegistrationFactory(
        edition=edition,
        user=erin,
        organization=globex,
        status=Registration.Status.WAITLISTED,
        waitlisted_at=MORNING,
    )
    # Cancelled: not registered any more, so reminded.
    RegistrationFactory(
        edition=edition,
        user=charlie,
        organization=globex,
        status=Registration.Status.CANCELLED,
        cancelled_at=MORNING,
    )
    NotificationPreferenceFactory(user=dave, remind_forum_registration_closing=False)
    applied = OrganizationFactory(status=Organization.Status.APPLIED)
    MembershipFactory(organization=applied, user__email="applicant@example.org")
    MembershipFactory(organization=acme, user__email="gone@example.org", user__is_active=False)
    UserFactory(email="nobody@example.org")

    sent = run_job("daily_reminders", DAY)

    assert recipients(sent) == ["bob@example.org", "charlie@example.org"]
    assert "2027" in sent[0].subject
    assert "7 days" in sent[0].subject
    assert "Europe/Zurich" in sent[0].body
    assert "5 p.m." in sent[0].body  # 16:00 UTC is 17:00 in Geneva
    assert "/forum/2027/register/" in sent[0].body
    assert {row.kind for row in EmailDelivery.objects.all()} == {
        NotificationKind.FORUM_REGISTRATION_CLOSING
    }


def test_only_published_editions_closing_within_7_days_are_reminded(bob, run_job):
    closing_in(8)
    closing_in(7, is_published=False)
    closing_in(0)  # closes today, after the morning run: too late to remind

    assert run_job("daily_reminders", DAY) == []


def test_the_reminder_is_not_sent_again_the_next_days(bob, time_machine, run_job):
    closing_in(7)
    assert recipients(run_job("daily_reminders", DAY)) == ["bob@example.org"]

    time_machine.move_to(MORNING + days(1), tick=False)
    assert run_job("daily_reminders", DAY + days(1)) == []
    time_machine.move_to(MORNING + days(2), tick=False)
    assert run_job("daily_reminders", DAY + days(2)) == []


def test_an_edition_closing_in_8_days_is_reminded_the_next_day(bob, time_machine, run_job):
    closing_in(8)
    assert run_job("daily_reminders", DAY) == []

    time_machine.move_to(MORNING + days(1), tick=False)
    assert recipients(run_job("daily_reminders", DAY + days(1))) == ["bob@example.org"]


def test_a_missed_run_still_reminds_while_registration_is_open(bob, run_job):
    closing_in(3)

    sent = run_job("daily_reminders", DAY)

    assert recipients(sent) == ["bob@example.org"]
    assert "3 days" in sent[0].subject


def test_a_member_of_two_partners_is_reminded_once(bob, globex, run_job):
    MembershipFactory(organization=globex, user=bob)
    closing_in(7)

    assert recipients(run_job("daily_reminders", DAY)) == ["bob@example.org"]


def test_the_reminder_carries_a_one_click_unsubscribe_from_this_kind(bob, run_job):
    closing_in(7)

    (email,) = run_job("daily_reminders", DAY)

    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Forum registration closes" in email.body


# --- Forum news in the digests ------------------------------------------------------------------
# The monthly digest of Tuesday 1 December covers November.


def reader(email, *, areas=("employment",)):
    user = UserFactory(email=email)
    NotificationPreferenceFactory(user=user, digest_frequency="monthly", thematic_areas=list(areas))
    return user


def test_an_edition_published_in_the_period_is_in_every_digest(time_machine, run_job):
    reader("ana@example.org")
    reader("ben@example.org", areas=["protection"])
    time_machine.move_to(datetime(2026, 11, 10, 9, tzinfo=UTC), tick=False)
    ForumEditionFactory(year=2027, theme="Decent work for all", is_published=True)
    ForumEditionFactory(year=2028, theme="Not announced yet", is_published=False)
    time_machine.move_to(datetime(2026, 10, 10, 9, tzinfo=UTC), tick=False)
    ForumEditionFactory(year=2026, theme="Announced in October", is_published=True)
    time_machine.move_to(MORNING, tick=False)

    sent = run_job("monthly_digest", DAY)

    assert recipients(sent) == ["ana@example.org", "ben@example.org"]
    for email in sent:
        assert "Forum editions announced" in email.body
        assert "Decent work for all" in email.body
        assert "/forum/2027/" in email.body
        assert "Not announced yet" not in email.body
        assert "Announced in October" not in email.body


def test_an_edition_published_later_counts_from_its_publication(time_machine, run_job, sam):
    reader("ana@example.org")
    time_machine.move_to(datetime(2026, 10, 10, 9, tzinfo=UTC), tick=False)
    edition = ForumEditionFactory(year=2027, theme="Drafted in October", is_published=False)
    time_machine.move_to(datetime(2026, 11, 12, 9, tzinfo=UTC), tick=False)
    forum_services.edition_publish(edition=edition, actor=sam)
    time_machine.move_to(MORNING, tick=False)

    (email,) = run_job("monthly_digest", DAY)

    assert "Drafted in October" in email.body


def test_sessions_added_go_to_the_followers_of_their_thematic_area(time_machine, run_job):
    reader("ana@example.org", areas=["employment"])
    reader("ben@example.org", areas=["protection"])
    time_machine.move_to(datetime(2026, 10, 10, 9, tzinfo=UTC), tick=False)
    edition = ForumEditionFactory(year=2027)
    hidden = ForumEditionFactory(year=2028, is_published=False)
    time_machine.move_to(datetime(2026, 11, 20, 9, tzinfo=UTC), tick=False)
    SessionFactory(edition=edition, title="Social protection floors")  # area: protection
    SessionFactory(edition=hidden, title="Unpublished programme")
    time_machine.move_to(MORNING, tick=False)

    sent = run_job("monthly_digest", DAY)

    assert recipients(sent) == ["ben@example.org"]
    assert "Forum sessions added" in sent[0].body
    assert "Social protection floors" in sent[0].body
    assert "Unpublished programme" not in sent[0].body


def test_no_forum_news_no_digest(time_machine, run_job):
    reader("ana@example.org")
    time_machine.move_to(datetime(2026, 10, 10, 9, tzinfo=UTC), tick=False)
    SessionFactory(edition=ForumEditionFactory(year=2027), title="Old session")
    time_machine.move_to(MORNING, tick=False)

    assert run_job("monthly_digest", DAY) == []
