"""forum/editions/ and forum/sessions/: published editions and their programme for everyone,
nothing of an unpublished edition, and never a registration or a speaker's account."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from tests.api.conftest import body
from tests.factories import (
    ForumEditionFactory,
    OrganizationFactory,
    RegistrationFactory,
    SessionFactory,
    SpeakerFactory,
    UserFactory,
)

FROZEN = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@time_machine.travel(FROZEN, tick=False)
def test_an_edition_is_shown_exactly_so(api, db):
    edition = ForumEditionFactory(
        year=2026,
        theme="Decent work",
        description="The annual Forum.",
        starts_on=date(2026, 6, 10),
        ends_on=date(2026, 6, 11),
        registration_opens_at=datetime(2026, 3, 1, tzinfo=UTC),
        registration_closes_at=datetime(2026, 6, 1, tzinfo=UTC),
    )
    response = api.get(f"forum/editions/{edition.pk}/")
    assert response.status_code == 200
    assert body(response) == {
        "id": edition.pk,
        "public": True,
        "year": 2026,
        "theme": "Decent work",
        "description": "The annual Forum.",
        "starts_on": "2026-06-10",
        "ends_on": "2026-06-11",
        "time_zone": "Europe/Zurich",
        "in_person": True,
        "online": True,
        "place": "International Labour Office, Geneva",
        "registration_opens_at": "2026-03-01T00:00:00Z",
        "registration_closes_at": "2026-06-01T00:00:00Z",
        "created_at": "2026-03-02T09:30:00Z",
        "updated_at": "2026-03-02T09:30:00Z",
        "web_url": "http://testserver/forum/2026/",
    }
    assert body(api.get("forum/editions/"))["results"] == [body(response)]


@time_machine.travel(FROZEN, tick=False)
def test_a_session_is_shown_exactly_so(api, db):
    edition = ForumEditionFactory(year=2026, starts_on=date(2026, 6, 10))
    session = SessionFactory(edition=edition, title="Opening", link="https://meet.example.org/x")
    SpeakerFactory(session=session, name="Guest Speaker", affiliation="University", position=1)
    partner = OrganizationFactory(name="Acme Workers Union")
    member = UserFactory(full_name="Ada Member", email="ada@example.org")
    SpeakerFactory(
        session=session,
        name="",
        user=member,
        organization=partner,
        affiliation="",
        role="moderator",
        position=0,
    )
    RegistrationFactory(edition=edition, accessibility_needs="SECRET NEEDS")

    response = api.get(f"forum/sessions/{session.pk}/")

    assert response.status_code == 200
    assert body(response) == {
        "id": session.pk,
        "public": True,
        "edition": edition.pk,
        "year": 2026,
        "title": "Opening",
        "description": "Partners compare what worked.",
        "thematic_area": "protection",
        "starts_at": "2026-06-10T08:00:00Z",
        "ends_at": "2026-06-10T09:30:00Z",
        "room": "Room 2",
        "link": "https://meet.example.org/x",
        "speakers": [
            {"name": "Ada Member", "affiliation": "Acme Workers Union", "role": "moderator"},
            {"name": "Guest Speaker", "affiliation": "University", "role": "speaker"},
        ],
        "created_at": "2026-03-02T09:30:00Z",
        "updated_at": "2026-03-02T09:30:00Z",
        "web_url": f"http://testserver/forum/sessions/{session.pk}/",
    }
    listed = api.get("forum/sessions/")
    assert body(listed)["results"] == [body(response)]
    for text in (listed.content, api.get("forum/sessions/?format=csv").content):
        assert b"ada@example.org" not in text and b"SECRET" not in text


def test_an_unpublished_edition_and_its_sessions_are_never_shown(api, db, sam_token):
    hidden = ForumEditionFactory(is_published=False)
    session = SessionFactory(edition=hidden)
    for token in (None, sam_token):
        assert body(api.get("forum/editions/", token=token))["results"] == []
        assert body(api.get("forum/sessions/", token=token))["results"] == []
        sync = "?updated_since=2000-01-01T00:00:00Z"
        assert body(api.get(f"forum/editions/{sync}", token=token))["results"] == []
        assert body(api.get(f"forum/sessions/{sync}", token=token))["results"] == []
        assert api.get(f"forum/editions/{hidden.pk}/", token=token).status_code == 404
        assert api.get(f"forum/sessions/{session.pk}/", token=token).status_code == 404


@pytest.fixture
def programme(db):
    edition = ForumEditionFactory(year=2030, starts_on=date(2030, 6, 10), ends_on=date(2030, 6, 11))
    other = ForumEditionFactory(year=2031, starts_on=date(2031, 6, 10), ends_on=date(2031, 6, 11))
    SessionFactory(edition=edition, title="Day one")
    SessionFactory(
        edition=edition,
        title="Day two",
        starts_at=datetime(2030, 6, 11, 9, tzinfo=UTC),
        ends_at=datetime(2030, 6, 11, 10, tzinfo=UTC),
        thematic_area=None,
    )
    SessionFactory(edition=other, title="Next year")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("edition=2030", ["Day one", "Day two"]),
        ("edition=2031", ["Next year"]),
        ("edition=1999", []),
        ("day=2030-06-11", ["Day two"]),
        ("day=2031-06-10", ["Next year"]),
        ("day=2030-01-01", []),
        ("thematic_area=protection", ["Day one", "Next year"]),
        ("thematic_area=employment", []),
        ("updated_since=2000-01-01T00:00:00Z", ["Day one", "Day two", "Next year"]),
        ("updated_since=2999-01-01T00:00:00Z", []),
    ],
)
def test_each_session_filter_matches_and_misses(api, programme, query, expected):
    titles = sorted(item["title"] for item in body(api.get(f"forum/sessions/?{query}"))["results"])
    assert titles == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("updated_since=2000-01-01T00:00:00Z", [2030, 2031]),
        ("updated_since=2999-01-01T00:00:00Z", []),
    ],
)
def test_the_edition_filter_matches_and_misses(api, programme, query, expected):
    years = sorted(item["year"] for item in body(api.get(f"forum/editions/?{query}"))["results"])
    assert years == expected


@pytest.mark.parametrize(
    "query", ["edition=x", "edition=99999999999", "day=x", "thematic_area=nope", "updated_since=x"]
)
def test_a_bad_session_filter_is_400(api, db, query):
    assert api.get(f"forum/sessions/?{query}").status_code == 400


@pytest.mark.parametrize("size", [1, 10, 50])
def test_a_page_costs_one_query_whatever_its_size(api, size, django_assert_num_queries, db):
    for n in range(12):
        edition = ForumEditionFactory()
        SpeakerFactory(session=SessionFactory(edition=edition, title=f"Session {n}"))
    with django_assert_num_queries(1):
        sessions = body(api.get(f"forum/sessions/?page_size={size}"))
    assert len(sessions["results"]) == min(size, 12)
    assert len(sessions["results"][0]["speakers"]) == 1
    with django_assert_num_queries(1):
        editions = body(api.get(f"forum/editions/?page_size={size}"))
    assert len(editions["results"]) == min(size, 12)


def test_a_session_page_follows_its_cursor(api, programme):
    first = body(api.get("forum/sessions/?page_size=2&ordering=starts_at"))
    assert [item["title"] for item in first["results"]] == ["Day one", "Day two"]
    second = body(api.get(first["next"].removeprefix("http://testserver/api/v1/")))
    assert [item["title"] for item in second["results"]] == ["Next year"]
    assert second["next"] is None
