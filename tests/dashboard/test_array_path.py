"""On PostgreSQL the figures read the codes kept on the commitment row (theme, priority, SDG and
region arrays, `filter_keys`), and the commitments filters look them up in the same keys;
SQLite joins through the link tables. Both ways must find the same commitments and give the
same figures: compared here on a varied registry, with the joins forced on PostgreSQL."""

import datetime
import random
from decimal import Decimal

import pytest
from django.db import connection

from coalition.models import Priority, Region, SustainableDevelopmentGoal, ThematicArea
from commitments import filters
from commitments.models import Commitment
from secretariat import stats
from secretariat.dashboard import filter_query, filter_querysets
from tests.factories import CommitmentFactory, OrganizationFactory, ProgressUpdateFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the array path is PostgreSQL's"
)

COUNTRIES = ["KE", "TZ", "NG", "ZA", "BR", "MX", "US", "FR", "DE", "IN", "JP", "AU", "FJ"]
FILTERS = [
    {},
    {"thematic_area": "employment"},
    {"thematic_area": "employment", "region": "002"},
    {"region": "014"},
    {"region": "150", "sdg": "8"},
    {"region": "019", "level": "national"},
    {"country": "KE"},
    {"country": "FR", "status": "withdrawn"},
    {"priority": "social-dialogue"},
    {"sdg": "5", "year": "2025"},
    {"constituency": "government"},
    {"region": "009"},
]


@pytest.fixture
def varied(db):
    """Sixty commitments with random themes, priorities, goals, regions at every depth of
    the M49 tree, countries on every continent, three currencies and amounts mobilised."""
    rng = random.Random(7)
    themes = list(ThematicArea.objects.values_list("code", flat=True))
    goals = list(SustainableDevelopmentGoal.objects.values_list("number", flat=True))
    priorities = list(Priority.objects.all())
    regions = list(Region.objects.all())
    partners = [OrganizationFactory(country=rng.choice(COUNTRIES)) for _ in range(6)]
    statuses = ["published"] * 4 + ["completed", "withdrawn", "draft"]
    created = []
    for index in range(60):
        status = rng.choice(statuses)
        level = rng.choice(["national", "regional", "global"])
        start = datetime.date(2023 + index % 4, 1 + index % 12, 1)
        commitment = CommitmentFactory(
            published=status != "draft",
            status=status,
            status_reason="Changed plans." if status == "withdrawn" else "",
            lead_organization=rng.choice(partners),
            level=level,
            countries=rng.sample(COUNTRIES, rng.randint(0, 3)) if level != "global" else [],
            thematic_areas=rng.sample(themes, rng.randint(0, 3)),
            sdgs=rng.sample(goals, rng.randint(0, 3)),
            resources_amount=Decimal(rng.randint(0, 5000)) if index % 5 else None,
            resources_currency=rng.choice(["USD", "EUR", ""]),
            start_date=start,
            end_date=start + datetime.timedelta(days=rng.randint(200, 1500)),
        )
        commitment.priorities.set(rng.sample(priorities, rng.randint(0, 2)))
        if level == "regional":
            commitment.regions.set(rng.sample(regions, rng.randint(1, 2)))
        for day in range(rng.randint(0, 2)):
            ProgressUpdateFactory(
                commitment=commitment,
                date=datetime.date(2025, 1, 1) + datetime.timedelta(days=day * 30),
                resources_mobilised=Decimal(rng.randint(1, 900)) if rng.random() < 0.7 else None,
            )
        created.append(commitment.pk)
    # The relations set after the factory: their codes onto the rows, as an import does.
    Commitment.objects.filter(pk__in=created).refresh_codes()
    return created


def _figures(data: dict) -> dict:
    _filterset, partners, commitments = filter_querysets(data)
    return stats.compute(partners=partners, commitments=commitments)


@pytest.mark.parametrize("data", FILTERS, ids=lambda data: "&".join(map("=".join, data.items())))
def test_the_arrays_and_the_joins_give_the_same_figures(varied, monkeypatch, data):
    _filterset, partners, commitments = filter_querysets(data)
    found = set(commitments.values_list("pk", flat=True))
    by_arrays = stats.compute(partners=partners, commitments=commitments)
    # The filters' keys kept on the rows find what the relations find.
    monkeypatch.setattr(filters, "use_filter_keys", lambda: False)
    monkeypatch.setattr(stats, "use_arrays", lambda: False)
    _filterset, partners, by_relations = filter_querysets(data)
    assert set(by_relations.values_list("pk", flat=True)) == found
    by_joins = stats.compute(partners=partners, commitments=by_relations)
    assert by_arrays == by_joins
    assert by_arrays["totals"]["commitments"] == len(found)


def test_the_varied_registry_reaches_every_region_and_currency(varied):
    figures = _figures({})
    assert {"002", "019", "150", "009"} <= {row["code"] for row in figures["resources_by_region"]}
    assert {row["currency"] for row in figures["resources_by_thematic_area"]} == {"USD", "EUR"}
    assert all(row["value"] or row["mobilised"] for row in figures["resources_by_region"])


def test_an_invalid_filter_is_left_out(varied):
    filterset, _partners, commitments = filter_querysets({"region": "999", "sdg": "8"})
    assert "region" in filterset.form.errors
    assert set(commitments.values_list("pk", flat=True)) == set(
        Commitment.objects.listed().filter(sdgs=8).values_list("pk", flat=True)
    )
    # The links to the browser and the downloads keep the valid one.
    assert filter_query(filterset) == "sdg=8"
