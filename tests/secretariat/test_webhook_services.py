"""Webhooks end to end in this process: the real services make each event happen, a receiver on
loopback checks every signature, and the outbox retries, gives up and disables as promised."""

from datetime import timedelta

import orjson
import pytest
import time_machine
from django.db import connection
from django.utils import timezone, translation
from django.utils.translation import gettext

from commitments import services as commitments
from commitments.models import CommitmentRevision
from partners import services as partners
from secretariat import webhook_services, webhooks
from secretariat.models import (
    WEBHOOK_SUBSCRIPTION_CHOICES,
    EmailDelivery,
    NotificationKind,
    Webhook,
    WebhookAttempt,
    WebhookDelivery,
)
from secretariat.webhooks import WebhookError
from tests.api.conftest import build_content, make_published
from tests.factories import ApplicationFactory, UserFactory
from tests.secretariat.webhook_receiver import receiver_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def register(owner, receiver, events=webhooks.EVENTS, **kwargs) -> Webhook:
    hook = webhook_services.webhook_create(
        owner=owner, url=receiver.url, events=list(events), **kwargs
    )
    receiver.secret = hook.secret
    return hook


def send_due(run_queued_tasks) -> list[str]:
    """What the sweep of due deliveries does, in this process."""
    with run_queued_tasks():
        return [
            webhook_services.webhook_delivery_send(delivery_id=pk).status
            for pk in webhook_services.webhook_due_delivery_ids(now=timezone.now())
        ]


def public_json(client, path: str) -> dict:
    record = orjson.loads(client.get(f"/api/v1/{path}").content)
    record.pop("pending_edit", None)  # the detail's extra; null for an anonymous client
    return record


# Each event, from the service that makes it happen ---------------------------------------------


def test_each_event_reaches_the_receiver_signed_with_the_public_representation(
    receiver, client, settings, acme, alice, sam, run_queued_tasks
):
    settings.SITE_URL = "http://testserver"  # the addresses in the data match the API's
    register(alice, receiver)

    with run_queued_tasks():
        application = ApplicationFactory(organization__name="Initech Workers")
        partners.application_approve(application=application, actor=sam)
    with run_queued_tasks():
        commitment = make_published(acme, alice, sam, title="Apprenticeships")
    published_data = public_json(client, f"commitments/{commitment.pk}/")
    with run_queued_tasks():
        update = commitments.progress_update_create(
            commitment=commitment,
            actor=alice,
            date=timezone.localdate(),
            narrative="120 apprentices started.",
        )
    with run_queued_tasks():
        commitment.refresh_from_db()
        commitments.commitment_update(
            commitment=commitment,
            actor=alice,
            content=build_content(title="Apprenticeships for 600"),
            lock_version=commitment.lock_version,
        )
        commitments.commitment_submit(commitment=commitment, actor=alice, reason="More places")
        commitments.commitment_publish(commitment=commitment, actor=sam)
    updated_data = public_json(client, f"commitments/{commitment.pk}/")
    with run_queued_tasks():
        commitments.commitment_withdraw(commitment=commitment, actor=alice, reason="Funding ended")

    assert [item.event for item in receiver.received] == [
        "partner.approved",
        "commitment.published",
        "progress.posted",
        "commitment.updated",
        "commitment.withdrawn",
    ]
    assert all(item.valid for item in receiver.received)
    by_event = {item.event: item.body for item in receiver.received}
    for item in receiver.received:
        assert item.body["event"] == item.event and item.body["id"] == item.delivery
        assert WebhookDelivery.objects.get(uuid=item.delivery).status == "succeeded"
    assert by_event["partner.approved"]["data"] == public_json(
        client, f"partners/{application.organization_id}/"
    )
    assert by_event["partner.approved"]["data"]["public"] is True
    assert by_event["commitment.published"]["data"] == published_data
    assert by_event["commitment.updated"]["data"] == updated_data
    assert by_event["commitment.updated"]["data"]["title"] == "Apprenticeships for 600"
    assert by_event["commitment.withdrawn"]["data"] == public_json(
        client, f"commitments/{commitment.pk}/"
    )
    assert by_event["commitment.withdrawn"]["data"]["status_reason"] == "Funding ended"
    assert by_event["progress.posted"]["data"] == public_json(
        client, f"commitments/{commitment.pk}/progress/{update.pk}/"
    )
    assert CommitmentRevision.objects.get().status == "published"


def test_the_payload_carries_nothing_private(receiver, acme, alice, bob, sam, run_queued_tasks):
    register(alice, receiver, events=["commitment.published"])
    draft = commitments.commitment_create(organization=acme, actor=bob, content=build_content())
    commitments.commitment_submit(commitment=draft, actor=alice)
    with run_queued_tasks():
        commitments.commitment_publish(commitment=draft, actor=sam)
    (item,) = receiver.received
    text = item.raw.decode()
    assert "@example.org" not in text  # nobody's email: no author, submitter or reviewer
    assert item.body["data"]["lock_version"] is None
    assert set(item.body) == {"id", "event", "created_at", "data"}


@pytest.mark.parametrize("json_contains", [True, False], ids=["postgresql", "sqlite"])
def test_only_active_hooks_subscribed_to_the_event_get_it(
    receiver, acme, alice, charlie, sam, monkeypatch, json_contains
):
    # SQLite (the demo) has no lookup inside a JSON list: the hooks' lists are read in Python.
    monkeypatch.setattr(connection.features, "supports_json_field_contains", json_contains)
    progress_only = register(alice, receiver, events=["progress.posted"])
    subscribed = register(charlie, receiver, events=["commitment.published"])
    disabled = register(alice, receiver, events=["commitment.published"])
    webhook_services.webhook_disable(hook=disabled, actor=alice)
    former = UserFactory()
    register(former, receiver, events=["commitment.published"])
    former.is_active = False  # a closed account's hooks fall silent
    former.save()
    make_published(acme, alice, sam)
    assert list(WebhookDelivery.objects.values_list("hook", "event")) == [
        (subscribed.pk, "commitment.published")
    ]
    assert not progress_only.deliveries.exists()


def test_nothing_is_recorded_nor_sent_for_a_rolled_back_change(receiver, acme, alice, sam):
    register(alice, receiver)
    application = ApplicationFactory()

    class Boom(Exception):
        pass

    from django.db import transaction

    with pytest.raises(Boom), transaction.atomic():
        partners.application_approve(application=application, actor=sam)
        raise Boom
    assert not WebhookDelivery.objects.exists()


def test_a_rejected_application_or_a_draft_tells_nobody(receiver, acme, alice, sam):
    register(alice, receiver)
    partners.application_reject(application=ApplicationFactory(), actor=sam, reason="Not now")
    commitments.commitment_create(organization=acme, actor=alice, content=build_content())
    assert not WebhookDelivery.objects.exists()


def test_the_body_is_frozen_when_the_event_happens(receiver, acme, alice, sam, run_queued_tasks):
    register(alice, receiver, events=["commitment.published"])
    receiver.answers = [503]
    with run_queued_tasks():
        commitment = make_published(acme, alice, sam, title="First title")
    commitment.title = "Changed afterwards"
    commitment.save()
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        assert send_due(run_queued_tasks) == ["succeeded"]
    first, second = receiver.received
    assert first.raw == second.raw and second.body["data"]["title"] == "First title"
    assert first.valid and second.valid  # each attempt signed when it is sent


# Retries, backoff and disabling ----------------------------------------------------------------


def test_a_failed_delivery_is_retried_with_backoff_until_it_succeeds(
    receiver, acme, alice, sam, run_queued_tasks
):
    hook = register(alice, receiver, events=["commitment.published"])
    receiver.answers = [500, 502]
    start = timezone.now()
    with time_machine.travel(start, tick=False), run_queued_tasks():
        make_published(acme, alice, sam)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("pending", 1, 500)
    assert delivery.next_attempt_at == start + webhooks.RETRY_DELAYS[0]
    assert delivery.response_excerpt == "receiver says no"
    hook.refresh_from_db()
    assert hook.consecutive_failures == 1

    with time_machine.travel(start + timedelta(seconds=59), tick=False):
        assert send_due(run_queued_tasks) == []  # not due yet
    with time_machine.travel(start + webhooks.RETRY_DELAYS[0], tick=False):
        assert send_due(run_queued_tasks) == ["retry"]
    delivery.refresh_from_db()
    assert delivery.next_attempt_at == start + webhooks.RETRY_DELAYS[0] + webhooks.RETRY_DELAYS[1]
    with time_machine.travel(delivery.next_attempt_at, tick=False):
        assert send_due(run_queued_tasks) == ["succeeded"]

    delivery.refresh_from_db()
    hook.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("succeeded", 3, 200)
    assert delivery.next_attempt_at is None and delivery.delivered_at is not None
    assert hook.consecutive_failures == 0 and hook.active
    assert [a.response_status for a in delivery.attempt_log.order_by("pk")] == [500, 502, 200]
    assert len({item.delivery for item in receiver.received}) == 1  # one delivery, three tries
    assert all(item.valid for item in receiver.received)


def test_a_delivery_gives_up_after_the_last_retry(receiver, acme, alice, sam, run_queued_tasks):
    register(alice, receiver, events=["commitment.published"])
    receiver.answers = [500] * 10
    with run_queued_tasks():
        make_published(acme, alice, sam)
    delivery = WebhookDelivery.objects.get()
    for _retry in webhooks.RETRY_DELAYS:
        with time_machine.travel(delivery.next_attempt_at, tick=False):
            send_due(run_queued_tasks)
        delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.next_attempt_at is None
    assert delivery.attempts == len(webhooks.RETRY_DELAYS) + 1
    assert len(receiver.received) == delivery.attempts


def test_repeated_failures_disable_the_hook_and_email_its_owner_once(
    receiver, acme, alice, sam, run_queued_tasks, django_capture_on_commit_callbacks, mailoutbox
):
    alice.language = "fr"
    alice.save()
    hook = register(alice, receiver, events=["progress.posted"], name="Reporting tool")
    commitment = make_published(acme, alice, sam)
    receiver.answers = [500] * 50
    for day in range(webhooks.DISABLE_AFTER_FAILURES + 2):
        # Each event's first attempt, made by the sweep here so that the email task it queues
        # runs too.
        with django_capture_on_commit_callbacks():
            commitments.progress_update_create(
                commitment=commitment,
                actor=alice,
                date=timezone.localdate() - timedelta(days=day),
                narrative=f"Update {day}",
            )
        send_due(run_queued_tasks)
    hook.refresh_from_db()
    assert not hook.active and hook.disabled_reason == "failures"
    assert hook.consecutive_failures == webhooks.DISABLE_AFTER_FAILURES
    # Ten attempts were made; the events after the disabling were not recorded at all, and the
    # deliveries waiting for a retry were given up.
    assert WebhookAttempt.objects.count() == webhooks.DISABLE_AFTER_FAILURES
    assert len(receiver.received) == webhooks.DISABLE_AFTER_FAILURES
    assert not WebhookDelivery.objects.filter(status="pending").exists()
    assert WebhookDelivery.objects.count() == webhooks.DISABLE_AFTER_FAILURES

    (email,) = [m for m in mailoutbox if m.to == ["alice@example.org"] and "webhook" in m.body]
    with translation.override("fr"):
        subject = gettext("Your webhook “%(name)s” was disabled") % {"name": "Reporting tool"}
    assert email.subject == subject
    (html,) = email.alternatives
    assert html.mimetype == "text/html" and '<html lang="fr">' in html.content
    assert f"/fr/accounts/webhooks/{hook.pk}/" in email.body
    assert EmailDelivery.objects.filter(kind=NotificationKind.WEBHOOK_DISABLED).count() == 1

    # Nothing more is sent, whatever the sweep finds; enabling starts afresh.
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        assert send_due(run_queued_tasks) == []
    webhook_services.webhook_enable(hook=hook, actor=alice)
    hook.refresh_from_db()
    assert hook.active and hook.consecutive_failures == 0 and hook.disabled_at is None


def test_a_success_resets_the_count_of_failures(receiver, acme, alice, sam, run_queued_tasks):
    hook = register(alice, receiver, events=["progress.posted"])
    commitment = make_published(acme, alice, sam)
    receiver.answers = [500] * (webhooks.DISABLE_AFTER_FAILURES - 1) + [200, 500]
    for day in range(webhooks.DISABLE_AFTER_FAILURES + 1):
        with run_queued_tasks():
            commitments.progress_update_create(
                commitment=commitment,
                actor=alice,
                date=timezone.localdate() - timedelta(days=day),
                narrative=f"Update {day}",
            )
    hook.refresh_from_db()
    assert hook.active and hook.consecutive_failures == 1


def test_a_delivery_to_an_address_that_became_private_is_not_sent(
    receiver, acme, alice, sam, run_queued_tasks, settings
):
    register(alice, receiver, events=["commitment.published"])
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    with run_queued_tasks():
        make_published(acme, alice, sam)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending" and delivery.response_status is None
    assert "private network" in delivery.last_error
    assert receiver.received == []


def test_a_delivery_is_sent_once_however_often_its_task_runs(
    receiver, acme, alice, sam, run_queued_tasks
):
    register(alice, receiver, events=["commitment.published"])
    with run_queued_tasks():
        make_published(acme, alice, sam)
    delivery = WebhookDelivery.objects.get()
    assert webhook_services.webhook_delivery_send(delivery_id=delivery.pk).status == "skipped"
    assert len(receiver.received) == 1


def test_a_ping_reaches_an_active_hook_only(receiver, alice, run_queued_tasks):
    hook = register(alice, receiver, events=["partner.approved"])
    with run_queued_tasks():
        webhook_services.webhook_ping(hook=hook, actor=alice)
    (item,) = receiver.received
    assert item.valid and item.event == "ping"
    assert item.body["data"] == {"webhook": {"id": hook.pk, "name": "", "url": hook.url}}
    webhook_services.webhook_disable(hook=hook, actor=alice)
    with pytest.raises(WebhookError, match="disabled"):
        webhook_services.webhook_ping(hook=hook, actor=alice)


def test_a_failed_delivery_can_be_sent_again_with_the_same_body(
    receiver, acme, alice, sam, charlie, run_queued_tasks
):
    register(alice, receiver, events=["commitment.published"])
    receiver.answers = [500] * 6
    with run_queued_tasks():
        make_published(acme, alice, sam)
    WebhookDelivery.objects.update(status="failed", next_attempt_at=None)
    delivery = WebhookDelivery.objects.get()
    with pytest.raises(WebhookError):
        webhook_services.webhook_delivery_retry(delivery=delivery, actor=charlie)
    with run_queued_tasks():
        webhook_services.webhook_delivery_retry(delivery=delivery, actor=alice)
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.attempts == 1  # the sixth 500
    receiver.answers = []
    with time_machine.travel(delivery.next_attempt_at):
        assert send_due(run_queued_tasks) == ["succeeded"]
    assert receiver.received[0].raw == receiver.received[-1].raw
    with pytest.raises(WebhookError, match="failed"):
        webhook_services.webhook_delivery_retry(delivery=delivery, actor=sam)


# Registration rules ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8000/hook", "http://localhost/", "http://10.1.2.3/", "http://[::1]/"],
)
def test_a_private_address_is_refused_in_production(alice, settings, url):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    with pytest.raises(WebhookError) as error:
        webhook_services.webhook_create(owner=alice, url=url, events=["partner.approved"])
    assert error.value.field == "url" and "private network" in error.value.message
    assert not Webhook.objects.exists()


@pytest.mark.parametrize(
    ("events", "message"),
    [([], "at least one"), (["partner.deleted"], "Unknown event"), ("partner.approved", "list")],
)
def test_events_are_checked(receiver, alice, events, message):
    with pytest.raises(WebhookError, match=message) as error:
        webhook_services.webhook_create(owner=alice, url=receiver.url, events=events)
    assert error.value.field == "events"


def test_the_events_one_subscribes_to_are_listed_alike_with_and_without_tables():
    assert [event for event, _label in WEBHOOK_SUBSCRIPTION_CHOICES] == list(webhooks.EVENTS)


def test_events_are_kept_in_a_fixed_order_without_repeats(receiver, alice):
    hook = register(
        alice, receiver, events=["progress.posted", "partner.approved", "progress.posted"]
    )
    assert hook.events == ["partner.approved", "progress.posted"]


def test_an_account_has_a_limited_number_of_hooks(receiver, alice):
    for _n in range(webhook_services.MAX_WEBHOOKS_PER_USER):
        register(alice, receiver)
    with pytest.raises(WebhookError, match="delete one first"):
        register(alice, receiver)


def test_the_secret_is_new_on_each_hook_and_rotation(receiver, alice):
    first, second = register(alice, receiver), register(alice, receiver)
    assert first.secret.startswith("whsec_") and first.secret != second.secret
    old = first.secret
    rotated = webhook_services.webhook_rotate_secret(hook=first, actor=alice)
    assert rotated.secret != old and len(rotated.secret) > 40
    history = rotated.history.order_by("history_date")
    assert [row.history_change_reason for row in history] == ["Registered", "Secret rotated"]


def test_only_the_owner_or_the_secretariat_changes_a_hook(receiver, alice, charlie, sam):
    hook = register(alice, receiver)
    for service in (
        webhook_services.webhook_rotate_secret,
        webhook_services.webhook_disable,
        webhook_services.webhook_delete,
    ):
        with pytest.raises(WebhookError, match="not yours"):
            service(hook=hook, actor=charlie)
    webhook_services.webhook_disable(hook=hook, actor=sam)
    hook.refresh_from_db()
    assert not hook.active and hook.disabled_reason == "manual"


def test_a_disabled_account_registers_nothing(receiver):
    person = UserFactory(is_active=False)
    with pytest.raises(WebhookError):
        webhook_services.webhook_create(owner=person, url=receiver.url, events=["partner.approved"])
