"""The delivery log in the admin: filterable, read-only, a failed email sent again by staff."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.core import mail

from secretariat.models import EmailDelivery
from tests.factories import EmailDeliveryFactory, NotificationPreferenceFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/secretariat/emaildelivery/"


@pytest.fixture
def log(alice, bob):
    return {
        "sent": EmailDeliveryFactory(
            recipient=alice, kind="digest", status="sent", sent_at="2026-12-01T07:00:00Z"
        ),
        "failed": EmailDeliveryFactory(
            recipient=bob,
            kind="deliverable_due",
            status="failed",
            attempts=5,
            last_error="SMTPRecipientsRefused: 550 No such user",
        ),
        "other_app": EmailDeliveryFactory(recipient=alice, kind="forum.post_hidden"),
    }


def test_the_log_lists_and_filters_by_status_and_kind(client, sam, log):
    client.force_login(sam)

    everything = client.get(CHANGELIST)
    failed = client.get(CHANGELIST, {"status__exact": "failed"})
    digests = client.get(CHANGELIST, {"kind": "digest"})

    assert everything.status_code == 200
    assert set(everything.context["cl"].result_list) == set(log.values())
    assert list(failed.context["cl"].result_list) == [log["failed"]]
    assert list(digests.context["cl"].result_list) == [log["sent"]]
    html = everything.content.decode()
    assert "Deliverable due within 14 days" in html  # the kinds' labels
    assert "forum.post_hidden" in html  # another app's own kind


def test_a_delivery_is_shown_read_only(client, sam, log):
    client.force_login(sam)

    response = client.get(f"{CHANGELIST}{log['failed'].pk}/change/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "550 No such user" in html
    assert 'name="_save"' not in html


def test_staff_send_a_failed_email_again(client, sam, log, run_queued_tasks):
    client.force_login(sam)
    failed = log["failed"]

    with run_queued_tasks():
        response = client.post(
            CHANGELIST,
            {"action": "resend", "_selected_action": [failed.pk, log["sent"].pk]},
            follow=True,
        )

    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("sent", 1)
    (email,) = mail.outbox
    assert email.extra_headers["Message-ID"] == failed.message_id
    messages = [str(message) for message in response.context["messages"]]
    assert "1 email is queued to be sent again." in messages
    assert any("Only a failed email can be sent again" in message for message in messages)
    assert LogEntry.objects.get(object_id=str(failed.pk)).change_message == "Sent again"


def test_staff_without_the_permission_do_not_get_the_action(client, log):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_emaildelivery"))
    client.force_login(viewer)

    response = client.get(CHANGELIST)

    assert response.status_code == 200
    assert "resend" not in response.content.decode()
    assert EmailDelivery.objects.filter(status="failed").count() == 1


def test_the_preferences_are_in_the_admin(client, sam, alice):
    NotificationPreferenceFactory(user=alice, thematic_areas=["employment"], countries=["KE"])
    client.force_login(sam)

    response = client.get("/admin/secretariat/notificationpreference/", {"q": "alice@example"})

    assert response.status_code == 200
    assert [preference.user for preference in response.context["cl"].result_list] == [alice]
