"""The browser and the commitment page cost a fixed number of queries, whatever the data."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from coalition.models import Region
from tests.factories import (
    CommitmentFactory,
    CommitmentVersionFactory,
    CoPartnershipFactory,
    DeliverableFactory,
    DeliverableStatusChangeFactory,
    EvidenceFileFactory,
    OrganizationFactory,
    ProgressUpdateFactory,
)

pytestmark = pytest.mark.django_db


def make_commitments(count: int) -> list:
    commitments = []
    for index in range(count):
        commitment = CommitmentFactory(
            published=True,
            level="regional",
            countries=["KE", "TZ"],
            thematic_areas=["employment", "protection"],
            sdgs=[1, 8],
        )
        commitment.regions.set(Region.objects.filter(m49__in=["014", "011"]))
        CoPartnershipFactory(commitment=commitment, organization=OrganizationFactory())
        DeliverableFactory(commitment=commitment, title=f"Deliverable of {index}")
        commitments.append(commitment)
    return commitments


# Browser, anonymous:
#  1. COUNT of the filtered commitments (paginator)
#  2. the page of commitments, with the lead partner and its constituency (JOIN) and the
#     reporting status (subqueries in the same SELECT)
#  3. their thematic areas  4. their SDGs  5. their confirmed co-partners with the organizations
#  6. their regions
#  7-11. the filter form's choices: thematic areas, priorities, SDGs, constituencies, regions
BROWSER_QUERIES = 11


@pytest.mark.parametrize("count", [2, 8])
def test_the_browser_costs_the_same_queries_for_any_number_of_commitments(
    client, django_assert_num_queries, count
):
    make_commitments(count)

    with django_assert_num_queries(BROWSER_QUERIES):
        response = client.get(reverse("commitments:list"))

    assert response.content.decode().count('class="card commitment-card"') == count


@pytest.mark.parametrize("count", [2, 8])
def test_a_filtered_search_costs_the_same_queries(client, django_assert_num_queries, count):
    make_commitments(count)

    # Two more: the chosen SDG and region, read when the form cleans them.
    with django_assert_num_queries(BROWSER_QUERIES + 2):
        client.get(
            reverse("commitments:list"),
            {"search": "deliverable", "sdg": "8", "region": "002", "ordering": "title"},
        )


def make_rich_commitment(size: int):
    commitment = CommitmentFactory(
        published=True, thematic_areas=["employment", "protection"], sdgs=[1, 8, 10]
    )
    commitment.regions.set(Region.objects.filter(m49__in=["014"]))
    for _ in range(size):
        CoPartnershipFactory(commitment=commitment, organization=OrganizationFactory())
        deliverable = DeliverableFactory(commitment=commitment)
        update = ProgressUpdateFactory(
            commitment=commitment, date=timezone.localdate() - datetime.timedelta(days=3)
        )
        DeliverableStatusChangeFactory(update=update, deliverable=deliverable)
        EvidenceFileFactory(update=update)
    for number in range(1, size + 2):
        CommitmentVersionFactory(
            commitment=commitment,
            number=number,
            content={"title": f"Title {number}", "deliverables": []},
        )
    return commitment


# Commitment page, anonymous:
#  1. the commitment with its lead partner and constituency, and its reporting status
#  2. thematic areas  3. priorities  4. SDGs  5. regions  6. deliverables
#  7. confirmed co-partners with their organizations
#  8. progress updates  9. their files  10. their deliverable status changes with deliverables
#  11. published versions
#  12-15. the vocabularies naming the differences between versions (themes, priorities, SDGs,
#     regions)
PAGE_QUERIES = 15


@pytest.mark.parametrize("size", [2, 6])
def test_the_commitment_page_costs_the_same_queries_whatever_its_size(
    client, django_assert_num_queries, settings, tmp_path, size
):
    settings.MEDIA_ROOT = tmp_path
    commitment = make_rich_commitment(size)

    with django_assert_num_queries(PAGE_QUERIES):
        response = client.get(reverse("commitments:detail", args=[commitment.pk]))

    assert response.status_code == 200
    assert response.content.decode().count('class="update"') == size


# The same page for a member of the lead organization adds:
#  the session and the user, the membership role, the co-partner check, the pending revision.
MEMBER_EXTRA_QUERIES = 5


def test_a_member_sees_the_page_in_a_fixed_number_of_queries_too(
    client, django_assert_num_queries, settings, tmp_path, acme, bob
):
    settings.MEDIA_ROOT = tmp_path
    commitment = make_rich_commitment(3)
    commitment.lead_organization = acme
    commitment.save()
    client.force_login(bob)

    with django_assert_num_queries(PAGE_QUERIES + MEMBER_EXTRA_QUERIES):
        client.get(reverse("commitments:detail", args=[commitment.pk]))
