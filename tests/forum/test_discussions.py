"""The discussion space: members of approved partners post, everyone reads, authors edit for a
while, anyone signed in reports, the Secretariat hides with a reason."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from coalition.errors import ApplicationError
from coalition.models import ThematicArea
from forum import services
from forum.models import POST_EDIT_WINDOW, Post, PostReport, Thread
from partners.models import Organization
from tests.factories import PostFactory, PostReportFactory, ThreadFactory
from tests.forum.conftest import queued_tasks

pytestmark = pytest.mark.django_db


@pytest.fixture
def protection():
    return ThematicArea.objects.get(code="protection")


@pytest.fixture
def thread(alice, acme, protection):
    return services.thread_create(
        thematic_area=protection,
        title="  Reaching   domestic workers ",
        body="What worked **for you**?",
        organization=acme,
        actor=alice,
    )


def login(client, request, who):
    if who is not None:
        client.force_login(request.getfixturevalue(who))
    return client


# Services


def test_a_member_opens_a_discussion_with_a_first_post(thread, alice):
    assert thread.title == "Reaching domestic workers"
    post = thread.posts.get()
    assert (post.author, post.body_html) == (alice, "<p>What worked <strong>for you</strong>?</p>")
    assert thread.history.first().history_user == alice


def test_people_without_an_approved_partner_cannot_post(thread, stranger, acme, bob):
    with pytest.raises(ApplicationError):
        services.post_create(thread=thread, organization=acme, body="Hi", actor=stranger)
    Organization.objects.filter(pk=acme.pk).update(status=Organization.Status.SUSPENDED)
    with pytest.raises(ApplicationError):
        services.post_create(thread=thread, organization=acme, body="Hi", actor=bob)


def test_a_reply_moves_the_discussion_up(thread, charlie, globex):
    before = thread.last_posted_at
    reply = services.post_create(thread=thread, organization=globex, body="A reply", actor=charlie)
    thread.refresh_from_db()
    assert thread.last_posted_at == reply.created_at > before


def test_an_empty_message_is_refused(thread, charlie, globex):
    with pytest.raises(ApplicationError) as error:
        services.post_create(thread=thread, organization=globex, body="   ", actor=charlie)
    assert error.value.field == "body"


def test_the_author_edits_within_the_window_and_not_after(thread, alice, bob):
    post = thread.posts.get()
    with pytest.raises(ApplicationError, match="Only the author"):
        services.post_update(post=post, body="Changed", actor=bob)
    services.post_update(post=post, body="Changed <script>x</script>", actor=alice)
    post.refresh_from_db()
    assert post.body_html == "<p>Changed </p>"
    assert post.edited_at is not None
    late = post.created_at + POST_EDIT_WINDOW + timedelta(seconds=1)
    with time_machine.travel(late), pytest.raises(ApplicationError, match="30 minutes"):
        services.post_update(post=post, body="Too late", actor=alice)
    assert [h.body for h in post.history.all()] == [
        "Changed <script>x</script>",
        "What worked **for you**?",
    ]


def test_a_post_is_reported_once_per_person_and_not_by_its_author(thread, alice, bob, stranger):
    post = thread.posts.get()
    report = services.post_report(post=post, reason="Off topic", actor=stranger)
    assert report.status == PostReport.Status.OPEN
    with pytest.raises(ApplicationError, match="already reported"):
        services.post_report(post=post, reason="Again", actor=stranger)
    with pytest.raises(ApplicationError, match="own post"):
        services.post_report(post=post, reason="Mine", actor=alice)
    with pytest.raises(ApplicationError) as error:
        services.post_report(post=post, reason=" ", actor=bob)
    assert error.value.field == "reason"


def test_the_secretariat_hides_a_post_with_a_reason_kept_in_the_history(
    thread, sam, alice, stranger, django_capture_on_commit_callbacks
):
    post = thread.posts.get()
    report = services.post_report(post=post, reason="Rude", actor=stranger)
    with pytest.raises(ApplicationError):
        services.post_hide(post=post, actor=alice, reason="I can't")
    with pytest.raises(ApplicationError):
        services.post_hide(post=post, actor=sam, reason=" ")
    with django_capture_on_commit_callbacks() as callbacks:
        services.post_hide(post=post, actor=sam, reason="Personal attack")
    post.refresh_from_db()
    report.refresh_from_db()
    assert (post.is_hidden, post.hidden_by, post.hidden_reason) == (True, sam, "Personal attack")
    latest = post.history.first()
    assert (latest.history_user, latest.history_change_reason) == (sam, "Personal attack")
    assert (report.status, report.resolved_by) == (PostReport.Status.UPHELD, sam)
    assert queued_tasks(callbacks) == [("forum.send_post_hidden", (post.pk,))]

    services.post_unhide(post=post, actor=sam, reason="Apology received")
    post.refresh_from_db()
    assert not post.is_hidden
    assert post.history.first().history_change_reason == "Apology received"


def test_a_report_is_upheld_or_dismissed_once(thread, sam, stranger):
    post = thread.posts.get()
    first = PostReportFactory(post=post)
    second = PostReportFactory(post=post)
    services.report_dismiss(report=first, actor=sam, reason="Fine as it is")
    first.refresh_from_db()
    assert (first.status, first.resolution) == (PostReport.Status.DISMISSED, "Fine as it is")
    with pytest.raises(ApplicationError, match="already decided"):
        services.report_uphold(report=first, actor=sam, reason="Changed my mind")
    services.report_uphold(report=second, actor=sam, reason="Spam")
    post.refresh_from_db()
    assert post.hidden_reason == "Spam"


def test_nobody_replies_in_a_hidden_discussion(thread, sam, charlie, globex):
    services.thread_hide(thread=thread, actor=sam, reason="Abusive title")
    with pytest.raises(ApplicationError, match="closed"):
        services.post_create(thread=thread, organization=globex, body="Hi", actor=charlie)
    services.thread_unhide(thread=thread, actor=sam)
    services.post_create(thread=thread, organization=globex, body="Hi", actor=charlie)


# Pages: the permission matrix. alice wrote the thread; bob is of the same partner; charlie of
# another; stranger is a member of nothing; sam is the Secretariat.
EVERYONE = [None, "stranger", "bob", "alice", "charlie", "sam"]


@pytest.mark.parametrize("who", EVERYONE)
def test_everyone_reads_the_discussions(client, request, thread, who):
    login(client, request, who)
    response = client.get(reverse("forum:thread_list"))
    assert thread.title in response.text
    response = client.get(thread.get_absolute_url())
    assert response.status_code == 200
    assert "<strong>for you</strong>" in response.text


@pytest.mark.parametrize(
    ("who", "expected"), [(None, 302), ("stranger", 403), ("bob", 200), ("charlie", 200)]
)
def test_only_members_of_approved_partners_open_discussions(client, request, db, who, expected):
    login(client, request, who)
    response = client.get(reverse("forum:thread_create"))
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(
    ("who", "expected"), [(None, 302), ("stranger", 403), ("bob", 302), ("charlie", 302)]
)
def test_only_members_of_approved_partners_reply(client, request, thread, who, expected):
    login(client, request, who)
    response = client.post(
        reverse("forum:thread_reply", kwargs={"pk": thread.pk}), {"body": "Count me in"}
    )
    assert response.status_code == expected
    replied = Post.objects.filter(body="Count me in").exists()
    assert replied == (who in ("bob", "charlie"))
    if who is None:
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(
    ("who", "expected"),
    [(None, 302), ("stranger", 403), ("bob", 403), ("charlie", 403), ("sam", 403), ("alice", 200)],
)
def test_only_the_author_edits_a_post(client, request, thread, who, expected):
    login(client, request, who)
    post = thread.posts.get()
    assert client.get(reverse("forum:post_edit", kwargs={"pk": post.pk})).status_code == expected


def test_the_edit_window_closes(client, thread, alice):
    client.force_login(alice)
    post = thread.posts.get()
    url = reverse("forum:post_edit", kwargs={"pk": post.pk})
    assert "Edit" in client.get(thread.get_absolute_url()).text
    response = client.post(url, {"body": "Corrected"})
    assert response.status_code == 302
    with time_machine.travel(post.created_at + POST_EDIT_WINDOW + timedelta(minutes=1)):
        assert client.get(url).status_code == 403
        assert client.post(url, {"body": "Late"}).status_code == 403
        assert f'href="{url}"' not in client.get(thread.get_absolute_url()).text
    post.refresh_from_db()
    assert post.body == "Corrected"


@pytest.mark.parametrize(
    ("who", "expected"), [(None, 302), ("stranger", 200), ("bob", 200), ("sam", 200)]
)
def test_anyone_signed_in_reports_a_post(client, request, thread, who, expected):
    login(client, request, who)
    post = thread.posts.get()
    url = reverse("forum:post_report", kwargs={"pk": post.pk})
    assert client.get(url).status_code == expected
    if who:
        response = client.post(url, {"reason": "Advertising"}, follow=True)
        assert "The Secretariat will review" in response.text
        assert PostReport.objects.filter(reporter=request.getfixturevalue(who)).exists()


def test_a_hidden_post_shows_a_notice_and_its_text_only_to_its_author_and_the_secretariat(
    client, request, thread, sam, charlie, globex
):
    reply = services.post_create(
        thread=thread, organization=globex, body="Rude words here", actor=charlie
    )
    services.post_hide(post=reply, actor=sam, reason="Personal attack")
    for who, sees_text in [(None, False), ("bob", False), ("charlie", True), ("sam", True)]:
        client.logout()
        login(client, request, who)
        response = client.get(thread.get_absolute_url())
        assert "This post was hidden by the Secretariat" in response.text
        assert ("Rude words here" in response.text) == sees_text, who
        assert ("Personal attack" in response.text) == sees_text, who
    client.logout()
    login(client, request, "bob")
    assert client.get(reverse("forum:post_report", kwargs={"pk": reply.pk})).status_code == 404


@pytest.mark.parametrize(
    ("who", "expected"),
    [(None, 404), ("stranger", 404), ("bob", 404), ("alice", 200), ("sam", 200)],
)
def test_a_hidden_discussion_is_seen_only_by_its_author_and_the_secretariat(
    client, request, thread, sam, who, expected
):
    services.thread_hide(thread=thread, actor=sam, reason="Abusive title")
    login(client, request, who)
    assert client.get(thread.get_absolute_url()).status_code == expected
    assert (thread.title in client.get(reverse("forum:thread_list")).text) == (expected == 200)


def test_a_member_opens_a_discussion_in_the_browser(client, bob, protection):
    client.force_login(bob)
    response = client.post(
        reverse("forum:thread_create"),
        {
            "thematic_area": protection.code,
            "title": "Care work",
            "body": "Hello <img src=x onerror=alert(1)> [x](javascript:alert(1))",
        },
    )
    thread = Thread.objects.get(title="Care work")
    assert response["Location"] == thread.get_absolute_url()
    page = client.get(thread.get_absolute_url()).text
    assert "onerror" not in page
    assert "javascript:" not in page


def test_a_reply_with_errors_shows_them_next_to_the_form(client, thread, bob):
    client.force_login(bob)
    response = client.post(reverse("forum:thread_reply", kwargs={"pk": thread.pk}), {"body": ""})
    assert response.status_code == 400
    assert "This field is required" in response.text


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("thematic_area=protection", True),
        ("thematic_area=employment", False),
        ("search=domestic", True),
        ("search=worked", True),
        ("search=nothing-like-this", False),
    ],
)
def test_discussion_filters(client, thread, query, found):
    response = client.get(f"{reverse('forum:thread_list')}?{query}")
    assert (thread.title in response.text) == found


def test_htmx_gets_only_the_discussions(client, thread):
    response = client.get(reverse("forum:thread_list"), headers={"HX-Request": "true"})
    assert response.text.lstrip().startswith('<section id="results"')


def test_the_discussion_list_query_count_does_not_grow(client, db, django_assert_num_queries):
    for _ in range(2):
        PostFactory(thread=ThreadFactory())
    # 1. count of the discussions  2. the page of discussions with their area, author, partner
    # and reply count  3. thematic areas of the filter form
    with django_assert_num_queries(3) as few:
        client.get(reverse("forum:thread_list"))
    for _ in range(10):
        PostFactory(thread=ThreadFactory())
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(reverse("forum:thread_list"))


def test_the_discussion_page_query_count_does_not_grow(
    client, thread, bob, charlie, globex, django_assert_num_queries
):
    client.force_login(bob)
    services.post_create(thread=thread, organization=globex, body="One", actor=charlie)
    url = thread.get_absolute_url()
    # 1. the session  2. the user  3. the thread with its area, author and partner  4. the posts
    # with authors and partners  5. the partners bob may post for
    with django_assert_num_queries(5) as few:
        client.get(url)
    for number in range(10):
        services.post_create(thread=thread, organization=globex, body=f"{number}", actor=charlie)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(url)


def test_a_discussion_started_from_a_filtered_list_has_its_thematic_area_chosen(client, bob):
    client.force_login(bob)
    listing = client.get(f"{reverse('forum:thread_list')}?thematic_area=employment")
    assert f"{reverse('forum:thread_create')}?thematic_area=employment" in listing.text
    form = client.get(f"{reverse('forum:thread_create')}?thematic_area=employment")
    assert '<option value="employment" selected>' in form.text
