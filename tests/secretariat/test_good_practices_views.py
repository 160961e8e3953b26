"""The good-practice pages: the permission matrix of every view (anonymous, stranger, member,
member of another organization, Secretariat), the query count of the lists, accessibility."""

import pytest
from django.urls import reverse

from tests.factories import GoodPracticeAttachmentFactory, GoodPracticeFactory

pytestmark = pytest.mark.django_db

# alice and bob: members of Acme; charlie: member of Globex (both approved partners);
# stranger: signed in, member of nothing; sam: the Secretariat.
EVERYONE = [None, "stranger", "bob", "charlie", "sam"]


def login(client, request, who):
    if who is not None:
        client.force_login(request.getfixturevalue(who))
    return client


@pytest.fixture
def draft(acme):
    practice = GoodPracticeFactory(organization=acme, title="Acme's draft practice")
    GoodPracticeAttachmentFactory(practice=practice)
    return practice


@pytest.fixture
def published(acme):
    practice = GoodPracticeFactory(organization=acme, published=True, title="A public practice")
    GoodPracticeAttachmentFactory(practice=practice)
    return practice


@pytest.mark.parametrize("who", EVERYONE)
def test_everyone_reads_published_practices_and_their_files(client, request, published, who):
    login(client, request, who)
    assert client.get(reverse("good_practices:list")).status_code == 200
    assert client.get(published.get_absolute_url()).status_code == 200
    response = client.get(published.attachments.get().get_absolute_url())
    assert response.status_code == 200
    response.close()


@pytest.mark.parametrize(
    ("who", "expected"),
    [(None, 404), ("stranger", 404), ("bob", 200), ("charlie", 404), ("sam", 200)],
)
def test_a_draft_is_seen_by_its_organization_and_the_secretariat_only(
    client, request, draft, who, expected
):
    login(client, request, who)
    assert client.get(draft.get_absolute_url()).status_code == expected
    response = client.get(draft.attachments.get().get_absolute_url())
    assert response.status_code == expected
    response.close()


@pytest.mark.parametrize(
    ("who", "expected"),
    [(None, 302), ("stranger", 200), ("bob", 200), ("charlie", 200), ("sam", 200)],
)
def test_my_practices_page_needs_a_login(client, request, who, expected):
    login(client, request, who)
    assert client.get(reverse("good_practices:mine")).status_code == expected


@pytest.mark.parametrize(
    ("who", "expected"),
    [(None, 302), ("stranger", 403), ("bob", 200), ("charlie", 200), ("sam", 403)],
)
def test_members_of_approved_partners_open_the_share_form(client, request, who, expected):
    login(client, request, who)
    assert client.get(reverse("good_practices:create")).status_code == expected


# Editing, attaching, removing and submitting: the organization's members only. Those who can't
# see the draft get 404; the Secretariat sees it but doesn't write it (403).
WRITERS = [(None, 302), ("stranger", 404), ("charlie", 404), ("sam", 403)]


@pytest.mark.parametrize(("who", "expected"), [*WRITERS, ("bob", 200)])
def test_only_the_organizations_members_edit_a_draft(client, request, draft, who, expected):
    login(client, request, who)
    assert client.get(reverse("good_practices:edit", kwargs={"pk": draft.pk})).status_code == (
        expected
    )


@pytest.mark.parametrize(("who", "expected"), [*WRITERS, ("bob", 302)])
def test_only_the_organizations_members_submit_a_draft(client, request, draft, who, expected):
    login(client, request, who)
    response = client.post(reverse("good_practices:submit", kwargs={"pk": draft.pk}))
    assert response.status_code == expected
    draft.refresh_from_db()
    assert (draft.status == "submitted") is (who == "bob")


@pytest.mark.parametrize(("who", "expected"), [*WRITERS, ("bob", 400)])
def test_only_the_organizations_members_attach_files(client, request, draft, who, expected):
    login(client, request, who)
    url = reverse("good_practices:attachment_add", kwargs={"pk": draft.pk})
    assert client.post(url).status_code == expected  # bob: no file given, the form says so


@pytest.mark.parametrize(("who", "expected"), [*WRITERS, ("bob", 302)])
def test_only_the_organizations_members_remove_files(client, request, draft, who, expected):
    login(client, request, who)
    attachment = draft.attachments.get()
    url = reverse(
        "good_practices:attachment_delete", kwargs={"pk": draft.pk, "file_pk": attachment.pk}
    )
    assert client.post(url).status_code == expected
    assert draft.attachments.exists() is (who != "bob")


def test_a_submitted_practice_is_no_longer_edited(client, bob, acme):
    practice = GoodPracticeFactory(organization=acme, submitted=True)
    client.force_login(bob)
    assert client.get(reverse("good_practices:edit", kwargs={"pk": practice.pk})).status_code == (
        403
    )


def test_the_public_list_query_count_does_not_grow_with_the_page(
    client, acme, django_assert_num_queries
):
    GoodPracticeFactory.create_batch(3, organization=acme, published=True)
    # 1 count; 2 the practices with their organization; 3-4 their areas and goals;
    # 5-6 the filter's choices (thematic areas, goals).
    with django_assert_num_queries(6):
        assert client.get(reverse("good_practices:list")).status_code == 200
    GoodPracticeFactory.create_batch(12, organization=acme, published=True)
    with django_assert_num_queries(6):
        client.get(reverse("good_practices:list"))


def test_my_practices_query_count_does_not_grow(client, bob, acme, django_assert_num_queries):
    GoodPracticeFactory.create_batch(3, organization=acme)
    client.force_login(bob)
    # 1 session; 2 user; 3 the practices with their organization; 4 may they share.
    with django_assert_num_queries(4):
        client.get(reverse("good_practices:mine"))
    GoodPracticeFactory.create_batch(5, organization=acme)
    with django_assert_num_queries(4):
        client.get(reverse("good_practices:mine"))


def test_htmx_gets_only_the_results_of_the_same_template(client, acme):
    GoodPracticeFactory(organization=acme, published=True, title="A public practice")
    response = client.get(reverse("good_practices:list"), HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert content.lstrip().startswith('<section id="results"')
    assert "A public practice" in content
    assert "<html" not in content
