"""Registration for the Forum: who may register, capacity, the waitlist and its promotions."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from coalition.errors import ApplicationError
from forum import selectors, services
from forum.models import AttendanceMode, Registration
from partners.models import Organization
from tests.factories import ForumEditionFactory, MembershipFactory, RegistrationFactory
from tests.forum.conftest import queued_tasks

pytestmark = pytest.mark.django_db

IN_PERSON = AttendanceMode.IN_PERSON
ONLINE = AttendanceMode.ONLINE


def register(edition, user, organization, mode=IN_PERSON, **extra):
    return services.registration_create(
        edition=edition, organization=organization, attendance_mode=mode, actor=user, **extra
    )


def member(organization):
    return MembershipFactory(organization=organization).user


def test_a_member_of_an_approved_partner_registers(edition, alice, acme):
    registration = register(edition, alice, acme, accessibility_needs=" Step-free access ")
    assert registration.status == Registration.Status.REGISTERED
    assert registration.registered_at is not None
    assert registration.accessibility_needs == "Step-free access"
    assert registration.history.first().history_user == alice


def test_registering_queues_a_confirmation_email(
    edition, alice, acme, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        registration = register(edition, alice, acme)
    assert queued_tasks(callbacks) == [("forum.send_registration_confirmation", (registration.pk,))]


def test_people_without_an_approved_partner_cannot_register(edition, stranger, acme):
    with pytest.raises(ApplicationError):
        register(edition, stranger, acme)  # not a member of acme


@pytest.mark.parametrize("status", ["applied", "suspended", "withdrawn", "rejected"])
def test_members_of_a_partner_that_is_not_approved_cannot_register(edition, alice, acme, status):
    Organization.objects.filter(pk=acme.pk).update(status=status)
    with pytest.raises(ApplicationError, match="approved partner"):
        register(edition, alice, acme)


def test_registration_is_refused_before_it_opens_and_after_it_closes(alice, acme):
    edition = ForumEditionFactory(
        registration_opens_at=timezone.now() + timedelta(days=1),
        registration_closes_at=timezone.now() + timedelta(days=3),
    )
    with pytest.raises(ApplicationError, match="not open yet"):
        register(edition, alice, acme)
    with (
        time_machine.travel(timezone.now() + timedelta(days=4)),
        pytest.raises(ApplicationError, match="closed"),
    ):
        register(edition, alice, acme)


def test_an_unpublished_edition_takes_no_registration(alice, acme):
    edition = ForumEditionFactory(is_published=False)
    with pytest.raises(ApplicationError, match="not open for registration"):
        register(edition, alice, acme)


def test_a_mode_the_edition_does_not_offer_is_refused(alice, acme):
    edition = ForumEditionFactory(online=False)
    with pytest.raises(ApplicationError) as error:
        register(edition, alice, acme, mode=ONLINE)
    assert error.value.field == "attendance_mode"


def test_a_person_registers_once_per_edition(edition, alice, acme):
    register(edition, alice, acme)
    with pytest.raises(ApplicationError, match="already registered"):
        register(edition, alice, acme, mode=ONLINE)


def test_when_seats_are_taken_people_join_the_waitlist_in_order(edition, acme):
    people = [member(acme) for _ in range(4)]
    registrations = [register(edition, person, acme) for person in people]
    assert [r.status for r in registrations] == [
        "registered",
        "registered",
        "waitlisted",
        "waitlisted",
    ]
    assert [selectors.waitlist_position(registration=r) for r in registrations] == [
        None,
        None,
        1,
        2,
    ]


def test_online_seats_are_unlimited_unless_a_capacity_is_set(edition, acme):
    registrations = [register(edition, member(acme), acme, mode=ONLINE) for _ in range(5)]
    assert {r.status for r in registrations} == {"registered"}

    limited = ForumEditionFactory(online_capacity=1)
    first, second = (register(limited, member(acme), acme, mode=ONLINE) for _ in range(2))
    assert (first.status, second.status) == ("registered", "waitlisted")


def test_the_waitlist_of_one_mode_does_not_take_seats_of_the_other(edition, acme):
    for _ in range(2):
        register(edition, member(acme), acme)
    online = register(edition, member(acme), acme, mode=ONLINE)
    waiting = register(edition, member(acme), acme)
    assert (online.status, waiting.status) == ("registered", "waitlisted")


def test_a_cancellation_promotes_the_next_person_and_queues_their_email(
    edition, acme, django_capture_on_commit_callbacks
):
    first, _second = (register(edition, member(acme), acme) for _ in range(2))
    next_in_line, after = (register(edition, member(acme), acme) for _ in range(2))

    with django_capture_on_commit_callbacks() as callbacks:
        services.registration_cancel(registration=first, actor=first.user)

    next_in_line.refresh_from_db()
    after.refresh_from_db()
    assert next_in_line.status == "registered"
    assert next_in_line.promoted_at is not None
    assert after.status == "waitlisted"
    assert selectors.waitlist_position(registration=after) == 1
    assert queued_tasks(callbacks) == [("forum.send_registration_promoted", (next_in_line.pk,))]
    assert next_in_line.history.first().history_change_reason == "Promoted from the waitlist"


def test_leaving_the_waitlist_promotes_nobody(edition, acme, django_capture_on_commit_callbacks):
    for _ in range(2):
        register(edition, member(acme), acme)
    waiting, last = (register(edition, member(acme), acme) for _ in range(2))
    with django_capture_on_commit_callbacks() as callbacks:
        services.registration_cancel(registration=waiting, actor=waiting.user)
    last.refresh_from_db()
    assert last.status == "waitlisted"
    assert selectors.waitlist_position(registration=last) == 1
    assert queued_tasks(callbacks) == []


def test_only_the_participant_or_the_secretariat_cancels(edition, alice, bob, acme, sam):
    registration = register(edition, alice, acme)
    with pytest.raises(ApplicationError, match="Only the participant"):
        services.registration_cancel(registration=registration, actor=bob)
    services.registration_cancel(registration=registration, actor=sam, reason="Duplicate")
    registration.refresh_from_db()
    assert (registration.status, registration.cancelled_by) == ("cancelled", sam)
    assert registration.history.first().history_change_reason == "Duplicate"


def test_a_cancelled_registration_cannot_be_cancelled_again(edition, alice, acme):
    registration = register(edition, alice, acme)
    services.registration_cancel(registration=registration, actor=alice)
    with pytest.raises(ApplicationError, match="already cancelled"):
        services.registration_cancel(registration=registration, actor=alice)


def test_after_cancelling_a_person_may_register_again(edition, alice, acme):
    registration = register(edition, alice, acme)
    services.registration_cancel(registration=registration, actor=alice)
    again = register(edition, alice, acme, mode=ONLINE)
    assert again.pk != registration.pk
    assert again.status == "registered"


def test_registrations_of_a_past_forum_are_kept(alice, acme):
    edition = ForumEditionFactory()
    registration = RegistrationFactory(edition=edition, user=alice, organization=acme)
    with (
        time_machine.travel(timezone.now() + timedelta(days=60)),
        pytest.raises(ApplicationError, match="over"),
    ):
        services.registration_cancel(registration=registration, actor=alice)


def test_the_participant_changes_needs_and_consent(edition, alice, bob, acme):
    registration = register(edition, alice, acme)
    services.registration_update(
        registration=registration, accessibility_needs="Captions", listed=True, actor=alice
    )
    registration.refresh_from_db()
    assert (registration.accessibility_needs, registration.listed) == ("Captions", True)
    with pytest.raises(ApplicationError):
        services.registration_update(
            registration=registration, accessibility_needs="", listed=False, actor=bob
        )


def test_added_seats_go_to_the_people_waiting_longest(
    edition, acme, sam, django_capture_on_commit_callbacks
):
    for _ in range(2):
        register(edition, member(acme), acme)
    waiting = [register(edition, member(acme), acme) for _ in range(3)]
    edition.in_person_capacity = 4
    edition.save()
    with django_capture_on_commit_callbacks() as callbacks:
        promoted = services.edition_fill_from_waitlist(edition=edition, actor=sam)
    assert promoted == 2
    statuses = [Registration.objects.get(pk=r.pk).status for r in waiting]
    assert statuses == ["registered", "registered", "waitlisted"]
    assert [name for name, _ in queued_tasks(callbacks)] == ["forum.send_registration_promoted"] * 2


def test_only_the_secretariat_fills_seats_from_the_waitlist(edition, alice):
    with pytest.raises(ApplicationError):
        services.edition_fill_from_waitlist(edition=edition, actor=alice)


def test_seats_are_counted_per_mode(edition, acme):
    register(edition, member(acme), acme)
    register(edition, member(acme), acme)
    register(edition, member(acme), acme)
    register(edition, member(acme), acme, mode=ONLINE)
    seats = {seat.mode: seat for seat in selectors.edition_seats(edition=edition)}
    assert (seats[IN_PERSON].taken, seats[IN_PERSON].waiting, seats[IN_PERSON].is_full) == (
        2,
        1,
        True,
    )
    assert (seats[ONLINE].taken, seats[ONLINE].free, seats[ONLINE].is_full) == (1, None, False)
