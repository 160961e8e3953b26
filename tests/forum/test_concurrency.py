"""Registrations and cancellations racing each other in threads, each with its own PostgreSQL
connection and transaction: seats are never over-booked and a freed seat goes to one person."""

import threading
from collections import Counter

import pytest
from django.db import connection

from coalition.errors import ApplicationError
from forum import services, tasks
from forum.models import AttendanceMode, Registration
from tests.factories import ForumEditionFactory, MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db(transaction=True)

CAPACITY = 3
PEOPLE = 12


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    """Records the emails the races queue instead of sending them to the shared broker."""
    sent = []
    for task in (tasks.send_registration_confirmation, tasks.send_registration_promoted):
        monkeypatch.setattr(
            task, "delay", lambda *args, _name=task.name: sent.append((_name, args))
        )
    return sent


def in_threads(functions) -> list:
    """Runs each function in its own thread, all released at the same moment; returns what each
    returned or raised."""
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)

    def run(index, function):
        try:
            barrier.wait()
            results[index] = function()
        except Exception as error:  # the test looks at every outcome
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def partner():
    return OrganizationFactory()


@pytest.fixture
def people(partner):
    return [MembershipFactory(organization=partner).user for _ in range(PEOPLE)]


def register(edition, person, partner):
    return lambda: services.registration_create(
        edition=edition,
        organization=partner,
        attendance_mode=AttendanceMode.IN_PERSON,
        actor=person,
    )


def test_concurrent_registrations_never_exceed_capacity(partner, people):
    edition = ForumEditionFactory(in_person_capacity=CAPACITY)

    results = in_threads([register(edition, person, partner) for person in people])

    assert not [r for r in results if isinstance(r, Exception)]
    statuses = Counter(
        Registration.objects.filter(edition=edition).values_list("status", flat=True)
    )
    assert statuses == {"registered": CAPACITY, "waitlisted": PEOPLE - CAPACITY}
    waitlist = (
        Registration.objects.waitlisted().filter(edition=edition).order_by("waitlisted_at", "pk")
    )
    assert len({(r.waitlisted_at, r.pk) for r in waitlist}) == PEOPLE - CAPACITY


def test_the_same_person_registering_twice_at_once_gets_one_registration(partner, people):
    edition = ForumEditionFactory(in_person_capacity=CAPACITY)
    person = people[0]

    results = in_threads([register(edition, person, partner) for _ in range(4)])

    assert sum(isinstance(r, Registration) for r in results) == 1
    assert all(isinstance(r, ApplicationError) for r in results if not isinstance(r, Registration))
    assert Registration.objects.filter(edition=edition, user=person).count() == 1


def test_concurrent_cancellations_promote_one_person_per_freed_seat(partner, people, _no_broker):
    edition = ForumEditionFactory(in_person_capacity=CAPACITY)
    registrations = [register(edition, person, partner)() for person in people]
    seated = [r for r in registrations if r.status == "registered"]
    _no_broker.clear()

    # Every seated person cancels while newcomers register, all at once.
    newcomers = [MembershipFactory(organization=partner).user for _ in range(3)]
    cancel = [
        (lambda r=r: services.registration_cancel(registration=r, actor=r.user)) for r in seated
    ]
    results = in_threads(cancel + [register(edition, person, partner) for person in newcomers])

    assert not [r for r in results if isinstance(r, Exception)]
    live = Registration.objects.live().filter(edition=edition)
    assert live.registered().count() == CAPACITY
    promoted = list(live.registered().filter(promoted_at__isnull=False).order_by("registered_at"))
    assert len(promoted) == CAPACITY
    # The seats went to the people who had waited longest, never to a newcomer.
    earliest_waiting = [r.pk for r in registrations if r.status == "waitlisted"][:CAPACITY]
    assert sorted(r.pk for r in promoted) == sorted(earliest_waiting)
    promotion_emails = [args for name, args in _no_broker if name.endswith("promoted")]
    assert sorted(promotion_emails) == sorted((pk,) for pk in earliest_waiting)
