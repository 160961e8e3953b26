"""Fixtures of the commitments tests: a valid content, commitments at each stage of their life,
and a record of the Celery tasks the services queue (nothing reaches the broker)."""

import datetime

import pytest
from celery.app.task import Task
from django.utils import timezone, translation

from commitments import services
from partners.models import Membership
from tests.factories import MembershipFactory, OrganizationFactory


def build_content(**overrides) -> dict:
    """A commitment content that passes every rule; `deliverables` may be overridden too."""
    today = timezone.localdate()
    content = {
        "title": "Apprenticeships for 500 young people in Nairobi",
        "summary": "Employers and unions open apprenticeships for young people.",
        "description": (
            "Employers of the construction and textile sectors, with the unions, open paid "
            "apprenticeships for young people leaving school without qualifications, with "
            "mentoring, a living wage and social protection from the first day, in Nairobi "
            "and Mombasa over two years."
        ),
        "thematic_areas": ["employment"],
        "priorities": ["employment-social-protection"],
        "sdgs": [8, 4],
        "level": "national",
        "regions": [],
        "countries": ["KE"],
        "start_date": (today - datetime.timedelta(days=10)).isoformat(),
        "end_date": (today + datetime.timedelta(days=720)).isoformat(),
        "resource_types": ["financial", "staff"],
        "resources_description": "Two coordinators and the apprentices' wages.",
        "resources_amount": "250000",
        "resources_currency": "USD",
        "expected_results": "500 young people complete an apprenticeship; 300 find a job.",
        "language": "en",
        "links": ["https://example.org/apprenticeships"],
        "deliverables": [
            {
                "title": "Apprenticeship places opened",
                "indicator": "Number of young people starting an apprenticeship",
                "baseline": "0",
                "target": "500",
                "due_date": (today + datetime.timedelta(days=200)).isoformat(),
            },
            {
                "title": "Jobs after the apprenticeship",
                "indicator": "Apprentices employed six months after completion",
                "baseline": "0",
                "target": "300",
                "due_date": (today + datetime.timedelta(days=700)).isoformat(),
            },
        ],
    }
    content.update(overrides)
    return content


@pytest.fixture(autouse=True)
def _english_between_tests(settings):
    # A request to a /fr/ page leaves French active in this thread for the next test.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def content():
    return build_content()


@pytest.fixture
def draft(acme, alice, bob):
    """A draft of Acme, written by bob (a contributor)."""
    return services.commitment_create(organization=acme, actor=bob, content=build_content())


@pytest.fixture
def submitted(draft, alice):
    return services.commitment_submit(commitment=draft, actor=alice)


@pytest.fixture
def published(submitted, sam):
    return services.commitment_publish(commitment=submitted, actor=sam)


@pytest.fixture
def initech(db):
    """A third partner, invited as co-partner in some tests; its admin is ivan."""
    return OrganizationFactory(name="Initech Cooperative")


@pytest.fixture
def ivan(initech):
    return MembershipFactory(
        organization=initech, user__email="ivan@example.org", role=Membership.Role.ADMIN
    ).user


@pytest.fixture
def queued(monkeypatch):
    """The tasks queued once the transaction commits, as (name, args): run the on-commit
    callbacks with `django_capture_on_commit_callbacks(execute=True)` to fill it."""
    calls = []

    def record(task, args=None, kwargs=None, **options):
        calls.append((task.name, tuple(args or ())))

    monkeypatch.setattr(Task, "apply_async", record)
    return calls
