"""Announcements: on the home page and their own pages, in the reader's language or
language-neutral, and in every digest."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from secretariat import notifications, services
from secretariat.models import Announcement
from tests.factories import (
    AnnouncementFactory,
    GoodPracticeFactory,
    NotificationPreferenceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_the_home_page_shows_the_latest_published_announcements(client):
    AnnouncementFactory(title="The Forum opens its registrations")
    AnnouncementFactory(title="Draft news", published_at=None)
    AnnouncementFactory(title="Scheduled news", published_at=timezone.now() + timedelta(days=1))
    AnnouncementFactory(title="Nouvelles en français", language="fr")
    content = client.get(reverse("home")).content.decode()
    assert "The Forum opens its registrations" in content
    assert "Draft news" not in content
    assert "Scheduled news" not in content
    assert "Nouvelles en français" not in content  # for French readers only
    assert "Nouvelles en français" in client.get("/fr/").content.decode()


def test_the_home_page_without_announcements_has_no_news_section(client):
    assert "News from the Secretariat" not in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize(
    ("who", "expected"),
    [(None, 404), ("stranger", 404), ("bob", 404), ("charlie", 404), ("sam", 200)],
)
def test_a_draft_announcement_is_seen_by_the_secretariat_only(client, request, who, expected):
    draft = AnnouncementFactory(published_at=None)
    published = AnnouncementFactory()
    if who is not None:
        client.force_login(request.getfixturevalue(who))
    assert client.get(draft.get_absolute_url()).status_code == expected
    assert client.get(published.get_absolute_url()).status_code == 200
    assert client.get(reverse("secretariat:announcements")).status_code == 200


def test_the_announcements_list_query_count_does_not_grow(client, django_assert_num_queries):
    AnnouncementFactory.create_batch(2)
    # 1 count; 2 the page of announcements.
    with django_assert_num_queries(2):
        client.get(reverse("secretariat:announcements"))
    AnnouncementFactory.create_batch(8)
    with django_assert_num_queries(2):
        client.get(reverse("secretariat:announcements"))


def test_announcements_are_in_every_digest_and_practices_in_those_who_follow_them(acme):
    day = date(2026, 12, 1)
    during = datetime(2026, 11, 20, 9, tzinfo=UTC)
    AnnouncementFactory(title="Forum 2027 announced", published_at=during)
    AnnouncementFactory(title="Annonce en français", published_at=during, language="fr")
    practice = GoodPracticeFactory(
        organization=acme, published=True, title="Cash transfers", thematic_areas=["protection"]
    )
    type(practice).objects.filter(pk=practice.pk).update(published_at=during)
    follows_protection = NotificationPreferenceFactory(
        user=UserFactory(email="ana@example.org"), thematic_areas=["protection"]
    )
    follows_other = NotificationPreferenceFactory(
        user=UserFactory(email="ben@example.org"), countries=["BR"]
    )
    plan = notifications.digest_emails(
        preferences=[follows_protection, follows_other], frequency="monthly", day=day
    )
    sections = {
        email.to: [
            (news.section.key, [item.obj.title for item in news.items])
            for news in email.context["sections"]
        ]
        for email in plan.emails
    }
    assert sections == {
        "ana@example.org": [
            ("announcements", ["Forum 2027 announced"]),
            ("good_practices", ["Cash transfers"]),
        ],
        "ben@example.org": [("announcements", ["Forum 2027 announced"])],
    }
    ids = services.deliveries_create(plan.emails)
    assert len(ids) == 2


def test_an_announcement_keeps_its_history(client, sam):
    client.force_login(sam)
    response = client.post(
        reverse("admin:secretariat_announcement_add"),
        {
            "title": "News",
            "body": "Text.",
            "language": "",
            "published_at_0": "",
            "published_at_1": "",
        },
    )
    assert response.status_code == 302
    announcement = Announcement.objects.get()
    assert announcement.created_by == sam
    assert announcement.history.get().history_user == sam
