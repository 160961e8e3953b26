"""The scheduled jobs of the registry and the tasks they fan out to.

Celery beat starts the sweeps (CELERY_BEAT_SCHEDULE in settings). A sweep reads the database for
one day and records the emails under their idempotency key, then hands them out in batches:
`deliver` sends recorded emails, `digest_batch` builds and sends the digests of a few hundred
people. No task holds every recipient, none waits on a long countdown, and each can run twice:
what is recorded is not recorded again and what is sent is not sent again. `run_job` runs the
same jobs in its own process.
"""

from collections.abc import Callable
from datetime import date, timedelta
from itertools import batched

from celery import shared_task
from django.urls import reverse
from django.utils import timezone, translation

from coalition.emails import absolute_url, send_templated_email
from partners.models import Membership
from partners.tasks import TASK_OPTIONS
from secretariat import selectors, services
from secretariat.models import DigestFrequency, GoodPractice
from secretariat.services import TransientMailError

DELIVERY_BATCH_SIZE = 100
DIGEST_BATCH_SIZE = 200
# A queued email this old was lost by its task (or its task gave up): the recovery sweep sends it.
STALE_AFTER = timedelta(minutes=15)

SWEEP_OPTIONS = {"acks_late": True, "soft_time_limit": 240, "time_limit": 300}
# Sending tasks retry on a passing mail error: 30 s, 60 s, 120 s... at most 15 minutes apart,
# always shorter than the broker's visibility timeout (1 hour), then the recovery sweep takes over.
SEND_OPTIONS = {
    **SWEEP_OPTIONS,
    "autoretry_for": (TransientMailError,),
    "retry_backoff": 30,
    "retry_backoff_max": 900,
    "retry_jitter": True,
    "max_retries": 6,
}

Dispatch = Callable[..., None]


def _enqueue(task, *args) -> None:
    task.delay(*args)


def run_here(task, *args) -> None:
    """Runs a fanned-out task in this process (run_job, tests)."""
    task(*args)


def _day(value: str | None) -> date:
    return date.fromisoformat(value) if value else timezone.localdate()


def _send_in_batches(delivery_ids: list[int], dispatch: Dispatch) -> int:
    for batch in batched(delivery_ids, DELIVERY_BATCH_SIZE):
        dispatch(deliver, list(batch))
    return len(delivery_ids)


# --- Jobs: what each scheduled task does, callable with either way of dispatching -------------


def daily_reminders_job(day: date, dispatch: Dispatch = _enqueue) -> int:
    return _send_in_batches(services.reminders_queue(day=day), dispatch)


def moderation_digest_job(day: date, dispatch: Dispatch = _enqueue) -> int:
    return _send_in_batches(services.moderation_digest_queue(day=day), dispatch)


def _digest_job(frequency: str):
    def job(day: date, dispatch: Dispatch = _enqueue) -> int:
        user_ids = selectors.digest_recipient_ids(frequency=frequency)
        for batch in batched(user_ids, DIGEST_BATCH_SIZE):
            dispatch(digest_batch, list(batch), frequency, day.isoformat())
        return len(user_ids)

    return job


weekly_digest_job = _digest_job(DigestFrequency.WEEKLY)
monthly_digest_job = _digest_job(DigestFrequency.MONTHLY)


def retry_queued_job(day: date | None = None, dispatch: Dispatch = _enqueue) -> int:
    before = timezone.now() - STALE_AFTER
    return _send_in_batches(selectors.stale_queued_delivery_ids(before=before), dispatch)


JOBS: dict[str, Callable[..., int]] = {
    "daily_reminders": daily_reminders_job,
    "moderation_digest": moderation_digest_job,
    "weekly_digest": weekly_digest_job,
    "monthly_digest": monthly_digest_job,
    "retry_queued": retry_queued_job,
}


# --- Tasks ------------------------------------------------------------------------------------


@shared_task(name="secretariat.daily_reminders", **SWEEP_OPTIONS)
def daily_reminders(day: str | None = None) -> int:
    """Deliverables due soon or overdue, partners without a commitment, idle drafts, items
    waiting for the Secretariat."""
    return daily_reminders_job(_day(day))


@shared_task(name="secretariat.moderation_digest", **SWEEP_OPTIONS)
def moderation_digest(day: str | None = None) -> int:
    return moderation_digest_job(_day(day))


@shared_task(name="secretariat.weekly_digest", **SWEEP_OPTIONS)
def weekly_digest(day: str | None = None) -> int:
    return weekly_digest_job(_day(day))


@shared_task(name="secretariat.monthly_digest", **SWEEP_OPTIONS)
def monthly_digest(day: str | None = None) -> int:
    return monthly_digest_job(_day(day))


@shared_task(name="secretariat.retry_queued", **SWEEP_OPTIONS)
def retry_queued() -> int:
    return retry_queued_job()


@shared_task(name="secretariat.digest_batch", **SEND_OPTIONS)
def digest_batch(user_ids: list[int], frequency: str, day: str) -> None:
    """Builds and sends the digests of one batch of people."""
    delivery_ids = services.digest_batch_queue(
        user_ids=user_ids, frequency=frequency, day=date.fromisoformat(day)
    )
    services.deliveries_send(delivery_ids=delivery_ids)


@shared_task(name="secretariat.deliver", **SEND_OPTIONS)
def deliver(delivery_ids: list[int]) -> None:
    """Sends recorded emails that are still queued."""
    services.deliveries_send(delivery_ids=delivery_ids)


# --- Good practices ---------------------------------------------------------------------------

KIND_GOOD_PRACTICE_DECISION = "good_practice_decision"


@shared_task(name="secretariat.send_good_practice_decision", **TASK_OPTIONS)
def send_good_practice_decision(practice_id: int) -> None:
    """Tells the members of the organization that its practice was published or returned.
    Keyed by the decision's time: a retried task sends nothing more, a later decision is news."""
    practice = GoodPractice.objects.select_related("organization").get(pk=practice_id)
    if practice.status not in (GoodPractice.Status.PUBLISHED, GoodPractice.Status.RETURNED):
        return
    members = Membership.objects.filter(
        organization_id=practice.organization_id, user__is_active=True
    ).select_related("user")
    for membership in members.order_by("user_id"):
        user = membership.user
        with translation.override(user.language):
            practice_url = absolute_url(practice.get_absolute_url())
            edit_url = absolute_url(reverse("good_practices:edit", kwargs={"pk": practice.pk}))
        send_templated_email(
            kind=KIND_GOOD_PRACTICE_DECISION,
            to=user.email,
            language=user.language,
            template="secretariat/good_practice_decision",
            context={
                "practice": practice,
                "published": practice.status == GoodPractice.Status.PUBLISHED,
                "practice_url": practice_url,
                "edit_url": edit_url,
            },
            recipient=user,
            about=practice,
            period=practice.status_changed_at.isoformat(),
        )
