"""Emails of the commitments app, queued by the services with `delay_on_commit`."""

from celery import shared_task
from django.urls import reverse
from django.utils import translation

from coalition.emails import absolute_url, send_templated_email
from commitments.models import Commitment, CommitmentRevision, CoPartnership, ProgressUpdate
from partners.models import Membership
from partners.tasks import TASK_OPTIONS

# The Secretariat's decisions a partner is told about; each names what `object_id` points to.
DECISIONS = {
    "published": None,
    "returned": None,
    "withdrawn": None,
    "completed": None,
    "revision_published": CommitmentRevision,
    "revision_returned": CommitmentRevision,
    "update_hidden": ProgressUpdate,
    "update_validated": ProgressUpdate,
}


def _partner_recipients(commitment: Commitment) -> list:
    """The lead organization's admins, and whoever submitted the commitment if still a member."""
    memberships = Membership.objects.filter(
        organization_id=commitment.lead_organization_id, user__is_active=True
    ).select_related("user")
    people = {}
    for membership in memberships:
        if membership.role == Membership.Role.ADMIN or membership.user_id == (
            commitment.submitted_by_id
        ):
            people[membership.user_id] = membership.user
    return sorted(people.values(), key=lambda user: user.email)


def _when(decision: str, commitment: Commitment, subject) -> str:
    """The moment of the decision: with the kind, recipient and subject it makes the email's
    idempotency key, so a retried task sends nothing twice while a later decision of the same
    kind (returned again after a resubmission) is a new email."""
    moment = {
        "revision_published": lambda: subject.decided_at,
        "revision_returned": lambda: subject.decided_at,
        "update_hidden": lambda: subject.hidden_at,
        "update_validated": lambda: subject.validated_at,
    }.get(decision, lambda: commitment.status_changed_at)()
    return moment.isoformat() if moment else ""


@shared_task(name="commitments.send_commitment_decision", **TASK_OPTIONS)
def send_commitment_decision(commitment_id: int, decision: str, object_id: int | None) -> None:
    """Tells the partner's admins what the Secretariat decided, in each person's language."""
    commitment = Commitment.objects.select_related("lead_organization").get(pk=commitment_id)
    model = DECISIONS[decision]
    subject = model.objects.get(pk=object_id) if model is not None else None
    context = {
        "decision": decision,
        "commitment": commitment,
        "organization": commitment.lead_organization,
        "revision": subject if model is CommitmentRevision else None,
        "update": subject if model is ProgressUpdate else None,
    }
    period = _when(decision, commitment, subject)
    for user in _partner_recipients(commitment):
        with translation.override(user.language):
            urls = {
                "commitment_url": absolute_url(commitment.get_absolute_url()),
                "edit_url": absolute_url(reverse("commitments:edit", kwargs={"pk": commitment.pk})),
            }
        send_templated_email(
            kind=f"commitments.{decision}",
            to=user.email,
            language=user.language,
            recipient=user,
            about=subject or commitment,
            period=period,
            template="commitments/decision",
            context={**context, **urls, "recipient": user},
        )


@shared_task(name="commitments.send_copartner_invitation", **TASK_OPTIONS)
def send_copartner_invitation(copartnership_id: int) -> None:
    """Asks the admins of an organization named as co-partner to confirm its participation."""
    copartnership = (
        CoPartnership.objects.select_related("commitment__lead_organization", "organization")
        .filter(pk=copartnership_id, status=CoPartnership.Status.INVITED)
        .first()
    )
    if copartnership is None:  # removed or answered meanwhile
        return
    admins = Membership.objects.filter(
        organization_id=copartnership.organization_id,
        role=Membership.Role.ADMIN,
        user__is_active=True,
    ).select_related("user")
    for membership in admins:
        user = membership.user
        with translation.override(user.language):
            commitment_url = absolute_url(copartnership.commitment.get_absolute_url())
        send_templated_email(
            kind="commitments.copartner_invitation",
            to=user.email,
            language=user.language,
            recipient=user,
            about=copartnership,
            period=copartnership.created_at.isoformat(),
            template="commitments/copartner_invitation",
            context={
                "copartnership": copartnership,
                "commitment": copartnership.commitment,
                "lead": copartnership.commitment.lead_organization,
                "organization": copartnership.organization,
                "commitment_url": commitment_url,
            },
        )
