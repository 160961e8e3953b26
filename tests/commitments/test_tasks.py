"""Emails to partners: each decision, in each recipient's language, text and HTML."""

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from commitments import services, tasks
from commitments.models import Commitment
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch):
    """What the tasks hand to the delivery log."""
    calls = []
    monkeypatch.setattr(tasks, "send_templated_email", lambda **kwargs: calls.append(kwargs))
    return calls


def test_a_return_is_emailed_to_the_admins_and_the_submitter(submitted, sam, alice, sent, acme):
    services.commitment_return(commitment=submitted, actor=sam, reason="Add SDGs.")
    MembershipFactory(organization=acme, user__email="zoe@example.org")  # a contributor

    tasks.send_commitment_decision(submitted.pk, "returned", None)

    assert [call["to"] for call in sent] == ["alice@example.org"]
    call = sent[0]
    assert call["template"] == "commitments/decision"
    assert call["kind"] == "commitments.returned"
    assert call["recipient"] == alice
    assert call["about"] == submitted
    assert call["context"]["decision"] == "returned"


def test_a_second_return_is_a_new_email_but_a_retry_is_not(submitted, sam, alice, sent):
    services.commitment_return(commitment=submitted, actor=sam, reason="Add SDGs.")
    tasks.send_commitment_decision(submitted.pk, "returned", None)
    tasks.send_commitment_decision(submitted.pk, "returned", None)  # a retried task
    services.commitment_submit(commitment=submitted, actor=alice)
    services.commitment_return(commitment=submitted, actor=sam, reason="Still vague.")
    tasks.send_commitment_decision(submitted.pk, "returned", None)

    periods = [call["period"] for call in sent]
    assert periods[0] == periods[1] != periods[2]


def test_each_recipient_gets_the_email_in_their_language(submitted, sam, alice, sent):
    alice.language = "fr"
    alice.save()
    services.commitment_return(commitment=submitted, actor=sam, reason="Ajoutez les ODD.")

    tasks.send_commitment_decision(submitted.pk, "returned", None)

    call = sent[0]
    assert call["language"] == "fr"
    assert call["context"]["edit_url"].endswith(f"/fr/commitments/{submitted.pk}/edit/")


@pytest.mark.parametrize(
    ("decision", "english"),
    [
        ("published", "Your commitment is published"),
        ("returned", "Your commitment needs changes"),
        ("withdrawn", "The Secretariat withdrew a commitment"),
        ("completed", "Recorded as completed"),
    ],
)
def test_every_decision_renders_a_subject_a_text_and_an_html_part(submitted, decision, english):
    Commitment.objects.filter(pk=submitted.pk).update(status_reason="Because.")
    submitted.refresh_from_db()
    context = {
        "decision": decision,
        "commitment": submitted,
        "organization": submitted.lead_organization,
        "commitment_url": "https://example.org/c/1/",
        "edit_url": "https://example.org/c/1/edit/",
        "recipient": None,
    }
    with translation.override("en"):
        subject = render_to_string("emails/commitments/decision.subject.txt", context)
        text = render_to_string("emails/commitments/decision.txt", context)
        html = render_to_string("emails/commitments/decision.html", context)

    assert english in subject
    assert "https://example.org/c/1/" in text
    assert 'href="https://example.org/c/1/"' in html
    assert "<" not in text.replace("<https", "")  # plain text is plain
    with translation.override("fr"):
        french = render_to_string("emails/commitments/decision.txt", context)
    assert french != text


def test_the_revision_and_progress_decisions_name_their_subject(published, alice, bob, sam, sent):
    from django.utils import timezone

    update = services.progress_update_create(
        commitment=published, actor=bob, date=timezone.localdate(), narrative="Names"
    )
    services.progress_update_hide(update=update, actor=sam, reason="Personal data.")

    tasks.send_commitment_decision(published.pk, "update_hidden", update.pk)

    call = sent[0]
    assert call["about"] == update
    text = render_to_string("emails/commitments/decision.txt", call["context"])
    assert "Personal data." in text


def test_a_co_partner_invitation_goes_to_its_admins(draft, initech, ivan, bob, sent):
    from commitments.models import CoPartnership

    copartnership = CoPartnership.objects.create(
        commitment=draft, organization=initech, invited_by=bob
    )

    tasks.send_copartner_invitation(copartnership.pk)

    assert [call["to"] for call in sent] == ["ivan@example.org"]
    text = render_to_string("emails/commitments/copartner_invitation.txt", sent[0]["context"])
    assert "Acme Workers Union names Initech Cooperative as a co-partner" in text


def test_an_answered_invitation_is_not_sent(draft, initech, ivan, bob, sent):
    from commitments.models import CoPartnership

    copartnership = CoPartnership.objects.create(
        commitment=draft, organization=initech, invited_by=bob, status="confirmed"
    )

    tasks.send_copartner_invitation(copartnership.pk)

    assert sent == []


def test_a_decision_task_run_twice_sends_one_email(submitted, sam, alice):
    from django.core import mail

    services.commitment_return(commitment=submitted, actor=sam, reason="Add SDGs.")
    mail.outbox.clear()

    tasks.send_commitment_decision(submitted.pk, "returned", None)
    tasks.send_commitment_decision(submitted.pk, "returned", None)  # a retried task

    assert [message.to for message in mail.outbox] == [["alice@example.org"]]


def test_a_co_partner_invitation_task_run_twice_sends_one_email(draft, initech, ivan, bob):
    from django.core import mail

    from commitments.models import CoPartnership

    copartnership = CoPartnership.objects.create(
        commitment=draft, organization=initech, invited_by=bob
    )
    mail.outbox.clear()

    tasks.send_copartner_invitation(copartnership.pk)
    tasks.send_copartner_invitation(copartnership.pk)

    assert [message.to for message in mail.outbox] == [["ivan@example.org"]]
