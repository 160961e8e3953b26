"""partners/: approved partners for everyone, nothing of the others, the directory's filters,
and partners that left public view as tombstones in a sync."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.utils import timezone

from coalition.models import Region
from partners import services
from partners.models import Organization
from tests.api.conftest import body
from tests.factories import ApplicationFactory, OrganizationFactory

FROZEN = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@time_machine.travel(FROZEN, tick=False)
def test_a_partner_is_shown_exactly_so(api, db):
    acme = OrganizationFactory(
        name="Acme Workers Union",
        acronym="AWU",
        country="KE",
        countries=["UG", "TZ"],
        website="https://acme.example.org",
        languages=["en", "fr"],
    )
    acme.regions.set(Region.objects.filter(m49__in=["014", "002"]))

    response = api.get(f"partners/{acme.pk}/")

    assert response.status_code == 200
    assert body(response) == {
        "id": acme.pk,
        "public": True,
        "name": "Acme Workers Union",
        "acronym": "AWU",
        "constituency": "enterprise",
        "country": "KE",
        "regions": ["002", "014"],
        "countries": ["TZ", "UG"],
        "website": "https://acme.example.org",
        "description": "Works for decent work and social protection.",
        "logo": None,
        "languages": ["en", "fr"],
        "status": "approved",
        "approved_at": "2026-03-02T09:30:00Z",
        "created_at": "2026-03-02T09:30:00Z",
        "updated_at": "2026-03-02T09:30:00Z",
        "web_url": f"http://testserver/partners/{acme.pk}/",
    }
    assert body(api.get("partners/"))["results"] == [body(response)]


def test_a_logo_is_an_absolute_address(api, db):
    partner = OrganizationFactory(logo="logos/2026/acme.png")
    item = body(api.get(f"partners/{partner.pk}/"))
    assert item["logo"] == "http://testserver/media/logos/2026/acme.png"


def test_only_approved_partners_are_listed(api, acme, applicant_org, db):
    OrganizationFactory(name="Rejected Org", status=Organization.Status.REJECTED, approved_at=None)
    OrganizationFactory(name="Suspended Org", status=Organization.Status.SUSPENDED)
    names = [item["name"] for item in body(api.get("partners/"))["results"]]
    assert names == ["Acme Workers Union"]


def test_a_non_public_partner_is_404_to_others_and_readable_by_its_members(
    api, applicant_org, hooli_member, alice_token, sam_token
):
    from tests.api.conftest import token_of

    assert api.get(f"partners/{applicant_org.pk}/").status_code == 404
    assert api.get(f"partners/{applicant_org.pk}/", token=alice_token).status_code == 404
    own = body(api.get(f"partners/{applicant_org.pk}/", token=token_of(hooli_member)))
    assert own["public"] is False and own["status"] == "applied" and own["name"]
    assert api.get(f"partners/{applicant_org.pk}/", token=sam_token).status_code == 200


def test_nothing_of_an_application_or_of_the_members_is_shown(api, alice, bob, sam):
    application = ApplicationFactory(motivation="Secret motivation", reason="")
    services.application_approve(application=application, actor=sam, reason="Welcome")
    text = (
        api.get("partners/").text
        + api.get(f"partners/{alice.memberships.get().organization_id}/").text
    )
    for private in ("alice@example.org", "bob@example.org", "Secret motivation", "Welcome"):
        assert private not in text


# Filters: each one matches and misses ------------------------------------------------------


@pytest.fixture
def directory(db):
    kenya = OrganizationFactory(
        name="Nairobi Employers", acronym="NEF", country="KE", description="Apprenticeships."
    )
    kenya.regions.set(Region.objects.filter(m49="014"))
    france = OrganizationFactory(
        name="Paris Union",
        country="FR",
        countries=["BE"],
        description="Social dialogue in Europe.",
    )
    from coalition.models import Constituency

    france.constituency = Constituency.objects.get(code="workers-organization")
    france.save()
    return {"kenya": kenya, "france": france}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("constituency=workers-organization", ["Paris Union"]),
        ("constituency=academia", []),
        ("country=KE", ["Nairobi Employers"]),
        ("country=BE", ["Paris Union"]),
        ("country=JP", []),
        ("region=002", ["Nairobi Employers"]),
        ("region=150", ["Paris Union"]),
        ("region=009", []),
        ("search=dialogue", ["Paris Union"]),
        ("search=NEF", ["Nairobi Employers"]),
        ("search=astronomy", []),
        ("updated_since=2000-01-01T00:00:00Z", ["Nairobi Employers", "Paris Union"]),
        ("updated_since=2999-01-01T00:00:00Z", []),
    ],
)
def test_each_filter_matches_and_misses(api, directory, query, expected):
    names = sorted(item["name"] for item in body(api.get(f"partners/?{query}"))["results"])
    assert names == expected


# Sync ----------------------------------------------------------------------------------------


def test_a_sync_reports_partners_that_left_as_tombstones(api, acme, globex, sam):
    since = timezone.now()
    services.organization_set_status(
        organization=globex, status=Organization.Status.SUSPENDED, actor=sam, reason="Inactive"
    )
    ApplicationFactory()  # an applicant, never public: never reported

    results = body(api.get("partners/", data={"updated_since": since.isoformat()}))["results"]

    assert results == [
        {
            "id": globex.pk,
            "public": False,
            "status": "suspended",
            "updated_at": results[0]["updated_at"],
        }
    ]
    assert all(item["public"] for item in body(api.get("partners/"))["results"])


# Queries ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 10, 50])
def test_a_page_costs_one_query_whatever_its_size(api, size, django_assert_num_queries, db):
    for n in range(12):
        OrganizationFactory(name=f"Partner {n}").regions.set(Region.objects.filter(m49="002"))
    # 1. the page: partners with their constituency code, region codes (ARRAY subquery) and
    #    the table's last change (Last-Modified), keyset-ordered.
    with django_assert_num_queries(1):
        page = body(api.get(f"partners/?page_size={size}"))
    assert len(page["results"]) == min(size, 12)
    assert page["results"][0]["regions"] == ["002"]


def test_a_filtered_page_is_one_query_too(api, directory, django_assert_num_queries):
    # 1. the page: the codes of the filters are checked in memory, not looked up.
    with django_assert_num_queries(1):
        page = body(api.get("partners/?constituency=workers-organization&region=150&country=FR"))
    assert [item["name"] for item in page["results"]] == ["Paris Union"]
