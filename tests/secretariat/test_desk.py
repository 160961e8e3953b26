"""The moderation desk: everything waiting across apps, oldest first, with its age and a link
to where it is decided; for the Secretariat only."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from commitments.models import Commitment, CommitmentRevision
from forum.models import PostReport
from partners.models import Application
from tests.factories import (
    ApplicationFactory,
    CommitmentFactory,
    CommitmentRevisionFactory,
    GoodPracticeFactory,
    PostReportFactory,
)

pytestmark = pytest.mark.django_db

DESK = "/secretariat/desk/"


def days_ago(days: int):
    return timezone.now() - timedelta(days=days)


@pytest.fixture
def waiting(acme):
    """One item of each kind, the oldest first: practice, post, application, edit, commitment."""
    practice = GoodPracticeFactory(
        organization=acme, submitted=True, submitted_at=days_ago(9), title="Waiting practice"
    )
    report = PostReportFactory(post__thread__title="Reported thread")
    PostReport.objects.filter(pk=report.pk).update(created_at=days_ago(7))
    application = ApplicationFactory(organization__name="Waiting Cooperative")
    Application.objects.filter(pk=application.pk).update(created_at=days_ago(5))
    revision = CommitmentRevisionFactory(
        commitment__title="Edited commitment",
        status=CommitmentRevision.Status.SUBMITTED,
        submitted_at=days_ago(3),
    )
    commitment = CommitmentFactory(
        lead_organization=acme,
        title="Submitted commitment",
        status=Commitment.Status.SUBMITTED,
        submitted_at=days_ago(1),
    )
    return [practice, report, application, revision, commitment]


def test_the_desk_lists_everything_waiting_oldest_first_with_admin_links(client, sam, waiting):
    client.force_login(sam)
    response = client.get(reverse("secretariat:desk"))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row["item"].obj for row in rows] == waiting
    content = response.content.decode()
    titles = [
        "Waiting practice",
        "Reported thread",
        "Waiting Cooperative",
        "Edited commitment",
        "Submitted commitment",
    ]
    positions = [content.index(title) for title in titles]
    assert positions == sorted(positions)
    for row, obj in zip(rows, waiting, strict=True):
        opts = obj._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        assert row["admin_url"] == url
        assert url in content
        # Each admin page opens for the Secretariat.
        assert client.get(url).status_code == 200, url
    assert rows[0]["working_days"] >= 5


def test_the_desk_says_when_nothing_waits(client, sam):
    client.force_login(sam)
    assert "Nothing is waiting." in client.get(DESK).content.decode()


def test_decided_items_leave_the_desk(client, sam, acme):
    GoodPracticeFactory(organization=acme, published=True, title="Already published")
    client.force_login(sam)
    assert "Already published" not in client.get(DESK).content.decode()


@pytest.mark.parametrize(
    ("who", "expected"),
    [(None, 302), ("stranger", 403), ("bob", 403), ("charlie", 403), ("sam", 200)],
)
def test_the_desk_is_for_the_secretariat_only(client, request, who, expected):
    if who is not None:
        client.force_login(request.getfixturevalue(who))
    assert client.get(DESK).status_code == expected


def test_the_desk_query_count_does_not_grow_with_the_queue(
    client, sam, waiting, acme, django_assert_num_queries
):
    client.force_login(sam)
    # 1 session; 2 user; 3 applications with their organization; 4 submitted commitments;
    # 5 submitted edits with their commitment; 6 open reports with post and thread; 7 submitted
    # good practices.
    with django_assert_num_queries(7):
        client.get(DESK)
    GoodPracticeFactory.create_batch(5, organization=acme, submitted=True)
    with django_assert_num_queries(7):
        client.get(DESK)
