"""A Forum edition unpublished after it was public: a client that synced it and its programme
learns in its next sync (`updated_since`) that they left public view, as `public: false`
records with nothing else; one that was never published is never reported. Publishing goes
through forum.services, from the admin too."""

from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from forum import services
from forum.models import ForumEdition, Session
from tests.api.conftest import body
from tests.api.test_sync import SyncClient
from tests.factories import ForumEditionFactory, SessionFactory, SpeakerFactory

PRIVATE = "Secret venue, room 5521"


@pytest.fixture
def forum(db, sam):
    shown = ForumEditionFactory(year=2030, theme="Decent work", starts_on=date(2030, 6, 10))
    withdrawn = ForumEditionFactory(
        year=2031, theme=PRIVATE, place=PRIVATE, starts_on=date(2031, 6, 10)
    )
    sessions = [
        SessionFactory(edition=shown, title="Opening"),
        SessionFactory(edition=withdrawn, title=PRIVATE, room=PRIVATE),
    ]
    SpeakerFactory(session=sessions[1], name=PRIVATE)
    draft = ForumEditionFactory(year=2032, theme="Never announced", is_published=False)
    SessionFactory(edition=draft, title="Never announced either")
    return {"shown": shown, "withdrawn": withdrawn, "sessions": sessions, "draft": draft}


@pytest.mark.parametrize("resource", ["forum/editions/", "forum/sessions/"])
def test_a_client_learns_that_an_edition_left_public_view(api, forum, sam, resource):
    client = SyncClient(api, resource=resource, page_size=1)
    client.run()
    assert len(client.records) == 2

    services.edition_unpublish(edition=forum["withdrawn"], actor=sam, reason="Postponed")
    response = api.get(resource, data={"updated_since": client.since})
    removed = [record for record in body(response)["results"] if not record["public"]]
    assert len(removed) == 1
    assert set(removed[0]) == {"id", "public", "updated_at"}
    assert PRIVATE.encode() not in response.content
    assert b"Never announced" not in response.content

    client.run()
    kept = forum["shown"].pk if resource == "forum/editions/" else forum["sessions"][0].pk
    assert list(client.records) == [kept]
    assert PRIVATE not in str(client.records)


def test_republishing_brings_the_edition_and_its_programme_back(api, forum, sam):
    editions = SyncClient(api, resource="forum/editions/")
    sessions = SyncClient(api, resource="forum/sessions/")
    services.edition_unpublish(edition=forum["withdrawn"], actor=sam)
    editions.run()
    sessions.run()
    assert forum["withdrawn"].pk not in editions.records

    services.edition_publish(edition=forum["withdrawn"], actor=sam)
    editions.run()
    sessions.run()
    assert editions.records[forum["withdrawn"].pk]["public"] is True
    assert sessions.records[forum["sessions"][1].pk]["title"] == PRIVATE


def test_a_first_sync_reports_no_removed_edition_and_never_a_draft(api, forum, sam):
    services.edition_unpublish(edition=forum["withdrawn"], actor=sam)
    since = "2000-01-01T00:00:00Z"
    for resource in ("forum/editions/", "forum/sessions/"):
        response = api.get(resource, data={"updated_since": since})
        results = body(response)["results"]
        assert [record["public"] for record in results] == [True, False]
        assert b"Never announced" not in response.content
        assert PRIVATE.encode() not in response.content
    # Outside a sync, and for one record, an unpublished edition is not there at all.
    assert [item["id"] for item in body(api.get("forum/editions/"))["results"]] == [
        forum["shown"].pk
    ]
    assert api.get(f"forum/editions/{forum['withdrawn'].pk}/").status_code == 404
    assert api.get(f"forum/sessions/{forum['sessions'][1].pk}/").status_code == 404


def test_unpublishing_marks_the_edition_and_touches_its_sessions(forum, sam):
    session = forum["sessions"][1]
    before = session.updated_at
    edition = services.edition_unpublish(edition=forum["withdrawn"], actor=sam, reason="Postponed")
    assert (edition.is_published, edition.ever_published) == (False, True)
    assert Session.objects.get(pk=session.pk).updated_at > before
    assert edition.history.first().history_change_reason == "Postponed"
    # Unchanged: no new history, no new change time.
    again = services.edition_unpublish(edition=edition, actor=sam)
    assert again.updated_at == edition.updated_at


def test_only_the_secretariat_publishes(forum, alice):
    from coalition.errors import ApplicationError

    with pytest.raises(ApplicationError):
        services.edition_publish(edition=forum["draft"], actor=alice)
    assert not ForumEdition.objects.get(pk=forum["draft"].pk).ever_published


def test_the_database_refuses_a_published_edition_without_its_mark(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        ForumEditionFactory(is_published=True, ever_published=False)


def test_unticking_published_in_the_admin_goes_through_the_service(client, forum, sam, settings):
    settings.REQUIRE_STAFF_TWO_FACTOR = False
    client.force_login(sam)
    edition = forum["withdrawn"]
    url = reverse("admin:forum_forumedition_change", args=[edition.pk])
    form = client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name in form.fields and name != "is_published"
    }
    for name in ("registration_opens_at", "registration_closes_at"):
        value = data.pop(name)
        data[f"{name}_0"] = value.strftime("%Y-%m-%d")
        data[f"{name}_1"] = value.strftime("%H:%M:%S")
    data.update({"sessions-TOTAL_FORMS": 0, "sessions-INITIAL_FORMS": 0, "theme": "Postponed"})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    edition.refresh_from_db()
    assert (edition.theme, edition.is_published, edition.ever_published) == (
        "Postponed",
        False,
        True,
    )
    assert edition.history.first().history_change_reason == "Unpublished"


def test_the_migration_marks_editions_published_before(forum, sam):
    """What 0002's backfill reads: the editions published now, or once in their history."""
    from importlib import import_module

    from django.apps import apps

    migration = import_module("forum.migrations.0002_edition_ever_published")
    (marked_when_published,) = (
        constraint
        for constraint in ForumEdition._meta.constraints
        if constraint.name == "forumedition_published_is_marked"
    )
    with connection.schema_editor() as editor:  # as before 0003 (undone with the test)
        editor.remove_constraint(ForumEdition, marked_when_published)
    edition = forum["withdrawn"]
    edition.is_published = False
    edition.save()  # unpublished outside the services, as before the mark existed
    ForumEdition.objects.update(ever_published=False)
    migration.mark_editions_published_before(apps, None)
    marked = set(ForumEdition.objects.filter(ever_published=True).values_list("year", flat=True))
    assert marked == {2030, 2031}


def test_the_admin_unpublishes_editions_with_a_reason(client, forum, sam, settings):
    from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

    settings.REQUIRE_STAFF_TWO_FACTOR = False
    client.force_login(sam)
    response = client.post(
        reverse("admin:forum_forumedition_changelist"),
        {
            "action": "edition_unpublish",
            ACTION_CHECKBOX_NAME: [forum["withdrawn"].pk],
            "confirm": "1",
            "reason": "Postponed to next year",
        },
    )
    assert response.status_code == 302
    edition = ForumEdition.objects.get(pk=forum["withdrawn"].pk)
    assert (edition.is_published, edition.ever_published) == (False, True)
    assert edition.history.first().history_change_reason == "Postponed to next year"
