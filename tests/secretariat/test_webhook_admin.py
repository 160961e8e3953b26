"""Webhooks in the admin: searchable and filterable, read-only, the Secretariat disables a hook
or sends failed deliveries again through the services; nobody else gets in."""

import pytest

from secretariat import webhook_services
from secretariat.models import Webhook, WebhookAttempt, WebhookDelivery

pytestmark = pytest.mark.django_db

HOOKS = "/admin/secretariat/webhook/"
DELIVERIES = "/admin/secretariat/webhookdelivery/"


@pytest.fixture
def hooks(alice, charlie, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    first = webhook_services.webhook_create(
        owner=alice, url="http://127.0.0.1:9/a", events=["partner.approved"], name="Alpha tool"
    )
    second = webhook_services.webhook_create(
        owner=charlie, url="http://127.0.0.1:9/b", events=["progress.posted"], name="Beta tool"
    )
    webhook_services.webhook_disable(hook=second, actor=charlie)
    failed = WebhookDelivery.objects.create(
        hook=first, event="partner.approved", body='{"id": "x"}', status="failed", attempts=6
    )
    WebhookAttempt.objects.create(
        delivery=failed, attempted_at=first.created_at, response_status=500, error=""
    )
    delivered = WebhookDelivery.objects.create(
        hook=second,
        event="progress.posted",
        body="{}",
        status="succeeded",
        delivered_at=second.created_at,
    )
    return {"first": first, "second": second, "failed": failed, "delivered": delivered}


def test_hooks_are_searched_and_filtered(client, sam, hooks):
    client.force_login(sam)
    assert "Alpha tool" in client.get(HOOKS, {"q": "alice@"}).text
    assert "Beta tool" not in client.get(HOOKS, {"q": "alice@"}).text
    assert "Alpha tool" not in client.get(HOOKS, {"active__exact": "0"}).text
    by_event = client.get(HOOKS, {"event": "progress.posted"}).text
    assert "Beta tool" in by_event and "Alpha tool" not in by_event
    page = client.get(f"{HOOKS}{hooks['first'].pk}/change/").text
    assert hooks["first"].secret not in page and hooks["first"].secret_hint in page


def test_deliveries_are_filtered_by_state_event_and_hook_and_read_only(client, sam, hooks):
    client.force_login(sam)
    failed = client.get(DELIVERIES, {"status__exact": "failed"})
    assert failed.status_code == 200
    assert list(failed.context["cl"].result_list) == [hooks["failed"]]
    by_event = client.get(DELIVERIES, {"event__exact": "progress.posted"})
    assert list(by_event.context["cl"].result_list) == [hooks["delivered"]]
    by_hook = client.get(DELIVERIES, {"hook__id__exact": hooks["first"].pk})
    assert list(by_hook.context["cl"].result_list) == [hooks["failed"]]
    change = client.get(f"{DELIVERIES}{hooks['failed'].pk}/change/")
    assert change.status_code == 200 and "Save" not in change.text
    assert client.get(f"{DELIVERIES}add/").status_code == 403


def test_the_secretariat_sends_failed_deliveries_again(client, sam, hooks, run_queued_tasks):
    client.force_login(sam)
    with run_queued_tasks() as callbacks:
        response = client.post(
            DELIVERIES,
            {
                "action": "retry",
                "_selected_action": [hooks["failed"].pk, hooks["delivered"].pk],
            },
            follow=True,
        )
    messages = [str(message) for message in response.context["messages"]]
    assert "1 delivery will be sent again." in messages
    assert any("Only a failed delivery" in message for message in messages)
    assert len(callbacks) == 1  # the task that sends it


def test_the_secretariat_disables_a_hook(client, sam, hooks):
    client.force_login(sam)
    client.post(HOOKS, {"action": "disable", "_selected_action": [hooks["first"].pk]})
    hook = Webhook.objects.get(pk=hooks["first"].pk)
    assert not hook.active and hook.history.latest().history_user == sam


def test_people_outside_the_secretariat_do_not_get_in(client, alice, hooks):
    client.force_login(alice)
    assert client.get(HOOKS).status_code == 302
    assert client.get(DELIVERIES).status_code == 302
