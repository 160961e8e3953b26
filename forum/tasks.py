"""Emails of the Forum. Each goes through the registry's delivery log (`send_templated_email`),
keyed by its kind, its recipient and the object it is about, so a retried or duplicated task
sends it once. A task loads fresh state and sends nothing when the news no longer holds."""

from celery import shared_task
from django.utils import translation

from coalition.emails import absolute_url, send_templated_email
from forum.models import Post, Registration
from partners.tasks import TASK_OPTIONS

# Kinds of the delivery log (the first part of each email's idempotency key).
KIND_REGISTRATION = "forum_registration"
KIND_PROMOTION = "forum_promotion"
KIND_POST_HIDDEN = "forum_post_hidden"


def _registration_context(registration: Registration) -> dict:
    edition = registration.edition
    # Links in the recipient's language: the i18n URLs carry it as their prefix.
    with translation.override(registration.user.language):
        return {
            "registration": registration,
            "edition": edition,
            "organization": registration.organization.name,
            "registration_url": absolute_url(registration.get_absolute_url()),
            "edition_url": absolute_url(edition.get_absolute_url()),
        }


def _load_registration(registration_id: int) -> Registration:
    return Registration.objects.select_related("edition", "user", "organization").get(
        pk=registration_id
    )


@shared_task(name="forum.send_registration_confirmation", **TASK_OPTIONS)
def send_registration_confirmation(registration_id: int) -> None:
    """Confirms a registration, or a place on the waitlist, to the participant."""
    registration = _load_registration(registration_id)
    if registration.status == Registration.Status.CANCELLED:
        return
    send_templated_email(
        kind=KIND_REGISTRATION,
        to=registration.user.email,
        language=registration.user.language,
        template="forum/registration_received",
        context=_registration_context(registration),
        recipient=registration.user,
        about=registration,
    )


@shared_task(name="forum.send_registration_promoted", **TASK_OPTIONS)
def send_registration_promoted(registration_id: int) -> None:
    """Tells a person on the waitlist that a seat was freed for them and that it is theirs."""
    registration = _load_registration(registration_id)
    if registration.status != Registration.Status.REGISTERED or registration.promoted_at is None:
        return
    send_templated_email(
        kind=KIND_PROMOTION,
        to=registration.user.email,
        language=registration.user.language,
        template="forum/registration_promoted",
        context=_registration_context(registration),
        recipient=registration.user,
        about=registration,
    )


@shared_task(name="forum.send_post_hidden", **TASK_OPTIONS)
def send_post_hidden(post_id: int) -> None:
    """Tells the author that the Secretariat hid their post, and why."""
    post = Post.objects.select_related("author", "thread").get(pk=post_id)
    if post.hidden_at is None:
        return
    with translation.override(post.author.language):
        post_url = absolute_url(post.get_absolute_url())
    send_templated_email(
        kind=KIND_POST_HIDDEN,
        to=post.author.email,
        language=post.author.language,
        template="forum/post_hidden",
        context={"post": post, "thread": post.thread, "post_url": post_url},
        recipient=post.author,
        about=post,
        # A post hidden, shown again and hidden again is news again.
        period=post.hidden_at.isoformat(),
    )
