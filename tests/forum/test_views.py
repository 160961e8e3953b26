"""The Forum's pages: the permission matrix of every view, privacy of registrations, the
programme's filters, registration in the browser and the query counts of the lists."""

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from coalition.models import ThematicArea
from forum.models import Registration
from partners.models import Organization
from tests.factories import (
    ForumEditionFactory,
    MembershipFactory,
    RegistrationFactory,
    SessionFactory,
    SpeakerFactory,
)

pytestmark = pytest.mark.django_db

NEEDS = "Sign language interpretation, private note 7731"


def login(client, request, who):
    if who is not None:
        client.force_login(request.getfixturevalue(who))
    return client


@pytest.fixture
def session(edition):
    session = SessionFactory(edition=edition, title="Extending social protection")
    SpeakerFactory(session=session, name="Amina Diallo", affiliation="Ministry of Labour")
    return session


@pytest.fixture
def alices_registration(edition, alice, acme):
    return RegistrationFactory(
        edition=edition, user=alice, organization=acme, accessibility_needs=NEEDS, listed=True
    )


@pytest.fixture
def unpublished(db):
    edition = ForumEditionFactory(year=2040, is_published=False)
    SessionFactory(edition=edition)
    return edition


def public_urls(edition):
    session = edition.sessions.first()
    return [
        reverse("forum:edition", kwargs={"year": edition.year}),
        reverse("forum:edition_calendar", kwargs={"year": edition.year}),
        reverse("forum:participants", kwargs={"year": edition.year}),
        reverse("forum:session", kwargs={"pk": session.pk}),
        reverse("forum:session_calendar", kwargs={"pk": session.pk}),
    ]


# The permission matrix. alice and bob: members of Acme; charlie: member of Globex (all
# approved partners); stranger: signed in, member of nothing; sam: the Secretariat.
EVERYONE = [None, "stranger", "bob", "alice", "charlie", "sam"]


@pytest.mark.parametrize("who", EVERYONE)
def test_everyone_reads_the_forum_programme_and_participants(client, request, session, who):
    login(client, request, who)
    assert client.get(reverse("forum:index")).status_code == 200
    for url in public_urls(session.edition):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize(
    ("who", "expected"),
    [(None, 404), ("stranger", 404), ("bob", 404), ("charlie", 404), ("sam", 200)],
)
def test_an_unpublished_edition_is_seen_only_by_the_secretariat(
    client, request, unpublished, who, expected
):
    login(client, request, who)
    for url in public_urls(unpublished):
        assert client.get(url).status_code == expected, url
    response = client.get(reverse("forum:index"))
    assert str(unpublished.year) not in response.text


@pytest.mark.parametrize(
    ("who", "expected"), [(None, 302), ("stranger", 403), ("bob", 200), ("charlie", 200)]
)
def test_only_members_of_approved_partners_get_the_registration_form(
    client, request, edition, who, expected
):
    login(client, request, who)
    response = client.get(reverse("forum:register", kwargs={"year": edition.year}))
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith(reverse("account_login"))
    if expected == 403:
        assert "members of organizations that are approved partners" in response.text


def test_members_of_a_suspended_partner_cannot_register(client, edition, bob, acme):
    Organization.objects.filter(pk=acme.pk).update(status=Organization.Status.SUSPENDED)
    client.force_login(bob)
    response = client.post(
        reverse("forum:register", kwargs={"year": edition.year}), {"attendance_mode": "online"}
    )
    assert response.status_code == 403
    assert not Registration.objects.exists()


@pytest.mark.parametrize(
    ("who", "expected"),
    [(None, 302), ("stranger", 404), ("bob", 404), ("charlie", 404), ("alice", 200), ("sam", 200)],
)
def test_a_registration_is_seen_only_by_its_participant_and_the_secretariat(
    client, request, alices_registration, who, expected
):
    login(client, request, who)
    for name in ("forum:registration", "forum:registration_cancel"):
        url = reverse(name, kwargs={"pk": alices_registration.pk})
        assert client.get(url).status_code == expected, name


@pytest.mark.parametrize("who", ["stranger", "bob", "charlie"])
def test_nobody_else_cancels_or_changes_a_registration(client, request, alices_registration, who):
    login(client, request, who)
    pk = alices_registration.pk
    assert client.post(reverse("forum:registration_cancel", kwargs={"pk": pk})).status_code == 404
    response = client.post(
        reverse("forum:registration", kwargs={"pk": pk}), {"accessibility_needs": "x"}
    )
    assert response.status_code == 404
    alices_registration.refresh_from_db()
    assert (alices_registration.status, alices_registration.accessibility_needs) == (
        "registered",
        NEEDS,
    )


def test_the_secretariat_sees_but_does_not_edit_a_registration_on_the_site(
    client, sam, alices_registration
):
    client.force_login(sam)
    response = client.get(reverse("forum:registration", kwargs={"pk": alices_registration.pk}))
    assert NEEDS in response.text
    assert "<textarea" not in response.text


def test_accessibility_needs_never_appear_on_public_pages(
    client, request, session, alices_registration
):
    for who in EVERYONE:
        client.logout()
        login(client, request, who)
        for url in [reverse("forum:index"), *public_urls(session.edition)]:
            assert NEEDS not in client.get(url).content.decode(), (who, url)


def test_the_participant_list_shows_only_registered_people_who_consented(client, edition, acme):
    listed = RegistrationFactory(
        edition=edition, organization=acme, user__full_name="Listed Person", listed=True
    )
    RegistrationFactory(edition=edition, user__full_name="Unlisted Person", listed=False)
    RegistrationFactory(
        edition=edition,
        user__full_name="Waiting Person",
        listed=True,
        status="waitlisted",
        waitlisted_at=listed.created_at,
    )
    RegistrationFactory(edition=edition, user__full_name="Cancelled Person", status="cancelled")
    response = client.get(reverse("forum:participants", kwargs={"year": edition.year}))
    assert "Listed Person" in response.text
    assert acme.name in response.text
    for hidden in ("Unlisted Person", "Waiting Person", "Cancelled Person", "@example.org"):
        assert hidden not in response.text


def test_a_member_registers_in_the_browser(client, edition, bob, acme):
    client.force_login(bob)
    url = reverse("forum:register", kwargs={"year": edition.year})
    response = client.get(url)
    assert "pay for their own travel" in response.text
    response = client.post(
        url,
        {"attendance_mode": "in_person", "accessibility_needs": "Captions", "listed": "on"},
        follow=True,
    )
    registration = Registration.objects.get(user=bob)
    assert response.redirect_chain[-1][0] == registration.get_absolute_url()
    assert "You are registered" in response.text
    assert (registration.organization, registration.listed) == (acme, True)
    # Coming back to the form leads to the registration.
    assert client.get(url)["Location"] == registration.get_absolute_url()


def test_a_member_of_several_partners_chooses_which_one(client, edition, bob, globex):
    MembershipFactory(user=bob, organization=globex)
    client.force_login(bob)
    url = reverse("forum:register", kwargs={"year": edition.year})
    assert 'name="organization"' in client.get(url).text
    client.post(url, {"attendance_mode": "online", "organization": globex.pk})
    assert Registration.objects.get(user=bob).organization == globex


def test_a_full_edition_puts_the_member_on_the_waitlist_and_says_so(client, edition, bob):
    RegistrationFactory.create_batch(2, edition=edition)
    client.force_login(bob)
    page = client.get(reverse("forum:edition", kwargs={"year": edition.year}))
    assert "all seats are taken" in page.text
    response = client.post(
        reverse("forum:register", kwargs={"year": edition.year}),
        {"attendance_mode": "in_person"},
        follow=True,
    )
    assert "you are on the waitlist" in response.text
    assert "in position 1" in response.text
    assert Registration.objects.get(user=bob).status == "waitlisted"


def test_a_closed_registration_shows_no_form(client, bob):
    edition = ForumEditionFactory(
        registration_opens_at=timezone.now() - timedelta(days=10),
        registration_closes_at=timezone.now() - timedelta(days=1),
    )
    client.force_login(bob)
    response = client.get(reverse("forum:register", kwargs={"year": edition.year}))
    assert "Registration is closed" in response.text
    assert '<form method="post" novalidate>' not in response.text
    response = client.post(
        reverse("forum:register", kwargs={"year": edition.year}), {"attendance_mode": "online"}
    )
    assert "Registration is closed" in response.text
    assert not Registration.objects.exists()


def test_cancelling_asks_first_then_gives_the_seat_away(client, edition, alice, acme, bob):
    seated = RegistrationFactory(edition=edition, user=alice, organization=acme)
    RegistrationFactory(edition=edition)
    waiting = RegistrationFactory(
        edition=edition,
        user=bob,
        organization=acme,
        status="waitlisted",
        waitlisted_at=seated.created_at,
    )
    client.force_login(alice)
    url = reverse("forum:registration_cancel", kwargs={"pk": seated.pk})
    assert "next person on the waitlist" in client.get(url).text
    response = client.post(url)
    assert response["Location"] == edition.get_absolute_url()
    waiting.refresh_from_db()
    assert waiting.status == "registered"


def test_the_participant_updates_needs_and_consent(client, alices_registration, alice):
    client.force_login(alice)
    url = reverse("forum:registration", kwargs={"pk": alices_registration.pk})
    assert NEEDS in client.get(url).text
    client.post(url, {"accessibility_needs": "Captions"})
    alices_registration.refresh_from_db()
    assert (alices_registration.accessibility_needs, alices_registration.listed) == (
        "Captions",
        False,
    )


# The programme


@pytest.fixture
def two_days(edition):
    zone = edition.zone
    day_one, day_two = edition.starts_on, edition.starts_on + timedelta(days=1)
    SessionFactory(
        edition=edition,
        title="Protection morning",
        thematic_area=ThematicArea.objects.get(code="protection"),
        starts_at=datetime.combine(day_one, time(9), tzinfo=zone),
        ends_at=datetime.combine(day_one, time(10), tzinfo=zone),
    )
    # 00:30 in Geneva is still the evening before in UTC: the day is the venue's.
    SessionFactory(
        edition=edition,
        title="Employment after midnight",
        thematic_area=ThematicArea.objects.get(code="employment"),
        starts_at=datetime.combine(day_two, time(0, 30), tzinfo=zone),
        ends_at=datetime.combine(day_two, time(1, 30), tzinfo=zone),
    )
    return day_one, day_two


@pytest.mark.parametrize(
    ("query", "found", "not_found"),
    [
        ("thematic_area=protection", "Protection morning", "Employment after midnight"),
        ("thematic_area=employment", "Employment after midnight", "Protection morning"),
        ("day=FIRST", "Protection morning", "Employment after midnight"),
        ("day=SECOND", "Employment after midnight", "Protection morning"),
        ("day=SECOND&thematic_area=protection", "No session matches", "Protection morning"),
    ],
)
def test_the_programme_filters_by_day_and_thematic_area(
    client, edition, two_days, query, found, not_found
):
    query = query.replace("FIRST", two_days[0].isoformat()).replace(
        "SECOND", two_days[1].isoformat()
    )
    response = client.get(f"{reverse('forum:edition', kwargs={'year': edition.year})}?{query}")
    assert found in response.text
    assert not_found not in response.text


def test_the_programme_shows_the_venues_time(client, edition, two_days):
    response = client.get(reverse("forum:edition", kwargs={"year": edition.year}))
    assert ">00:30</time>" in response.text
    assert "Europe/Zurich" in response.text


def test_a_bad_programme_filter_is_an_error_not_a_crash(client, edition, two_days):
    url = reverse("forum:edition", kwargs={"year": edition.year})
    response = client.get(f"{url}?day=not-a-day&thematic_area=nothing")
    assert response.status_code == 200
    assert 'role="alert"' in response.text


def test_htmx_gets_only_the_programme(client, edition, two_days):
    response = client.get(
        reverse("forum:edition", kwargs={"year": edition.year}), headers={"HX-Request": "true"}
    )
    assert response.text.lstrip().startswith('<div id="programme"')
    assert "Protection morning" in response.text


def test_the_page_says_participants_pay_their_own_travel(client, edition):
    response = client.get(reverse("forum:edition", kwargs={"year": edition.year}))
    assert "Participants pay for their own travel and accommodation" in response.text
    assert "no registration fee" in response.text


def test_a_session_page_names_its_speakers_but_never_their_email(client, session, alice):
    SpeakerFactory(session=session, name="", user=alice, affiliation="")
    alice.full_name = "Alice Partner"
    alice.save()
    response = client.get(session.get_absolute_url())
    assert "Amina Diallo" in response.text
    assert "Alice Partner" in response.text
    assert "alice@example.org" not in response.text


def test_the_edition_page_query_count_does_not_grow_with_sessions(
    client, edition, django_assert_num_queries
):
    def sessions(count):
        for _ in range(count):
            SpeakerFactory(session=SessionFactory(edition=edition))

    sessions(2)
    url = reverse("forum:edition", kwargs={"year": edition.year})
    # 1. the edition  2. the sessions with their thematic area  3. their speakers, people and
    # partners  4. thematic areas of the filter form  5. the seats counted per mode
    with django_assert_num_queries(5) as few:
        client.get(url)
    sessions(10)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(url)


def test_the_participant_list_query_count_does_not_grow(client, edition, django_assert_num_queries):
    RegistrationFactory.create_batch(2, edition=edition, listed=True)
    url = reverse("forum:participants", kwargs={"year": edition.year})
    # 1. the edition  2. the listed participants with their organizations
    with django_assert_num_queries(2):
        client.get(url)
    RegistrationFactory.create_batch(10, edition=edition, listed=True)
    with django_assert_num_queries(2):
        response = client.get(url)
    assert response.text.count("<tr>") == 13


def test_the_forum_pages_are_translated(client, edition):
    response = client.get(f"/fr{reverse('forum:edition', kwargs={'year': edition.year})}")
    assert response.status_code == 200
    assert 'lang="fr"' in response.text


def test_a_stranger_is_told_how_to_take_part(client, edition, stranger):
    client.force_login(stranger)
    response = client.get(reverse("forum:edition", kwargs={"year": edition.year}))
    assert "Registration is for members of approved partners" in response.text


def test_people_are_not_found_by_a_guessed_registration_number(client, stranger):
    client.force_login(stranger)
    assert client.get(reverse("forum:registration", kwargs={"pk": 999999})).status_code == 404


def test_the_forum_index_query_count_does_not_grow(client, db, django_assert_num_queries):
    ForumEditionFactory.create_batch(2)
    # 1. the published editions
    with django_assert_num_queries(1):
        client.get(reverse("forum:index"))
    ForumEditionFactory.create_batch(5)
    with django_assert_num_queries(1):
        response = client.get(reverse("forum:index"))
    assert response.text.count('class="card"') == 7


def test_pages_answer_head_requests(client, session):
    assert (
        client.head(reverse("forum:edition", kwargs={"year": session.edition.year})).status_code
        == 200
    )
