"""The one FilterSet of commitments: each filter matches and misses, full-text search, ordering,
and what the public listing leaves out."""

import datetime

import pytest
from django.utils import timezone

from coalition.models import Constituency, Priority, Region
from commitments import filters
from commitments.filters import CommitmentFilter
from commitments.models import Commitment
from commitments.selectors import commitment_list_public
from tests.factories import (
    CommitmentFactory,
    CoPartnershipFactory,
    DeliverableFactory,
    OrganizationFactory,
)

pytestmark = pytest.mark.django_db


def titles(params: dict) -> list[str]:
    filterset = CommitmentFilter(params, queryset=commitment_list_public())
    assert filterset.is_valid(), filterset.errors
    return [commitment.title for commitment in filterset.qs]


@pytest.fixture
def kenya_jobs(acme):
    commitment = CommitmentFactory(
        published=True,
        lead_organization=acme,
        title="Jobs for youth in Kenya",
        thematic_areas=["employment"],
        sdgs=[8],
        countries=["KE"],
        start_date=datetime.date(2024, 1, 1),
        end_date=datetime.date(2025, 12, 31),
    )
    commitment.priorities.set(Priority.objects.filter(code="employment-social-protection"))
    Commitment.objects.filter(pk=commitment.pk).refresh_codes()  # as the services keep them
    return commitment


@pytest.fixture
def andean_dialogue(globex):
    commitment = CommitmentFactory(
        published=True,
        lead_organization=globex,
        title="Social dialogue in the Andes",
        thematic_areas=["social-dialogue"],
        sdgs=[16],
        level="regional",
        countries=[],
        start_date=datetime.date(2026, 1, 1),
        end_date=datetime.date(2027, 12, 31),
    )
    commitment.regions.set(Region.objects.filter(m49="005"))  # South America
    commitment.priorities.set(Priority.objects.filter(code="social-dialogue"))
    Commitment.objects.filter(pk=commitment.pk).refresh_codes()  # as the services keep them
    return commitment


@pytest.fixture
def both(kenya_jobs, andean_dialogue):
    return kenya_jobs, andean_dialogue


@pytest.fixture(params=["filter keys", "relations"])
def lookup(request, monkeypatch):
    """The keys kept on the row (PostgreSQL), or the relations themselves (SQLite, the demo):
    both paths of the vocabulary, region and country filters, whatever the test database."""
    if request.param == "relations":
        monkeypatch.setattr(filters, "use_filter_keys", lambda: False)
    return request.param


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"thematic_area": "employment"}, ["Jobs for youth in Kenya"]),
        ({"thematic_area": "protection"}, []),
        ({"priority": "social-dialogue"}, ["Social dialogue in the Andes"]),
        ({"priority": "reducing-inequalities"}, []),
        ({"sdg": "8"}, ["Jobs for youth in Kenya"]),
        ({"sdg": "1"}, []),
        ({"level": "regional"}, ["Social dialogue in the Andes"]),
        ({"level": "global"}, []),
        ({"country": "KE"}, ["Jobs for youth in Kenya"]),
        ({"country": "PE"}, ["Social dialogue in the Andes"]),  # in South America
        ({"country": "FR"}, []),
        ({"region": "002"}, ["Jobs for youth in Kenya"]),  # Africa holds Kenya
        ({"region": "419"}, ["Social dialogue in the Andes"]),  # Latin America holds 005
        ({"region": "142"}, []),
        ({"year": "2024"}, ["Jobs for youth in Kenya"]),
        ({"year": "2027"}, ["Social dialogue in the Andes"]),
        ({"year": "2030"}, []),
    ],
)
def test_each_filter_matches_and_misses(both, lookup, params, expected):
    assert titles(params) == expected


def test_the_constituency_filter_reads_the_lead_partner(both, acme):
    acme.constituency = Constituency.objects.get(code="workers-organization")
    acme.save()

    assert titles({"constituency": "workers-organization"}) == ["Jobs for youth in Kenya"]
    assert titles({"constituency": "academia"}) == []


def test_the_partner_filter_finds_led_and_confirmed_joint_commitments(both, globex):
    kenya_jobs, andean_dialogue = both
    CoPartnershipFactory(commitment=kenya_jobs, organization=globex)
    invited_only = OrganizationFactory()
    CoPartnershipFactory(commitment=andean_dialogue, organization=invited_only, status="invited")

    assert sorted(titles({"partner": globex.pk})) == [
        "Jobs for youth in Kenya",
        "Social dialogue in the Andes",
    ]
    assert titles({"partner": invited_only.pk}) == []


def test_the_status_filter_and_the_default_listing(both):
    _kenya_jobs, andean_dialogue = both
    Commitment.objects.filter(pk=andean_dialogue.pk).update(
        status="withdrawn", status_reason="Funding ended"
    )

    assert titles({}) == ["Jobs for youth in Kenya"]
    assert titles({"status": "withdrawn"}) == ["Social dialogue in the Andes"]
    assert titles({"status": "completed"}) == []


def test_a_sync_client_asking_for_changes_also_learns_of_withdrawals(both):
    kenya_jobs, andean_dialogue = both
    since = timezone.now() - datetime.timedelta(minutes=1)
    Commitment.objects.filter(pk=andean_dialogue.pk).update(
        status="withdrawn", status_reason="Funding ended", updated_at=timezone.now()
    )
    Commitment.objects.filter(pk=kenya_jobs.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=3)
    )

    assert titles({"updated_since": since.isoformat()}) == ["Social dialogue in the Andes"]


def test_drafts_submitted_and_returned_commitments_are_never_listed(acme):
    for status in ("draft", "submitted"):
        CommitmentFactory(lead_organization=acme, status=status, title=f"A {status} one")
    CommitmentFactory(lead_organization=acme, status="returned", status_reason="Vague")

    assert titles({}) == []


def test_a_status_outside_public_view_is_an_invalid_choice():
    filterset = CommitmentFilter({"status": "draft"}, queryset=commitment_list_public())
    assert not filterset.is_valid()
    assert "status" in filterset.errors


def test_the_reporting_status_filter(both):
    kenya_jobs, _andean_dialogue = both
    DeliverableFactory(
        commitment=kenya_jobs, due_date=timezone.localdate() - datetime.timedelta(days=3)
    )

    assert titles({"reporting_status": "overdue"}) == ["Jobs for youth in Kenya"]
    assert titles({"reporting_status": "on_track"}) == ["Social dialogue in the Andes"]
    assert titles({"reporting_status": "inactive"}) == []


def test_ordering_by_title_and_default_newest_first(both):
    kenya_jobs, _andean_dialogue = both
    Commitment.objects.filter(pk=kenya_jobs.pk).update(
        published_at=timezone.now() - datetime.timedelta(days=10)
    )

    assert titles({}) == ["Social dialogue in the Andes", "Jobs for youth in Kenya"]
    assert titles({"ordering": "title"}) == [
        "Jobs for youth in Kenya",
        "Social dialogue in the Andes",
    ]
    assert titles({"ordering": "-title"}) == [
        "Social dialogue in the Andes",
        "Jobs for youth in Kenya",
    ]


def test_bad_values_are_form_errors_not_crashes():
    filterset = CommitmentFilter(
        {"sdg": "18", "year": "soon", "country": "XX", "updated_since": "yesterday"},
        queryset=commitment_list_public(),
    )
    assert not filterset.is_valid()
    assert set(filterset.errors) == {"sdg", "year", "country", "updated_since"}


# Full-text search -----------------------------------------------------------------------------


def test_search_finds_a_word_that_appears_only_in_a_deliverable(both):
    kenya_jobs, _ = both
    DeliverableFactory(commitment=kenya_jobs, title="Mentoring by retired electricians")

    assert titles({"search": "electricians"}) == ["Jobs for youth in Kenya"]
    assert titles({"search": "plumbers"}) == []


def test_search_ranks_a_title_match_first(acme):
    in_summary = CommitmentFactory(
        published=True,
        lead_organization=acme,
        title="Protection for domestic workers",
        summary="Includes a component on apprenticeships.",
    )
    in_title = CommitmentFactory(
        published=True,
        lead_organization=acme,
        title="Apprenticeships in construction",
        summary="Paid training places.",
    )
    # The older one would come first by date: the rank decides.
    Commitment.objects.filter(pk=in_title.pk).update(
        published_at=timezone.now() - datetime.timedelta(days=30)
    )

    assert titles({"search": "apprenticeship"}) == [in_title.title, in_summary.title]
    assert titles({"search": "apprenticeship", "ordering": "-published_at"}) == [
        in_summary.title,
        in_title.title,
    ]


def test_search_understands_the_language_of_the_text(acme):
    CommitmentFactory(
        published=True,
        lead_organization=acme,
        language="fr",
        title="Des emplois décents pour les jeunes travailleuses",
        summary="Formation et protection sociale.",
    )
    CommitmentFactory(
        published=True,
        lead_organization=acme,
        language="es",
        title="Protección social para trabajadoras domésticas",
        summary="Seguridad social universal.",
    )

    # French stemming: "travailleuse" finds "travailleuses"; Spanish: "trabajadora".
    assert titles({"search": "travailleuse"}) == [
        "Des emplois décents pour les jeunes travailleuses"
    ]
    assert titles({"search": "trabajadora"}) == ["Protección social para trabajadoras domésticas"]


def test_search_with_several_words_needs_them_all(both):
    assert titles({"search": "youth Kenya"}) == ["Jobs for youth in Kenya"]
    assert titles({"search": "youth Andes"}) == []
