"""The Coordinating Group: a public page of the current seats, and an area for the members of
the organizations sitting in it."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from secretariat.models import CoordinatingGroupMembership
from tests.factories import CoordinatingGroupMembershipFactory

pytestmark = pytest.mark.django_db

AREA = "/secretariat/coordinating-group/area/"


@pytest.fixture
def acme_seat(acme, alice):
    return CoordinatingGroupMembershipFactory(
        organization=acme, role=CoordinatingGroupMembership.Role.CHAIR
    )


@pytest.fixture
def former_seat(globex):
    today = timezone.now().date()
    return CoordinatingGroupMembershipFactory(
        organization=globex,
        term_start=today - timedelta(days=800),
        term_end=today - timedelta(days=35),
    )


@pytest.mark.parametrize("who", [None, "stranger", "bob", "charlie", "sam"])
def test_everyone_sees_who_sits_in_the_group(client, request, acme_seat, former_seat, who):
    if who is not None:
        client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("secretariat:coordinating_group"))
    assert response.status_code == 200
    assert [seat.organization for seat in response.context["current"]] == [acme_seat.organization]
    assert [seat.organization for seat in response.context["past"]] == [former_seat.organization]
    # Nobody's email address on the public page.
    assert "alice@example.org" not in response.content.decode()


@pytest.mark.parametrize(
    ("who", "expected"),
    [(None, 302), ("stranger", 403), ("bob", 200), ("charlie", 403), ("sam", 200)],
)
def test_the_area_is_for_members_of_sitting_organizations(
    client, request, acme_seat, former_seat, who, expected
):
    # charlie's Globex sat in the Group but its term ended: no more access.
    if who is not None:
        client.force_login(request.getfixturevalue(who))
    response = client.get(AREA)
    assert response.status_code == expected
    if expected == 200:
        assert "alice@example.org" in response.content.decode()


def test_a_term_that_has_not_started_gives_no_access_yet(client, bob, acme):
    CoordinatingGroupMembershipFactory(
        organization=acme, term_start=timezone.now().date() + timedelta(days=10)
    )
    client.force_login(bob)
    assert client.get(AREA).status_code == 403


def test_the_group_page_query_count_does_not_grow(client, django_assert_num_queries):
    CoordinatingGroupMembershipFactory.create_batch(2)
    # 1 the current seats with organization and constituency; 2 the former seats.
    with django_assert_num_queries(2):
        client.get(reverse("secretariat:coordinating_group"))
    CoordinatingGroupMembershipFactory.create_batch(6)
    with django_assert_num_queries(2):
        client.get(reverse("secretariat:coordinating_group"))


def test_changes_to_the_group_are_kept_in_the_history(client, sam, acme):
    client.force_login(sam)
    response = client.post(
        reverse("admin:secretariat_coordinatinggroupmembership_add"),
        {"organization": acme.pk, "role": "member", "term_start": "2026-01-01", "term_end": ""},
    )
    assert response.status_code == 302
    seat = CoordinatingGroupMembership.objects.get()
    record = seat.history.get()
    assert record.history_user == sam
    assert record.history_change_reason == "Added"
