"""good-practices/: published practices for everyone, never a draft, a submitted or a returned
one (nor its reason), the public list's filters, and practices that left public view as
tombstones in a sync."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.utils import timezone

from secretariat.models import GoodPractice
from tests.api.conftest import body
from tests.factories import GoodPracticeFactory, OrganizationFactory

FROZEN = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@time_machine.travel(FROZEN, tick=False)
def test_a_practice_is_shown_exactly_so(api, db):
    partner = OrganizationFactory(name="Acme Workers Union", acronym="AWU")
    practice = GoodPracticeFactory(
        organization=partner,
        title="Apprenticeships",
        countries=["UG", "KE"],
        thematic_areas=["employment", "protection"],
        sdgs=[8, 1],
        published=True,
    )

    response = api.get(f"good-practices/{practice.pk}/")

    assert response.status_code == 200
    assert body(response) == {
        "id": practice.pk,
        "public": True,
        "title": "Apprenticeships",
        "summary": "Apprenticeships that lead to decent jobs.",
        "what_worked": "Employers and unions designed the curriculum together.",
        "results": "Two thirds of the apprentices were hired.",
        "organization": {"id": partner.pk, "name": "Acme Workers Union", "acronym": "AWU"},
        "countries": ["KE", "UG"],
        "thematic_areas": ["employment", "protection"],
        "sdgs": [1, 8],
        "language": "en",
        "published_at": "2026-03-02T09:30:00Z",
        "created_at": "2026-03-02T09:30:00Z",
        "updated_at": "2026-03-02T09:30:00Z",
        "web_url": f"http://testserver/good-practices/{practice.pk}/",
    }
    assert body(api.get("good-practices/"))["results"] == [body(response)]


@pytest.fixture
def practices(db):
    return {
        "published": GoodPracticeFactory(title="Published one", published=True),
        "draft": GoodPracticeFactory(title="Draft one"),
        "submitted": GoodPracticeFactory(title="Submitted one", submitted=True),
        "returned": GoodPracticeFactory(
            title="Returned one", status="returned", status_reason="SECRET REASON"
        ),
    }


def test_only_published_practices_are_shown(api, practices, sam_token):
    for token in (None, sam_token):
        titles = [
            item["title"] for item in body(api.get("good-practices/", token=token))["results"]
        ]
        assert titles == ["Published one"]
        for name in ("draft", "submitted", "returned"):
            response = api.get(f"good-practices/{practices[name].pk}/", token=token)
            assert response.status_code == 404
    synced = body(api.get("good-practices/?updated_since=2000-01-01T00:00:00Z"))["results"]
    assert [item["id"] for item in synced] == [practices["published"].pk]
    csv = api.get("good-practices/?format=csv").content.decode()
    assert "Published one" in csv and "SECRET" not in csv and "Draft one" not in csv


@pytest.fixture
def library(db):
    GoodPracticeFactory(
        title="Apprenticeships in Nairobi",
        countries=["KE"],
        thematic_areas=["employment"],
        sdgs=[8],
        published=True,
    )
    GoodPracticeFactory(
        title="Pensions for domestic workers",
        summary="Social protection floors for domestic workers.",
        what_worked="Collective bargaining.",
        results="",
        countries=["BE"],
        thematic_areas=["protection"],
        sdgs=[1],
        published=True,
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("thematic_area=employment", ["Apprenticeships in Nairobi"]),
        ("thematic_area=protection", ["Pensions for domestic workers"]),
        ("thematic_area=inequality", []),
        ("country=KE", ["Apprenticeships in Nairobi"]),
        ("country=BE", ["Pensions for domestic workers"]),
        ("country=JP", []),
        ("sdg=8", ["Apprenticeships in Nairobi"]),
        ("sdg=1", ["Pensions for domestic workers"]),
        ("sdg=17", []),
        ("search=pensions", ["Pensions for domestic workers"]),
        ("search=astronomy", []),
        (
            "updated_since=2000-01-01T00:00:00Z",
            ["Apprenticeships in Nairobi", "Pensions for domestic workers"],
        ),
        ("updated_since=2999-01-01T00:00:00Z", []),
    ],
)
def test_each_filter_matches_and_misses(api, library, query, expected):
    titles = sorted(item["title"] for item in body(api.get(f"good-practices/?{query}"))["results"])
    assert titles == expected


@pytest.mark.parametrize("query", ["sdg=18", "country=XX", "thematic_area=nope", "updated_since=x"])
def test_a_bad_filter_is_400(api, db, query):
    assert api.get(f"good-practices/?{query}").status_code == 400


def test_a_sync_reports_practices_that_left_public_view_as_tombstones(api, practices):
    since = timezone.now()
    left = GoodPracticeFactory(title="Left", published=True)
    GoodPractice.objects.filter(pk=left.pk).update(
        status="returned", status_reason="SECRET REASON", updated_at=timezone.now()
    )
    results = body(
        api.get(f"good-practices/?updated_since={since.isoformat().replace('+00:00', 'Z')}")
    )["results"]
    assert results == [{"id": left.pk, "public": False, "updated_at": results[0]["updated_at"]}]
    assert api.get(f"good-practices/{left.pk}/").status_code == 404


@pytest.mark.parametrize("size", [1, 10, 50])
def test_a_page_costs_one_query_whatever_its_size(api, size, django_assert_num_queries, db):
    for n in range(12):
        GoodPracticeFactory(title=f"Practice {n}", published=True)
    with django_assert_num_queries(1):
        page = body(api.get(f"good-practices/?page_size={size}"))
    assert len(page["results"]) == min(size, 12)
    assert page["results"][0]["sdgs"] == [8]
