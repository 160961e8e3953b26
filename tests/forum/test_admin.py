"""The Secretariat runs the Forum in the admin: every model is there with its history, and the
decisions go through the services with a reason."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import mail
from django.urls import reverse

from forum.models import ForumEdition, Post, PostReport, Registration, Thread
from tests.factories import (
    PostFactory,
    PostReportFactory,
    RegistrationFactory,
    SessionFactory,
    SpeakerFactory,
)

pytestmark = pytest.mark.django_db

NEEDS = "Step-free access, private note 5521"


@pytest.fixture
def admin_client(client, sam, settings):
    settings.REQUIRE_STAFF_TWO_FACTOR = False
    client.force_login(sam)
    return client


@pytest.fixture
def everything(edition):
    SpeakerFactory(session=SessionFactory(edition=edition))
    registration = RegistrationFactory(edition=edition, accessibility_needs=NEEDS)
    report = PostReportFactory()
    return {
        "forumedition": edition,
        "session": edition.sessions.get(),
        "registration": registration,
        "thread": report.post.thread,
        "post": report.post,
        "postreport": report,
    }


@pytest.mark.parametrize(
    "model", ["forumedition", "session", "registration", "thread", "post", "postreport"]
)
def test_every_forum_model_has_a_list_a_page_and_a_history(admin_client, everything, model):
    obj = everything[model]
    for view, args in [("changelist", []), ("change", [obj.pk]), ("history", [obj.pk])]:
        response = admin_client.get(reverse(f"admin:forum_{model}_{view}", args=args))
        assert response.status_code == 200, view


def test_the_secretariat_sees_accessibility_needs_in_the_admin(admin_client, everything):
    registration = everything["registration"]
    response = admin_client.get(reverse("admin:forum_registration_change", args=[registration.pk]))
    assert NEEDS in response.text


def test_hiding_posts_in_the_admin_requires_a_reason(admin_client, sam, run_queued_tasks):
    post = PostFactory()
    changelist = reverse("admin:forum_post_changelist")
    data = {"action": "post_hide", ACTION_CHECKBOX_NAME: [post.pk], "confirm": "1", "reason": ""}
    response = admin_client.post(changelist, data)
    assert "This field is required" in response.text
    assert not Post.objects.get(pk=post.pk).is_hidden

    with run_queued_tasks():
        response = admin_client.post(changelist, {**data, "reason": "Spam"}, follow=True)
    assert "1 item done" in response.text
    post.refresh_from_db()
    assert (post.hidden_reason, post.hidden_by) == ("Spam", sam)
    assert post.history.first().history_change_reason == "Spam"
    assert "Spam" in mail.outbox[0].body


def test_a_report_is_upheld_from_the_list_of_reports(admin_client, sam):
    report = PostReportFactory()
    response = admin_client.post(
        reverse("admin:forum_postreport_changelist"),
        {
            "action": "report_uphold",
            ACTION_CHECKBOX_NAME: [report.pk],
            "confirm": "1",
            "reason": "Insults",
        },
        follow=True,
    )
    assert "1 item done" in response.text
    report.refresh_from_db()
    assert report.status == PostReport.Status.UPHELD
    assert report.post.hidden_reason == "Insults"


def test_a_thread_is_hidden_from_the_admin(admin_client):
    thread = PostFactory().thread
    admin_client.post(
        reverse("admin:forum_thread_changelist"),
        {
            "action": "thread_hide",
            ACTION_CHECKBOX_NAME: [thread.pk],
            "confirm": "1",
            "reason": "Off topic",
        },
    )
    assert Thread.objects.get(pk=thread.pk).hidden_reason == "Off topic"


def test_the_secretariat_cancels_a_registration_with_a_reason(admin_client, edition):
    seated = RegistrationFactory(edition=edition)
    RegistrationFactory(edition=edition)
    waiting = RegistrationFactory(
        edition=edition, status="waitlisted", waitlisted_at=seated.created_at, registered_at=None
    )
    admin_client.post(
        reverse("admin:forum_registration_changelist"),
        {
            "action": "registration_cancel",
            ACTION_CHECKBOX_NAME: [seated.pk],
            "confirm": "1",
            "reason": "Duplicate registration",
        },
    )
    seated.refresh_from_db()
    waiting.refresh_from_db()
    assert (seated.status, waiting.status) == ("cancelled", "registered")
    assert seated.history.first().history_change_reason == "Duplicate registration"


def test_adding_seats_in_the_admin_promotes_people_waiting(admin_client, edition):
    for _ in range(2):
        RegistrationFactory(edition=edition)
    waiting = RegistrationFactory(
        edition=edition, status="waitlisted", waitlisted_at=edition.created_at, registered_at=None
    )
    url = reverse("admin:forum_forumedition_change", args=[edition.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name in form.fields
    }
    data.update(
        {
            "in_person_capacity": 3,
            "registration_opens_at_0": edition.registration_opens_at.strftime("%Y-%m-%d"),
            "registration_opens_at_1": edition.registration_opens_at.strftime("%H:%M:%S"),
            "registration_closes_at_0": edition.registration_closes_at.strftime("%Y-%m-%d"),
            "registration_closes_at_1": edition.registration_closes_at.strftime("%H:%M:%S"),
            "sessions-TOTAL_FORMS": 0,
            "sessions-INITIAL_FORMS": 0,
        }
    )
    data.pop("registration_opens_at", None)
    data.pop("registration_closes_at", None)
    response = admin_client.post(url, data, follow=True)
    assert "got a seat" in response.text, response.context["adminform"].form.errors
    assert ForumEdition.objects.get(pk=edition.pk).in_person_capacity == 3
    assert Registration.objects.get(pk=waiting.pk).status == "registered"


def test_registrations_are_never_added_or_deleted_in_the_admin(admin_client, everything):
    assert admin_client.get(reverse("admin:forum_registration_add")).status_code == 403
    registration = everything["registration"]
    url = reverse("admin:forum_registration_delete", args=[registration.pk])
    assert admin_client.get(url).status_code == 403
