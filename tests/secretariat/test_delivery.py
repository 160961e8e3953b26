"""The delivery log: every email recorded under its key before it is sent, sent once, retried
on passing errors, failed on refusals, and sent again by the recovery sweep when its task was
lost."""

import smtplib
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from coalition.emails import OutgoingEmail, send_templated_email
from secretariat import services, tasks
from secretariat.models import EmailDelivery
from tests.factories import ApplicationFactory, EmailDeliveryFactory, UserFactory
from tests.secretariat.mail_backends import FlakyBackend

FLAKY = {"default": {"BACKEND": "tests.secretariat.mail_backends.FlakyBackend"}}


@pytest.fixture
def flaky(settings):
    settings.MAILERS = FLAKY
    FlakyBackend.failures = []
    FlakyBackend.open_failures = []
    yield FlakyBackend
    FlakyBackend.failures = []
    FlakyBackend.open_failures = []


def reminder_for(user, *, period="2026-12-15", about=None):
    return OutgoingEmail(
        kind="no_commitment",
        to=user.email,
        language=user.language,
        recipient=user,
        template="secretariat/no_commitment",
        about=about,
        period=period,
        context={"organization": about},
    )


@pytest.fixture
def application(db):
    return ApplicationFactory(organization__name="Lakeside Union")


@pytest.mark.django_db
def test_an_email_is_recorded_once_per_key(alice, bob, application):
    organization = application.organization
    emails = [
        reminder_for(alice, about=organization),
        reminder_for(alice, about=organization),  # the same key twice in one run
        reminder_for(bob, about=organization),
        reminder_for(alice, about=organization, period="2027-01-15"),
    ]

    first = services.deliveries_create(emails)
    again = services.deliveries_create(emails)

    assert len(first) == 3
    assert again == first
    row = EmailDelivery.objects.get(pk=first[0])
    assert (row.kind, row.recipient, row.object_type, row.object_id, row.period) == (
        "no_commitment",
        alice,
        "partners.organization",
        organization.pk,
        "2026-12-15",
    )
    assert row.status == "queued" and row.message_id.endswith("@127.0.0.1>")


@pytest.mark.django_db
def test_the_database_refuses_a_second_row_with_the_same_key(alice):
    EmailDeliveryFactory(recipient=alice, kind="digest", period="2026-12")
    with pytest.raises(IntegrityError), transaction.atomic():
        EmailDeliveryFactory(recipient=alice, kind="digest", period="2026-12")
    # Without an account, the address is the recipient, whatever its case.
    EmailDeliveryFactory(
        recipient=None, to_email="New.Person@example.org", kind="invitation", period="x"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        EmailDeliveryFactory(
            recipient=None, to_email="new.person@example.org", kind="invitation", period="x"
        )


@pytest.mark.django_db
def test_sending_marks_the_row_sent_with_the_message_id_it_carries(alice, application, mailoutbox):
    (pk,) = services.deliveries_create([reminder_for(alice, about=application.organization)])

    result = services.deliveries_send(delivery_ids=[pk])
    again = services.deliveries_send(delivery_ids=[pk])

    assert (result.sent, again.sent, again.skipped) == (1, 0, 1)
    row = EmailDelivery.objects.get(pk=pk)
    assert (row.status, row.attempts) == ("sent", 1)
    assert row.sent_at is not None
    (message,) = mailoutbox
    assert message.extra_headers["Message-ID"] == row.message_id
    assert message.to == ["alice@example.org"]
    assert message.body == row.body_text
    assert message.alternatives[0] == (row.body_html, "text/html")


@pytest.mark.django_db
def test_a_passing_error_keeps_the_email_queued_and_the_retry_sends_it_once(
    alice, bob, application, flaky
):
    ids = services.deliveries_create(
        [reminder_for(person, about=application.organization) for person in (alice, bob)]
    )
    flaky.failures = [smtplib.SMTPServerDisconnected("Connection unexpectedly closed")]

    with pytest.raises(services.TransientMailError):
        services.deliveries_send(delivery_ids=ids)

    first = EmailDelivery.objects.get(pk=ids[0])
    assert (first.status, first.attempts) == ("queued", 1)
    assert "SMTPServerDisconnected" in first.last_error
    assert EmailDelivery.objects.get(pk=ids[1]).attempts == 0  # the batch stopped
    assert mail.outbox == []

    result = services.deliveries_send(delivery_ids=ids)  # the task's retry

    assert result.sent == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.org", "bob@example.org"]
    assert EmailDelivery.objects.get(pk=ids[0]).attempts == 2


@pytest.mark.django_db
def test_the_sending_task_retries_on_a_passing_error(alice, application, flaky):
    ids = services.deliveries_create([reminder_for(alice, about=application.organization)])
    flaky.open_failures = [ConnectionRefusedError(111, "Connection refused")]

    result = tasks.deliver.apply(args=[ids], throw=False)

    # apply() runs the retry at once (a worker would wait 30 s, then 60 s...): it sent it.
    assert result.successful()
    assert len(mail.outbox) == 1
    assert EmailDelivery.objects.get(pk=ids[0]).status == "sent"


@pytest.mark.django_db
def test_a_refused_address_fails_its_email_and_the_batch_goes_on(alice, bob, application, flaky):
    ids = services.deliveries_create(
        [reminder_for(person, about=application.organization) for person in (alice, bob)]
    )
    flaky.failures = [smtplib.SMTPRecipientsRefused({"alice@example.org": (550, b"No such user")})]

    result = services.deliveries_send(delivery_ids=ids)

    assert (result.sent, result.failed) == (1, 1)
    failed = EmailDelivery.objects.get(pk=ids[0])
    assert failed.status == "failed"
    assert "No such user" in failed.last_error
    assert [m.to for m in mail.outbox] == [["bob@example.org"]]


@pytest.mark.django_db
def test_an_email_failing_again_and_again_is_given_up(alice, application, flaky):
    (pk,) = services.deliveries_create([reminder_for(alice, about=application.organization)])
    flaky.failures = [TimeoutError("timed out")] * services.MAX_ATTEMPTS

    for _attempt in range(services.MAX_ATTEMPTS):
        with pytest.raises(services.TransientMailError):
            services.deliveries_send(delivery_ids=[pk])

    row = EmailDelivery.objects.get(pk=pk)
    assert (row.status, row.attempts) == ("failed", services.MAX_ATTEMPTS)
    assert services.deliveries_send(delivery_ids=[pk]).skipped == 1


@pytest.mark.django_db
def test_the_recovery_sweep_sends_emails_whose_task_was_lost(alice, bob, time_machine, run_job):
    time_machine.move_to(timezone.now() - timedelta(minutes=30), tick=False)
    lost = EmailDeliveryFactory(recipient=alice)
    time_machine.move_to(timezone.now() + timedelta(minutes=28), tick=False)
    fresh = EmailDeliveryFactory(recipient=bob)  # its task is probably still on its way

    sent = run_job("retry_queued", timezone.localdate())

    assert [email.to for email in sent] == [["alice@example.org"]]
    lost.refresh_from_db()
    fresh.refresh_from_db()
    assert (lost.status, fresh.status) == ("sent", "queued")


@pytest.mark.django_db(transaction=True)
def test_an_email_being_sent_by_another_worker_is_skipped(mailoutbox):
    row = EmailDeliveryFactory(recipient=UserFactory())
    locked, release = threading.Event(), threading.Event()

    def other_worker():
        try:
            with transaction.atomic():
                EmailDelivery.objects.select_for_update().get(pk=row.pk)
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert locked.wait(10)
        result = services.deliveries_send(delivery_ids=[row.pk])
    finally:
        release.set()
        thread.join()

    assert (result.sent, result.skipped) == (0, 1)
    assert mailoutbox == []


@pytest.mark.django_db
def test_an_email_sent_with_its_own_message_id_by_another_app_is_sent_once(alice):
    for _attempt in range(2):
        send_templated_email(
            to=alice.email,
            language="en",
            template="partners/application_approved",
            context={"application": None, "organization": {"name": "Acme"}},
            headers={"Message-ID": "<forum.registration.7.1796000000@127.0.0.1>"},
        )

    assert len(mail.outbox) == 1
    row = EmailDelivery.objects.get()
    assert (row.kind, row.recipient, row.message_id) == (
        "partners.application_approved",
        alice,  # found by address: the email carries an unsubscribe link
        "<forum.registration.7.1796000000@127.0.0.1>",
    )
    assert "List-Unsubscribe" in mail.outbox[0].extra_headers


@pytest.mark.django_db
def test_an_email_without_kind_nor_message_id_is_sent_each_time(alice):
    for _attempt in range(2):
        send_templated_email(
            to="someone@example.org",
            language="en",
            template="partners/application_approved",
            context={"application": None, "organization": {"name": "Acme"}},
        )

    assert len(mail.outbox) == 2
    assert "List-Unsubscribe" not in mail.outbox[0].extra_headers  # nobody to unsubscribe
