"""A small registry for the dashboard's tests: partners of three constituencies on three
continents, commitments at every public stage and some private ones, deliverables, resources."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from coalition.models import Constituency, Priority, Region
from commitments.models import Commitment, Deliverable
from partners.models import Organization
from tests.factories import (
    CommitmentFactory,
    DeliverableFactory,
    OrganizationFactory,
    ProgressUpdateFactory,
)


@pytest.fixture
def registry(db):
    now = timezone.now()
    government = Constituency.objects.get(code="government")
    workers = Constituency.objects.get(code="workers-organization")
    kenya = OrganizationFactory(name="Kenya Ministry", constituency=government, country="KE")
    france = OrganizationFactory(
        name="French Union",
        constituency=workers,
        country="FR",
        approved_at=now - datetime.timedelta(days=800),
    )
    brazil = OrganizationFactory(name="Brazil Enterprise", country="BR")  # enterprise
    OrganizationFactory(name="Applicant", country="KE", status=Organization.Status.APPLIED)
    OrganizationFactory(name="Suspended", country="DE", status=Organization.Status.SUSPENDED)

    eastern_africa = Region.objects.get(m49="014")
    first = CommitmentFactory(
        published=True,
        lead_organization=kenya,
        countries=["KE", "TZ"],
        thematic_areas=["employment", "protection"],
        sdgs=[8, 1],
        resources_amount=Decimal("1000.00"),
        resources_currency="USD",
    )
    first.priorities.set(Priority.objects.filter(code="employment-social-protection"))
    regional = CommitmentFactory(
        published=True,
        lead_organization=france,
        level="regional",
        countries=[],
        thematic_areas=["social-dialogue"],
        sdgs=[16],
        resources_amount=Decimal("500.00"),
        resources_currency="EUR",
        start_date=datetime.date(2024, 3, 1),
        end_date=datetime.date(2027, 3, 1),
    )
    regional.regions.set([eastern_africa])
    Commitment.objects.filter(pk=regional.pk).update(
        first_published_at=now - datetime.timedelta(days=700)
    )
    completed = CommitmentFactory(
        published=True,
        status=Commitment.Status.COMPLETED,
        lead_organization=brazil,
        countries=["BR"],
        thematic_areas=["employment"],
        resources_amount=Decimal("250.00"),
        resources_currency="USD",
    )
    withdrawn = CommitmentFactory(
        published=True,
        status=Commitment.Status.WITHDRAWN,
        status_reason="Changed plans.",
        lead_organization=kenya,
        countries=["UG"],
    )
    draft = CommitmentFactory(lead_organization=brazil, countries=["AR"])
    global_action = CommitmentFactory(
        published=True, lead_organization=france, level="global", countries=[], sdgs=[5, 8]
    )
    # Relations set above without the services: their codes onto the rows, as an import does.
    Commitment.objects.filter(pk__in=[first.pk, regional.pk]).refresh_codes()

    today = timezone.localdate()
    DeliverableFactory(commitment=first, status=Deliverable.Status.ON_TRACK)
    DeliverableFactory(commitment=first, status=Deliverable.Status.ACHIEVED)
    DeliverableFactory(
        commitment=regional, due_date=today - datetime.timedelta(days=10)
    )  # overdue: no progress
    DeliverableFactory(commitment=completed, status=Deliverable.Status.ACHIEVED)
    DeliverableFactory(commitment=withdrawn)  # withdrawn: not counted by default
    DeliverableFactory(commitment=draft)  # private: never counted
    ProgressUpdateFactory(commitment=first)
    return {
        "partners": [kenya, france, brazil],
        "first": first,
        "regional": regional,
        "completed": completed,
        "withdrawn": withdrawn,
        "draft": draft,
        "global": global_action,
    }
