"""The Forum's emails: text and HTML, in the recipient's language, sent once."""

import pytest
from django.core import mail

from forum import services, tasks
from forum.models import AttendanceMode
from tests.factories import ForumEditionFactory, PostFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_edition(alice, acme):
    edition = ForumEditionFactory(year=2033, in_person_capacity=1)
    RegistrationFactory(edition=edition, user=alice, organization=acme)
    return edition


def html_of(message) -> str:
    return next(content for content, kind in message.alternatives if kind == "text/html")


def test_a_promoted_person_is_emailed_in_their_language(
    full_edition, alice, charlie, globex, run_queued_tasks
):
    charlie.language = "fr"
    charlie.save()
    with run_queued_tasks():
        waiting = services.registration_create(
            edition=full_edition,
            organization=globex,
            attendance_mode=AttendanceMode.IN_PERSON,
            actor=charlie,
        )
    assert [m.to for m in mail.outbox] == [["charlie@example.org"]]
    assert "liste d'attente" in mail.outbox[0].subject
    mail.outbox.clear()

    with run_queued_tasks():
        services.registration_cancel(registration=alice.forum_registrations.get(), actor=alice)

    [message] = mail.outbox
    assert message.to == ["charlie@example.org"]
    assert message.subject == "Une place vous est attribuée au Forum 2033"
    assert f"/fr/forum/registrations/{waiting.pk}/" in message.body
    assert "frais d'inscription" in message.body
    html = html_of(message)
    assert 'lang="fr"' in html
    assert f"/fr/forum/registrations/{waiting.pk}/" in html


def test_a_retried_promotion_email_is_sent_once(full_edition, alice, charlie, globex):
    waiting = RegistrationFactory(
        edition=full_edition,
        user=charlie,
        organization=globex,
        status="waitlisted",
        waitlisted_at=full_edition.created_at,
        registered_at=None,
    )
    services.registration_cancel(registration=alice.forum_registrations.get(), actor=alice)
    tasks.send_registration_promoted(waiting.pk)
    tasks.send_registration_promoted(waiting.pk)
    assert len(mail.outbox) == 1


def test_no_promotion_email_for_someone_who_was_not_promoted(full_edition, alice):
    tasks.send_registration_promoted(alice.forum_registrations.get().pk)
    assert mail.outbox == []


def test_a_registration_cancelled_before_its_email_gets_none(full_edition, alice):
    registration = alice.forum_registrations.get()
    services.registration_cancel(registration=registration, actor=alice)
    tasks.send_registration_confirmation(registration.pk)
    assert mail.outbox == []


def test_the_author_of_a_hidden_post_is_told_why(sam, run_queued_tasks):
    post = PostFactory()
    with run_queued_tasks():
        services.post_hide(post=post, actor=sam, reason="Advertising is not allowed")
    [message] = mail.outbox
    assert message.to == [post.author.email]
    assert "Advertising is not allowed" in message.body
    assert "Advertising is not allowed" in html_of(message)
    assert f"#post-{post.pk}" in message.body


def test_a_confirmation_task_run_twice_sends_one_email(full_edition, alice):
    registration = alice.forum_registrations.get()

    tasks.send_registration_confirmation(registration.pk)
    tasks.send_registration_confirmation(registration.pk)  # a retried task

    assert [message.to for message in mail.outbox] == [["alice@example.org"]]


def test_a_hidden_post_task_run_twice_sends_one_email(sam):
    post = PostFactory()
    services.post_hide(post=post, actor=sam, reason="Advertising is not allowed")
    mail.outbox.clear()

    tasks.send_post_hidden(post.pk)
    tasks.send_post_hidden(post.pk)

    assert [message.to for message in mail.outbox] == [[post.author.email]]
