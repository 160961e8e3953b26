"""Webhooks through a real Celery worker (its own processes, Redis, the test database): the sweep
of due deliveries, as beat starts it every minute, sends to a receiver on loopback, retries a
failure when it is due, and a second sweep sends nothing twice."""

from datetime import timedelta

import pytest
from django.utils import timezone

from commitments.models import Commitment
from secretariat import webhook_services
from secretariat.models import WebhookDelivery
from tests.factories import CommitmentFactory
from tests.secretariat.test_worker import wait_for, worker  # noqa: F401 (a fixture)
from tests.secretariat.webhook_receiver import receiver_fixture  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True)]


def _settled() -> bool:
    return not WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=timezone.now()
    ).exists()


def test_a_real_worker_sends_signed_deliveries_and_retries_a_failure(
    worker,  # noqa: F811
    receiver,
    alice,
    django_capture_on_commit_callbacks,
):
    hook = webhook_services.webhook_create(
        owner=alice, url=receiver.url, events=["commitment.published", "commitment.withdrawn"]
    )
    receiver.secret = hook.secret
    receiver.answers = [503]  # the first attempt to arrive fails
    published = CommitmentFactory(published=True, title="Decent jobs")
    # The tasks queued on commit would go to this process's broker: the worker's sweep sends
    # the deliveries instead, as it does for deliveries whose task was lost.
    with django_capture_on_commit_callbacks():
        webhook_services.webhook_emit("commitment.published", published)
        Commitment.objects.filter(pk=published.pk).update(status="withdrawn", status_reason="Ended")
        webhook_services.webhook_emit("commitment.withdrawn", published)
    worker.start(WEBHOOKS_ALLOW_PRIVATE_ADDRESSES="true")

    worker.send("secretariat.webhook_sweep")
    wait_for(lambda: len(receiver.received) >= 2 and worker.idle(), what=worker.log())
    failed = WebhookDelivery.objects.get(status="pending")
    assert failed.response_status == 503 and failed.attempts == 1
    assert WebhookDelivery.objects.exclude(pk=failed.pk).get().status == "succeeded"

    # The retry is due: the next minute's sweep sends it.
    WebhookDelivery.objects.filter(pk=failed.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    worker.send("secretariat.webhook_sweep")
    wait_for(lambda: _settled() and worker.idle(), what=worker.log())
    worker.send("secretariat.webhook_sweep")  # nothing due: nothing sent
    wait_for(worker.idle, what=worker.log())

    assert len(receiver.received) == 3
    assert receiver.received[-1].event == failed.event
    assert all(item.valid for item in receiver.received)
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"succeeded"}
    assert len({item.delivery for item in receiver.received}) == 2
    assert "ERROR" not in worker.log()
