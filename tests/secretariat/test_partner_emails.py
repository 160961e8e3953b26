"""The partners app's emails go through the delivery log: same messages, sent once."""

import pytest
from django.core import mail

from partners import services
from partners.models import Invitation
from partners.tasks import send_application_decision, send_invitation
from secretariat.models import EmailDelivery
from tests.factories import ApplicationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_decision_is_recorded_and_a_retried_task_sends_nothing_more(sam, run_queued_tasks):
    applicant = UserFactory(email="applicant@example.org", language="fr")
    application = ApplicationFactory(applicant=applicant, organization__name="Lakeside Union")
    with run_queued_tasks():
        services.application_approve(application=application, actor=sam)

    send_application_decision(application.pk)  # delivered twice by the broker

    (email,) = mail.outbox
    assert email.to == ["applicant@example.org"]
    assert "Lakeside Union" in email.subject
    assert email.alternatives[0][1] == "text/html"
    assert "/fr/partners/workspace/" in email.body
    row = EmailDelivery.objects.get()
    assert (row.kind, row.recipient, row.object_type, row.object_id, row.period) == (
        "application_decision",
        applicant,
        "partners.application",
        application.pk,
        "approved",
    )
    assert row.status == "sent"
    # It can't be turned off on its own; its link stops every reminder and digest instead.
    assert "unsubscribe" in email.extra_headers["List-Unsubscribe"]
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Auto-Submitted" not in email.extra_headers


def test_a_pending_application_sends_no_decision(db):
    send_application_decision(ApplicationFactory().pk)

    assert mail.outbox == []


def test_an_invitation_to_a_newcomer_is_keyed_by_address_and_renewed_by_a_new_link(
    alice, acme, run_queued_tasks
):
    with run_queued_tasks():
        invitation = services.invitation_create(
            organization=acme, email="New.Person@example.org", role="contributor", actor=alice
        )
    send_invitation(invitation.pk)  # a duplicate task

    (email,) = mail.outbox
    assert email.to == ["New.Person@example.org"]
    assert invitation.token in email.body
    assert "List-Unsubscribe" not in email.extra_headers  # no account to unsubscribe
    row = EmailDelivery.objects.get()
    assert (row.kind, row.recipient, row.to_email) == ("invitation", None, "New.Person@example.org")

    with run_queued_tasks():
        renewed = services.invitation_create(
            organization=acme, email="new.person@example.org", role="contributor", actor=alice
        )

    assert len(mail.outbox) == 2
    assert renewed.token in mail.outbox[1].body
    assert EmailDelivery.objects.count() == 2


def test_an_invitation_to_someone_with_an_account_is_in_their_language(
    alice, acme, run_queued_tasks
):
    invitee = UserFactory(email="maria@example.org", language="es")
    with run_queued_tasks():
        services.invitation_create(
            organization=acme, email="maria@example.org", role="contributor", actor=alice
        )

    (email,) = mail.outbox
    assert "/es/partners/invitations/" in email.body
    assert EmailDelivery.objects.get().recipient == invitee
    assert "List-Unsubscribe" in email.extra_headers


def test_an_accepted_invitation_is_not_sent(alice, acme, stranger):
    invitation = Invitation.objects.create(
        organization=acme,
        email=stranger.email,
        invited_by=alice,
        token="t" * 43,
        expires_at="2030-01-01T00:00:00Z",
        accepted_at="2026-01-01T00:00:00Z",
    )

    send_invitation(invitation.pk)

    assert mail.outbox == []
